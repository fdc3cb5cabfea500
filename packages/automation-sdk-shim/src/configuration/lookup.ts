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
        throw new ConfigurationError([`${name}: the file ${path} cannot be read (${code ?? 'unknown error'})`]);
      }
    }
    const variable = name.toUpperCase();
    const fromEnv = nonEmpty(this.env[variable]?.trim());
    return fromEnv === undefined ? undefined : { value: fromEnv, origin: `environment variable ${variable}` };
  }

  /** Reads `name` as JSON, plain or base64-encoded. Throws ConfigurationError when it is neither. */
  async readJson(name: string): Promise<unknown | undefined> {
    const found = await this.read(name);
    if (found === undefined) return undefined;
    const parsed = parseJsonValue(found.value);
    if (!parsed.ok) {
      throw new ConfigurationError([`${name} (${found.origin}) is neither JSON nor base64-encoded JSON`]);
    }
    return parsed.value;
  }
}

/** Parses plain JSON, or base64 of JSON as the platform may encode it in environment variables. */
export function parseJsonValue(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // Not plain JSON: try base64 below.
  }
  if (!/^[A-Za-z0-9+/_=\s-]+$/.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(text, 'base64').toString('utf8')) };
  } catch {
    return { ok: false };
  }
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
      if (value === undefined) problems.push(`missing ${name} (${source.where(name)})`);
      else if (!isPlainObject(value)) problems.push(`${name} must be a JSON object`);
      else values[key] = value;
    });
  }

  await attempt(async () => {
    const token = await source.read('token');
    if (token === undefined) problems.push(`missing token (${source.where('token')})`);
    else values.token = token.value;
  });

  await attempt(async () => {
    const callback = await source.read('url_callback');
    if (callback === undefined) {
      problems.push(`missing url_callback (${source.where('url_callback')})`);
    } else if (!isHttpUrl(callback.value)) {
      problems.push(`url_callback (${callback.origin}) is not an http(s) URL`);
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
        else problems.push(`${name} (${found.origin}) is not an http(s) URL`);
      } else if (values.urlCallback !== undefined) {
        const derived = deriveFromCallback(values.urlCallback, replacement);
        if (derived !== undefined) values[key] = derived;
        else problems.push(`missing ${name} (${source.where(name)}): it cannot be derived from url_callback, whose path holds no /callback`);
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
      else problems.push(`${name} (${found.origin}) must be a port number between 0 and 65535`);
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
    throw new ConfigurationError([`the data directory ${path} (SYMPHONY_DATA_PATH) cannot be created (${code})`]);
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

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
