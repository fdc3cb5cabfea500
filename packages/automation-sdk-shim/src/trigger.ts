import type { Registry } from 'prom-client';
import type { StateFileSystem } from './state/state-file.js';
import type { Clock, LogLevel } from './types.js';

/**
 * What a trigger needs from the runtime. The production runner and the test runtime each provide
 * one; the trigger only ever talks to it, so that it holds no plumbing of its own.
 */
export interface TriggerContext<ModuleConfiguration = Record<string, unknown>, TriggerConfiguration = Record<string, unknown>> {
  readonly moduleConfiguration: ModuleConfiguration;
  readonly configuration: TriggerConfiguration;
  readonly clock: Clock;
  /** Aborted when a stop is requested. */
  readonly signal: AbortSignal;
  readonly dataPath: string;
  /** What state files are written through: the real disk, or a test's that fails on purpose. */
  readonly stateFileSystem: StateFileSystem;
  readonly metrics: Registry;
  log(message: string, level: LogLevel): void;
  heartbeat(): void;
  /** A cycle delivered what it had to: the count of failures in a row goes back to 0. */
  cycleSucceeded(): void;
  /** A cycle failed: counted with the failures in a row; the fifth turns /health to 500. */
  cycleFailed(reason: string): void;
  sendEvent(name: string, event: Record<string, unknown>): Promise<void>;
  /** Waits `ms` unless a stop comes first. */
  sleep(ms: number): Promise<void>;
  stop(): void;
}

/**
 * Base class of a trigger: subclasses implement `run()`, a loop that keeps going while `running`
 * and uses the members below for everything outside its own job.
 */
export abstract class Trigger<ModuleConfiguration = Record<string, unknown>, TriggerConfiguration = Record<string, unknown>> {
  /**
   * /health turns unhealthy when no heartbeat came for this long while the trigger was not in
   * `sleep()`. Generous by default since a cycle over a large source takes a while; override it in a
   * subclass that knows better.
   */
  static heartbeatTimeoutSeconds = 3600;

  readonly #context: TriggerContext<ModuleConfiguration, TriggerConfiguration>;

  constructor(context: TriggerContext<ModuleConfiguration, TriggerConfiguration>) {
    this.#context = context;
  }

  /** The account: secrets merged, validated against manifest.json's configuration, defaults applied. */
  get moduleConfiguration(): ModuleConfiguration {
    return this.#context.moduleConfiguration;
  }

  /** The trigger's arguments, validated against the trigger JSON, defaults applied. */
  get configuration(): TriggerConfiguration {
    return this.#context.configuration;
  }

  get clock(): Clock {
    return this.#context.clock;
  }

  /** Aborted when a stop is requested: pass it to long requests so that a stop cuts them short. */
  get signal(): AbortSignal {
    return this.#context.signal;
  }

  /** False once a stop is requested. */
  get running(): boolean {
    return !this.#context.signal.aborted;
  }

  /** Persistent directory ($SYMPHONY_DATA_PATH), kept across restarts. */
  get dataPath(): string {
    return this.#context.dataPath;
  }

  /** The file system to hand every StateFile of the data path, as the clock is handed to timers. */
  get stateFileSystem(): StateFileSystem {
    return this.#context.stateFileSystem;
  }

  /** The registry served on /metrics: register the trigger's own metrics on it. */
  get metrics(): Registry {
    return this.#context.metrics;
  }

  log(message: string, level: LogLevel = 'info'): void {
    this.#context.log(message, level);
  }

  /** Tells the runtime that the trigger is alive; failures in a row are counted on regardless. */
  heartbeat(): void {
    this.#context.heartbeat();
  }

  /** Reports a cycle that completed: it is also a heartbeat, and it ends a run of failures. */
  cycleSucceeded(): void {
    this.#context.cycleSucceeded();
  }

  /**
   * Reports a cycle that failed (nothing thrown): counted like an uncaught error, so that from the
   * fifth in a row the runtime logs one critical and /health answers 500 until a cycle succeeds.
   */
  cycleFailed(reason: string): void {
    this.#context.cycleFailed(reason);
  }

  /**
   * Sends an event to the platform, validated against the trigger JSON's `results`. Retries 5xx and
   * network errors (ten attempts at most); rejects with InvalidEventError or EventDeliveryError.
   */
  sendEvent(name: string, event: Record<string, unknown>): Promise<void> {
    return this.#context.sendEvent(name, event);
  }

  /** Waits `seconds` unless a stop comes first; resolves false when the trigger is stopping. */
  async sleep(seconds: number): Promise<boolean> {
    await this.#context.sleep(Math.max(0, seconds) * 1000);
    return this.running;
  }

  /** Requests a stop: `running` turns false, `signal` aborts and pending `sleep()`s end. */
  stop(): void {
    this.#context.stop();
  }

  /** The trigger's own loop; returns once `running` is false. A FatalTriggerError ends the process. */
  abstract run(): Promise<void>;
}

/** A trigger class as `Module.register` and `createTestRuntime` take it. */
export type TriggerClass<T extends Trigger<any, any> = Trigger<any, any>> = (new (context: TriggerContext<any, any>) => T) & {
  heartbeatTimeoutSeconds?: number;
  /**
   * Rules that span both configurations and that JSON Schema cannot state (a key required only for
   * one choice of another): problems in the words of the schema check (`missing misp_url`), reported
   * in the same single critical message.
   */
  checkConfiguration?(moduleConfiguration: Record<string, unknown>, configuration: Record<string, unknown>): string[];
};
