import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Clock, LogLevel } from '../types.js';
import { ActionFileError } from './action-file-error.js';
import { MissingActionArgumentError } from './missing-action-argument-error.js';

/**
 * What an action needs from the runtime. The production runner and the test runtime each provide
 * one, so that an action holds no plumbing of its own.
 */
export interface ActionContext<ModuleConfiguration = Record<string, unknown>> {
  /** The account: secrets merged, validated against manifest.json's configuration, defaults applied. */
  readonly moduleConfiguration: ModuleConfiguration;
  readonly clock: Clock;
  /** Aborted when the container is asked to stop. */
  readonly signal: AbortSignal;
  /** Where `<name>_path` files are read and written ($SYMPHONY_DATA_PATH). */
  readonly dataPath: string;
  log(message: string, level: LogLevel): void;
  /** Chooses a branch of the playbook, as the SDK's `set_output`. */
  setOutput(branch: string, value: boolean): void;
}

/** What an action's run() may return: the results object, or nothing. */
export type ActionResults = object | undefined;

/**
 * Base class of an action: subclasses implement `run(arguments)` and return the results, which the
 * runtime checks against the action JSON's `results` and sends to the platform. A thrown error
 * becomes the action's error, its message shown to the playbook's author.
 */
export abstract class Action<ModuleConfiguration = Record<string, unknown>, Arguments = Record<string, unknown>, Results extends ActionResults = ActionResults> {
  readonly #context: ActionContext<ModuleConfiguration>;
  /** As the SDK: results go to files unless a JSON argument came inline. */
  #resultsAsFiles = true;

  constructor(context: ActionContext<ModuleConfiguration>) {
    this.#context = context;
  }

  get moduleConfiguration(): ModuleConfiguration {
    return this.#context.moduleConfiguration;
  }

  get clock(): Clock {
    return this.#context.clock;
  }

  /** Aborted when a stop is requested: pass it to long requests. */
  get signal(): AbortSignal {
    return this.#context.signal;
  }

  get dataPath(): string {
    return this.#context.dataPath;
  }

  /** Goes to the `logs` of the finished callback and to stdout, secrets redacted. */
  log(message: string, level: LogLevel = 'info'): void {
    this.#context.log(message, level);
  }

  setOutput(branch: string, value: boolean): void {
    this.#context.setOutput(branch, value);
  }

  /**
   * A JSON value given either inline (`name`) or as a file of the data folder (`<name>_path`), as
   * the SDK's `json_argument`. Inline values make `jsonResult` answer inline too.
   */
  async jsonArgument(name: string, args: Record<string, unknown>): Promise<unknown> {
    const inline = args[name];
    if (inline !== undefined && inline !== null) {
      this.#resultsAsFiles = false;
      return inline;
    }
    const given = args[`${name}_path`];
    if (typeof given !== 'string' || given === '') throw new MissingActionArgumentError(name);
    this.#resultsAsFiles = true;
    const file = this.dataFile(name, given);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ActionFileError(name, given, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ActionFileError(name, given, 'does not hold JSON');
    }
  }

  /**
   * `{name: value}` when the JSON argument came inline, else `{<name>_path: file}` after writing the
   * value to `<name>-<uuid>.json` in the data folder, as the SDK's `json_result`.
   */
  async jsonResult(name: string, value: unknown): Promise<Record<string, unknown>> {
    if (!this.#resultsAsFiles) return { [name]: value };
    const fileName = `${name}-${randomUUID()}.json`;
    await writeFile(join(this.dataPath, fileName), JSON.stringify(value));
    return { [`${name}_path`]: fileName };
  }

  /** The action's work: resolves with the results, or throws an error that says what went wrong. */
  abstract run(args: Arguments): Promise<Results>;

  /** A path of the data folder named by an argument; never a file outside it. */
  private dataFile(name: string, given: string): string {
    const root = resolve(this.dataPath);
    const file = resolve(root, given);
    const inside = relative(root, file);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw new ActionFileError(name, given, `is not inside the data folder ${root}`);
    }
    return file;
  }
}

/** An action class as `Module.register` and `createActionTestRuntime` take it. */
export type ActionClass<T extends Action<any, any, any> = Action<any, any, any>> = new (context: ActionContext<any>) => T;
