/**
 * The reason an action's `signal` aborts with when the container is asked to stop (SIGTERM or
 * SIGINT) while the action runs: the action's work is cut short and reported as this error.
 * Carries the signal.
 */
export class ActionStoppedError extends Error {
  readonly signal: string;

  constructor(signal: string) {
    super(`The action was stopped by ${signal} before it finished.`);
    this.name = 'ActionStoppedError';
    this.signal = signal;
  }
}
