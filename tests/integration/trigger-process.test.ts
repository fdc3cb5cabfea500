import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { freePort } from '../../misp_modules/dev/loopback-http.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot, TRIGGER_COMMAND } from '../../misp_modules/configuration/module-root.js';
import { startDemoIocCollectionServer, type DemoIocCollectionServer } from '../../misp_modules/dev/demo-ioc-collection-server.js';
import { startDemoMispServer, type DemoMispServer } from '../../misp_modules/dev/demo-misp-server.js';
import { startRuntimeEndpointsServer, type RuntimeEndpointsServer } from '../../misp_modules/dev/runtime-endpoints-server.js';
import { expectedByFormat, expectedPushes, syntheticAttributeSource, syntheticAttributes } from '../../misp_modules/dev/synthetic-attributes.js';

const root = moduleRoot();
const MISP_KEY = 'misp-process-key-6c1f0e9a2b7d4c3e';
const SEKOIA_KEY = 'sekoia-process-key-93b1d5f7a0e24c68';
const TOKEN = 'runtime-token-1f2e3d4c5b6a7988';
const COLLECTION = 'ioc-collection--0e5b8a52-7f3c-4d1a-9b6e-2c4d6f8a0b1c';
// About 25,500 of them IDS-flagged and not deleted.
const COUNT = 30_000;


interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
  livenessPort: number;
  metricsPort: number;
}

let misp: DemoMispServer;
let collection: DemoIocCollectionServer;
let runtime: RuntimeEndpointsServer;
const dataPath = mkdtempSync(path.join(tmpdir(), 'misp-trigger-process-'));
const nowS = Math.floor(Date.now() / 1000);
const synthetic = { count: COUNT, now: nowS, seed: 11 };

async function startTriggerProcess(): Promise<Started> {
  const [livenessPort, metricsPort] = [await freePort(), await freePort()];
  const triggerConfiguration = {
    ioc_collection_server: collection.url,
    ioc_collection_uuid: COLLECTION,
    batch_size: 1000,
    push_rate_per_second: 50,
    sleep_time: 60,
  };
  const child = spawn(process.execPath, [path.join(root, 'dist/misp_modules/main.js'), TRIGGER_COMMAND], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      SYMPHONY_VOLUME_PATH: mkdtempSync(path.join(tmpdir(), 'symphony-volume-')),
      SYMPHONY_DATA_PATH: dataPath,
      // The secrets are left out on purpose: the runtime fetches them from url_secrets.
      MODULE_CONFIGURATION: JSON.stringify({ misp_url: misp.url }),
      TRIGGER_CONFIGURATION: Buffer.from(JSON.stringify(triggerConfiguration)).toString('base64'),
      TOKEN,
      URL_CALLBACK: runtime.callbackUrl,
      LIVENESS_PORT: String(livenessPort),
      METRICS_PORT: String(metricsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exit, livenessPort, metricsPort };
}

async function waitFor(condition: () => boolean, what: string, output: () => string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Output:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const cycleLines = (): string[] => runtime.logs.map((entry) => entry.message).filter((message) => /^Cycle 1: /.test(message) && message.includes('attributes fetched'));

beforeAll(async () => {
  // The child runs the build, as the container does.
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  misp = await startDemoMispServer({ apiKey: MISP_KEY, attributes: syntheticAttributeSource(synthetic) });
  collection = await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION] });
  runtime = await startRuntimeEndpointsServer({ token: TOKEN, secrets: { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY } });
}, 120_000);

afterAll(async () => {
  await Promise.all([misp?.close(), collection?.close(), runtime?.close()]);
});

describe('the built trigger in a child process, through the real runtime', () => {
  it(`delivers exactly the expected values of 25,000 IDS attributes, then a second process pushes nothing again`, async () => {
    const expected = expectedPushes(syntheticAttributes(synthetic));
    expect(expected.rows.total - expected.rows.notIds - expected.rows.deleted).toBeGreaterThanOrEqual(25_000);
    const first = await startTriggerProcess();
    await waitFor(() => cycleLines().length >= 1, 'the first cycle', first.output);

    const accepted = collection.accepted(COLLECTION);
    const uploadFormat = (observable: string): string => (observable.startsWith('file.hashes.') ? 'file.hashes' : observable);
    expect(accepted.byFormat).toEqual(expectedByFormat(expected, uploadFormat));
    expect(accepted.all.length).toBe(expected.values.size);
    await waitFor(() => runtime.events.length >= 1, 'the event', first.output);
    expect(runtime.events[0]).toMatchObject({ name: 'MISP IOCs pushed', event: { iocs_submitted: expected.values.size, iocs_skipped_invalid: expected.rows.invalid } });

    const health = await fetch(`http://127.0.0.1:${first.livenessPort}/health`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${first.metricsPort}/metrics`)).text();
    expect(metrics).toContain(`misp_trigger_iocs_pushed_total ${expected.values.size}`);
    expect(metrics).toContain('misp_trigger_cycles_total{outcome="success"} 1');

    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);

    const requestsBefore = collection.acceptedRequests();
    runtime.logs.length = 0;
    const second = await startTriggerProcess();
    await waitFor(() => cycleLines().length >= 1, 'the second process\'s first cycle', second.output);
    expect(cycleLines()[0]).toMatch(/ 0 new IOCs pushed/);
    expect(collection.acceptedRequests()).toBe(requestsBefore);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);

    for (const secret of [MISP_KEY, SEKOIA_KEY, TOKEN]) {
      expect(first.output() + second.output()).not.toContain(secret);
      expect(JSON.stringify(runtime.logs)).not.toContain(secret);
    }
  }, 120_000);
});
