import { resolve } from 'node:path';
import { Action, type ActionClass } from './action/action.js';
import { runAction } from './action/action-runner.js';
import { findAction, findTrigger, loadModuleDefinition } from './module-definition.js';
import { runTrigger } from './runner.js';
import type { TriggerClass } from './trigger.js';
import type { Clock } from './types.js';

export interface ModuleOptions {
  /** Directory holding manifest.json and the trigger_*.json files. */
  root: string;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Receives each printed log line. Default process.stdout. */
  write?: (line: string) => void;
  /** Receives usage errors (unknown command, unreadable module files). Default process.stderr. */
  writeError?: (line: string) => void;
  /** Stop on SIGTERM/SIGINT. Default true. */
  handleProcessSignals?: boolean;
}

/**
 * The entry point of a module: maps each command (the docker_parameters of a trigger or action JSON)
 * to its trigger or action class and runs the one named on the command line. The caller exits with
 * the code run() returns: `process.exit(await module.run(process.argv.slice(2)))`.
 */
export class Module {
  /** Triggers and actions, by command. */
  private readonly triggers = new Map<string, TriggerClass | ActionClass>();
  private readonly options: ModuleOptions;

  constructor(options: ModuleOptions) {
    this.options = { ...options, root: resolve(options.root) };
  }

  /** Runs `componentClass` (a trigger or an action) for `command`, the docker_parameters of its JSON. */
  register(componentClass: TriggerClass | ActionClass, command: string): void {
    if (this.triggers.has(command)) throw new Error(`The command "${command}" is registered twice.`);
    this.triggers.set(command, componentClass);
  }

  /** Runs the trigger or action named by argv[0]; resolves with the process exit code. */
  async run(argv: readonly string[]): Promise<number> {
    const writeError = this.options.writeError ?? ((line: string) => process.stderr.write(`${line}\n`));
    const command = argv[0];
    const known = [...this.triggers.keys()].sort();
    const knownText = known.length === 0 ? 'none is registered' : known.join(', ');
    if (command === undefined || command === '') {
      writeError(`No command given. Usage: node <main> <command>. Known commands: ${knownText}.`);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      const write = this.options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
      write(`Usage: node <main> <command>, configured as the Sekoia.io platform configures a trigger (files in $SYMPHONY_VOLUME_PATH or environment variables). Known commands: ${knownText}.`);
      return 0;
    }
    const triggerClass = this.triggers.get(command);
    if (triggerClass === undefined) {
      writeError(`Unknown command "${command}". Known commands: ${knownText}.`);
      return 2;
    }
    if (triggerClass.prototype instanceof Action) return this.runAction(triggerClass as ActionClass, command, writeError);
    let definition;
    let trigger;
    try {
      definition = loadModuleDefinition(this.options.root);
      trigger = findTrigger(definition, command);
    } catch (error) {
      writeError(error instanceof Error ? error.message : String(error));
      return 1;
    }
    return runTrigger({
      definition,
      trigger,
      triggerClass: triggerClass as TriggerClass,
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
      ...(this.options.write === undefined ? {} : { write: this.options.write }),
      ...(this.options.handleProcessSignals === undefined ? {} : { handleProcessSignals: this.options.handleProcessSignals }),
    });
  }

  private runAction(actionClass: ActionClass, command: string, writeError: (line: string) => void): Promise<number> {
    let definition;
    let action;
    try {
      definition = loadModuleDefinition(this.options.root);
      action = findAction(definition, command);
    } catch (error) {
      writeError(error instanceof Error ? error.message : String(error));
      return Promise.resolve(1);
    }
    return runAction({
      definition,
      action,
      actionClass,
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
      ...(this.options.write === undefined ? {} : { write: this.options.write }),
      ...(this.options.handleProcessSignals === undefined ? {} : { handleProcessSignals: this.options.handleProcessSignals }),
    });
  }
}
