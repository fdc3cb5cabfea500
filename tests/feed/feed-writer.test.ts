import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FeedDirectoryError } from '../../misp_modules/feed/errors/feed-directory-error.js';
import { runFeedGenerate, type CliIo } from '../../misp_modules/feed/feed-generate-cli.js';
import { eventHashLines } from '../../misp_modules/feed/feed-hashes.js';
import { FeedSource } from '../../misp_modules/feed/feed-source.js';
import { FeedSyncState } from '../../misp_modules/feed/feed-sync-state.js';
import { uuidV5 } from '../../misp_modules/feed/feed-uuid.js';
import { FeedWriter } from '../../misp_modules/feed/writer/feed-writer.js';
import { guessIndicatorType } from '../../misp_modules/feed/indicator-type.js';
import { itWithFixtures } from '../support/fixtures.js';
import { MispImportModel } from './support/misp-import-rules.js';
import { feedFixture, indicatorsOf, readPages, RecordingLogger, RecordingClock, temporaryDirectory } from './support/kit.js';

const CERT_FR = feedFixture('cert-fr-anssi');
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

type Json = Record<string, unknown>;

let out: { path: string; remove: () => void };
let state: { path: string; remove: () => void };
let io: CliIo & { out: string[]; err: string[] };
let clock: RecordingClock;

beforeEach(() => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy']) vi.stubEnv(name, '');
  out = temporaryDirectory('feed-out-');
  state = temporaryDirectory('feed-state-');
  clock = new RecordingClock(NOW);
  const lines = { out: [] as string[], err: [] as string[] };
  io = { ...lines, stdout: (line) => lines.out.push(line), stderr: (line) => lines.err.push(line), env: {}, clock };
});

afterEach(() => {
  out.remove();
  state.remove();
  vi.unstubAllEnvs();
});

/** Reads a feed directory back through the feed source (local-directory transport). */
async function readBack(directory: string, sync?: FeedSyncState) {
  const logger = new RecordingLogger();
  const source = new FeedSource({ location: directory, verifySsl: true, clock, logger }, sync ?? (await FeedSyncState.load(state.path, logger)));
  const cycle = await source.startCycle({ sinceMs: 0 }, new AbortController().signal);
  const pages = await readPages(cycle.pages);
  return { cycle, pages, indicators: indicatorsOf(pages) };
}

const json = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

