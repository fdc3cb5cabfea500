/** Settings of an exponential backoff: the n-th retry waits base × 2^(n-1), capped, with jitter. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Share of the delay drawn at random (0 → fixed delays), so that restarted clients do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 };

/** Delay before retry number `attempt` (1 for the first retry). `random` is injectable for tests. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const spread = exponential * policy.jitter;
  return Math.max(0, Math.round(exponential - spread + random() * spread));
}

/** A wait as an operator reads it in a log line: `2 s`, `1.5 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
