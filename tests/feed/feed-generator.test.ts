import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidFeedAttributeError } from '../../misp_modules/feed/errors/invalid-feed-attribute-error.js';
import { InvalidFeedObjectError } from '../../misp_modules/feed/errors/invalid-feed-object-error.js';
import { runFeedGenerate, type CliIo } from '../../misp_modules/feed/feed-generate-cli.js';
import { FeedGenerator } from '../../misp_modules/feed/index.js';
import { directoryFiles } from '../../misp_modules/feed/writer/feed-files.js';
import { countingFiles, triggerReads } from './support/feed-checks.js';
import { MispImportModel } from './support/misp-import-rules.js';
import { RecordingClock, temporaryDirectory } from './support/kit.js';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

type Json = Record<string, unknown>;

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';

let out: { path: string; remove: () => void };
let clock: RecordingClock;

beforeEach(() => {
  out = temporaryDirectory('feed-live-');
  clock = new RecordingClock(NOW);
});

afterEach(() => out.remove());

const json = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

describe('FeedGenerator, the live generator for producers without MISP', () => {
  it('appends attributes and objects to the day’s event; MISP imports every one and resolves the references; the trigger reads the IDS values', async () => {
    const files = countingFiles(directoryFiles(out.path));
    const feed = new FeedGenerator({ directory: out.path, orgName: 'Honeynet', tags: ['tlp:clear'], now: () => clock.now(), files });
    const address = feed.addAttribute({ type: 'ip-dst', value: '203.0.113.9', comment: 'C2 seen by the sensor' });
    feed.addAttribute({ type: 'domain', value: 'login.example.net', tags: ['honeypot:phishing'] });
    feed.addAttribute({ type: 'text', value: 'campaign notes', to_ids: false });
    const session = feed.addObject('cowrie', { session: 'a1b2c3d4', eventid: 'cowrie.login.failed', src_ip: '198.51.100.23', username: 'root', password: ['123456', 'admin'], timestamp: '2025-01-15T11:59:00Z' });
    feed.addObject('file', { filename: 'payload.sh', sha256: SHA256 }, { references: [{ referencedUuid: address, relationship: 'communicates-with' }, { referencedUuid: session, relationship: 'dropped-by' }] });
    feed.addObject('url', { url: 'https://evil.example.com/dl' });
    feed.addObject('ip-port', { ip: '198.51.100.7', 'dst-port': 8080 });
    feed.addObject('domain-ip', { domain: 'evil.example.com', ip: ['198.51.100.7', '198.51.100.8'] });
    expect(feed.pending).toBe(8);
    expect(files.writes).toEqual([]);

    const report = await feed.flush();
    expect(report).toMatchObject({ attributesAdded: 3, objectsAdded: 5, manifestEvents: 1 });
    const [event] = report.events;
    expect(files.writes).toEqual([`${event?.uuid}.json`, 'hashes.csv', 'manifest.json']);
    expect(feed.pending).toBe(0);

    const written = json(path.join(out.path, `${event?.uuid}.json`)).Event as Json;
    expect(written).toMatchObject({ date: '2025-01-15', info: 'Honeynet: IDS indicators of 2025-01-15', Orgc: { name: 'Honeynet' }, Tag: [{ name: 'tlp:clear' }] });
    const cowrie = (written.Object as Json[])[0] as Json;
    expect(cowrie).toMatchObject({ uuid: session, name: 'cowrie', 'meta-category': 'network', template_uuid: 'ae085d32-6534-4d52-b3eb-063fccb753e7', template_version: '3' });
    expect((cowrie.Attribute as Json[]).map((attribute) => [attribute.object_relation, attribute.type, attribute.value])).toEqual([
      ['session', 'text', 'a1b2c3d4'],
      ['eventid', 'text', 'cowrie.login.failed'],
      ['src_ip', 'ip-src', '198.51.100.23'],
      ['username', 'text', 'root'],
      ['password', 'text', '123456'],
      ['password', 'text', 'admin'],
      ['timestamp', 'datetime', '2025-01-15T11:59:00Z'],
    ]);

    const misp = new MispImportModel();
    const imported = misp.importFeed(out.path);
    expect(imported).toMatchObject({ problems: [], attributesRefused: [], referencesUnresolved: [], eventsCreated: 1, objectsCreated: 5, attributesCreated: 3 + 7 + 2 + 1 + 2 + 3 });

    expect(await triggerReads(out.path, clock)).toEqual(
      new Set([
        'ipv4-addr.value 203.0.113.9',
        'domain-name.value login.example.net',
        `file.hashes ${SHA256}`,
        'url.value https://evil.example.com/dl',
        'ipv4-addr.value 198.51.100.7',
        'ipv4-addr.value 198.51.100.8',
        'domain-name.value evil.example.com',
      ]),
    );

    // Later the same day: the same address again is not a second attribute; MISP updates the event in place.
    clock.nowMs += 3_600_000;
    expect(feed.addAttribute({ type: 'ip-dst', value: '203.0.113.9', comment: 'C2 seen by the sensor' })).toBe(address);
    feed.addAttribute({ type: 'domain', value: 'second.example.org' });
    files.writes.length = 0;
    const later = await feed.flush();
    expect(later).toMatchObject({ attributesAdded: 1, attributesUnchanged: 1, manifestEvents: 1 });
    expect(files.writes).toEqual([`${event?.uuid}.json`, 'hashes.csv', 'manifest.json']);
    expect(misp.importFeed(out.path)).toMatchObject({ problems: [], attributesRefused: [], eventsUpdated: 1, attributesCreated: 1 });

    // Nothing added, nothing written.
    files.writes.length = 0;
    await feed.flush();
    expect(files.writes).toEqual([]);

    // The next day has its own event; the previous day's file is not even read (hashes.csv keeps its lines).
    clock.nowMs += 86_400_000;
    feed.addAttribute({ type: 'ip-dst', value: '203.0.113.9' });
    files.reads.length = 0;
    const hashesBefore = readFileSync(path.join(out.path, 'hashes.csv'), 'utf8');
    const next = await feed.flush();
    expect(files.reads).not.toContain(`${event?.uuid}.json`);
    expect(readFileSync(path.join(out.path, 'hashes.csv'), 'utf8').startsWith(hashesBefore)).toBe(true);
    expect(next.manifestEvents).toBe(2);
    expect(next.events[0]?.uuid).not.toBe(event?.uuid);
    expect(misp.importFeed(out.path)).toMatchObject({ problems: [], attributesRefused: [], eventsCreated: 1, eventsSkipped: 1, attributesCreated: 1 });
  });

  it('keeps what is added while a flush is writing for the next one, and loses nothing to a failed write', async () => {
    const files = directoryFiles(out.path);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let failNext = false;
    const slow: typeof files = {
      ...files,
      write: async (name, content) => {
        await gate;
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        }
        return files.write(name, content);
      },
    };
    const feed = new FeedGenerator({ directory: out.path, orgName: 'Sensor', now: () => clock.now(), files: slow });
    feed.addAttribute({ type: 'domain', value: 'first.example.com' });
    const first = feed.flush();
    await new Promise((resolve) => setImmediate(resolve));
    feed.addAttribute({ type: 'domain', value: 'second.example.com' });
    const second = feed.flush();
    release();
    expect((await first).attributesAdded).toBe(1);
    expect((await second).attributesAdded).toBe(1);
    expect(await triggerReads(out.path, clock)).toEqual(new Set(['domain-name.value first.example.com', 'domain-name.value second.example.com']));

    feed.addAttribute({ type: 'domain', value: 'third.example.com' });
    failNext = true;
    await expect(feed.flush()).rejects.toThrow(/no space left/);
    expect(feed.pending).toBe(1);
    feed.addObject('url', { url: 'https://fourth.example.com/' });
    expect(await feed.flush()).toMatchObject({ attributesAdded: 1, objectsAdded: 1 });
    expect(new MispImportModel().importFeed(out.path)).toMatchObject({ problems: [], attributesRefused: [], attributesCreated: 4 });
  });

  it('refuses unknown templates, foreign relations, missing required relations and bad values, and queues nothing of them', () => {
    const feed = new FeedGenerator({ directory: out.path, orgName: 'Honeynet', now: () => clock.now() });
    expect(() => feed.addObject('honeypot-session', { session: 'x' })).toThrow(new InvalidFeedObjectError('honeypot-session', 'no such object template here; the known ones are cowrie, domain-ip, file, ip-port, url.'));
    expect(() => feed.addObject('cowrie', { src_ip: '198.51.100.23' })).toThrow(/"cowrie" object cannot be written: it requires at least one of session\./);
    expect(() => feed.addObject('url', { uri: 'https://evil.example.com/' })).toThrow(/"uri" is not one of its relations/);
    expect(() => feed.addObject('domain-ip', { hostname: ['a.example.com', 'b.example.com'] })).toThrow(/hostname takes one value, not 2/);
    expect(() => feed.addObject('ip-port', { ip: '198.51.100.300' })).toThrow(/ip \(ip-dst\): "198\.51\.100\.300" is not a valid ip-dst/);
    expect(() => feed.addAttribute({ type: 'domain', value: 'evil\n.example.com' })).toThrow(InvalidFeedAttributeError);
    expect(() => feed.addAttribute({ type: 'domain', value: 'evil\n.example.com' })).toThrow(/holds a line break or another control character/);
    expect(() => feed.addAttribute({ type: '', value: 'x' })).toThrow(/its type is empty/);
    expect(feed.pending).toBe(0);
    expect(() => new FeedGenerator({ directory: out.path, orgName: ' ' })).toThrow(/The organisation of a feed must be a non-empty name on one line, not " "/);
    expect(() => new FeedGenerator({ directory: out.path, orgName: 'Sensor', tags: ['tlp:clear\nx'] })).toThrow(/The event tag of a feed must be/);
  });
});

