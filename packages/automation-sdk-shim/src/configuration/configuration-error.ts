/**
 * Thrown when the configuration of the trigger cannot be used: a value that the runtime needs is
 * missing, cannot be parsed, or breaks the JSON Schema of the manifest or of the trigger JSON.
 * The message names every problem at once, one sentence each, so that an operator fixes them all
 * in one go; a secret is never quoted, only its length.
 */
export class ConfigurationError extends Error {
  /** One sentence per problem, e.g. `In the module configuration, misp_api_key is missing; expected a non-empty text.` */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.map(asSentence).join(' ')}`);
    this.name = 'ConfigurationError';
    this.problems = [...problems];
  }
}

function asSentence(problem: string): string {
  const text = problem.trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
