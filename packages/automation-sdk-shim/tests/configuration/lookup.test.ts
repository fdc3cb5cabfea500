import { mkdtemp, mkdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/configuration/configuration-error.js';
import {
  ConfigurationSource,
  lookupRuntimeConfiguration,
  parseJsonValue,
  readRuntimeConfiguration,
} from '../../src/configuration/lookup.js';

let volume: string;
let dataPath: string;

beforeEach(async () => {
  volume = await mkdtemp(join(tmpdir(), 'volume-'));
  dataPath = join(await mkdtemp(join(tmpdir(), 'data-')), 'nested', 'state');
});

const base64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

function minimalEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    SYMPHONY_VOLUME_PATH: volume,
    SYMPHONY_DATA_PATH: dataPath,
    MODULE_CONFIGURATION: JSON.stringify({ api_url: 'https://example.org' }),
    TRIGGER_CONFIGURATION: JSON.stringify({ collection_uuid: 'collection--0123abcd' }),
    TOKEN: 'runtime-token',
    URL_CALLBACK: 'http://127.0.0.1:1/api/v1/runs/7/callback',
    ...extra,
  };
}

describe('ConfigurationSource', () => {
  it('prefers the file of the volume to the environment variable', async () => {
    await writeFile(join(volume, 'token'), 'token-from-file\n');
    const source = new ConfigurationSource({ env: minimalEnv({ TOKEN: 'token-from-env' }) });
    expect(await source.read('token')).toEqual({ value: 'token-from-file', origin: `file ${join(volume, 'token')}` });
  });

  it('falls back to the upper-cased environment variable when the file does not exist', async () => {
    const source = new ConfigurationSource({ env: minimalEnv({ URL_LOGS: 'http://127.0.0.1:1/logs' }) });
    expect((await source.read('url_logs'))?.value).toBe('http://127.0.0.1:1/logs');
    expect(await source.read('url_secrets')).toBeUndefined();
  });

  it('uses /symphony when SYMPHONY_VOLUME_PATH is not set', () => {
    expect(new ConfigurationSource({ env: {} }).volumePath).toBe('/symphony');
    expect(new ConfigurationSource({ env: { SYMPHONY_VOLUME_PATH: volume } }).volumePath).toBe(volume);
  });

  it('reads JSON values given as plain JSON or as base64 of JSON, from a file or a variable', async () => {
    const configuration = { misp_url: 'https://misp.example.org', nested: { list: [1, 2] } };
    await writeFile(join(volume, 'module_configuration'), base64(configuration));
    const source = new ConfigurationSource({ env: minimalEnv({ TRIGGER_CONFIGURATION: base64({ sleep_time: 60 }) }) });
    expect(await source.readJson('module_configuration')).toEqual(configuration);
    expect(await source.readJson('trigger_configuration')).toEqual({ sleep_time: 60 });
    expect(parseJsonValue('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('names the value that is neither JSON nor base64 of JSON, without quoting it', async () => {
    const source = new ConfigurationSource({ env: minimalEnv({ MODULE_CONFIGURATION: '{not json: s3cret' }) });
    const error = await source.readJson('module_configuration').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      'module_configuration (environment variable MODULE_CONFIGURATION) is not valid JSON: unexpected character at line 1, column 2; expected a JSON object, or base64 of one, for example {"key": "value"}.',
    ]);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('says on which line and column a configuration stops being JSON, plain or base64-encoded, never quoting it', async () => {
    const text = '{\n  "misp_url": "https://misp.example.org",\n  "misp_api_key": "s3cret"\n  "sekoia_api_key": "k"\n}';
    const source = new ConfigurationSource({ env: minimalEnv({ MODULE_CONFIGURATION: text, TRIGGER_CONFIGURATION: Buffer.from('{"sleep_time": 60,}').toString('base64') }) });
    const plain = (await source.readJson('module_configuration').catch((caught: unknown) => caught)) as ConfigurationError;
    expect(plain.problems).toEqual([
      'module_configuration (environment variable MODULE_CONFIGURATION) is not valid JSON: unexpected character at line 4, column 3; expected a JSON object, or base64 of one, for example {"key": "value"}.',
    ]);
    expect(plain.message).not.toContain('s3cret');
    const encoded = (await source.readJson('trigger_configuration').catch((caught: unknown) => caught)) as ConfigurationError;
    expect(encoded.problems).toEqual([
      'trigger_configuration (environment variable TRIGGER_CONFIGURATION) is not valid JSON: once decoded from base64, unexpected character at line 1, column 19; expected a JSON object, or base64 of one, for example {"key": "value"}.',
    ]);
    const cut = new ConfigurationSource({ env: minimalEnv({ MODULE_CONFIGURATION: '{"misp_url": "https://misp.example.org"' }) });
    const early = (await cut.readJson('module_configuration').catch((caught: unknown) => caught)) as ConfigurationError;
    expect(early.problems[0]).toContain('is not valid JSON: the text ends before the JSON does;');
  });
});

describe('lookupRuntimeConfiguration', () => {
  it('derives url_logs and url_secrets from url_callback and applies the default ports', async () => {
    const configuration = await readRuntimeConfiguration(new ConfigurationSource({ env: minimalEnv() }));
    expect(configuration.urlLogs).toBe('http://127.0.0.1:1/api/v1/runs/7/logs');
    expect(configuration.urlSecrets).toBe('http://127.0.0.1:1/api/v1/runs/7/secrets');
    expect(configuration.livenessPort).toBe(8000);
    expect(configuration.metricsPort).toBe(8020);
    expect(configuration.token).toBe('runtime-token');
    expect(configuration.moduleConfiguration).toEqual({ api_url: 'https://example.org' });
  });

  it('replaces only the last /callback of the path', async () => {
    const env = minimalEnv({ URL_CALLBACK: 'https://host.example/callback/runs/9/callback?x=1' });
    const configuration = await readRuntimeConfiguration(new ConfigurationSource({ env }));
    expect(configuration.urlLogs).toBe('https://host.example/callback/runs/9/logs?x=1');
  });

  it('keeps url_logs, url_secrets and ports that are set explicitly', async () => {
    await writeFile(join(volume, 'url_secrets'), 'http://127.0.0.1:2/my-secrets');
    const env = minimalEnv({ URL_LOGS: 'http://127.0.0.1:3/my-logs', LIVENESS_PORT: '18000', METRICS_PORT: '0' });
    const configuration = await readRuntimeConfiguration(new ConfigurationSource({ env }));
    expect(configuration.urlSecrets).toBe('http://127.0.0.1:2/my-secrets');
    expect(configuration.urlLogs).toBe('http://127.0.0.1:3/my-logs');
    expect(configuration.livenessPort).toBe(18000);
    expect(configuration.metricsPort).toBe(0);
  });

  it('creates the data directory when it is missing', async () => {
    const configuration = await readRuntimeConfiguration(new ConfigurationSource({ env: minimalEnv() }));
    expect(configuration.dataPath).toBe(dataPath);
    expect((await stat(dataPath)).isDirectory()).toBe(true);
  });

  it('names every missing or invalid value at once, with where to set it', async () => {
    const env: NodeJS.ProcessEnv = { SYMPHONY_VOLUME_PATH: volume, SYMPHONY_DATA_PATH: dataPath, TRIGGER_CONFIGURATION: '[1, 2]', METRICS_PORT: 'eighty' };
    const lookup = await lookupRuntimeConfiguration(new ConfigurationSource({ env }));
    expect(lookup.problems).toEqual([
      `module_configuration is missing; set it in the file ${join(volume, 'module_configuration')} or environment variable MODULE_CONFIGURATION.`,
      'trigger_configuration is a JSON list; expected a JSON object, for example {"key": "value"}.',
      `token is missing; set it in the file ${join(volume, 'token')} or environment variable TOKEN.`,
      `url_callback is missing; set it in the file ${join(volume, 'url_callback')} or environment variable URL_CALLBACK.`,
      'metrics_port (environment variable METRICS_PORT) is "eighty"; expected a port number between 0 and 65,535, for example 8020.',
    ]);
    await expect(readRuntimeConfiguration(new ConfigurationSource({ env }))).rejects.toThrow(/^Invalid configuration \(5 problems\): module_configuration is missing; /);
  });

  it('says when url_callback, url_logs or url_secrets is not an http:// or https:// URL', async () => {
    const lookup = await lookupRuntimeConfiguration(new ConfigurationSource({ env: minimalEnv({ URL_CALLBACK: 'ftp://runtime.example.org/callback', URL_LOGS: 'logs' }) }));
    expect(lookup.problems).toEqual([
      'url_callback (environment variable URL_CALLBACK) is not an http:// or https:// URL; expected for example "https://runtime.example.org/api/callback".',
      'url_logs (environment variable URL_LOGS) is not an http:// or https:// URL; expected for example "https://runtime.example.org/api/logs".',
    ]);
  });

  it('reports a data directory that cannot be created', async () => {
    const blocker = join(volume, 'a-file');
    await writeFile(blocker, '');
    const lookup = await lookupRuntimeConfiguration(new ConfigurationSource({ env: minimalEnv({ SYMPHONY_DATA_PATH: join(blocker, 'data') }) }));
    expect(lookup.problems).toEqual([`The data directory ${join(blocker, 'data')} (SYMPHONY_DATA_PATH) cannot be created (ENOTDIR); expected a directory the trigger may write to.`]);
  });

  it('reports a configuration file that exists but cannot be read', async () => {
    await mkdir(join(volume, 'token'));
    const lookup = await lookupRuntimeConfiguration(new ConfigurationSource({ env: minimalEnv() }));
    expect(lookup.problems).toEqual([
      `token cannot be read from the file ${join(volume, 'token')} (EISDIR); expected a file the trigger may read, or no file and the environment variable TOKEN.`,
    ]);
  });
});
