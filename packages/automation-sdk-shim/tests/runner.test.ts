import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FatalTriggerError } from '../src/fatal-trigger-error.js';
import { loadModuleDefinition, findTrigger } from '../src/module-definition.js';
import { runTrigger } from '../src/runner.js';
import { Trigger, type TriggerClass } from '../src/trigger.js';
import { PlatformServer } from './helpers/platform-server.js';

const root = fileURLToPath(new URL('./fixtures/example-module/', import.meta.url));
const definition = loadModuleDefinition(root);
const triggerDefinition = findTrigger(definition, 'example-trigger');
const SECRET = 'api-key-9f8e7d';
const TOKEN = 'runtime-token-1a2b3c';

let platform: PlatformServer;
let env: NodeJS.ProcessEnv;
let stdout: string[];

beforeEach(async () => {
  platform = await new PlatformServer().start();
  platform.responders.set('secrets', (request) =>
    request.authorization === `Bearer ${TOKEN}` ? { status: 200, body: { value: { api_key: SECRET } } } : { status: 401 },
  );
  env = {
    SYMPHONY_VOLUME_PATH: await mkdtemp(join(tmpdir(), 'volume-')),
    SYMPHONY_DATA_PATH: await mkdtemp(join(tmpdir(), 'data-')),
    MODULE_CONFIGURATION: JSON.stringify({ api_url: 'https://example.org' }),
    TRIGGER_CONFIGURATION: JSON.stringify({ collection_uuid: 'collection--0123abcd' }),
    TOKEN,
    URL_CALLBACK: platform.callbackUrl,
    LIVENESS_PORT: '0',
    METRICS_PORT: '0',
  };
  stdout = [];
  Probe.seen = [];
  Probe.fail = undefined;
});
afterEach(() => platform.close());

/** Records what it was given, sends one event and stops. */
class Probe extends Trigger<Record<string, unknown>, Record<string, unknown>> {
  static seen: Array<{ module: Record<string, unknown>; configuration: Record<string, unknown> }> = [];
  static fail: Error | undefined;

  async run(): Promise<void> {
    Probe.seen.push({ module: this.moduleConfiguration, configuration: this.configuration });
    if (Probe.fail !== undefined) throw Probe.fail;
    this.log(`Using key ${String(this.moduleConfiguration['api_key'])}`);
    await this.sendEvent('example cycle', { cycle: 1 });
    this.stop();
  }
}

function run(triggerClass: TriggerClass = Probe): Promise<number> {
  return runTrigger({ definition, trigger: triggerDefinition, triggerClass, env, write: (line) => stdout.push(line), handleProcessSignals: false });
}

