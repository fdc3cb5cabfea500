import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { startRuntimeEndpointsServer, type RuntimeEndpointsServer } from '../../misp_modules/dev/runtime-endpoints-server.js';
import { startMispEventServer, type MispEventServer } from '../../misp_modules/dev/demo-misp-event-server.js';

const root = moduleRoot();
const MISP_KEY = 'misp-new-event-process-key-2d8f1a6c';
const TOKEN = 'runtime-token-new-event-9e4b7c30';

let misp: MispEventServer;
let runtime: RuntimeEndpointsServer;

function startTrigger(dataPath: string) {
  const child = spawn(process.execPath, [path.join(root, 'dist/misp_modules/main.js'), 'trigger'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      SYMPHONY_VOLUME_PATH: mkdtempSync(path.join(tmpdir(), 'symphony-volume-')),
      SYMPHONY_DATA_PATH: dataPath,
      MODULE_CONFIGURATION: JSON.stringify({ misp_url: misp.url }),
      TRIGGER_CONFIGURATION: JSON.stringify({ sleep_time: 1 }),
      TOKEN,
      URL_CALLBACK: runtime.callbackUrl,
      LIVENESS_PORT: '0',
      METRICS_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

async function waitFor(condition: () => boolean, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Output:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  misp = await startMispEventServer(MISP_KEY);
  runtime = await startRuntimeEndpointsServer({ token: TOKEN, secrets: { misp_api_key: MISP_KEY } });
}, 120_000);

afterAll(async () => {
  await Promise.all([misp?.close(), runtime?.close()]);
});

describe('the New Event trigger in a child process, through the real runtime', () => {
  it('sends a newly published event once, stops on SIGTERM within 10 s, and resumes without repeats', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'new-event-process-'));
    const first = startTrigger(dataPath);
    await waitFor(() => misp.requests.length >= 1, 'the first poll', first.output);
    const now = Math.floor(Date.now() / 1000);
    misp.events.push({ id: '1', uuid: '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e', info: 'Spear-phishing with a fake invoice', published: true, publish_timestamp: String(now + 1), Attribute: [] });
    await waitFor(() => runtime.events.length >= 1, 'the event', first.output);
    expect(runtime.events[0]).toMatchObject({ name: 'Spear-phishing with a fake invoice', event: { event: { Event: { uuid: '6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e' } } } });
    const polls = misp.requests.length;
    await waitFor(() => misp.requests.length >= polls + 2, 'two more polls', first.output);
    expect(runtime.events).toHaveLength(1);

    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);

    misp.events.push({ id: '2', uuid: '7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', info: 'Published while the trigger was down', published: true, publish_timestamp: String(now + 2), Attribute: [] });
    const second = startTrigger(dataPath);
    await waitFor(() => runtime.events.length >= 2, 'the event published while stopped', second.output);
    const seen = misp.requests.length;
    await waitFor(() => misp.requests.length >= seen + 2, 'two more polls', second.output);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    expect(runtime.events.map((event) => (event as { name: string }).name)).toEqual(['Spear-phishing with a fake invoice', 'Published while the trigger was down']);
    for (const secret of [MISP_KEY, TOKEN]) {
      expect(first.output() + second.output() + JSON.stringify(runtime.logs)).not.toContain(secret);
    }
  }, 90_000);
});
