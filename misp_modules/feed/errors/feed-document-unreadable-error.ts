import { FeedError } from './feed-error.js';

/**
 * Thrown when the one file of a CSV or free-text feed cannot be had: missing (404, no such file or
 * object), refused (401/403, S3 access denied), or unreachable after the retries. The message names
 * the feed as shown in logs (never a credential), what the server or the system answered, and what
 * to check. The cycle fails and the next one tries again; nothing is lost.
 */
export class FeedDocumentUnreadableError extends FeedError {
  /** `missing`, `denied` or `other`. */
  readonly kind: string;
  /** `HTTP <status>`, an S3 error name or a system error code. */
  readonly code: string;

  constructor(feed: string, format: string, kind: string, code: string, description: string, hint: string) {
    super(`The ${format} feed at ${feed} could not be read (${code}: ${description}). ${hint}`, feed);
    this.name = 'FeedDocumentUnreadableError';
    this.kind = kind;
    this.code = code;
  }
}
