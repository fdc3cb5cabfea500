/**
 * Thrown by the client's constructor when its options cannot be used (a server URL that is not an
 * http(s) URL, an empty collection identifier or API key, a pace or a bound that is not a positive
 * number). The message names every problem at once and never quotes the API key.
 */
export class InvalidIocCollectionClientOptionsError extends Error {
  /** One entry per invalid option, e.g. `serverUrl must be an http:// or https:// URL`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid Sekoia.io IOC collection client options: ${problems.join('; ')}.`);
    this.name = 'InvalidIocCollectionClientOptionsError';
    this.problems = [...problems];
  }
}
