import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runFeedGenerate, type CliIo } from '../../misp_modules/feed/feed-generate-cli.js';
import { FeedWriter } from '../../misp_modules/feed/writer/feed-writer.js';
import { EventFeedWriter } from '../../misp_modules/feed/writer/event-feed-writer.js';
import { ALL_DISTRIBUTIONS, EMPTY_LIST } from '../../misp_modules/feed/writer/event-selection.js';
import { directoryFiles } from '../../misp_modules/feed/writer/feed-files.js';
import { MispEventSource } from '../../misp_modules/feed/writer/misp-event-source.js';
import { exportMispEvents } from '../../misp_modules/feed/writer/misp-feed-export.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';
import { countingFiles, triggerReads } from './support/feed-checks.js';
import { MispImportModel } from './support/misp-import-rules.js';
import { startMispEventsServer, type MispEventsServer } from './support/misp-events-server.js';
import { expectedIndicators, RecordingClock, RecordingLogger, temporaryDirectory } from './support/kit.js';

type Json = Record<string, unknown>;

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const PUBLISHED = NOW / 1000 - 3_600;
const KEY = 'Zq8sEcReTKeY0123456789abcdefghijklmnopqr';

let out: { path: string; remove: () => void };
let scratch: { path: string; remove: () => void };
let misp: MispEventsServer | undefined;
let clock: RecordingClock;
let io: CliIo & { out: string[]; err: string[] };

beforeEach(() => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy']) vi.stubEnv(name, '');
  out = temporaryDirectory('feed-export-');
  scratch = temporaryDirectory('feed-export-scratch-');
  clock = new RecordingClock(NOW);
  const lines = { out: [] as string[], err: [] as string[] };
  io = { ...lines, stdout: (line) => lines.out.push(line), stderr: (line) => lines.err.push(line), env: { MISP_API_KEY: KEY }, clock };
});

afterEach(async () => {
  await misp?.close();
  misp = undefined;
  out.remove();
  scratch.remove();
  vi.unstubAllEnvs();
});

const json = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;
const eventFiles = (directory: string): string[] => readdirSync(directory).filter((name) => /^[0-9a-f-]{36}\.json$/.test(name)).sort();

/** The events of a fixture feed as the MISP that holds them serves them: published, shared with all. */
function heldEvents(directory: string): Json[] {
  return eventFiles(directory).map((name) => ({ ...(json(path.join(directory, name)).Event as Json), published: true, publish_timestamp: String(PUBLISHED), distribution: '3' }));
}

/** Every attribute uuid of an event, objects' included. */
function attributeUuids(event: Json): Set<string> {
  const attributes = [...((event.Attribute as Json[]) ?? []), ...((event.Object as Json[]) ?? []).flatMap((object) => (object.Attribute as Json[]) ?? [])];
  return new Set(attributes.map((attribute) => attribute.uuid as string));
}

