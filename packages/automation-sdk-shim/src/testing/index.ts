import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { systemClock } from '../clock.js';
import { validateConfigurations, createValidator } from '../configuration/validation.js';
import { validateEvent } from '../events.js';
import { findTrigger, loadModuleDefinition } from '../module-definition.js';
import type { HealthStatus } from '../servers/health-server.js';
import type { Trigger, TriggerClass } from '../trigger.js';
import { TriggerHost, type RunOutcome } from '../trigger-host.js';
import type { StateFileSystem } from '../state/state-file.js';
import type { Clock, LogLevel } from '../types.js';

export { FakeClock } from './fake-clock.js';
export { FailingFileSystem, type WriteFailure } from './failing-file-system.js';

export interface TestRuntimeOptions {
  /** Module root: manifest.json and the trigger JSON. */
  root: string;
  /** Which trigger JSON (its docker_parameters). */
  command: string;
  /** Validated like production (secrets included here), defaults applied; errors throw ConfigurationError. */
  moduleConfiguration: Record<string, unknown>;
  configuration: Record<string, unknown>;
  /** Default systemClock. */
  clock?: Clock;
  /** Default: a fresh temporary directory. */
  dataPath?: string;
  /** What state files are written through; default the real disk (see FailingFileSystem). */
  stateFileSystem?: StateFileSystem;
}

export interface TestLogEntry {
  level: LogLevel;
  message: string;
  date: string;
}

export interface TestEvent {
  name: string;
  event: Record<string, unknown>;
}

/** A trigger wired to an in-memory runtime: what it logs and sends is recorded, not shipped. */
export interface TestRuntime<T> {
  trigger: T;
  logs: TestLogEntry[];
  events: TestEvent[];
  metrics: Registry;
  dataPath: string;
  health(): HealthStatus;
  /** Runs trigger.run() to its end, through the same error accounting as production. */
  run(): Promise<void>;
  /** Requests a stop and waits for run() to return. */
  stop(): Promise<void>;
  /** How the last run() ended, once it has. */
  readonly outcome: RunOutcome | undefined;
}

/**
 * Builds a trigger on an in-memory context for tests: configurations validated against the
 * module's own schemas, events validated against `results` and recorded, logs recorded.
 */
export function createTestRuntime<T extends Trigger<any, any>>(
  triggerClass: TriggerClass<T>,
  options: TestRuntimeOptions,
): TestRuntime<T> {
  const definition = loadModuleDefinition(options.root);
  const triggerDefinition = findTrigger(definition, options.command);
  const ajv = createValidator();
  const valid = validateConfigurations(
    {
      moduleConfiguration: options.moduleConfiguration,
      moduleSchema: definition.manifest.configuration,
      triggerConfiguration: options.configuration,
      triggerSchema: triggerDefinition.arguments,
      crossCheck: triggerClass.checkConfiguration?.bind(triggerClass),
    },
    ajv,
  );
  const clock = options.clock ?? systemClock;
  const dataPath = options.dataPath ?? mkdtempSync(join(tmpdir(), 'trigger-test-'));
  const logs: TestLogEntry[] = [];
  const events: TestEvent[] = [];
  const metrics = new Registry();
  const host = new TriggerHost({
    moduleConfiguration: valid.moduleConfiguration,
    configuration: valid.triggerConfiguration,
    clock,
    dataPath,
    stateFileSystem: options.stateFileSystem,
    metrics,
    logger: {
      log: (message, level = 'info') => {
        logs.push({ level, message, date: new Date(clock.now()).toISOString() });
      },
    },
    deliverEvent: async (name, event) => {
      events.push({ name, event: validateEvent(ajv, triggerDefinition.results, name, event) });
    },
    heartbeatTimeoutSeconds: triggerClass.heartbeatTimeoutSeconds ?? 3600,
  });
  const trigger = new triggerClass(host);
  let running: Promise<RunOutcome> | undefined;
  let outcome: RunOutcome | undefined;

  return {
    trigger,
    logs,
    events,
    metrics,
    dataPath,
    health: () => host.health(),
    get outcome() {
      return outcome;
    },
    async run() {
      running = host.runLoop(trigger);
      outcome = await running;
    },
    async stop() {
      host.stop();
      if (running !== undefined) outcome = await running;
    },
  };
}

export type { RunOutcome } from '../trigger-host.js';
export { createActionTestRuntime, type ActionTestRuntime, type ActionTestRuntimeOptions, type ActionTestReport, type ActionTestLogEntry } from './action-test-runtime.js';
