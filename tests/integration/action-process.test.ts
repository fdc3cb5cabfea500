import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { startActionCallbackDouble, type ActionCallbackDouble } from '../support/action-callback-double.js';
import { startMispEventServer, type MispEventServer } from '../../misp_modules/dev/demo-misp-event-server.js';
import { PHISHING_CAMPAIGN_EVENT } from '../stix/misp-event-samples.js';

const EXPECTED_BUNDLE = JSON.parse(readFileSync(new URL('../stix/expected/phishing-campaign-bundle.json', import.meta.url), 'utf8')) as unknown;

const root = moduleRoot();
const MISP_KEY = 'misp-action-process-key-51c0d8e2';
const TOKEN = 'runtime-token-action-3f9a6b12';

let misp: MispEventServer;
let platform: ActionCallbackDouble;

interface Finished {
  code: number | null;
  output: string;
}

/** Runs `node <main> <command>` as the platform runs an action container, to its end. */
function runCommand(command: string, args: unknown, dataPath: string, account: Record<string, unknown>, onStart?: (kill: (signal: NodeJS.Signals) => void) => void): Promise<Finished> {
  const volume = mkdtempSync(path.join(tmpdir(), 'symphony-volume-'));
  // The volume file wins over the environment, as with the SDK.
  writeFileSync(path.join(volume, 'arguments'), JSON.stringify(args));
  const child = spawn(process.execPath, [path.join(root, 'dist/misp_modules/main.js'), command], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      SYMPHONY_VOLUME_PATH: volume,
      SYMPHONY_DATA_PATH: dataPath,
      ARGUMENTS: JSON.stringify({ ignored: true }),
      MODULE_CONFIGURATION: Buffer.from(JSON.stringify(account)).toString('base64'),
      TOKEN,
      URL_CALLBACK: platform.callbackUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onStart?.((signal) => child.kill(signal));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  misp = await startMispEventServer(MISP_KEY);
  platform = await startActionCallbackDouble(TOKEN, { misp_api_key: MISP_KEY });
}, 120_000);

afterAll(async () => {
  await Promise.all([misp?.close(), platform?.close()]);
});

describe('the actions in a child process, with a callback double', () => {
  it('Publish Event: creates the event with the secret served by the callback and reports MISP\'s copy as a file', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'action-data-'));
    writeFileSync(path.join(dataPath, 'incident.json'), JSON.stringify({ Event: { info: 'Credential stuffing from a botnet', Attribute: [{ type: 'ip-src', value: '198.51.100.23' }] } }));
    platform.patches.length = 0;
    const run = await runCommand('publish-to-misp', { event_path: 'incident.json' }, dataPath, { misp_url: misp.url });
    expect(run.code).toBe(0);
    expect(platform.patches[0]).toEqual({ status: 'running', need_secrets: true });
    const finished = platform.finished() as { results: { event_path: string }; logs: string; outputs: unknown; error?: string };
    expect(finished.error).toBeUndefined();
    expect(misp.requests.at(-1)?.headers.authorization).toBe(MISP_KEY);
    expect(JSON.parse(readFileSync(path.join(dataPath, finished.results.event_path), 'utf8'))).toEqual({ Event: misp.events.at(-1) });
    expect(finished.logs).toMatch(/: info: MISP created event \d+ \(uuid [0-9a-f-]{36}\) with 1 attributes and 0 objects/);
    expect(run.output + JSON.stringify(platform.patches)).not.toContain(MISP_KEY);
  }, 60_000);

  it('Publish Event: a refusal of MISP is the action\'s error, reported to the platform', async () => {
    platform.patches.length = 0;
    const run = await runCommand('publish-to-misp', { event: { Event: { info: 'x', uuid: 'dup' } } }, mkdtempSync(path.join(tmpdir(), 'action-data-')), { misp_url: misp.url });
    expect(run.code).toBe(0);
    const again = await runCommand('publish-to-misp', { event: { Event: { info: 'x', uuid: 'dup' } } }, mkdtempSync(path.join(tmpdir(), 'action-data-')), { misp_url: misp.url });
    expect(again.code).toBe(0);
    const finished = platform.patches.filter((body) => body.status === 'finished');
    expect(finished[0]).not.toHaveProperty('error');
    expect(finished[1]).not.toHaveProperty('results');
    expect(finished[1]?.error).toMatch(/^MISP at 127\.0\.0\.1:\d+ refused POST \/events\/add with HTTP 403: Event already exists/);
  }, 60_000);

  it('MISP to STIX: the bundle of the event comes back inline in the finished callback', async () => {
    platform.patches.length = 0;
    const run = await runCommand('convert-misp-to-stix', { event: PHISHING_CAMPAIGN_EVENT }, mkdtempSync(path.join(tmpdir(), 'action-data-')), { misp_url: misp.url });
    expect(run.code).toBe(0);
    const finished = platform.finished() as { results: unknown; error?: string; logs: string };
    expect(finished.error).toBeUndefined();
    expect(finished.results).toStrictEqual({ bundle: EXPECTED_BUNDLE });
    expect(finished.logs).toMatch(/: info: Converted the event into a STIX 2\.1 bundle of \d+ objects/);
  }, 60_000);

  it('a SIGTERM while MISP is slow to answer cuts the action short and reports it as its error', async () => {
    platform.patches.length = 0;
    misp.faults.push({ path: '/events/add', delayMs: 30_000 });
    let kill: (signal: NodeJS.Signals) => void = () => undefined;
    const running = runCommand('publish-to-misp', { event: { Event: { info: 'slow' } } }, mkdtempSync(path.join(tmpdir(), 'action-data-')), { misp_url: misp.url }, (killer) => (kill = killer));
    const deadline = Date.now() + 20_000;
    while (!misp.requests.some((request) => request.path === '/events/add' && request.body !== undefined && (request.body as { Event: { info: string } }).Event.info === 'slow')) {
      if (Date.now() > deadline) throw new Error('the action never called MISP');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stoppedAt = Date.now();
    kill('SIGTERM');
    const run = await running;
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(run.code).toBe(0);
    expect(platform.finished()?.error).toBe('The action was stopped by SIGTERM before it finished.');
  }, 60_000);

  it('an unknown command exits non-zero and lists every component', async () => {
    const run = await runCommand('no-such-command', {}, mkdtempSync(path.join(tmpdir(), 'action-data-')), {});
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('Known commands: convert-misp-to-stix, publish-to-misp, trigger, trigger-misp-ids-to-ioc-collection.');
  }, 60_000);
});
