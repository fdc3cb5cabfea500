/** How a call to a runtime endpoint is repeated after a transient failure. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Pause after the first failure; it doubles after each further one. */
  baseDelayMs: number;
  /** Upper bound of a pause. */
  maxDelayMs: number;
}

/** The pause after `failures` failed attempts (1 for the first), exponential and capped. */
export function backoffDelay(failures: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
}

/** Whether an HTTP status is worth trying again: the server's fault, or a request to slow down. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}
