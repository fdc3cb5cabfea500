/** An exponential backoff: the n-th retry waits base × 2^(n-1), capped at max, part of it drawn at random. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** Share of the delay drawn at random (0: fixed delays), so that clients restarted together do not retry in step. */
  jitter: number;
}

/** For the services a module calls: 1 s doubling up to a minute, a fifth of it at random. */
export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 };

/**
 * The pause before retry number `failures` (1 for the first). A Retry-After the server gave (in ms,
 * as `readRetryAfter` returns it) is a floor: the server's word is obeyed, and a server that keeps
 * asking for a short wait still sees the pauses grow. `random` is injectable for tests.
 */
export function backoffDelay(failures: number, backoff: Backoff, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, failures - 1));
  const spread = exponential * backoff.jitter;
  const delay = Math.max(0, Math.round(exponential - spread + random() * spread));
  return Math.max(delay, retryAfterMs ?? 0);
}
