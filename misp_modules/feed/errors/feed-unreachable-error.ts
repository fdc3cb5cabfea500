import { FeedError } from './feed-error.js';

/**
 * Thrown when manifest.json could not be had: no connection, a TLS failure, a timeout, a 5xx or
 * 429 answer on every attempt, or an unexpected status. Transient causes are retried first, so
 * this means every attempt failed. Carries the error code or status and the number of attempts.
 */
export class FeedUnreachableError extends FeedError {
  /** A system or TLS error code (ECONNREFUSED, CERT_HAS_EXPIRED…) or `HTTP <status>`. */
  readonly code: string;
  readonly attempts: number;

  constructor(feed: string, code: string, description: string, attempts: number, hint: string) {
    super(
      `The manifest.json of the MISP feed at ${feed} could not be read (${code}: ${description}) after ${attempts} attempt${attempts === 1 ? '' : 's'}. ${hint}`,
      feed,
    );
    this.name = 'FeedUnreachableError';
    this.code = code;
    this.attempts = attempts;
  }
}
