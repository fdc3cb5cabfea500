/**
 * The check CI makes on a clean clone: `npm run trigger:dev -- --once` exits 0 and its summary
 * reports what the generated demo data must give.
 *
 * How the expected numbers are found, without the module's code (trigger-dev-expectations.ts):
 * the demo events are read as plain JSON; of their 239 IDS-flagged, not deleted attributes, 14
 * are of unsupported types (e-mail senders, host names, file names, a fuzzy hash, a source
 * address); of the 225 others, 30 are the event of refusals' invalid values, one of each kind;
 * the 195 valid ones hold 178 distinct values once hashes and domains are lower-cased (17
 * repeats), which is what the collection must hold:
 *   ip-dst 44 + ip-dst|port 19 - 11 invalid = 52 → 39 distinct ipv4-addr.value, 7 ipv6-addr.value
 *   domain 38 + domain|ip 5 - 7 invalid = 36 → 31 domain-name.value
 *   url 29 - 4 invalid = 25 → 23 url.value
 *   md5 22 + filename|md5 9 - 3 invalid = 28 → 25 file.hashes.MD5
 *   sha1 23 + filename|sha1 8 - 2 invalid = 29 → 29 file.hashes.SHA-1
 *   sha256 19 + filename|sha256 9 - 3 invalid = 25 → 24 file.hashes.SHA-256
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { expectedFromDemoData, parseSummaryLine, SUPPORTED_TYPES, type DemoExpectation } from './trigger-dev-expectations.js';

const root = moduleRoot();

/** The numbers above, as a person reads them off the data; the computation below must agree. */
const DOCUMENTED = new Map([
  ['ipv4-addr.value', 39],
  ['ipv6-addr.value', 7],
  ['domain-name.value', 31],
  ['url.value', 23],
  ['file.hashes.MD5', 25],
  ['file.hashes.SHA-1', 29],
  ['file.hashes.SHA-256', 24],
]);

/** The IDS-flagged, not deleted attributes of the demo per synced type, counted off the events. */
const DOCUMENTED_IDS = new Map([
  ['ip-dst', 44],
  ['ip-dst|port', 19],
  ['domain', 38],
  ['domain|ip', 5],
  ['url', 29],
  ['md5', 22],
  ['sha1', 23],
  ['sha256', 19],
  ['filename|md5', 9],
  ['filename|sha1', 8],
  ['filename|sha256', 9],
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

let expected: DemoExpectation;
let demo: Run;

beforeAll(async () => {
  expected = expectedFromDemoData();
  demo = await run('npm', ['run', '--silent', 'trigger:dev', '--', '--once']);
}, 120_000);

describe('the expected numbers', () => {
  it('read the IDS attributes per type counted above', () => {
    const documented = DOCUMENTED_IDS;
    expect([...documented.keys()].sort()).toEqual([...SUPPORTED_TYPES].sort());
    for (const [type, count] of documented) expect(expected.idsByType.get(type) ?? 0, type).toBe(count);
    const supported = [...documented.values()].reduce((sum, count) => sum + count, 0);
    expect(expected.fetched - expected.unsupported).toBe(supported);
  });

  it('agree with the worked numbers of this file', () => {
    expect(new Map([...expected.byObservable].map(([observable, values]) => [observable, values.size]))).toEqual(DOCUMENTED);
    expect(expected).toMatchObject({ fetched: 239, unsupported: 14, repeats: 17, total: 178 });
    expect(expected.invalid).toHaveLength(30);
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
    // Five formats, at most 1,000 values per batch (the default batch_size): 39, 7, 31, 23 and 78 hashes.
    expect(batches).toBe(5);
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
