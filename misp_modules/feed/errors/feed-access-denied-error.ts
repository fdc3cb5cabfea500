import { FeedError } from './feed-error.js';

/**
 * Thrown when the feed server refuses manifest.json with HTTP 401 or 403, or when a local feed
 * directory cannot be read for lack of permission. The headers sent are never quoted.
 */
export class FeedAccessDeniedError extends FeedError {
  /** HTTP status, or the system error code (EACCES, EPERM) for a local directory. */
  readonly status: number | string;

  constructor(feed: string, status: number | string) {
    super(
      typeof status === 'number'
        ? `The MISP feed at ${feed} refused access to manifest.json (HTTP ${status}). ` +
            'Check the feed headers of the account (for example the Authorization header and its token) and that the token is still valid.'
        : `The MISP feed directory ${feed} cannot be read (${status}). Give the trigger's user read access to it.`,
      feed,
    );
    this.name = 'FeedAccessDeniedError';
    this.status = status;
  }
}
