import type { Clock } from '../types.js';
import { backoffDelay, type Backoff } from './backoff.js';

/** How a call is repeated after a failure worth retrying. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  backoff: Backoff;
}

/** What a client makes of one attempt: its own classification of answers and errors, as data. */
export type RetryVerdict =
  | { retry: false }
  | {
      retry: true;
      /** What went wrong, for the retry's log line. */
      summary: string;
      /** The server's Retry-After as `readRetryAfter` returns it: a floor under the backoff. */
      retryAfterMs?: number | undefined;
      /**
       * The wait is kept elsewhere, by a pause that holds every request of the client (a rate limit):
       * no pause here, and the failure does not count against maxAttempts.
       */
      heldElsewhere?: boolean;
    };

/** A failed attempt about to be retried, as `onRetry` is told of it. */
export interface RetryStep<T> {
  outcome: T;
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  /** Failures counted against maxAttempts so far, this one included. */
  failures: number;
  maxAttempts: number;
  summary: string;
  /** The pause before the next attempt. */
  waitMs: number;
}

export interface RetryOptions<T> extends RetryPolicy {
  classify(outcome: T): RetryVerdict;
  /** Pauses run on it, so that tests drive time instead of waiting it out. */
  clock: Pick<Clock, 'sleep'>;
  /** Cuts a pause short and ends the retries. */
  signal?: AbortSignal | undefined;
  /** Told before each pause (the place of the log line); answering false gives up, e.g. when a retry budget is spent. */
  onRetry?(step: RetryStep<T>): boolean | void;
  random?: () => number;
}

/**
 * How the retries ended: `done` when the last outcome was not worth retrying (a success or a final
 * refusal), `exhausted` after maxAttempts counted failures, `stopped` when the signal aborted,
 * `declined` when onRetry gave up.
 */
export type RetryEnd = 'done' | 'exhausted' | 'stopped' | 'declined';

export interface RetryResult<T> {
  /** The outcome of the last attempt. */
  outcome: T;
  attempts: number;
  end: RetryEnd;
}

/**
 * The one retry loop of the module and of its runtime: calls `attempt` until `classify` says its
 * outcome is final, pausing between attempts by `backoffDelay` (a Retry-After as its floor). It
 * resolves with the last outcome and never throws of its own: what an exhausted or stopped call
 * means (an error, a failed result) is the caller's to say. Errors `attempt` throws pass through.
 */
export async function retry<T>(attempt: (attempt: number) => Promise<T>, options: RetryOptions<T>): Promise<RetryResult<T>> {
  const { signal } = options;
  let failures = 0;
  for (let attempts = 1; ; attempts += 1) {
    const outcome = await attempt(attempts);
    const verdict = options.classify(outcome);
    if (!verdict.retry) return { outcome, attempts, end: 'done' };
    const held = verdict.heldElsewhere === true;
    if (!held) failures += 1;
    if (failures >= options.maxAttempts) return { outcome, attempts, end: 'exhausted' };
    if (aborted(signal)) return { outcome, attempts, end: 'stopped' };
    const waitMs = held ? 0 : backoffDelay(failures, options.backoff, verdict.retryAfterMs, options.random);
    const step = { outcome, attempt: attempts, failures, maxAttempts: options.maxAttempts, summary: verdict.summary, waitMs };
    if (options.onRetry?.(step) === false) return { outcome, attempts, end: 'declined' };
    if (!held) await options.clock.sleep(waitMs, signal);
    if (aborted(signal)) return { outcome, attempts, end: 'stopped' };
  }
}

/** Read afresh each time: a pause may end because the signal aborted meanwhile. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** The one rule of which HTTP statuses are worth trying again: the server's fault, a timeout, or a request to slow down. */
export function isRetriedStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** A wait as an operator reads it in a log line: `2 s`, `1.5 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
