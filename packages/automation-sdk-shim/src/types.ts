/** Levels of the Sekoia.io log endpoint, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Anything that takes log lines: the trigger, the test runtime, a component's own logger. */
export interface Logger {
  log(message: string, level?: LogLevel): void;
}

/**
 * Time as the runtime sees it. Injected everywhere so that tests drive time instead of waiting it out.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Waits `ms` milliseconds. Resolves early (never rejects) when `signal` aborts, so a stop never
   * waits out a pause.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `tick` every `ms` milliseconds until `signal` aborts. A timer, not a wait: nothing waits
   * on it, so a test clock fires it as its time goes by but never moves time to it. A clock that
   * keeps no timers leaves it out.
   */
  every?(ms: number, tick: () => void, signal: AbortSignal): void;
}
