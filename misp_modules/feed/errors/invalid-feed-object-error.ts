import { FeedError } from './feed-error.js';

/**
 * Thrown by the live feed generator when an object cannot be written as MISP would accept it: its
 * template is not one the generator knows, a relation is not part of the template, a required
 * relation has no value, or a single-valued relation got several. Carries the template name.
 */
export class InvalidFeedObjectError extends FeedError {
  readonly template: string;

  constructor(template: string, problem: string, feed = '') {
    super(`The ${JSON.stringify(template)} object cannot be written: ${problem}`, feed);
    this.name = 'InvalidFeedObjectError';
    this.template = template;
  }
}
