import { formatSeconds, retry, type Backoff, type Clock, type Logger } from '@sekoia/automation-sdk-shim';
import type { MispError } from './errors/misp-error.js';

/** A MISP request that got no usable answer. `error` builds the error to throw once no attempt is left. */
export interface MispFailure {
  ok: false;
  transient: boolean;
  /** What went wrong, for the retry log line. */
  summary: string;
  retryAfterMs?: number | undefined;
  error: (attempts: number) => MispError;
}

export interface MispRetry {
  host: string;
  maxAttempts: number;
  backoff: Backoff;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * One MISP request through the shared retry loop: transient failures are tried again (Retry-After
 * honoured), each retry said in one warning line naming `what` was asked; once given up, the
 * failure's own error is thrown. A stop throws the signal's reason.
 */
export async function retryMisp<T extends { ok: true }>(what: string, attempt: () => Promise<T | MispFailure>, options: MispRetry): Promise<T> {
  const { signal } = options;
  const run = await retry(
    () => {
      signal?.throwIfAborted();
      return attempt();
    },
    {
      maxAttempts: options.maxAttempts,
      backoff: options.backoff,
      clock: options.clock,
      signal,
      classify: (outcome) => (outcome.ok || !outcome.transient ? { retry: false } : { retry: true, summary: outcome.summary, retryAfterMs: outcome.retryAfterMs }),
      onRetry: ({ attempt: failed, summary, waitMs }) =>
        options.logger.log(`MISP at ${options.host}, ${what}: ${summary}; attempt ${failed + 1} of ${options.maxAttempts} in ${formatSeconds(waitMs)}.`, 'warning'),
    },
  );
  signal?.throwIfAborted();
  if (run.outcome.ok) return run.outcome;
  throw run.outcome.error(run.attempts);
}
