import { systemClock } from './clock.js';
import { backoffDelay, isTransientStatus, type RetryPolicy } from './retry.js';
import { runtimeRequest } from './runtime-http.js';
import { SecretsFetchError } from './secrets-fetch-error.js';
import type { Clock, Logger } from './types.js';

export const DEFAULT_SECRETS_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 };

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
  const clock = options.clock ?? systemClock;
  let lastReason = '';
  let lastStatus: number | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    attempts = attempt;
    try {
      const response = await runtimeRequest({
        method: 'GET',
        url: options.url,
        token: options.token,
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      lastStatus = response.status;
      if (response.status === 401 || response.status === 403) {
        throw new SecretsFetchError(
          `The platform refused the token of this trigger when fetching the module's secrets (HTTP ${response.status} from GET ${options.url}): check the token given to the container.`,
          response.status,
        );
      }
      if (response.status >= 200 && response.status < 300) return parseSecrets(response.body, options.url);
      if (!isTransientStatus(response.status)) {
        throw new SecretsFetchError(
          `The module's secrets could not be fetched: GET ${options.url} answered HTTP ${response.status}.`,
          response.status,
        );
      }
      lastReason = `HTTP ${response.status}`;
    } catch (error) {
      if (error instanceof SecretsFetchError) throw error;
      lastReason = error instanceof Error ? error.message : String(error);
    }
    if (attempt < policy.maxAttempts && options.signal?.aborted !== true) {
      const delay = backoffDelay(attempt, policy);
      options.logger?.log(
        `Fetching the module's secrets failed (${lastReason}, attempt ${attempt} of ${policy.maxAttempts}); trying again in ${delay / 1000} s`,
        'warning',
      );
      await clock.sleep(delay, options.signal);
    }
    if (options.signal?.aborted === true) break;
  }
  throw new SecretsFetchError(
    `The module's secrets could not be fetched from ${options.url} after ${attempts} attempt${attempts === 1 ? '' : 's'} (last: ${lastReason}).`,
    lastStatus,
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
