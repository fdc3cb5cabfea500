/**
 * Thrown when the configuration of the trigger cannot be used: a value that the runtime needs is
 * missing, cannot be parsed, or breaks the JSON Schema of the manifest or of the trigger JSON.
 * The message names every problem at once, so that an operator fixes them all in one go; it never
 * quotes a configured value, only key names.
 */
export class ConfigurationError extends Error {
  /** One entry per concern, e.g. `module configuration: missing misp_api_key`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
    this.problems = [...problems];
  }
}