describe('feed:generate --from-jsonl', () => {
  const LINES = [
    '{"type": "ip-dst", "value": "203.0.113.9", "comment": "scanner"}',
    '',
    '{"object": "cowrie", "session": "s-1", "src_ip": "198.51.100.23", "username": "admin", "password": ["admin", "root"]}',
    '{"object": "honeypot-session", "session": "s-2"}',
    'not json',
    '{"type": "url", "value": "https://evil.example.com/x", "colour": "red"}',
    '{"object": "domain-ip", "domain": "evil.example.com", "ip": "198.51.100.7"}',
  ];

  function cli(): CliIo & { out: string[]; err: string[] } {
    const lines = { out: [] as string[], err: [] as string[] };
    return { ...lines, stdout: (line) => lines.out.push(line), stderr: (line) => lines.err.push(line), env: {}, clock };
  }

  for (const from of ['file', 'stdin'] as const) {
    it(`appends the lines of ${from === 'file' ? 'a file' : 'the standard input'} to the day's event and lists the refused ones`, async () => {
      const io = cli();
      let argument = '-';
      if (from === 'file') {
        argument = path.join(out.path, '..', `${path.basename(out.path)}.jsonl`);
        writeFileSync(argument, LINES.join('\n'));
      } else {
        io.stdin = Readable.from([LINES.join('\n')]);
      }
      const feed = path.join(out.path, 'feed');
      expect(await runFeedGenerate(['--out', feed, '--from-jsonl', argument, '--org', 'Sensor net'], io)).toBe(0);
      expect(io.err.join('\n')).toMatch(/3 line\(s\) refused[\s\S]*line 4: The "honeypot-session" object cannot be written: no such object template[\s\S]*line 5: not JSON\.[\s\S]*line 6: unknown key "colour"/);
      expect(io.out[0]).toBe('1 attributes and 2 objects read.');
      expect(new MispImportModel().importFeed(feed)).toMatchObject({ problems: [], attributesRefused: [], attributesCreated: 1 + 5 + 2, objectsCreated: 2 });
      expect(await triggerReads(feed, clock)).toEqual(new Set(['ipv4-addr.value 203.0.113.9', 'ipv4-addr.value 198.51.100.7', 'domain-name.value evil.example.com']));
    });
  }

  it('fails with exit code 1 on a missing file, before writing anything', async () => {
    const io = cli();
    expect(await runFeedGenerate(['--out', path.join(out.path, 'feed'), '--from-jsonl', path.join(out.path, 'missing.jsonl')], io)).toBe(1);
    expect(io.err.at(-1)).toMatch(/missing\.jsonl cannot be read \(ENOENT\)/);
  });
});