describe('feed format', () => {
  itWithFixtures('reproduces the real CERT-FR hashes.csv line for line (PyMISP rule)', () => {
    const manifest = json(path.join(CERT_FR, 'manifest.json'));
    const lines: string[] = [];
    for (const uuid of Object.keys(manifest)) {
      const event = (json(path.join(CERT_FR, `${uuid}.json`)) as { Event: Json }).Event;
      const attributes = [...((event.Attribute as Json[]) ?? []), ...((event.Object as Json[]) ?? []).flatMap((object) => (object.Attribute as Json[]) ?? [])];
      lines.push(...eventHashLines(uuid, attributes as Array<{ type: string; value: string }>));
    }
    expect(`${lines.join('\n')}\n`).toBe(readFileSync(path.join(CERT_FR, 'hashes.csv'), 'utf8'));
  });

  it('derives name-based uuids as RFC 4122 version 5 does', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('guesses the MISP type of bare indicators', () => {
    expect(['198.51.100.7', '2001:db8::1', 'evil.example.com', 'https://evil.example.com/a?b=c', 'd41d8cd98f00b204e9800998ecf8427e', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'not an indicator'].map(guessIndicatorType)).toEqual([
      'ip-dst',
      'ip-dst',
      'domain',
      'url',
      'md5',
      'sha1',
      'sha256',
      undefined,
    ]);
  });
});

describe('feed:generate from a list', () => {
  const LIST = [
    '# indicators shared by a partner',
    '198.51.100.7',
    '2001:db8::dead:beef',
    'evil.example.com',
    'https://evil.example.com/payload.exe',
    '44d88612fea8a8f36de82e1278abb02f',
    '3395856ce81f2b7382dee72602f798b642f14140',
    '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    '',
    'not an indicator',
    'evil\u0007.example.org',
    '198.51.100.7',
  ];

  it('writes a valid feed that reads back with nothing lost, and reports the refused lines', async () => {
    const list = path.join(state.path, 'list.txt');
    writeFileSync(list, LIST.join('\n'));
    const code = await runFeedGenerate(['--out', out.path, '--from-list', list, '--org', 'CERT-Example', '--tag', 'tlp:clear'], io);
    expect(code).toBe(0);
    expect(io.err.join('\n')).toMatch(/2 line\(s\) refused[\s\S]*line 10: "not an indicator" is not recognisable[\s\S]*line 11: .* is not a valid domain/);

    const expected = new Set([
      'ipv4-addr.value 198.51.100.7',
      'ipv6-addr.value 2001:db8::dead:beef',
      'domain-name.value evil.example.com',
      'url.value https://evil.example.com/payload.exe',
      'file.hashes 44d88612fea8a8f36de82e1278abb02f',
      'file.hashes 3395856ce81f2b7382dee72602f798b642f14140',
      'file.hashes 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    ]);
    const { indicators, cycle } = await readBack(out.path);
    expect(indicators).toEqual(expected);
    expect(cycle.stats).toMatchObject({ eventsFetched: 1, attributesEmitted: 7, eventsFailed: 0 });

    const manifest = json(path.join(out.path, 'manifest.json'));
    const [uuid] = Object.keys(manifest) as [string];
    expect(manifest[uuid]).toEqual({
      Orgc: { name: 'CERT-Example', uuid: uuidV5('organisation:CERT-Example') },
      Tag: [{ colour: '#ffffff', name: 'tlp:clear' }],
      info: 'CERT-Example: IDS indicators of 2025-01-15',
      date: '2025-01-15',
      analysis: 2,
      threat_level_id: 4,
      timestamp: NOW / 1000,
    });
    const event = (json(path.join(out.path, `${uuid}.json`)) as { Event: Json }).Event;
    expect(event).toMatchObject({ uuid, date: '2025-01-15', published: true, timestamp: String(NOW / 1000) });
    expect((event.Attribute as Json[]).every((attribute) => attribute.to_ids === true && typeof attribute.uuid === 'string')).toBe(true);
    const hashes = readFileSync(path.join(out.path, 'hashes.csv'), 'utf8').trim().split('\n');
    expect(hashes).toHaveLength(7);
    expect(hashes).toContain(`${eventHashLines(uuid, [{ type: 'ip-dst', value: '198.51.100.7' }])[0]}`);
    // Atomic writes leave no temporary file behind.
    expect(readdirSync(out.path).sort()).toEqual([`${uuid}.json`, 'hashes.csv', 'manifest.json'].sort());
    // MISP takes every attribute of it.
    expect(new MispImportModel().importFeed(out.path)).toMatchObject({ problems: [], attributesRefused: [], eventsCreated: 1, attributesCreated: 7 });
  });

  it('appends a later run to the same daily event, which readers then fetch again; an identical run changes nothing', async () => {
    const first = path.join(state.path, 'first.txt');
    const second = path.join(state.path, 'second.txt');
    writeFileSync(first, 'evil.example.com\n198.51.100.7\n');
    writeFileSync(second, 'other.example.net\n198.51.100.7\n');
    const logger = new RecordingLogger();
    const sync = await FeedSyncState.load(state.path, logger);

    expect(await runFeedGenerate(['--out', out.path, '--from-list', first], io)).toBe(0);
    const misp = new MispImportModel();
    expect(misp.importFeed(out.path)).toMatchObject({ problems: [], attributesRefused: [], attributesCreated: 2 });
    const one = await readBack(out.path, sync);
    await one.cycle.commit(true);

    clock.nowMs += 3_600_000;
    expect(await runFeedGenerate(['--out', out.path, '--from-list', second], io)).toBe(0);
    const manifest = json(path.join(out.path, 'manifest.json'));
    expect(Object.keys(manifest)).toHaveLength(1);
    expect((Object.values(manifest)[0] as Json).timestamp).toBe((NOW + 3_600_000) / 1000);
    const two = await readBack(out.path, sync);
    await two.cycle.commit(true);
    expect(two.cycle.stats.eventsFetched).toBe(1);
    expect(two.indicators).toEqual(new Set(['domain-name.value evil.example.com', 'domain-name.value other.example.net', 'ipv4-addr.value 198.51.100.7']));
    // A MISP that pulled the first run updates the day's event in place with the new attribute.
    expect(misp.importFeed(out.path)).toMatchObject({ problems: [], attributesRefused: [], eventsUpdated: 1, attributesCreated: 1 });

    clock.nowMs += 3_600_000;
    expect(await runFeedGenerate(['--out', out.path, '--from-list', second], io)).toBe(0);
    expect(io.out.at(-1)).toMatch(/0 attributes added, 0 updated, 2 already there/);
    const three = await readBack(out.path, sync);
    expect(three.cycle.stats.notModified).toBe(true);
  });

  it('refuses to write over a directory that holds something else, and leaves it as it was', async () => {
    writeFileSync(path.join(out.path, 'manifest.json'), '["not", "a", "feed"]');
    const writer = new FeedWriter({ directory: out.path, orgName: 'X', nowMs: NOW });
    writer.add({ type: 'domain', value: 'evil.example.com', timestamp: NOW / 1000, day: '2025-01-15' });
    await expect(writer.write()).rejects.toThrow(FeedDirectoryError);
    expect(readdirSync(out.path)).toEqual(['manifest.json']);
    expect(readFileSync(path.join(out.path, 'manifest.json'), 'utf8')).toBe('["not", "a", "feed"]');
  });

  it('explains bad usage with exit code 2 and an unreadable list with exit code 1', async () => {
    expect(await runFeedGenerate(['--from-list', 'x.txt'], io)).toBe(2);
    expect(await runFeedGenerate(['--out', out.path], io)).toBe(2);
    expect(await runFeedGenerate(['--out', out.path, '--from-list', 'a', '--from-misp', 'https://misp.example.org'], io)).toBe(2);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', 'https://misp.example.org'], io)).toBe(2);
    expect(await runFeedGenerate(['--out', out.path, '--bogus'], io)).toBe(2);
    expect(io.err.join('\n')).toContain('Missing the MISP auth key');
    expect(await runFeedGenerate(['--out', out.path, '--from-list', path.join(state.path, 'missing.txt')], io)).toBe(1);
    expect(io.err.at(-1)).toMatch(/missing\.txt cannot be read \(ENOENT\)/);
  });
});