describe('runTrigger', () => {
  it('merges the secrets before validating, so a secret absent from module_configuration passes', async () => {
    expect(await run()).toBe(0);
    expect(platform.to('secrets')).toHaveLength(1);
    expect(Probe.seen).toEqual([
      {
        module: { api_url: 'https://example.org', api_key: SECRET },
        configuration: { collection_uuid: 'collection--0123abcd', interval_seconds: 1, max_cycles: 0 },
      },
    ]);
    expect(platform.events()).toEqual([expect.objectContaining({ name: 'example cycle', event: { cycle: 1 } })]);
    const shipped = platform.shippedLogs().map((entry) => entry.message);
    expect(shipped).toContain('Using key [REDACTED]');
    expect([...shipped, ...stdout].join('\n')).not.toContain(SECRET);
  });

  it('logs one critical naming every problem and never runs the trigger when the configuration is invalid', async () => {
    env['MODULE_CONFIGURATION'] = JSON.stringify({ api_url: 'ftp://example.org' });
    env['TRIGGER_CONFIGURATION'] = Buffer.from(JSON.stringify({ collection_uuid: 'nope', interval_seconds: 0 })).toString('base64');
    platform.responders.set('secrets', () => ({ status: 200, body: { value: {} } }));
    expect(await run()).toBe(1);
    expect(Probe.seen).toEqual([]);
    expect(platform.shippedLogs()).toEqual([
      expect.objectContaining({
        level: 'critical',
        message:
          'Invalid configuration (4 problems): In the module configuration, api_key is missing; expected a non-empty text. ' +
          'In the module configuration, api_url is "ftp://example.org"; expected a URL starting with "http://" or "https://". ' +
          'In the trigger configuration, collection_uuid is "nope"; expected a text matching the pattern ^collection--[0-9a-f]{8}$. ' +
          'In the trigger configuration, interval_seconds is 0; expected a whole number of at least 1, for example 1.',
      }),
    ]);
    expect(platform.to('callback')).toHaveLength(0);
  });

  it('reports values missing from the lookup together with trigger configuration problems, before any request', async () => {
    delete env['MODULE_CONFIGURATION'];
    env['TRIGGER_CONFIGURATION'] = JSON.stringify({ interval_seconds: 0 });
    expect(await run()).toBe(1);
    const critical = platform.shippedLogs().filter((entry) => entry.level === 'critical');
    expect(critical).toHaveLength(1);
    expect(critical[0]?.message).toBe(
      `Invalid configuration (3 problems): module_configuration is missing; set it in the file ${join(env['SYMPHONY_VOLUME_PATH'] ?? '', 'module_configuration')} or environment variable MODULE_CONFIGURATION. ` +
        'In the trigger configuration, collection_uuid is missing; expected a text matching the pattern ^collection--[0-9a-f]{8}$. ' +
        'In the trigger configuration, interval_seconds is 0; expected a whole number of at least 1, for example 1.',
    );
    expect(platform.to('secrets')).toHaveLength(0);
    expect(Probe.seen).toEqual([]);
  });

  it('stops with a clear critical when url_secrets refuses the token', async () => {
    env['TOKEN'] = 'a-token-the-platform-does-not-know';
    expect(await run()).toBe(1);
    const [critical] = platform.shippedLogs();
    expect(critical?.level).toBe('critical');
    expect(critical?.message).toMatch(/^The platform refused the token of this trigger when fetching the module's secrets \(HTTP 401 from GET .*\/secrets\)/);
    expect(stdout.join('\n')).not.toContain('a-token-the-platform-does-not-know');
    expect(Probe.seen).toEqual([]);
  });

  it('exits non-zero after a FatalTriggerError, logged once at critical', async () => {
    Probe.fail = new FatalTriggerError(`The example service refused the key ${SECRET}.`);
    expect(await run()).toBe(1);
    expect(Probe.seen).toHaveLength(1);
    const critical = platform.shippedLogs().filter((entry) => entry.level === 'critical');
    expect(critical.map((entry) => entry.message)).toEqual(['The trigger stopped on a fatal error: The example service refused the key [REDACTED].']);
  });

  it('gives up waiting for a run() that ignores the stop, and still exits 0', async () => {
    class Deaf extends Trigger {
      async run(): Promise<void> {
        this.stop();
        await new Promise(() => undefined);
      }
    }
    const started = Date.now();
    const code = await runTrigger({ definition, trigger: triggerDefinition, triggerClass: Deaf, env, write: (line) => stdout.push(line), handleProcessSignals: false, stopTimeoutMs: 300 });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(platform.shippedLogs().map((entry) => entry.message)).toContain('The trigger did not stop within 0.3 s; exiting anyway');
  });

  it('redacts a secret key of the manifest also where an older configuration puts it, among the trigger arguments', async () => {
    const carried = 'older-config-key-77c1e0';
    env.TRIGGER_CONFIGURATION = JSON.stringify({ collection_uuid: 'collection--0123abcd', api_key: carried });
    class Leaky extends Probe {
      override async run(): Promise<void> {
        this.log(`Arguments carry ${String(this.configuration['api_key'])}`);
        this.stop();
      }
    }
    expect(await run(Leaky)).toBe(0);
    expect(stdout.join('\n')).toContain('Arguments carry [REDACTED]');
    expect(stdout.join('\n') + JSON.stringify(platform.shippedLogs())).not.toContain(carried);
  });

  it('prints to stdout only when there is no token to ship logs with', async () => {
    delete env['TOKEN'];
    expect(await run()).toBe(1);
    expect(platform.requests).toHaveLength(0);
    expect(stdout.join('\n')).toMatch(/CRITICAL Invalid configuration \(1 problem\): token is missing; set it in the file .* or environment variable TOKEN\./);
  });
});
