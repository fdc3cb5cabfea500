/**
 * Base of every error the feed reader and writer throw, so that a caller can tell a feed failure
 * from a bug. It carries the feed's location as shown to an operator: host and path of a URL
 * (never its credentials or query string) or a local directory. Header values never appear in it.
 */
export class FeedError extends Error {
  /** The feed as shown in messages: `host/path` or a directory. */
  readonly feed: string;

  constructor(message: string, feed: string) {
    super(message);
    this.name = 'FeedError';
    this.feed = feed;
  }
}
