import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateFile } from '../src/state/state-file.js';
import { PlatformServer, waitFor } from './helpers/platform-server.js';

// The example module runs as the platform runs a trigger: `node <entry> <command>` in its own
// process, on the built package, configured only through environment variables.
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('./fixtures/example-module/main.mjs', import.meta.url));
const stateWriter = fileURLToPath(new URL('./fixtures/state-writer.mjs', import.meta.url));
const SECRET = 'example-api-key-5c1d0e';
const TOKEN = 'runtime-token-7b2f49';

beforeAll(async () => {
  await promisify(execFile)('npx', ['tsc', '-b', 'packages/automation-sdk-shim'], { cwd: repository, timeout: 120_000 });
}, 120_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Child {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited };
}

describe('the example trigger in its own process', () => {
  let platform: PlatformServer;
  let child: Child | undefined;

  beforeAll(async () => {
    platform = await new PlatformServer('/api/v1/symphony/runs/42').start();
    platform.responders.set('secrets', (request) =>
      request.authorization === `Bearer ${TOKEN}` ? { status: 200, body: { value: { api_key: SECRET } } } : { status: 401 },
    );
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await platform.close();
  });

  it('fetches its secrets, sends events, ships redacted logs, serves health and metrics, and stops on SIGTERM', async () => {
    const [livenessPort, metricsPort] = [await freePort(), await freePort()];
    const dataPath = await mkdtemp(join(tmpdir(), 'example-data-'));
    child = start([entry, 'example-trigger'], {
      PATH: process.env['PATH'],
      MODULE_CONFIGURATION: JSON.stringify({ api_url: 'https://example.org' }),
      TRIGGER_CONFIGURATION: Buffer.from(JSON.stringify({ collection_uuid: 'collection--0123abcd', interval_seconds: 1 })).toString('base64'),
      TOKEN,
      URL_CALLBACK: platform.callbackUrl,
      LIVENESS_PORT: String(livenessPort),
      METRICS_PORT: String(metricsPort),
      SYMPHONY_DATA_PATH: dataPath,
      SYMPHONY_VOLUME_PATH: await mkdtemp(join(tmpdir(), 'example-volume-')),
    });
    const running = child;
    const exitedEarly = running.exited.then((exit) => {
      throw new Error(`exited early (${exit.code}): ${running.stderr()}${running.stdout()}`);
    });
    exitedEarly.catch(() => undefined);

    await Promise.race([waitFor(() => platform.events().length >= 2, 8_000, 'two events'), exitedEarly]);
    expect(platform.to('secrets')).toEqual([expect.objectContaining({ method: 'GET', authorization: `Bearer ${TOKEN}` })]);
    expect(platform.to('callback')[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(platform.events().slice(0, 2).map((body) => body.event)).toEqual([
      { cycle: 1, collection: 'collection--0123abcd' },
      { cycle: 2, collection: 'collection--0123abcd' },
    ]);

    const health = await fetch(`http://127.0.0.1:${livenessPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ successive_errors: 0, last_event: expect.any(String) });
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/^# TYPE example_cycles_total counter\nexample_cycles_total [1-9]/m);

    const stoppedAt = Date.now();
    running.process.kill('SIGTERM');
    const exit = await running.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - stoppedAt).toBeLessThan(10_000);

    const shipped = platform.shippedLogs();
    const messages = shipped.map((entry) => entry.message);
    // Logged with both values on purpose by the example trigger: both replaced.
    expect(messages).toContain('Connecting to https://example.org with key [REDACTED] and token [REDACTED]');
    // Logged after the stop: only a flush on exit can have shipped it.
    expect(messages.some((message) => /^Example trigger leaving after cycle \d+; key was \[REDACTED\]$/.test(message))).toBe(true);
    expect(shipped.every((entry) => !Number.isNaN(Date.parse(entry.date)) && ['debug', 'info', 'warning', 'error', 'critical'].includes(entry.level))).toBe(true);
    for (const text of [JSON.stringify(shipped), running.stdout(), running.stderr()]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
    expect(running.stdout()).toContain('Example trigger leaving after cycle');
    child = undefined;
  }, 30_000);
});

describe('state written by a process killed mid-write', () => {
  it('reads back as the previous value or the new one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'killed-state-'));
    const path = join(directory, 'state.json');
    const warnings: string[] = [];
    const reader = new StateFile(path, { log: (message) => warnings.push(message) });
    for (const afterWrites of [1, 3, 7, 12]) {
      const writer = start([stateWriter, path], { PATH: process.env['PATH'] });
      await waitFor(() => (writer.stdout().match(/written \d+/g)?.length ?? 0) >= afterWrites, 8_000, `${afterWrites} writes`);
      writer.process.kill('SIGKILL');
      const exit = await writer.exited;
      expect(exit.signal).toBe('SIGKILL');
      const confirmed = [...writer.stdout().matchAll(/written (\d+)/g)].map((match) => Number(match[1]));
      const last = Math.max(...confirmed);
      const state = await reader.readJson<{ seq: number; padding: string }>();
      // The write under way when the kill came may or may not have landed, but never in part.
      expect(state).toBeDefined();
      expect([last, last + 1]).toContain(state?.seq);
      expect(state?.padding).toHaveLength(512 * 1024);
    }
    expect(warnings).toEqual([]);
  }, 30_000);
});
