/**
 * `npm run trigger:dev -- --feed --once`: the demo events served as a real MISP feed over HTTP,
 * read by the real trigger with `source: misp_feed`, must give what the files hold.
 *
 * The expected numbers, read off the files without the module's code (trigger-dev-expectations.ts):
 * a feed reader keeps the attributes flagged `to_ids`, not deleted, not in a deleted object, with a
 * type and a value, event-level and in objects alike. On the five demo files that is 459
 * attributes (of 657: 197 are not flagged for IDS, 1 is soft-deleted; no object is deleted and none
 * lacks a type or value), exactly the 459 that restSearch answers the API demo. The rest follows
 * the same type rules: 38 of unsupported types, 13 invalid, 31 repeats of a value already sent,
 * 377 distinct values. So the feed demo gives the API demo's 377, split the same way by type.
 * Nothing differs because the API demo publishes every event (two of the files, CERT-FR's and the
 * synthetic one, are unpublished, and restSearch's `published: 1` would otherwise leave out their
 * 122 IDS attributes), while a feed has no publication filter: the manifest lists what its
 * producer exported, and the demo manifest lists all five events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { buildDemoFeed, startDemoFeedServer, type DemoFeed, type DemoFeedServer } from '../../misp_modules/dev/demo-feed.js';
import { startDemoIocCollectionServer, type DemoIocCollectionServer } from '../../misp_modules/dev/demo-ioc-collection-server.js';
import {
  demoEventDocuments,
  expectedFromDemoData,
  expectedFromDemoFeed,
  feedLeftOut,
  parseSummaryLine,
  type DemoExpectation,
} from './trigger-dev-expectations.js';

const root = moduleRoot();
/** Variables that would point trigger:dev elsewhere or give the feed a header: each run sets its own. */
const OUTSIDE_VARIABLES = ['MISP_URL', 'MISP_API_KEY', 'SEKOIA_API_KEY', 'IOC_COLLECTION_UUID', 'IOC_COLLECTION_SERVER', 'FEED_AUTHORIZATION'];
const token = (): string => randomBytes(16).toString('hex');
const DEMO_TOKEN = token();
const FEED_TOKEN = token();
const WRONG_TOKEN = token();
const SEKOIA_KEY = `sekoia-${token()}`;
const COLLECTION = 'ioc-collection--8d1f4c2a-6b3e-4f5a-9c7d-0e2b4a6c8d1f';

interface Run {
  code: number | null;
  output: string;
}

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of OUTSIDE_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

