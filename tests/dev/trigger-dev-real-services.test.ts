/**
 * `trigger:dev` pointed at "real" services: a MISP and a Sekoia.io IOC collection that the test
 * starts on 127.0.0.1 and the runner knows nothing about. A dry run must not reach the collection.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { startDemoIocCollectionServer, type DemoIocCollectionServer } from '../../misp_modules/dev/demo-ioc-collection-server.js';
import { startDemoMispServer, type DemoMispServer } from '../../misp_modules/dev/demo-misp-server.js';
import { loadDemoAttributes } from '../../misp_modules/dev/demo-events.js';
import { expectedFromDemoData, parseSummaryLine, type DemoExpectation } from './trigger-dev-expectations.js';
import { runTriggerDev as runTriggerDevProcess, type TriggerDevRun } from './trigger-dev-process.js';

const root = moduleRoot();
const MISP_KEY = 'misp-real-key-4b8e1f0c2d7a9e63';
const SEKOIA_KEY = 'sekoia-real-key-7c2e9a4f1b0d8e56';
const COLLECTION = 'ioc-collection--2f6a9c1e-0b4d-4e8f-a7c3-5d1e9b0f2a64';

let misp: DemoMispServer;
let production: DemoIocCollectionServer;
let expected: DemoExpectation;

function runTriggerDev(args: string[], extraEnv: Record<string, string> = {}): Promise<TriggerDevRun> {
  return runTriggerDevProcess(args, { PATH: process.env.PATH, ...extraEnv });
}

const realServices = (): Record<string, string> => ({
  MISP_URL: misp.url,
  MISP_API_KEY: MISP_KEY,
  SEKOIA_API_KEY: SEKOIA_KEY,
  IOC_COLLECTION_UUID: COLLECTION,
  IOC_COLLECTION_SERVER: production.url,
});

/** The expected values by upload format, as the collection keeps them (every hash under file.hashes). */
function expectedByFormat(): Map<string, Set<string>> {
  const byFormat = new Map<string, Set<string>>();
  for (const [observable, values] of expected.byObservable) {
    const format = observable.startsWith('file.hashes.') ? 'file.hashes' : observable;
    byFormat.set(format, new Set([...(byFormat.get(format) ?? []), ...values]));
  }
  return byFormat;
}

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  expected = expectedFromDemoData();
  misp = await startDemoMispServer({ apiKey: MISP_KEY, attributes: loadDemoAttributes({ publishedAt: Math.floor(Date.now() / 1000) - 7_200 }) });
  production = await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION] });
}, 120_000);

beforeEach(() => {
  misp.requests.length = 0;
  production.requests.length = 0;
});

afterAll(async () => {
  await Promise.all([misp?.close(), production?.close()]);
});

describe('trigger:dev against real services', () => {
  it('--dry-run fetches and validates from MISP, lists what would be pushed, and sends nothing to the collection', async () => {
    const result = await runTriggerDev(['--dry-run', '--once'], realServices());
    expect(result.code, result.output).toBe(0);
    expect(misp.requests.some((request) => request.path === '/attributes/restSearch' && request.status === 200)).toBe(true);
    expect(production.requests).toHaveLength(0);

    const summary = parseSummaryLine(result.output, 'would be pushed');
    expect(summary?.total, result.output).toBe(expected.total);
    expect(summary?.counts).toEqual(new Map([...expected.byObservable].map(([observable, values]) => [observable, values.size])));
    // A few values of each type are shown.
    const firstUrl = [...(expected.byObservable.get('url.value') ?? [])][0] as string;
    expect(result.output).toMatch(new RegExp(`url\\.value +e\\.g\\. .*${firstUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const dataPath = /data path +(\S+) +\(throw-away\)/.exec(result.output)?.[1];
    expect(dataPath, result.output).toBeDefined();
    expect(existsSync(path.resolve(root, dataPath as string))).toBe(false);
    expect(result.output).not.toContain(MISP_KEY);
    expect(result.output).not.toContain(SEKOIA_KEY);
  });

  it('pushes to the collection with flags instead of variables, and a second run with the same data path pushes nothing again', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'trigger-dev-real-'));
    const flags = ['--misp-url', misp.url, `--misp-api-key=${MISP_KEY}`, '--sekoia-api-key', SEKOIA_KEY, '--collection', COLLECTION, '--server', production.url];
    const first = await runTriggerDev([...flags, '--once', '--data-path', dataPath]);
    expect(first.code, first.output).toBe(0);
    const accepted = production.accepted(COLLECTION);
    expect(accepted.byFormat).toEqual(expectedByFormat());
    expect(first.output).toContain(`Summary: ${expected.total} IOCs accepted by ${COLLECTION}`);
    expect(first.output).toContain('(Sekoia.io: IOCs WILL be pushed)');

    const pushedBefore = accepted.all.length;
    const second = await runTriggerDev([...flags, '--once', '--data-path', dataPath]);
    expect(second.code, second.output).toBe(0);
    expect(production.accepted(COLLECTION).all.length).toBe(pushedBefore);
    expect(second.output).toMatch(/remembered as delivered/);
    for (const output of [first.output, second.output]) {
      expect(output).not.toContain(MISP_KEY);
      expect(output).not.toContain(SEKOIA_KEY);
    }
  });

  it('--once exits 1 when the cycle fails, with the reason, and never prints the key', async () => {
    const result = await runTriggerDev(['--dry-run', '--once'], { ...realServices(), MISP_API_KEY: 'a-wrong-key-0f9e8d7c6b5a' });
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/ERROR +Cycle 1 failed: MISP at 127\.0\.0\.1:\d+ refused the API key \(HTTP 403/);
    expect(result.output).toContain('Summary: 0 IOCs would be pushed.');
    expect(result.output).not.toContain('a-wrong-key-0f9e8d7c6b5a');
  });

  it('exits 1 when Sekoia.io refuses the key, as the trigger stops on it', async () => {
    const result = await runTriggerDev(['--once', '--data-path', mkdtempSync(path.join(tmpdir(), 'trigger-dev-real-'))], {
      ...realServices(),
      SEKOIA_API_KEY: 'a-revoked-key-1a2b3c4d5e6f',
    });
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/CRITICAL .*Sekoia\.io rejected the API key \(HTTP 401\)/);
    expect(result.output).not.toContain('a-revoked-key-1a2b3c4d5e6f');
  });
});

describe('trigger:dev usage', () => {
  it('refuses unknown options and unsafe combinations with exit code 2', async () => {
    const unknown = await runTriggerDev(['--onse']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('Unknown option "--onse"');
    const demoToProduction = await runTriggerDev(['--once'], { SEKOIA_API_KEY: SEKOIA_KEY, IOC_COLLECTION_UUID: COLLECTION });
    expect(demoToProduction.code).toBe(2);
    expect(demoToProduction.output).toContain('the demo data is not meant for a real IOC collection');
    expect(demoToProduction.output).not.toContain(SEKOIA_KEY);
  });

  it('--help documents every option and its variable', async () => {
    const help = await runTriggerDev(['--help']);
    expect(help.code).toBe(0);
    for (const word of ['--once', '--dry-run', '--interval', '--lookback-days', '--data-path', '--verbose', '--no-verify-ssl', '--misp-url', 'MISP_URL', '--misp-api-key', 'MISP_API_KEY', '--sekoia-api-key', 'SEKOIA_API_KEY', '--collection', 'IOC_COLLECTION_UUID', '--server', 'IOC_COLLECTION_SERVER', '--feed', '--feed-location', '--feed-authorization', 'FEED_AUTHORIZATION']) {
      expect(help.output).toContain(word);
    }
  });
});
