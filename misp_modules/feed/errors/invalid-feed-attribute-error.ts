import { FeedError } from './feed-error.js';

/**
 * Thrown by the live feed generator when an attribute cannot be written: no type or value, a value
 * with a line break or another control character, or an indicator type whose value is not valid
 * for its kind. Carries the type; the value appears only shortened and JSON-quoted.
 */
export class InvalidFeedAttributeError extends FeedError {
  readonly type: string;

  constructor(type: string, problem: string, feed = '') {
    super(`The ${type === '' ? 'untyped' : JSON.stringify(type)} attribute cannot be written: ${problem}`, feed);
    this.name = 'InvalidFeedAttributeError';
    this.type = type;
  }
}
