/**
 * The check CI makes on a clean clone: `npm run trigger:dev -- --once` exits 0 and its summary
 * reports what the bundled demo data must give.
 *
 * How the expected numbers are found, without the module's code (trigger-dev-expectations.ts):
 * the demo events are read as plain JSON; of the 459 IDS-flagged, not deleted attributes (the
 * demo-data README's table, checked below), 38 are of unsupported types; of the 421 others, 13
 * are not valid indicators (the nine synthetic INVALID values, three real `url` values whose host
 * is no domain: `107.183.86`, `Data/dtl.dat`, `Data/glp.uin`, and `igfxtray.exe`, a file name
 * written without a scheme whose last label is no top-level domain); the 408 valid ones hold 377
 * distinct values once hashes and domains are lower-cased (31 repeats), which is what the
 * collection must hold:
 *   ip-dst 47 + ip-dst|port 31 - 3 invalid = 75 → 60 distinct ipv4-addr.value
 *   domain 17 + domain|ip 1 - 2 invalid = 16 → 16 domain-name.value
 *   url 45 - 5 invalid = 40 → 40 url.value
 *   md5 52 + filename|md5 44 - 1 invalid = 95 → 92 file.hashes.MD5
 *   sha1 78 + filename|sha1 2 - 1 invalid = 79 → 78 file.hashes.SHA-1
 *   sha256 60 + filename|sha256 44 - 1 invalid = 103 → 91 file.hashes.SHA-256
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { DEMO_DATA, expectedFromDemoData, parseSummaryLine, SUPPORTED_TYPES, type DemoExpectation } from './trigger-dev-expectations.js';

const root = moduleRoot();

/** The numbers above, as a person reads them off the data; the computation below must agree. */
const DOCUMENTED = new Map([
  ['ipv4-addr.value', 60],
  ['domain-name.value', 16],
  ['url.value', 40],
  ['file.hashes.MD5', 92],
  ['file.hashes.SHA-1', 78],
  ['file.hashes.SHA-256', 91],
]);

/** Variables that would point trigger:dev at real services: the check runs on the demo. */
const REAL_SERVICE_VARIABLES = ['MISP_URL', 'MISP_API_KEY', 'SEKOIA_API_KEY', 'IOC_COLLECTION_UUID', 'IOC_COLLECTION_SERVER'];

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const name of REAL_SERVICE_VARIABLES) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The demo-data README's per-type table: type → total column. */
function documentedIdsCounts(): Map<string, number> {
  const readme = readFileSync(path.join(DEMO_DATA, 'README.md'), 'utf8');
  const counts = new Map<string, number>();
  for (const line of readme.split('\n')) {
    const match = /^\| `([^`]+)` \|.*\| (\d+) \|$/.exec(line);
    if (match) counts.set((match[1] as string).replace(/\\\|/g, '|'), Number(match[2]));
  }
  return counts;
}

let expected: DemoExpectation;
let demo: Run;

beforeAll(async () => {
  expected = expectedFromDemoData();
  demo = await run('npm', ['run', '--silent', 'trigger:dev', '--', '--once']);
}, 120_000);

describe('the expected numbers', () => {
  it('read the same IDS attributes per type as the demo data README documents', () => {
    const documented = documentedIdsCounts();
    expect([...documented.keys()].sort()).toEqual([...SUPPORTED_TYPES].sort());
    for (const [type, count] of documented) expect(expected.idsByType.get(type) ?? 0, type).toBe(count);
    const supported = [...documented.values()].reduce((sum, count) => sum + count, 0);
    expect(expected.fetched - expected.unsupported).toBe(supported);
  });

  it('agree with the worked numbers of this file', () => {
    expect(new Map([...expected.byObservable].map(([observable, values]) => [observable, values.size]))).toEqual(DOCUMENTED);
    expect(expected).toMatchObject({ fetched: 459, unsupported: 38, repeats: 31, total: 377 });
    expect(expected.invalid).toHaveLength(13);
  });
});

describe('npm run trigger:dev -- --once', () => {
  it('exits 0 after one cycle', () => {
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toMatch(/trigger:dev {2}one cycle \(--once\)/);
    expect(demo.output.match(/ INFO +Cycle \d+: /g)).toHaveLength(1);
  });

  it('shows the cycle: fetched, new, batches, invalid, duplicates, unsupported, failed and duration', () => {
    const line = demo.output.split('\n').find((candidate) => / INFO +Cycle 1: /.test(candidate));
    const match = /Cycle 1: (\d+) attributes fetched, (\d+) new IOCs pushed in (\d+) batches, (\d+) invalid skipped, (\d+) already delivered, (\d+) of unsupported types, (\d+) failed \(\d+\.\d s\)$/.exec(line ?? '');
    expect(match, demo.output).not.toBeNull();
    const [, fetched, pushed, batches, invalid, repeats, unsupported, failed] = (match as RegExpExecArray).map(Number);
    // MISP is asked for the synced types only: the attributes of other types are never fetched.
    expect({ fetched, pushed, invalid, repeats, unsupported, failed }).toEqual({
      fetched: expected.fetched - expected.unsupported,
      pushed: expected.total,
      invalid: expected.invalid.length,
      repeats: expected.repeats,
      unsupported: 0,
      failed: 0,
    });
    // Four formats, at most 1,000 values per batch (the default batch_size): 60, 16, 40 and 261 hashes.
    expect(batches).toBe(4);
  });

  it('ends with the summary of what the embedded collection holds, by observable type', () => {
    const summary = parseSummaryLine(demo.output, 'in the collection');
    expect(summary, demo.output).toBeDefined();
    expect(summary?.total).toBe(expected.total);
    expect(summary?.counts).toEqual(new Map([...expected.byObservable].map(([observable, values]) => [observable, values.size])));
    expect(demo.output).toContain('The runtime endpoints received 1 "MISP IOCs pushed" events');
  });

  it('prints the summary the README shows', () => {
    const line = demo.output.split('\n').find((candidate) => candidate.startsWith('Summary: '));
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(line);
  });

  it('prints no debug line without --verbose', () => {
    expect(demo.output).toMatch(/ INFO +Starting: /);
    expect(demo.output).not.toMatch(/ DEBUG /);
  });
});
