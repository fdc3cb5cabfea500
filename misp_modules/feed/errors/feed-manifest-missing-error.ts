import { FeedError } from './feed-error.js';

/**
 * Thrown when the feed has no manifest.json: HTTP 404 (or 410) on `<feed>/manifest.json`, or no
 * such file in a local feed directory. Usually the location points one level too high or too low.
 */
export class FeedManifestMissingError extends FeedError {
  /** HTTP status, or undefined for a local directory. */
  readonly status: number | undefined;

  constructor(feed: string, status?: number) {
    super(
      `The MISP feed at ${feed} has no manifest.json (${status === undefined ? 'no such file' : `HTTP ${status}`}). ` +
        'Check the feed location: it must be the directory that holds manifest.json and the event files, given without /manifest.json.',
      feed,
    );
    this.name = 'FeedManifestMissingError';
    this.status = status;
  }
}
