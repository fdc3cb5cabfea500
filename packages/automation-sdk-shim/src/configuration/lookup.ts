import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from './configuration-error.js';

/** Where the platform mounts the configuration files when SYMPHONY_VOLUME_PATH is not set. */
export const DEFAULT_VOLUME_PATH = '/symphony';
/** Where persistent state lives when SYMPHONY_DATA_PATH is not set. */
export const DEFAULT_DATA_PATH = '/symphony_data';
export const DEFAULT_LIVENESS_PORT = 8000;
export const DEFAULT_METRICS_PORT = 8020;

export interface ConfigurationSourceOptions {
  /** Directory of the configuration files; default $SYMPHONY_VOLUME_PATH, then /symphony. */
  volumePath?: string;
  /** Environment to read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A value found by the lookup, with a description of where it came from (never the value itself). */
export interface FoundValue {
  value: string;
  origin: string;
}

/**
 * The SDK's FileSystemConfiguration: a named value is read from the file `<volume>/<name>`, and
 * when that file does not exist, from the environment variable `NAME`.
 */
export class ConfigurationSource {
  readonly volumePath: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(options: ConfigurationSourceOptions = {}) {
    this.env = options.env ?? process.env;
    this.volumePath = options.volumePath ?? nonEmpty(this.env['SYMPHONY_VOLUME_PATH']) ?? DEFAULT_VOLUME_PATH;
  }

  /** Where an operator can set `name`, for error messages. */
  where(name: string): string {
    return `file ${join(this.volumePath, name)} or environment variable ${name.toUpperCase()}`;
  }

  /**
   * The raw text of `name`, trimmed; undefined when neither the file nor the variable holds a
   * non-empty value. Throws ConfigurationError when the file exists but cannot be read.
   */
  async read(name: string): Promise<FoundValue | undefined> {
    const path = join(this.volumePath, name);
    try {
      const text = (await readFile(path, 'utf8')).trim();
      if (text !== '') return { value: text, origin: `file ${path}` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        throw new ConfigurationError([`${name} cannot be read from the file ${path} (${code ?? 'unknown error'}); expected a file the trigger may read, or no file and the environment variable ${name.toUpperCase()}.`]);
      }
    }
    const variable = name.toUpperCase();
    const fromEnv = nonEmpty(this.env[variable]?.trim());
    return fromEnv === undefined ? undefined : { value: fromEnv, origin: `environment variable ${variable}` };
  }