function collect(child: ChildProcess, onOutput?: (output: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    let output = '';
    const add = (chunk: Buffer): void => {
      output += chunk.toString();
      onOutput?.(output);
    };
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** The built runner, as `npm run trigger:dev` starts it once it has built. */
function runBuilt(args: string[], extra: Record<string, string> = {}, onOutput?: (output: string, child: ChildProcess) => void): Promise<Run> {
  const child = spawn(process.execPath, [path.join(root, 'dist/misp_modules/dev/trigger-dev.js'), ...args], { cwd: root, env: environment(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, onOutput && ((output) => onOutput(output, child)));
}

const counts = (expectation: DemoExpectation): Map<string, number> => new Map([...expectation.byObservable].map(([observable, values]) => [observable, values.size]));

/** `Cycle n: …` parsed into its numbers. */
function cycleLine(output: string, cycle: number): Record<string, number> | undefined {
  const line = output.split('\n').find((candidate) => new RegExp(` INFO +Cycle ${cycle}: `).test(candidate));
  const match = /: (\d+) attributes fetched, (\d+) new IOCs pushed in (\d+) batches, (\d+) invalid skipped, (\d+) already delivered, (\d+) of unsupported types, (\d+) failed \(/.exec(line ?? '');
  if (!match) return undefined;
  const [fetched, pushed, batches, invalid, repeats, unsupported, failed] = match.slice(1).map(Number) as number[];
  return { fetched, pushed, batches, invalid, repeats, unsupported, failed } as Record<string, number>;
}

let expected: DemoExpectation;
let demo: Run;
let withToken: Run;
let continuous: Run;
let feedDirectory: string;
let servedFeed: DemoFeed;
let feedServer: DemoFeedServer;
let production: DemoIocCollectionServer;

beforeAll(async () => {
  expected = expectedFromDemoFeed();
  // The command itself, build included, as a person types it.
  const child = spawn('npm', ['run', '--silent', 'trigger:dev', '--', '--feed', '--once'], { cwd: root, env: environment({}), stdio: ['ignore', 'pipe', 'pipe'] });
  demo = await collect(child);
  feedDirectory = mkdtempSync(path.join(tmpdir(), 'trigger-dev-feed-'));
  servedFeed = buildDemoFeed(feedDirectory, { changedAt: Math.floor(Date.now() / 1000) - 7_200 });
  feedServer = await startDemoFeedServer({ directory: feedDirectory, authorization: `Bearer ${FEED_TOKEN}` });
  production = await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION] });
  [withToken, continuous] = await Promise.all([
    runBuilt(['--feed', '--once'], { FEED_AUTHORIZATION: `Bearer ${DEMO_TOKEN}` }),
    // Without --once: stopped with SIGINT once the third cycle is logged.
    runBuilt(['--feed', '--interval', '1'], {}, (output, running) => {
      if (/ INFO +Cycle 3: /.test(output) && running.exitCode === null && !running.killed) running.kill('SIGINT');
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([feedServer?.close(), production?.close()]);
  if (feedDirectory) rmSync(feedDirectory, { recursive: true, force: true });
});

describe('the expected numbers of the feed demo', () => {
  it('are those of the API demo: the same 459 IDS attributes, the same 377 values', () => {
    const api = expectedFromDemoData();
    expect({ fetched: expected.fetched, unsupported: expected.unsupported, invalid: expected.invalid.length, repeats: expected.repeats, total: expected.total }).toEqual({
      fetched: 459,
      unsupported: 38,
      invalid: 13,
      repeats: 31,
      total: 377,
    });
    expect(counts(expected)).toEqual(counts(api));
    expect(expected.invalid).toEqual(api.invalid);
  });

  it('leave out 197 attributes not flagged for IDS and 1 deleted, of 657', () => {
    expect(feedLeftOut()).toEqual({ notIds: 197, deleted: 1 });
    const all = demoEventDocuments().reduce((sum, { document }) => sum + (document.Event.Attribute ?? []).length + (document.Event.Object ?? []).reduce((inner, object) => inner + (object.Attribute ?? []).length, 0), 0);
    expect(all).toBe(657);
  });
});

describe('npm run trigger:dev -- --feed --once', () => {
  it('exits 0 after one cycle of the trigger reading the embedded feed', () => {
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toMatch(/trigger:dev {2}demo MISP feed {5}http:\/\/127\.0\.0\.1:\d+\/misp-feed {2}5 bundled events/);
    expect(demo.output).toMatch(/ INFO +Starting: MISP feed 127\.0\.0\.1:\d+\/misp-feed → /);
    expect(demo.output.match(/ INFO +Cycle \d+: /g)).toHaveLength(1);
  });

  it('reads the manifest, then every event, leaving out what is not for IDS or deleted', () => {
    const events = demoEventDocuments().length;
    const { notIds, deleted } = feedLeftOut();
    expect(demo.output).toContain(`the manifest lists ${events} events, ${events} in the look-back window; ${events} new or changed to read, 0 unchanged.`);
    // The feed reader applies the type filter itself: the attributes of other types are left out there.
    expect(demo.output).toMatch(
      new RegExp(`${events} events read \\(\\d+ bytes, ${expected.fetched - expected.unsupported} IDS attributes; ${notIds} not for IDS, ${deleted} deleted and ${expected.unsupported} filtered out\\)`),
    );
    expect(demo.output).toContain(`The demo MISP feed answered ${events + 1} requests: 1 for manifest.json (0 answered 304 Not Modified), ${events} event files sent, 0 refused`);
  });

  it('shows the same cycle as the API demo', () => {
    expect(cycleLine(demo.output, 1), demo.output).toEqual({
      fetched: expected.fetched - expected.unsupported,
      pushed: expected.total,
      batches: 4,
      invalid: expected.invalid.length,
      repeats: expected.repeats,
      unsupported: 0,
      failed: 0,
    });
  });

  it('ends with the summary of the embedded collection, by observable type', () => {
    const summary = parseSummaryLine(demo.output, 'in the collection');
    expect(summary?.total, demo.output).toBe(expected.total);
    expect(summary?.counts).toEqual(counts(expected));
    expect(demo.output).toContain('The runtime endpoints received 1 "MISP IOCs pushed" events');
    // The line the README quotes for the demo, since both demos give the same collection.
    const line = demo.output.split('\n').find((candidate) => candidate.startsWith('Summary: '));
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(line);
  });

  it('passes the Authorization header as feed_authorization, and never prints its token', () => {
    expect(withToken.code, withToken.output).toBe(0);
    expect(parseSummaryLine(withToken.output, 'in the collection')?.total).toBe(expected.total);
    expect(withToken.output).toContain('0 refused');
    expect(withToken.output).not.toContain(DEMO_TOKEN);
  });

  it('without --once, reads only what changed: 304 for an unchanged manifest, then the one event an analyst edited', () => {
    expect(continuous.code, continuous.output).toBe(0);
    expect(cycleLine(continuous.output, 1)?.pushed).toBe(expected.total);
    expect(continuous.output).toContain('the manifest has not changed since the last sync; no event to read.');
    expect(cycleLine(continuous.output, 2)).toMatchObject({ fetched: 0, pushed: 0 });
    expect(continuous.output).toContain('1 new or changed to read, 4 unchanged.');
    const synthetic = demoEventDocuments().find(({ document }) => document.Event.info.startsWith('SYNTHETIC'))?.document.Event;
    const ids = [...(synthetic?.Attribute ?? []), ...(synthetic?.Object ?? []).flatMap((object) => object.Attribute ?? [])].filter((attribute) => attribute.to_ids === true && attribute.deleted !== true);
    expect(cycleLine(continuous.output, 3)).toMatchObject({ fetched: ids.length, pushed: 1, failed: 0 });
    expect(continuous.output).toMatch(/answered 304 Not Modified/);
  });
});

describe('trigger:dev --feed-location', () => {
  it('reads a feed over HTTP with FEED_AUTHORIZATION, and a dry run sends nothing anywhere', async () => {
    feedServer.requests.length = 0;
    const run = await runBuilt(['--feed-location', feedServer.feedUrl, '--dry-run', '--once'], { FEED_AUTHORIZATION: `Bearer ${FEED_TOKEN}` });
    expect(run.code, run.output).toBe(0);
    expect(feedServer.requests.length).toBe(servedFeed.events.length + 1);
    expect(feedServer.requests.every((request) => request.status === 200 && request.headers.authorization === `Bearer ${FEED_TOKEN}`)).toBe(true);
    expect(parseSummaryLine(run.output, 'would be pushed')?.counts).toEqual(counts(expected));
    expect(run.output).toMatch(/MISP feed {10}127\.0\.0\.1:\d+\/misp-feed {2}\(with the Authorization header of FEED_AUTHORIZATION\)/);
    expect(run.output).not.toContain(FEED_TOKEN);
  });

  it('fails the cycle and exits 1 when the feed refuses the header, without printing it', async () => {
    const run = await runBuilt(['--feed-location', feedServer.feedUrl, '--dry-run', '--once'], { FEED_AUTHORIZATION: `Bearer ${WRONG_TOKEN}` });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/ERROR +Cycle 1 failed: .*HTTP 401/);
    expect(run.output).toContain('Summary: 0 IOCs would be pushed.');
    expect(run.output).not.toContain(WRONG_TOKEN);
  });

  it('pushes a feed directory to a real collection, and a second run with the same data path pushes nothing again', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'trigger-dev-feed-state-'));
    const real = { SEKOIA_API_KEY: SEKOIA_KEY, IOC_COLLECTION_UUID: COLLECTION, IOC_COLLECTION_SERVER: production.url };
    try {
      const first = await runBuilt(['--feed-location', feedDirectory, '--once', '--data-path', dataPath], real);
      expect(first.code, first.output).toBe(0);
      expect(first.output).toContain('(Sekoia.io: IOCs WILL be pushed)');
      expect(first.output).toContain(`Summary: ${expected.total} IOCs accepted by ${COLLECTION}`);
      const pushed = production.accepted(COLLECTION).all.length;
      expect(new Set(production.accepted(COLLECTION).all).size).toBe(expected.total);

      const second = await runBuilt(['--feed-location', feedDirectory, '--once', '--data-path', dataPath], real);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toContain('the manifest has not changed since the last sync');
      expect(production.accepted(COLLECTION).all.length).toBe(pushed);
      expect(second.output).not.toContain(SEKOIA_KEY);
    } finally {
      rmSync(dataPath, { recursive: true, force: true });
    }
  });
});
