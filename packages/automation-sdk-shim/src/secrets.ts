import { systemClock } from './clock.js';
import { formatSeconds, type RetryPolicy } from './retry/retry.js';
import { retryRuntimeRequest } from './runtime-http.js';
import { SecretsFetchError } from './secrets-fetch-error.js';
import type { Clock, Logger } from './types.js';

export const DEFAULT_SECRETS_RETRY: RetryPolicy = { maxAttempts: 5, backoff: { baseMs: 1_000, maxMs: 10_000, jitter: 0 } };

export interface FetchSecretsOptions {
  /** url_secrets. */
  url: string;
  token: string;
  clock?: Clock;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Told about each retry. */
  logger?: Logger;
}

/**
 * GETs url_secrets with the runtime token and returns the `value` object of the answer, to be merged
 * into the module configuration. Network errors and 5xx are retried with backoff; 401/403 and any
 * other answer fail at once with a SecretsFetchError that says what to check.
 */
export async function fetchSecrets(options: FetchSecretsOptions): Promise<Record<string, unknown>> {
  const policy = { ...DEFAULT_SECRETS_RETRY, ...options.retry };
  const run = await retryRuntimeRequest(
    { method: 'GET', url: options.url, token: options.token, timeoutMs: options.timeoutMs ?? 30_000, ...(options.signal === undefined ? {} : { signal: options.signal }) },
    {
      policy,
      clock: options.clock ?? systemClock,
      signal: options.signal,
      onRetry: ({ attempt, summary, waitMs }) =>
        options.logger?.log(`Fetching the module's secrets failed (${summary}, attempt ${attempt} of ${policy.maxAttempts}); trying again in ${formatSeconds(waitMs)}`, 'warning'),
    },
  );
  const { response, summary } = run.outcome;
  if (run.end === 'done' && response !== undefined) {
    if (response.status === 401 || response.status === 403) {
      throw new SecretsFetchError(
        `The platform refused the token of this trigger when fetching the module's secrets (HTTP ${response.status} from GET ${options.url}): check the token given to the container.`,
        response.status,
      );
    }
    if (response.status >= 200 && response.status < 300) return parseSecrets(response.body, options.url);
    throw new SecretsFetchError(`The module's secrets could not be fetched: GET ${options.url} answered HTTP ${response.status}.`, response.status);
  }
  throw new SecretsFetchError(
    `The module's secrets could not be fetched from ${options.url} after ${run.attempts} attempt${run.attempts === 1 ? '' : 's'} (last: ${summary}).`,
    response?.status,
  );
}

function parseSecrets(body: string, url: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const value = (parsed as { value?: unknown } | undefined)?.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SecretsFetchError(`The answer of GET ${url} is not a JSON object with a "value" object of secrets.`);
  }
  return value as Record<string, unknown>;
}