  /**
   * Reads `name` as JSON, plain or base64-encoded. Throws ConfigurationError when it is neither,
   * saying where the text stops being JSON (line and column, never the text: it may hold secrets).
   */
  async readJson(name: string): Promise<unknown | undefined> {
    const found = await this.read(name);
    if (found === undefined) return undefined;
    const parsed = parseJsonValue(found.value);
    if (!parsed.ok) {
      throw new ConfigurationError([`${name} (${found.origin}) is not valid JSON: ${parsed.problem}; expected a JSON object, or base64 of one, for example {"key": "value"}.`]);
    }
    return parsed.value;
  }
}

/**
 * Parses plain JSON, or base64 of JSON as the platform may encode it in environment variables.
 * When it is neither, `problem` says where the JSON goes wrong (in the decoded text when the value
 * looks like base64 of JSON).
 */
export function parseJsonValue(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Not plain JSON: try base64 below.
  }
  if (/^[A-Za-z0-9+/_=\s-]+$/.test(text)) {
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    try {
      return { ok: true, value: JSON.parse(decoded) };
    } catch {
      if (/^\s*[[{]/.test(decoded)) return { ok: false, problem: `once decoded from base64, ${jsonMistake(decoded)}` };
    }
  }
  return { ok: false, problem: jsonMistake(text) };
}

/** Every value of the README's "The runtime contract" table, resolved and with defaults applied. */
export interface RuntimeConfiguration {
  moduleConfiguration: Record<string, unknown>;
  triggerConfiguration: Record<string, unknown>;
  token: string;
  urlCallback: string;
  urlLogs: string;
  urlSecrets: string;
  livenessPort: number;
  metricsPort: number;
  /** Persistent directory, created if it was missing. */
  dataPath: string;
}

/** What the lookup found, even when incomplete, and every problem it met. */
export interface RuntimeConfigurationLookup {
  values: Partial<RuntimeConfiguration>;
  problems: string[];
}

/**
 * Looks every value of the README's "The runtime contract" table up and collects all problems instead of stopping at the first,
 * so that the runtime can still ship its critical log when only some values are missing.
 */
export async function lookupRuntimeConfiguration(source: ConfigurationSource): Promise<RuntimeConfigurationLookup> {
  const values: Partial<RuntimeConfiguration> = {};
  const problems: string[] = [];
  const attempt = async (step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      if (error instanceof ConfigurationError) problems.push(...error.problems);
      else throw error;
    }
  };

  for (const [name, key] of [
    ['module_configuration', 'moduleConfiguration'],
    ['trigger_configuration', 'triggerConfiguration'],
  ] as const) {
    await attempt(async () => {
      const value = await source.readJson(name);
      if (value === undefined) problems.push(missing(source, name));
      else if (!isPlainObject(value)) problems.push(`${name} is ${Array.isArray(value) ? 'a JSON list' : `the JSON ${typeof value === 'string' ? 'text' : typeof value}`}; expected a JSON object, for example {"key": "value"}.`);
      else values[key] = value;
    });
  }

  await attempt(async () => {
    const token = await source.read('token');
    if (token === undefined) problems.push(missing(source, 'token'));
    else values.token = token.value;
  });

  await attempt(async () => {
    const callback = await source.read('url_callback');
    if (callback === undefined) {
      problems.push(missing(source, 'url_callback'));
    } else if (!isHttpUrl(callback.value)) {
      problems.push(notHttpUrl('url_callback', callback.origin));
    } else {
      values.urlCallback = callback.value;
    }
  });

  for (const [name, key, replacement] of [
    ['url_logs', 'urlLogs', '/logs'],
    ['url_secrets', 'urlSecrets', '/secrets'],
  ] as const) {
    await attempt(async () => {
      const found = await source.read(name);
      if (found !== undefined) {
        if (isHttpUrl(found.value)) values[key] = found.value;
        else problems.push(notHttpUrl(name, found.origin));
      } else if (values.urlCallback !== undefined) {
        const derived = deriveFromCallback(values.urlCallback, replacement);
        if (derived !== undefined) values[key] = derived;
        else problems.push(`${name} is missing and cannot be derived from url_callback, whose path holds no /callback; set it in the ${source.where(name)}.`);
      }
    });
  }

  for (const [name, key, fallback] of [
    ['liveness_port', 'livenessPort', DEFAULT_LIVENESS_PORT],
    ['metrics_port', 'metricsPort', DEFAULT_METRICS_PORT],
  ] as const) {
    await attempt(async () => {
      const found = await source.read(name);
      if (found === undefined) {
        values[key] = fallback;
        return;
      }
      const port = /^\d+$/.test(found.value) ? Number(found.value) : Number.NaN;
      if (Number.isInteger(port) && port >= 0 && port <= 65535) values[key] = port;
      else problems.push(`${name} (${found.origin}) is ${JSON.stringify(found.value.slice(0, 20))}; expected a port number between 0 and 65,535, for example ${fallback}.`);
    });
  }

  await attempt(async () => {
    values.dataPath = await prepareDataPath(source.env);
  });

  return { values, problems };
}

/** As lookupRuntimeConfiguration, but throws one ConfigurationError naming every problem. */
export async function readRuntimeConfiguration(source: ConfigurationSource): Promise<RuntimeConfiguration> {
  const { values, problems } = await lookupRuntimeConfiguration(source);
  if (problems.length > 0) throw new ConfigurationError(problems);
  return values as RuntimeConfiguration;
}

/** The persistent directory ($SYMPHONY_DATA_PATH, default /symphony_data), created if missing. */
export async function prepareDataPath(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = nonEmpty(env['SYMPHONY_DATA_PATH']) ?? DEFAULT_DATA_PATH;
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigurationError([`The data directory ${path} (SYMPHONY_DATA_PATH) cannot be created (${code}); expected a directory the trigger may write to.`]);
  }
  return path;
}

/** `url_callback` with the last `/callback` of its path replaced, as the SDK derives url_logs and url_secrets. */
export function deriveFromCallback(urlCallback: string, replacement: string): string | undefined {
  const url = new URL(urlCallback);
  const at = url.pathname.lastIndexOf('/callback');
  if (at < 0) return undefined;
  url.pathname = url.pathname.slice(0, at) + replacement + url.pathname.slice(at + '/callback'.length);
  return url.toString();
}

/**
 * Where `text` stops being JSON, as "unexpected character at line L, column C" (or "the text ends
 * too early"). The parser's own message quotes the text, which may hold secrets: the place is
 * found instead as the longest prefix the parser still reads as the beginning of a JSON value.
 */
function jsonMistake(text: string): string {
  const viable = (length: number): boolean => {
    const prefix = text.slice(0, length);
    try {
      JSON.parse(prefix);
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      const at = /at position (\d+)/.exec(message);
      return /Unexpected end of JSON input/.test(message) || (at !== null && Number(at[1]) >= prefix.length);
    }
  };
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (viable(middle)) good = middle;
    else bad = middle;
  }
  if (viable(text.length)) return 'the text ends before the JSON does';
  const before = text.slice(0, good);
  const line = before.split('\n').length;
  const column = good - before.lastIndexOf('\n');
  return `unexpected character at line ${line}, column ${column}`;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function missing(source: ConfigurationSource, name: string): string {
  return `${name} is missing; set it in the ${source.where(name)}.`;
}

function notHttpUrl(name: string, origin: string): string {
  return `${name} (${origin}) is not an http:// or https:// URL; expected for example "https://runtime.example.org/api/${name.replace(/^url_/, '')}".`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
