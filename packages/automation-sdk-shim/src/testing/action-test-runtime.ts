import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, ActionClass } from '../action/action.js';
import { executeAction, type ActionOutcome } from '../action/action-execution.js';
import { systemClock } from '../clock.js';
import { createValidator } from '../configuration/validation.js';
import { findAction, loadModuleDefinition } from '../module-definition.js';
import type { Clock, LogLevel } from '../types.js';

export interface ActionTestRuntimeOptions {
  /** Module root: manifest.json and the action JSON. */
  root: string;
  /** Which action JSON (its docker_parameters). */
  command: string;
  /** The account, secrets included; checked against the manifest at each run, as in production. */
  moduleConfiguration: Record<string, unknown>;
  /** Default systemClock. */
  clock?: Clock;
  /** Default: a fresh temporary directory. */
  dataPath?: string;
}

export interface ActionTestLogEntry {
  level: LogLevel;
  message: string;
}

/** What one run reported, as the finished callback would carry it. */
export interface ActionTestReport extends ActionOutcome {
  logs: ActionTestLogEntry[];
}

/** An action run in memory: what the finished callback would carry is returned, not sent. */
export interface ActionTestRuntime {
  dataPath: string;
  /** Runs the action once with `args`, checked against the action JSON as in production. */
  run(args: Record<string, unknown>, signal?: AbortSignal): Promise<ActionTestReport>;
}

/**
 * Drives an action as the container does, without the platform: both configurations and the
 * results checked against the module's own schemas, errors turned into the reported `error`.
 */
export function createActionTestRuntime<T extends Action<any, any, any>>(actionClass: ActionClass<T>, options: ActionTestRuntimeOptions): ActionTestRuntime {
  const definition = loadModuleDefinition(options.root);
  const action = findAction(definition, options.command);
  const ajv = createValidator();
  const clock = options.clock ?? systemClock;
  const dataPath = options.dataPath ?? mkdtempSync(join(tmpdir(), 'action-test-'));
  return {
    dataPath,
    async run(args, signal = new AbortController().signal) {
      const logs: ActionTestLogEntry[] = [];
      const outcome = await executeAction({
        manifest: definition.manifest,
        action,
        actionClass,
        moduleConfiguration: options.moduleConfiguration,
        arguments: args,
        clock,
        dataPath,
        signal,
        logger: { log: (message, level = 'info') => logs.push({ level, message }) },
        ajv,
      });
      return { ...outcome, logs };
    },
  };
}