describeWithFixtures('feed:generate --from-misp exports events as they are', () => {
  const CIRCL = fixturePath('misp-feeds/circl-osint-sample');
  const CERT_FR = fixturePath('misp-feeds/cert-fr-anssi');

  it('is read by a MISP that already holds the events without losing an attribute, and by the trigger to the same values', async () => {
    // The receiving MISP is subscribed to the same upstream feeds: it holds every event already.
    const receiving = new MispImportModel();
    for (const feed of [CIRCL, CERT_FR]) {
      const first = receiving.importFeed(feed);
      expect(first.attributesRefused).toEqual([]);
    }
    const events = [...heldEvents(CIRCL), ...heldEvents(CERT_FR)];
    // Two events changed on the sending MISP since: one attribute added to each.
    const added = ['added-one.example.com', 'added-two.example.net'];
    for (const [index, value] of added.entries()) {
      const event = events[index * 7] as Json;
      event.timestamp = String(NOW / 1000 - 600);
      event.Attribute = [...((event.Attribute as Json[]) ?? []), { uuid: randomUUID(), type: 'domain', category: 'Network activity', value, to_ids: true, timestamp: String(NOW / 1000 - 600), distribution: '5' }];
    }
    misp = await startMispEventsServer(KEY, events);

    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url], io)).toBe(0);
    expect(io.err).toEqual([]);
    expect(io.out.at(-1)).toMatch(/MISP listed 59 events, 0 left out by the selection; 59 new and 0 changed events written/);

    // One file per event, named by the event's own uuid, each attribute keeping its MISP uuid.
    expect(eventFiles(out.path)).toEqual(events.map((event) => `${event.uuid as string}.json`).sort());
    for (const event of events) {
      const written = json(path.join(out.path, `${event.uuid as string}.json`)).Event as Json;
      expect(attributeUuids(written)).toEqual(attributeUuids(event));
    }

    const pulled = receiving.importFeed(out.path);
    expect(pulled).toMatchObject({ problems: [], attributesRefused: [], referencesUnresolved: [], eventsUpdated: 2, eventsSkipped: 57, attributesCreated: 2, objectsRefused: 0 });
    for (const event of events) expect(receiving.attributesOf(event.uuid as string)).toEqual(attributeUuids(event));

    // A fresh MISP takes every event and resolves every object reference.
    const fresh = new MispImportModel();
    const report = fresh.importFeed(out.path);
    expect(report).toMatchObject({ problems: [], attributesRefused: [], referencesUnresolved: [], eventsCreated: 59 });
    expect(report.attributesCreated).toBe(3431 + 1913 + 2);

    const expected = new Set([...expectedIndicators(CIRCL).indicators, ...expectedIndicators(CERT_FR).indicators, ...added.map((value) => `domain-name.value ${value}`)]);
    expect(await triggerReads(out.path, clock)).toEqual(expected);

    // hashes.csv: md5 of every value (each part of a composite), computed here independently.
    const hashes = new Set(readFileSync(path.join(out.path, 'hashes.csv'), 'utf8').trim().split('\n'));
    const sample = (events[0] as Json).Attribute as Json[];
    for (const attribute of sample.slice(0, 20)) {
      const parts = (attribute.type as string).includes('|') ? (attribute.value as string).split('|') : [attribute.value as string];
      for (const part of parts) expect(hashes).toContain(`${createHash('md5').update(part).digest('hex')},${(events[0] as Json).uuid as string}`);
    }
  });

  it('the same attributes gathered into daily events lose them all on that MISP: what the import rules refuse', async () => {
    const receiving = new MispImportModel();
    receiving.importFeed(CERT_FR);
    const writer = new FeedWriter({ directory: out.path, orgName: 'Local MISP', nowMs: NOW });
    let ids = 0;
    for (const event of heldEvents(CERT_FR)) {
      for (const attribute of (event.Attribute as Json[]) ?? []) {
        if (attribute.to_ids !== true) continue;
        writer.add({ type: attribute.type as string, value: attribute.value as string, uuid: attribute.uuid as string, timestamp: Number(attribute.timestamp), day: '2025-01-15' });
        ids++;
      }
    }
    await writer.write();
    const report = receiving.importFeed(out.path);
    expect(ids).toBeGreaterThan(100);
    expect(report.attributesRefused).toHaveLength(ids);
    expect(report.attributesCreated).toBe(0);
  });

  it('rewrites only the events whose timestamp changed, and drops from the manifest those that left the selection', async () => {
    const events = heldEvents(CERT_FR);
    misp = await startMispEventsServer(KEY, events);
    const logger = new RecordingLogger();
    const run = async () => {
      const files = countingFiles(directoryFiles(out.path));
      const source = new MispEventSource({ baseUrl: (misp as MispEventsServer).url, apiKey: KEY, verifySsl: true, clock, logger, listingPageSize: 5 });
      const fetchedBefore = (misp as MispEventsServer).fullFetches().length;
      try {
        const report = await exportMispEvents({
          source,
          writer: new EventFeedWriter(files),
          selection: { tags: EMPTY_LIST, orgs: EMPTY_LIST, distributions: ALL_DISTRIBUTIONS, idsOnly: false },
          since: Math.floor(clock.nowMs / 86_400_000) * 86_400,
          until: clock.nowMs / 1000,
          logger,
        });
        return { report, files, fetched: (misp as MispEventsServer).fullFetches().slice(fetchedBefore) };
      } finally {
        source.close();
      }
    };

    const first = await run();
    expect(first.files.writes).toHaveLength(13 + 3);
    expect(first.files.writes.slice(-3)).toEqual(['hashes.csv', 'manifest.json', '.feed-export.json']);
    expect(first.fetched).toHaveLength(13);

    const again = await run();
    expect(again.files.writes).toEqual([]);
    expect(again.fetched).toEqual([]);
    expect(again.report.unchanged).toBe(13);

    const edited = events[4] as Json;
    edited.timestamp = String(NOW / 1000 - 60);
    ((edited.Attribute as Json[])[0] as Json).comment = 'edited';
    const third = await run();
    expect(third.files.writes).toEqual([`${edited.uuid as string}.json`, 'hashes.csv', 'manifest.json']);
    expect(third.fetched).toEqual([edited.uuid]);
    expect(((json(path.join(out.path, `${edited.uuid as string}.json`)).Event as Json).Attribute as Json[])[0]).toMatchObject({ comment: 'edited' });

    // Two days later only the event republished today is in the window.
    clock.nowMs += 2 * 86_400_000;
    edited.publish_timestamp = String(clock.nowMs / 1000 - 60);
    const fourth = await run();
    expect(fourth.files.writes).toEqual(['hashes.csv', 'manifest.json']);
    expect(fourth.report.removed).toHaveLength(12);
    expect(Object.keys(json(path.join(out.path, 'manifest.json')))).toEqual([edited.uuid]);
    expect(eventFiles(out.path)).toEqual([`${edited.uuid as string}.json`]);
    const hashLines = readFileSync(path.join(out.path, 'hashes.csv'), 'utf8').trim().split('\n');
    expect(new Set(hashLines.map((line) => line.split(',')[1]))).toEqual(new Set([edited.uuid]));

    // A listing whose pages overlap may have missed events: nothing is dropped on its strength.
    clock.nowMs -= 2 * 86_400_000;
    edited.publish_timestamp = String(PUBLISHED);
    const restored = await run();
    expect(restored.report.manifestEvents).toBe(13);
    events.splice(0, 1);
    (misp as MispEventsServer).pageShift = 2;
    const overlapping = await run();
    expect(overlapping.report.removed).toEqual([]);
    expect(overlapping.report.manifestEvents).toBe(13);
    expect(logger.at('warning')).toContain('MISP listed 2 events twice across pages, so its listing may have missed others: no event is dropped from the feed in this run.');
    (misp as MispEventsServer).pageShift = 0;
    const clean = await run();
    expect(clean.report.removed).toHaveLength(1);
    expect(clean.report.manifestEvents).toBe(12);
  });
});

