import type { S3Refusal } from '../s3-refusal.js';
import { FeedError } from './feed-error.js';

/**
 * Thrown when S3 refuses the file a feed is read from: wrong secret key (SignatureDoesNotMatch),
 * unknown key id (InvalidAccessKeyId), no permission (AccessDenied), no such bucket (NoSuchBucket),
 * or no credentials at all. The message is one sentence: the S3 code, what it means, and the
 * account settings to check, by name; never a key. The cycle fails and the next one tries again.
 */
export class S3RefusedError extends FeedError {
  /** The S3 error code, as S3 names it. */
  readonly code: string;
  /** `denied` or `missing` (no such bucket). */
  readonly kind: S3Refusal['kind'];

  /** `file` names what was asked, e.g. "the manifest.json of the MISP feed at s3://bucket/prefix". */
  constructor(feed: string, file: string, refusal: S3Refusal) {
    super(
      refusal.answeredByS3 ? `S3 answered ${refusal.code} for ${file}: ${refusal.explanation}.` : `No AWS credentials were found to read ${file}: ${refusal.explanation}.`,
      feed,
    );
    this.name = 'S3RefusedError';
    this.code = refusal.code;
    this.kind = refusal.kind;
  }
}
