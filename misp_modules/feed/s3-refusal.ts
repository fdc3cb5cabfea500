/**
 * Why S3 refused a feed, in the words of S3 and of the account: the S3 error code as S3 names it,
 * what it means, and which settings to change. Never a key: only the names of the settings.
 */
export interface S3Refusal {
  /** The S3 error code (`SignatureDoesNotMatch`…), or the AWS SDK's name when S3 was never asked. */
  code: string;
  kind: 'denied' | 'missing';
  /** Whether S3 answered the code (false: the AWS SDK found no credentials to ask with). */
  answeredByS3: boolean;
  /** What the code means and what to do, as the end of a sentence: "the … , so check …". */
  explanation: string;
}

interface Where {
  /** Whether the account holds both S3 keys (otherwise the AWS SDK took the environment's credentials). */
  keysInAccount: boolean;
}

const ENVIRONMENT_KEYS =
  'check the AWS credentials of the environment (AWS_SECRET_ACCESS_KEY with AWS_ACCESS_KEY_ID, or the profile or role in use), or set s3_access_key_id and s3_secret_access_key in the account';

/** What the AWS SDK names an S3 error that carried no code. */
const NAMELESS = new Set(['Unknown', 'UnknownError', 'Error']);

/** The codes S3 refuses a feed with, by what they mean to an operator. */
const REFUSALS: Record<string, (where: Where) => Omit<S3Refusal, 'code' | 'answeredByS3'>> = {
  SignatureDoesNotMatch: ({ keysInAccount }) => ({
    kind: 'denied',
    explanation: `the secret access key does not go with the access key id, so ${keysInAccount ? 'check that s3_secret_access_key in the account is the secret of s3_access_key_id' : ENVIRONMENT_KEYS}`,
  }),
  InvalidAccessKeyId: ({ keysInAccount }) => ({
    kind: 'denied',
    explanation: `this S3 service knows no such access key id, so ${keysInAccount ? 'check s3_access_key_id in the account' : ENVIRONMENT_KEYS} (and s3_endpoint, since keys of one S3 service mean nothing to another)`,
  }),
  AccessDenied: ({ keysInAccount }) => ({
    kind: 'denied',
    explanation:
      `the keys are valid but have no permission on that bucket or object, so grant ${keysInAccount ? 'the user of s3_access_key_id' : 'the AWS identity of the environment'} s3:GetObject on it ` +
      '(and s3:ListBucket on the bucket, without which S3 answers AccessDenied for a missing object too), or set keys that have it',
  }),
  ExpiredToken: () => ({
    kind: 'denied',
    explanation: `the session token of the credentials has expired, so renew the AWS credentials of the environment, or set s3_access_key_id and s3_secret_access_key in the account`,
  }),
  NoSuchBucket: () => ({
    kind: 'missing',
    explanation: 'there is no such bucket at this S3 endpoint, so check the bucket name in feed_location, and s3_endpoint and s3_region',
  }),
  // Not an answer of S3: the AWS SDK found no credentials at all, and asked nothing.
  CredentialsProviderError: () => ({
    kind: 'denied',
    explanation: 'the account has no S3 keys and the environment no AWS credentials, so set s3_access_key_id and s3_secret_access_key in the account, or give the container AWS credentials',
  }),
};

/**
 * The refusal an S3 error code stands for; any other code with HTTP 401 or 403 is a refusal of the
 * keys or of their permission. Undefined for what is no refusal (NoSuchKey, a 5xx…).
 */
export function s3Refusal(code: string, where: Where, status?: number): S3Refusal | undefined {
  const refusal =
    REFUSALS[code]?.(where) ??
    (status === 401 || status === 403
      ? { kind: 'denied' as const, explanation: `S3 refused the keys or their permission, so ${where.keysInAccount ? 'check s3_access_key_id and s3_secret_access_key in the account' : ENVIRONMENT_KEYS}, and that they may read that object` }
      : undefined);
  if (refusal === undefined) return undefined;
  // A refusal without a body (as to a HEAD request) leaves the AWS SDK with no code: the status says it.
  const named = NAMELESS.has(code) && status !== undefined ? `HTTP ${status}` : code;
  return { code: named, answeredByS3: code !== 'CredentialsProviderError', ...refusal };
}