describe('feed:generate --from-misp selection', () => {
  const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const CIRCL_ORG = { id: '2', name: 'CIRCL', uuid: '55f6ea5e-2c60-40e5-964f-47a8950d210f' };
  const attribute = (n: number, type: string, value: string, toIds: boolean, distribution: string, extra: Json = {}): Json => ({
    id: String(100 + n),
    event_id: '1',
    uuid: uuid(n),
    type,
    category: 'Network activity',
    value,
    to_ids: toIds,
    distribution,
    sharing_group_id: '0',
    timestamp: String(PUBLISHED),
    comment: '',
    deleted: false,
    disable_correlation: false,
    object_relation: null,
    ...extra,
  });
  const event = (n: number, tags: string[], distribution: string, orgc: Json = CIRCL_ORG, extra: Json = {}): Json => ({
    id: String(n),
    uuid: uuid(1000 + n),
    info: `Event ${n}`,
    date: '2025-01-15',
    threat_level_id: '2',
    analysis: '2',
    distribution,
    published: true,
    timestamp: String(PUBLISHED),
    publish_timestamp: String(PUBLISHED),
    orgc_id: orgc['id'],
    Orgc: orgc,
    Org: orgc,
    Tag: tags.map((name) => ({ id: '9', name, colour: '#ffffff', exportable: true, local: false })),
    Attribute: [attribute(n * 100 + 1, 'domain', `kept-${n}.example.com`, true, '5')],
    Object: [],
    ...extra,
  });

  /** The one event that passes `tlp:white|feed-export|!privint`, CIRCL and distributions 2,3,5, with parts that do not. */
  const chosen = event(1, ['tlp:white'], '3', CIRCL_ORG, {
    Tag: [
      { id: '1', name: 'tlp:white', colour: '#ffffff', local: false },
      { id: '2', name: 'workflow:state="draft"', colour: '#000000', local: true },
    ],
    Galaxy: [{ id: '5', uuid: uuid(9001), name: 'Threat Actor', type: 'threat-actor', namespace: 'misp', description: 'Threat actors', GalaxyCluster: [{ id: '7', uuid: uuid(9002), type: 'threat-actor', value: 'APT Example', tag_name: 'misp-galaxy:threat-actor="APT Example"', description: 'An actor', source: 'MISP', authors: ['MISP'], version: '1' }] }],
    Attribute: [
      attribute(101, 'domain', 'shared.example.com', true, '5', { Tag: [{ id: '3', name: 'kill-chain:delivery', colour: '#ff0000', local: false }] }),
      attribute(102, 'ip-dst', '198.51.100.10', true, '0'),
      attribute(103, 'comment', 'context for analysts', false, '5'),
    ],
    Object: [
      {
        id: '1',
        uuid: uuid(201),
        name: 'domain-ip',
        'meta-category': 'network',
        description: 'A domain/hostname and IP address seen as a tuple in a specific time frame.',
        template_uuid: '43b3b146-77eb-4931-b4cc-b66c60f28734',
        template_version: '9',
        timestamp: String(PUBLISHED),
        distribution: '5',
        comment: '',
        deleted: false,
        Attribute: [attribute(211, 'domain', 'tuple.example.com', true, '5', { object_relation: 'domain' }), attribute(212, 'ip-dst', '198.51.100.20', true, '5', { object_relation: 'ip' })],
        ObjectReference: [
          { id: '1', uuid: uuid(301), timestamp: String(PUBLISHED), object_id: '1', object_uuid: uuid(201), referenced_uuid: uuid(202), referenced_type: '1', relationship_type: 'drops', comment: '' },
          { id: '2', uuid: uuid(302), timestamp: String(PUBLISHED), object_id: '1', object_uuid: uuid(201), referenced_uuid: uuid(101), referenced_type: '0', relationship_type: 'related-to', comment: '' },
        ],
      },
      {
        id: '2',
        uuid: uuid(202),
        name: 'file',
        'meta-category': 'file',
        description: 'File object describing a file with meta-information',
        template_uuid: '688c46fb-5edb-40a3-8273-1af7923e2215',
        template_version: '24',
        timestamp: String(PUBLISHED),
        distribution: '1',
        comment: '',
        deleted: false,
        Attribute: [attribute(221, 'md5', 'd41d8cd98f00b204e9800998ecf8427e', true, '5', { object_relation: 'md5', category: 'Payload delivery' })],
        ObjectReference: [],
      },
      {
        id: '3',
        uuid: uuid(203),
        name: 'url',
        'meta-category': 'network',
        description: 'url object',
        template_uuid: '60efb77b-40b5-4c46-871b-ed1ed999fce5',
        template_version: '9',
        timestamp: String(PUBLISHED),
        distribution: '5',
        comment: '',
        deleted: false,
        Attribute: [attribute(231, 'url', 'https://shared.example.com/landing', false, '5', { object_relation: 'url' })],
        ObjectReference: [{ id: '3', uuid: uuid(303), timestamp: String(PUBLISHED), object_id: '3', object_uuid: uuid(203), referenced_uuid: uuid(101), referenced_type: '0', relationship_type: 'hosted-on', comment: '' }],
      },
    ],
  });
  const others = [
    event(2, ['tlp:white', 'privint'], '3'),
    event(3, ['feed-export'], '3', { id: '3', name: 'Other Org', uuid: uuid(8003) }),
    event(4, ['feed-export'], '0'),
    event(5, ['tlp:green'], '3'),
  ];
  const FILTERS = ['--filter-tags', 'tlp:white|feed-export|!privint', '--filter-org', 'CIRCL', '--distribution', '2,3,5'];

  it('keeps the selected events, leaves out the excluded attributes and objects, and drops references to them', async () => {
    misp = await startMispEventsServer(KEY, [chosen, ...others]);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url, ...FILTERS], io)).toBe(0);
    expect(misp.requests[0]).toMatchObject({ returnFormat: 'json', metadata: 1, published: 1, tags: { OR: ['tlp:white', 'feed-export'], NOT: ['privint'] }, org: { OR: ['CIRCL'] } });

    const manifest = json(path.join(out.path, 'manifest.json'));
    expect(manifest).toEqual({
      [uuid(1001)]: { Orgc: { name: 'CIRCL', uuid: CIRCL_ORG.uuid }, Tag: [{ colour: '#ffffff', name: 'tlp:white' }], info: 'Event 1', date: '2025-01-15', analysis: 2, threat_level_id: 2, timestamp: PUBLISHED },
    });
    const written = json(path.join(out.path, `${uuid(1001)}.json`)).Event as Json;
    expect(written).toMatchObject({ uuid: uuid(1001), info: 'Event 1', date: '2025-01-15', threat_level_id: '2', analysis: '2', published: true, Orgc: { name: 'CIRCL', uuid: CIRCL_ORG.uuid }, Tag: [{ name: 'tlp:white', colour: '#ffffff' }] });
    expect(written).not.toHaveProperty('id');
    expect(written).not.toHaveProperty('distribution');
    expect((written.Galaxy as Json[])[0]).toMatchObject({ name: 'Threat Actor', GalaxyCluster: [{ value: 'APT Example', tag_name: 'misp-galaxy:threat-actor="APT Example"' }] });
    expect((written.Attribute as Json[]).map((item) => item.uuid)).toEqual([uuid(101), uuid(103)]);
    expect((written.Attribute as Json[])[0]).toEqual({ uuid: uuid(101), type: 'domain', category: 'Network activity', value: 'shared.example.com', to_ids: true, comment: '', timestamp: String(PUBLISHED), deleted: false, disable_correlation: false, Tag: [{ name: 'kill-chain:delivery', colour: '#ff0000' }] });
    const objects = written.Object as Json[];
    expect(objects.map((object) => object.uuid)).toEqual([uuid(201), uuid(203)]);
    expect((objects[0] as Json).ObjectReference).toEqual([{ uuid: uuid(302), timestamp: String(PUBLISHED), object_uuid: uuid(201), referenced_uuid: uuid(101), relationship_type: 'related-to', comment: '' }]);
    expect(io.out.at(-1)).toMatch(/MISP listed 2 events, 1 left out by the selection; 1 new and 0 changed events written \(5 attributes, 2 attributes and 1 objects left out\)/);

    const report = new MispImportModel().importFeed(out.path);
    expect(report).toMatchObject({ problems: [], attributesRefused: [], referencesUnresolved: [], eventsCreated: 1, attributesCreated: 5, objectsCreated: 2 });
    expect(await triggerReads(out.path, clock)).toEqual(new Set(['domain-name.value shared.example.com', 'domain-name.value tuple.example.com', 'ipv4-addr.value 198.51.100.20']));
  });

  it('applies the selection itself when MISP ignores the filters', async () => {
    misp = await startMispEventsServer(KEY, [chosen, ...others]);
    const ignoring = misp;
    // A MISP that ignores tags and org: the export still writes only the chosen event.
    const original = ignoring.requests.push.bind(ignoring.requests);
    ignoring.requests.push = (...bodies: Json[]) => {
      for (const body of bodies) {
        delete body.tags;
        delete body.org;
      }
      return original(...bodies);
    };
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', ignoring.url, ...FILTERS], io)).toBe(0);
    expect(Object.keys(json(path.join(out.path, 'manifest.json')))).toEqual([uuid(1001)]);
    expect(io.out.at(-1)).toMatch(/MISP listed 5 events, 4 left out by the selection/);
    expect(ignoring.fullFetches()).toEqual([uuid(1001)]);
  });

  it('--ids-only keeps the IDS attributes and the objects that still hold one', async () => {
    misp = await startMispEventsServer(KEY, [chosen]);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url, '--ids-only', '--distribution', '2,3,5'], io)).toBe(0);
    const written = json(path.join(out.path, `${uuid(1001)}.json`)).Event as Json;
    expect((written.Attribute as Json[]).map((item) => item.uuid)).toEqual([uuid(101)]);
    expect((written.Object as Json[]).map((object) => object.uuid)).toEqual([uuid(201)]);
    expect(new MispImportModel().importFeed(out.path)).toMatchObject({ attributesRefused: [], referencesUnresolved: [], attributesCreated: 3 });
  });

  it('writes every event again when --distribution or --ids-only changed, and only then', async () => {
    misp = await startMispEventsServer(KEY, [chosen, event(6, ['tlp:white'], '3')]);
    const args = ['--out', out.path, '--from-misp', misp.url];
    expect(await runFeedGenerate(args, io)).toBe(0);
    expect(await runFeedGenerate(args, io)).toBe(0);
    expect(io.out.at(-1)).toMatch(/0 new and 0 changed events written .* 2 unchanged/);
    expect(await runFeedGenerate([...args, '--ids-only'], io)).toBe(0);
    expect(io.out.at(-1)).toMatch(/0 new and 2 changed events written .* 0 unchanged.*every event was written again/);
    expect(((json(path.join(out.path, `${uuid(1001)}.json`)).Event as Json).Attribute as Json[]).map((item) => item.uuid)).toEqual([uuid(101), uuid(102)]);
    expect(await runFeedGenerate([...args, '--ids-only'], io)).toBe(0);
    expect(io.out.at(-1)).toMatch(/0 new and 0 changed events written .* 2 unchanged/);
    expect(misp.fullFetches()).toHaveLength(4);
  });

  it('waits out MISP failures and 429s, and names the failing search when they last', async () => {
    misp = await startMispEventsServer(KEY, [chosen]);
    misp.faults.push({ status: 503 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 500 });
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url], io)).toBe(0);
    expect(clock.sleeps).toHaveLength(3);
    expect(clock.sleeps[1]).toBe(7_000);
    expect(io.err.join('\n')).toMatch(/warning: MISP at 127\.0\.0\.1:\d+, page 1 of the event listing: HTTP 503; attempt 2 of 5/);
    expect(Object.keys(json(path.join(out.path, 'manifest.json')))).toEqual([uuid(1001)]);

    for (let i = 0; i < 5; i++) misp.faults.push({ status: 500, body: '{"name": "An Internal Error Has Occurred.", "message": "An Internal Error Has Occurred.", "url": "/events/restSearch"}' });
    chosen.timestamp = String(PUBLISHED + 1);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url], io)).toBe(1);
    expect(io.err.at(-1)).toMatch(/^MISP at 127\.0\.0\.1:\d+ gave no usable answer to the event search for page 1 of the event listing: HTTP 500 \(An Internal Error Has Occurred\.\), 5 attempts in a row\. Check MISP's error log/);
    chosen.timestamp = String(PUBLISHED);
  });

  it('refuses answers that are not event searches, and leaves the feed as it was', async () => {
    misp = await startMispEventsServer(KEY, [chosen]);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url], io)).toBe(0);
    const manifest = readFileSync(path.join(out.path, 'manifest.json'), 'utf8');
    chosen.timestamp = String(PUBLISHED + 1);
    try {
      misp.faults.push({ status: 200, body: '<html><head><title>Sign in</title></head><body>SSO</body></html>', headers: { 'content-type': 'text/html' } });
      expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url], io)).toBe(1);
      expect(io.err.at(-1)).toMatch(/event search for page 1 of the event listing: HTTP 200 but not JSON \(content type "text\/html", an HTML page titled "Sign in"\)\. Check that the URL/);
      misp.faults.push({ status: 200 }, { pass: true }, { status: 200, body: '{"response": {"Attribute": []}}' });
      expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url], io)).toBe(1);
      expect(io.err.at(-1)).toMatch(/JSON without a list of events \(expected \{"response": \[\{"Event": …\}\]\}, got \)/);
      expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url], io)).toBe(1);
      expect(io.err.at(-1)).toMatch(/event search for event 00000000-0000-4000-8000-000000001001: JSON without a list of events .*got "response"/);
      expect(readFileSync(path.join(out.path, 'manifest.json'), 'utf8')).toBe(manifest);
    } finally {
      chosen.timestamp = String(PUBLISHED);
    }
  });

  it('refuses bad options with exit code 2 and a refused key with exit code 1, never printing it', async () => {
    misp = await startMispEventsServer(KEY, [chosen]);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url, '--distribution', '3,7'], io)).toBe(2);
    expect(io.err.at(-1)).toMatch(/--distribution takes levels from 0 to 5/);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url, '--filter-tags', 'tlp:white||x'], io)).toBe(2);
    expect(io.err.at(-1)).toMatch(/--filter-tags has an empty item/);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url, '--tag', 'tlp:clear'], io)).toBe(2);
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', 'misp.example.org'], io)).toBe(2);
    expect(io.err.at(-1)).toMatch(/^--from-misp takes the base URL of a MISP instance/);
    expect(await runFeedGenerate(['--out', out.path, '--from-list', 'x.txt', '--ids-only'], io)).toBe(2);
    expect(io.err.at(-1)).toMatch(/--ids-only applies to --from-misp only/);
    const wrong = 'WrOnGkEy0123456789abcdefghijklmnopqrstuv';
    expect(await runFeedGenerate(['--out', out.path, '--from-misp', misp.url, '--misp-api-key', wrong], io)).toBe(1);
    expect(io.err.at(-1)).toMatch(/Authentication failed|403/);
    expect([...io.err, ...io.out].join('\n')).not.toContain(wrong);
    expect(existsSync(path.join(out.path, 'manifest.json'))).toBe(false);
  });
});