describe('FeedGenerator from another Node program', () => {
  /** A producer's script: the README's example, importing the built module the way it is given. */
  const producer = (specifier: string, directory: string): string => `
import { FeedGenerator } from ${JSON.stringify(specifier)};
const feed = new FeedGenerator({ directory: ${JSON.stringify(directory)}, orgName: 'Honeynet', tags: ['tlp:clear'] });
const c2 = feed.addAttribute({ type: 'ip-dst', value: '203.0.113.9', comment: 'C2 seen by the sensor' });
feed.addObject('cowrie', { session: 'a1b2c3', src_ip: '198.51.100.23', username: 'root', password: ['123456'] });
feed.addObject('file', { filename: 'payload.sh', sha256: '${SHA256}' }, { references: [{ referencedUuid: c2, relationship: 'communicates-with' }] });
const report = await feed.flush();
console.log(JSON.stringify(report));
`;

  for (const [how, specifier, cwd] of [
    ['by the built file path, from outside the repository', path.join(repositoryRoot, 'dist/misp_modules/feed/index.js'), undefined],
    ['by the package export, from the repository', 'misp-sekoia-automation-module/feed', repositoryRoot],
  ] as const) {
    it(`imports it ${how} and writes a feed MISP and the trigger read`, async () => {
      const feed = path.join(out.path, 'feed');
      const script = path.join(cwd ?? out.path, `.producer-${path.basename(out.path)}.mjs`);
      writeFileSync(script, producer(specifier, feed));
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: cwd ?? out.path });
        expect(JSON.parse(stdout)).toMatchObject({ attributesAdded: 1, objectsAdded: 2, manifestEvents: 1 });
      } finally {
        rmSync(script, { force: true });
      }
      expect(new MispImportModel().importFeed(feed)).toMatchObject({ problems: [], attributesRefused: [], referencesUnresolved: [], attributesCreated: 1 + 4 + 2 });
      expect(await triggerReads(feed, clock)).toEqual(new Set(['ipv4-addr.value 203.0.113.9', `file.hashes ${SHA256}`]));
    });
  }
});
