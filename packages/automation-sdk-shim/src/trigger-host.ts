import type { Registry } from 'prom-client';
import { isFatalTriggerError } from './fatal-trigger-error.js';
import { backoffDelay, type Backoff } from './retry/backoff.js';
import { formatSeconds } from './retry/retry.js';
import type { HealthStatus } from './servers/health-server.js';
import { nodeStateFileSystem, type StateFileSystem } from './state/state-file.js';
import type { Trigger, TriggerContext } from './trigger.js';
import type { Clock, Logger, LogLevel } from './types.js';

/** Failed cycles (or uncaught errors) in a row after which the runtime logs one `critical` and /health turns 500. */
export const MAX_SUCCESSIVE_ERRORS = 5;

/** Pause before run() is called again after an uncaught error: 5 s doubling up to 5 minutes. */
export const DEFAULT_RESTART_BACKOFF: Backoff = { baseMs: 5_000, maxMs: 300_000, jitter: 0 };

export interface TriggerHostOptions<M, T> {
  moduleConfiguration: M;
  configuration: T;
  clock: Clock;
  dataPath: string;
  /** Default: the real disk; tests pass one that fails on purpose. */
  stateFileSystem?: StateFileSystem | undefined;
  metrics: Registry;
  logger: Logger;
  /** Validates and delivers an event (production: POST url_callback; tests: recorded). */
  deliverEvent: (name: string, event: Record<string, unknown>, signal: AbortSignal) => Promise<void>;
  heartbeatTimeoutSeconds: number;
  restartBackoff?: Backoff;
}

/** How a run of the trigger ended. */
export type RunOutcome = 'stopped' | 'fatal';

/**
 * The trigger's context and its supervisor in one: serves what the trigger asks for, calls its
 * run() again after an uncaught error (with backoff), counts successive errors and reports health.
 * The production runner and the test runtime both use it, so both account for errors alike.
 */
export class TriggerHost<M = Record<string, unknown>, T = Record<string, unknown>> implements TriggerContext<M, T> {
  readonly moduleConfiguration: M;
  readonly configuration: T;
  readonly clock: Clock;
  readonly dataPath: string;
  readonly stateFileSystem: StateFileSystem;
  readonly metrics: Registry;

  private readonly controller = new AbortController();
  private readonly options: TriggerHostOptions<M, T>;
  private successiveErrors = 0;
  private criticalSent = false;
  private fatal = false;
  private lastHeartbeat: number;
  private lastEvent: number | undefined;
  private sleepers = 0;

  constructor(options: TriggerHostOptions<M, T>) {
    this.options = options;
    this.moduleConfiguration = options.moduleConfiguration;
    this.configuration = options.configuration;
    this.clock = options.clock;
    this.dataPath = options.dataPath;
    this.stateFileSystem = options.stateFileSystem ?? nodeStateFileSystem;
    this.metrics = options.metrics;
    // Starting counts as a heartbeat: a trigger gets a full timeout before its first one is due.
    this.lastHeartbeat = options.clock.now();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.controller.signal.aborted;
  }

  log(message: string, level: LogLevel = 'info'): void {
    this.options.logger.log(message, level);
  }

  heartbeat(): void {
    this.lastHeartbeat = this.clock.now();
  }

  cycleSucceeded(): void {
    this.lastHeartbeat = this.clock.now();
    this.successiveErrors = 0;
    this.criticalSent = false;
  }

  cycleFailed(reason: string): void {
    this.successiveErrors += 1;
    this.reportCritical(reason);
  }

  async sendEvent(name: string, event: Record<string, unknown>): Promise<void> {
    await this.options.deliverEvent(name, event, this.signal);
    this.lastEvent = this.clock.now();
  }

  async sleep(ms: number): Promise<void> {
    // A trigger pausing on purpose between cycles is alive even if the pause outlasts the heartbeat timeout.
    this.sleepers += 1;
    try {
      await this.clock.sleep(ms, this.signal);
    } finally {
      this.sleepers -= 1;
    }
  }

  stop(): void {
    this.controller.abort();
  }

  health(): HealthStatus {
    const now = this.clock.now();
    const heartbeatAge = (now - this.lastHeartbeat) / 1000;
    const stale = this.sleepers === 0 && heartbeatAge > this.options.heartbeatTimeoutSeconds;
    const failing = this.successiveErrors >= MAX_SUCCESSIVE_ERRORS;
    const healthy = !this.fatal && !failing && !stale;
    const reason = this.fatal
      ? 'the trigger stopped on a fatal error'
      : failing
        ? `${this.successiveErrors} cycles in a row failed`
        : stale
          ? `no heartbeat for ${Math.round(heartbeatAge)} s (timeout ${this.options.heartbeatTimeoutSeconds} s)`
          : undefined;
    return {
      healthy,
      context: {
        ...(reason === undefined ? {} : { reason }),
        last_heartbeat: new Date(this.lastHeartbeat).toISOString(),
        last_event: this.lastEvent === undefined ? null : new Date(this.lastEvent).toISOString(),
        successive_errors: this.successiveErrors,
        heartbeat_timeout_seconds: this.options.heartbeatTimeoutSeconds,
        fatal_error: this.fatal,
        stopping: this.stopping,
      },
    };
  }

  /**
   * Calls trigger.run() until a stop is requested or it throws a FatalTriggerError. Any other error
   * is logged, counted with the failed cycles, and run() is called again after a backoff; the fifth
   * failure in a row (no successful cycle between) is also logged once at `critical`.
   */
  async runLoop(trigger: Trigger<any, any>): Promise<RunOutcome> {
    const backoff = this.options.restartBackoff ?? DEFAULT_RESTART_BACKOFF;
    while (!this.stopping) {
      try {
        await trigger.run();
        if (this.stopping) break;
        this.log(`The trigger's run() returned although no stop was requested; starting it again in ${formatSeconds(backoff.baseMs)}`, 'warning');
        await this.clock.sleep(backoff.baseMs, this.signal);
      } catch (error) {
        if (isFatalTriggerError(error)) {
          this.fatal = true;
          this.log(`The trigger stopped on a fatal error: ${error.message}`, 'critical');
          this.stop();
          return 'fatal';
        }
        if (this.stopping) {
          // Requests cut short by the stop end this way; nothing went wrong.
          this.log(`The trigger ended while stopping: ${describe(error)}`, 'debug');
          break;
        }
        this.successiveErrors += 1;
        this.log(`The trigger failed: ${describe(error)}`, 'error');
        if (error instanceof Error && error.stack !== undefined) this.log(error.stack, 'debug');
        this.reportCritical(describe(error));
        const delay = backoffDelay(this.successiveErrors, backoff);
        this.log(`Starting the trigger again in ${formatSeconds(delay)} (successive errors: ${this.successiveErrors})`, 'info');
        await this.clock.sleep(delay, this.signal);
      }
    }
    return 'stopped';
  }

  /** One critical log when the count of failures in a row reaches the limit, until a cycle succeeds. */
  private reportCritical(lastError: string): void {
    if (this.successiveErrors < MAX_SUCCESSIVE_ERRORS || this.criticalSent) return;
    this.criticalSent = true;
    this.log(`The trigger failed ${this.successiveErrors} times in a row without completing a cycle; last error: ${lastError}`, 'critical');
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message === '' ? error.name : `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}
