import { FeedError } from './feed-error.js';

/**
 * Thrown when a feed source is built with a location that is neither an http(s) URL nor an
 * absolute local directory, or with an HTTP header whose name or value cannot be sent. The message
 * names the setting at fault and never repeats a header value.
 */
export class InvalidFeedOptionsError extends FeedError {
  /** The setting at fault, for example `feed location` or `feed header`. */
  readonly setting: string;

  constructor(setting: string, message: string, feed = '') {
    super(message, feed);
    this.name = 'InvalidFeedOptionsError';
    this.setting = setting;
  }
}
