import { afterEach, describe, expect, it } from 'vitest';
import { loadDemoAttributes } from '../../misp_modules/dev/demo-events.js';
import { startDemoMispServer, type DemoMispServer } from '../../misp_modules/dev/demo-misp-server.js';
import {
  editAttribute,
  flattenEvent,
  MispIdAllocator,
  publishEvent,
  type DemoAttribute,
  type MispAttributeRow,
} from '../../misp_modules/dev/misp-events.js';
import { demoWarninglists, type DemoWarninglist } from '../../misp_modules/dev/demo-warninglists.js';
import { syntheticAttributeSource } from '../../misp_modules/dev/synthetic-attributes.js';
import { call } from './http-client.js';

const KEY = 'misp-key-0123456789abcdef';
const NOW = 1_800_000_000; // seconds
const clock = { now: () => NOW * 1000 };
const HOUR = 3_600;
const DAY = 86_400;

const AUTH_FAILED =
  'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.';

interface AttributeSpec {
  uuid: string;
  type: string;
  value: string;
  to_ids: boolean;
  timestamp: number;
  deleted?: boolean;
}

function event(uuid: string, state: { published: boolean; publish: number; changed: number }, attributes: AttributeSpec[], objectAttributes: AttributeSpec[] = []): unknown {
  const asFeed = (spec: AttributeSpec) => ({
    uuid: spec.uuid,
    type: spec.type,
    category: 'Network activity',
    value: spec.value,
    to_ids: spec.to_ids,
    timestamp: String(spec.timestamp),
    comment: '',
    deleted: spec.deleted ?? false,
    disable_correlation: false,
  });
  return {
    Event: {
      uuid,
      info: `event ${uuid}`,
      published: state.published,
      publish_timestamp: String(state.publish),
      timestamp: String(state.changed),
      Orgc: { name: 'Org', uuid: 'org-1' },
      Attribute: attributes.map(asFeed),
      Object: objectAttributes.length
        ? [{ uuid: `${uuid}-object`, name: 'file', Attribute: objectAttributes.map((spec) => ({ ...asFeed(spec), object_relation: spec.type })) }]
        : [],
    },
  };
}

/** A small instance: a recently published event, an unpublished one, an old one. */
function smallInstance(): DemoAttribute[] {
  const ids = new MispIdAllocator();
  return [
    ...flattenEvent(
      event('event-a', { published: true, publish: NOW - 2 * HOUR, changed: NOW - 2 * HOUR }, [
        { uuid: 'a1', type: 'ip-dst', value: '203.0.113.1', to_ids: true, timestamp: NOW - 3 * DAY },
        { uuid: 'a2', type: 'domain', value: 'a2.example.com', to_ids: true, timestamp: NOW - HOUR },
        { uuid: 'a3', type: 'url', value: 'http://a3.example.com/x', to_ids: false, timestamp: NOW - HOUR },
        { uuid: 'a4', type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427f', to_ids: true, timestamp: NOW - HOUR, deleted: true },
      ], [{ uuid: 'a5', type: 'sha256', value: 'ab'.repeat(32), to_ids: true, timestamp: NOW - 2 * HOUR }]),
      ids,
    ),
    ...flattenEvent(
      event('event-b', { published: false, publish: 0, changed: NOW - 30 * 60 }, [
        { uuid: 'b1', type: 'domain', value: 'b1.example.net', to_ids: true, timestamp: NOW - 30 * 60 },
        { uuid: 'b2', type: 'ip-dst', value: '198.51.100.2', to_ids: true, timestamp: NOW - 10 * DAY },
      ]),
      ids,
    ),
    ...flattenEvent(
      event('event-c', { published: true, publish: NOW - 20 * DAY, changed: NOW - 20 * DAY }, [
        { uuid: 'c1', type: 'sha1', value: 'cd'.repeat(20), to_ids: true, timestamp: NOW - 20 * DAY },
      ]),
      ids,
    ),
  ];
}

let server: DemoMispServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(attributes: DemoAttribute[] = smallInstance(), extra: Partial<Parameters<typeof startDemoMispServer>[0]> = {}): Promise<DemoMispServer> {
  server = await startDemoMispServer({ apiKey: KEY, attributes, clock, ...extra });
  return server;
}

async function search(body: unknown, key = KEY) {
  const answer = await call(`${(server as DemoMispServer).url}/attributes/restSearch`, { body, headers: { Authorization: key } });
  const rows = (answer.json as { response?: { Attribute?: MispAttributeRow[] } } | undefined)?.response?.Attribute;
  return { ...answer, rows: rows ?? [], uuids: (rows ?? []).map((row) => row.uuid) };
}

describe('demo MISP server: authentication and errors', () => {
  it('answers 403 with MISP’s body when the key is missing or wrong', async () => {
    await start();
    const attempts: Array<Record<string, string>> = [{}, { Authorization: 'wrong' }, { Authorization: `Bearer ${KEY}` }];
    for (const headers of attempts) {
      const answer = await call(`${server!.url}/attributes/restSearch`, { body: { returnFormat: 'json' }, headers });
      expect(answer.status).toBe(403);
      expect(answer.json).toEqual({ name: AUTH_FAILED, message: AUTH_FAILED, url: '/attributes/restSearch' });
    }
    const ok = await search({ returnFormat: 'json' });
    expect(ok.status).toBe(200);
  });

  it('answers MISP’s errors for invalid JSON, GET, unknown paths and unknown formats', async () => {
    await start();
    const invalid = await call(`${server!.url}/attributes/restSearch`, { body: '{"returnFormat": "json",', headers: { Authorization: KEY } });
    expect(invalid.status).toBe(405);
    expect((invalid.json as { name: string }).name).toMatch(/^Invalid JSON input/);

    const get = await call(`${server!.url}/attributes/restSearch`, { headers: { Authorization: KEY } });
    expect(get.status).toBe(400);
    expect((get.json as { message: string }).message).toMatch(/GET and no parameters/);

    const unknown = await call(`${server!.url}/events/restSearch`, { body: {}, headers: { Authorization: KEY } });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ name: 'Not Found', message: 'Not Found', url: '/events/restSearch' });

    const format = await search({ returnFormat: 'stix2' });
    expect(format.status).toBe(404);
    expect((format.json as { message: string }).message).toBe('Invalid output format.');

    const badTime = await search({ returnFormat: 'json', timestamp: 'yesterday' });
    expect(badTime.status).toBe(400);
    expect((badTime.json as { message: string }).message).toMatch(/timestamp/);
  });
});

describe('demo MISP server: rows and filters', () => {
  it('answers rows exactly in restSearch’s shape, object attributes included', async () => {
    await start();
    const answer = await search({ returnFormat: 'json' });
    expect(answer.text.startsWith('{"response": {"Attribute": [')).toBe(true);
    expect(answer.text.endsWith(']}}\n')).toBe(true);
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    // Deleted rows are hidden by default; nothing else is filtered without filters.
    expect(answer.uuids.sort()).toEqual(['a1', 'a2', 'a3', 'a5', 'b1', 'b2', 'c1']);
    const a5 = answer.rows.find((row) => row.uuid === 'a5')!;
    expect(a5.object_id).not.toBe('0');
    expect(a5.Object).toEqual({ id: a5.object_id, distribution: '5', sharing_group_id: '0' });
    expect(a5.object_relation).toBe('sha256');
    const a1 = answer.rows.find((row) => row.uuid === 'a1')!;
    expect(a1).toMatchObject({ object_id: '0', object_relation: null, to_ids: true, deleted: false, timestamp: String(NOW - 3 * DAY) });
    expect(typeof a1.id).toBe('string');
    expect(Object.keys(a1.Event).sort()).toEqual(['distribution', 'id', 'info', 'org_id', 'orgc_id', 'uuid']);
    expect(a1.Event.uuid).toBe('event-a');
    expect(answer.headers.get('x-result-count')).toBe('7');
    expect(answer.headers.get('x-skipped-elements-count')).toBeNull();
  });

  it('filters on to_ids, published and deleted', async () => {
    await start();
    expect((await search({ to_ids: 1 })).uuids.sort()).toEqual(['a1', 'a2', 'a5', 'b1', 'b2', 'c1']);
    expect((await search({ to_ids: true })).uuids.sort()).toEqual(['a1', 'a2', 'a5', 'b1', 'b2', 'c1']);
    expect((await search({ to_ids: '0' })).uuids).toEqual(['a3']);
    expect((await search({ published: 1 })).uuids.sort()).toEqual(['a1', 'a2', 'a3', 'a5', 'c1']);
    expect((await search({ published: 0 })).uuids.sort()).toEqual(['b1', 'b2']);
    expect((await search({ deleted: 1 })).uuids).toEqual(['a4']);
    expect((await search({ deleted: [0, 1] })).uuids.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'c1']);
  });

  it('filters on time: relative, absolute and ranges, on the right timestamp', async () => {
    await start();
    // Attribute time: a1 is old although its event was published two hours ago.
    expect((await search({ timestamp: '1d' })).uuids.sort()).toEqual(['a2', 'a3', 'a5', 'b1']);
    expect((await search({ attribute_timestamp: '90m' })).uuids.sort()).toEqual(['a2', 'a3', 'b1']);
    // Publication time: catches a1, never the unpublished event.
    expect((await search({ publish_timestamp: '1d', to_ids: 1 })).uuids.sort()).toEqual(['a1', 'a2', 'a5']);
    expect((await search({ publish_timestamp: String(NOW - 30 * DAY) })).uuids.sort()).toEqual(['a1', 'a2', 'a3', 'a5', 'c1']);
    expect((await search({ publish_timestamp: [NOW - 30 * DAY, NOW - 10 * DAY] })).uuids).toEqual(['c1']);
    expect((await search({ last: '12h' })).uuids.sort()).toEqual(['a1', 'a2', 'a3', 'a5']);
    expect((await search({ event_timestamp: '1h' })).uuids.sort()).toEqual(['b1', 'b2']);
    expect((await search({ timestamp: [NOW - 11 * DAY, '2d'] })).uuids.sort()).toEqual(['a1', 'b2']);
  });

  it('filters on type as a string, a list, a negation or operators', async () => {
    await start();
    expect((await search({ type: 'domain' })).uuids.sort()).toEqual(['a2', 'b1']);
    expect((await search({ type: ['domain', 'sha1'] })).uuids.sort()).toEqual(['a2', 'b1', 'c1']);
    expect((await search({ type: ['!domain', '!ip-dst'] })).uuids.sort()).toEqual(['a3', 'a5', 'c1']);
    expect((await search({ type: { OR: ['ip-dst', 'url'], NOT: ['url'] } })).uuids.sort()).toEqual(['a1', 'b2']);
  });
});

describe('demo MISP server: paging and order', () => {
  it('pages 1-based with limit, orders by id, and counts as MISP 2.4.195+', async () => {
    await start();
    const base = { returnFormat: 'json', to_ids: 1, order: 'Attribute.id asc' };
    const all = await search(base);
    const ids = all.rows.map((row) => Number(row.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const page1 = await search({ ...base, limit: 4 });
    const samePage = await search({ ...base, limit: 4, page: 1 });
    const page2 = await search({ ...base, limit: 4, page: 2 });
    const page3 = await search({ ...base, limit: 4, page: 3 });
    expect(page1.uuids).toEqual(samePage.uuids);
    expect(page1.uuids).toHaveLength(4);
    expect([...page1.uuids, ...page2.uuids]).toEqual(all.uuids);
    expect(page3.uuids).toEqual([]);
    expect(page1.headers.get('x-result-count')).toBe('5'); // full page: count + 1
    expect(page2.headers.get('x-result-count')).toBe('2'); // short page: its own count
    expect(page3.text).toBe('{"response": {"Attribute": []}}\n');

    const descending = await search({ ...base, order: 'Attribute.id desc', limit: 3 });
    expect(descending.uuids).toEqual([...all.uuids].reverse().slice(0, 3));
    const byTime = await search({ ...base, order: 'Attribute.timestamp' });
    const times = byTime.rows.map((row) => Number(row.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((await search({ ...base, order: 'Attribute.nothing' })).status).toBe(400);
  });

  it('drops warninglisted rows after the page is cut: short or empty pages that are not the last', async () => {
    const attributes = smallInstance();
    const listed = new Set(['a2', 'a5', 'b1']);
    await start(attributes, { warninglist: { matches: (row) => listed.has(row.uuid) } });
    const base = { returnFormat: 'json', to_ids: 1, order: 'Attribute.id asc', limit: 2, enforceWarninglist: true };

    // Without enforceWarninglist nothing is dropped.
    expect((await search({ ...base, enforceWarninglist: false, limit: 10 })).uuids).toHaveLength(6);

    const seen: string[] = [];
    const shapes: Array<[number, string | null]> = [];
    for (let page = 1; page < 10; page++) {
      const answer = await search({ ...base, page });
      seen.push(...answer.uuids);
      const skipped = answer.headers.get('x-skipped-elements-count');
      shapes.push([answer.rows.length, skipped]);
      if (answer.rows.length + Number(skipped ?? 0) < 2) break;
    }
    // Order by id: a1 a2 | a5 b1 | b2 c1 | (end)
    expect(shapes).toEqual([[1, '1'], [0, '2'], [2, null], [0, null]]);
    expect(seen).toEqual(['a1', 'b2', 'c1']);
  });

  it('plays an older MISP: its version, and no X-Skipped-Elements-Count before 2.4.196', async () => {
    const listed = new Set(['a2']);
    await start(smallInstance(), { warninglist: { matches: (row) => listed.has(row.uuid) }, version: '2.4.180' });
    const version = await call(`${(server as DemoMispServer).url}/servers/getVersion`, { headers: { Authorization: KEY } });
    expect(version.status).toBe(200);
    expect(version.json).toMatchObject({ version: '2.4.180' });
    expect((await call(`${(server as DemoMispServer).url}/servers/getVersion`, { headers: { Authorization: 'wrong' } })).status).toBe(403);
    const page = await search({ returnFormat: 'json', to_ids: 1, order: 'Attribute.id asc', limit: 2, page: 1, enforceWarninglist: true });
    expect(page.uuids).toEqual(['a1']);
    expect(page.headers.get('x-skipped-elements-count')).toBeNull();
    expect(page.headers.get('x-result-count')).toBeNull();
    (server as DemoMispServer).version = '2.4.196';
    const current = await search({ returnFormat: 'json', to_ids: 1, order: 'Attribute.id asc', limit: 2, page: 1, enforceWarninglist: true });
    expect(current.headers.get('x-skipped-elements-count')).toBe('1');
  });

  it('serves its warninglists as MISP does (index, view, 404) and enforces the enabled ones', async () => {
    const lists = demoWarninglists();
    await start(smallInstance(), { warninglists: lists, version: '2.4.160' });
    const url = (server as DemoMispServer).url;
    const get = (path: string, key = KEY) => call(`${url}${path}`, { headers: { Authorization: key } });
    const index = (await get('/warninglists/index/enabled:1/limit:9999')).json as { Warninglists: Array<{ Warninglist: Record<string, unknown> }> };
    expect(index.Warninglists.map((row) => row.Warninglist.name)).toEqual(lists.filter((list) => list.enabled).map((list) => list.name));
    expect(index.Warninglists[0]?.Warninglist).toMatchObject({ id: '1', type: 'cidr', version: '3', enabled: true, valid_attributes: 'ip-src, ip-dst, domain|ip, ip-dst|port' });
    // 2.4.159 to 2.4.16x page the index for the API too, 60 lists a page, unless limit: says otherwise.
    (server as DemoMispServer).warninglists = Array.from({ length: 70 }, (_, i) => ({ ...(lists[2] as DemoWarninglist), id: i + 1, name: `List ${i + 1}` }));
    expect(((await get('/warninglists/index')).json as { Warninglists: unknown[] }).Warninglists).toHaveLength(60);
    expect(((await get('/warninglists/index/limit:9999')).json as { Warninglists: unknown[] }).Warninglists).toHaveLength(70);
    (server as DemoMispServer).warninglists = lists;
    const view = (await get('/warninglists/view/2')).json as { Warninglist: { WarninglistEntry: Array<{ value: string }>; WarninglistType: Array<{ type: string }> } };
    expect(view.Warninglist.WarninglistEntry.map((entry) => entry.value)).toEqual(['bit.ly', 'goo.gl', 't.co', 'tinyurl.com']);
    expect(view.Warninglist.WarninglistType.map((type) => type.type)).toContain('domain');
    expect((await get('/warninglists/view/99')).status).toBe(404);
    expect((await get('/warninglists/index', 'wrong')).status).toBe(403);
    // b2 (198.51.100.2) is on the resolvers list.
    expect((await search({ returnFormat: 'json', to_ids: 1, enforceWarninglist: 1 })).uuids).not.toContain('b2');
    expect((await search({ returnFormat: 'json', to_ids: 1 })).uuids).toContain('b2');
  });

  it('sanitises a deleted attribute when the instance does: type comment, value deleted, IDS flag cleared', async () => {
    const attributes = smallInstance();
    await start(attributes, { sanitiseOnDelete: true });
    const target = attributes.find((attribute) => attribute.row.uuid === 'a2') as DemoAttribute;
    (server as DemoMispServer).deleteAttribute(target, NOW);
    const deleted = await search({ returnFormat: 'json', deleted: 1, timestamp: NOW - 60 });
    expect(deleted.rows.map((row) => [row.uuid, row.type, row.value, row.to_ids, row.deleted])).toEqual([['a2', 'comment', 'deleted', false, true]]);
    expect((await search({ returnFormat: 'json', deleted: 1, type: ['domain'] })).uuids).not.toContain('a2');
  });

  it('pages a large read-only source linearly and streams big pages', async () => {
    const source = syntheticAttributeSource({ count: 30_000, now: NOW });
    server = await startDemoMispServer({ apiKey: KEY, attributes: source, clock });
    const all = await search({ returnFormat: 'json', deleted: [0, 1] });
    expect(all.rows).toHaveLength(30_000);
    expect(all.bytes).toBeGreaterThan(30_000 * 500);
    expect(server.requests.at(-1)!.responseBytes).toBe(all.bytes);

    const paged: string[] = [];
    for (let page = 1; ; page++) {
      const answer = await search({ returnFormat: 'json', to_ids: 1, limit: 7_000, page });
      paged.push(...answer.rows.map((row) => row.id));
      if (answer.rows.length < 7_000) break;
    }
    const expectedIds = all.rows.filter((row) => row.to_ids && !row.deleted).map((row) => row.id);
    expect(paged).toEqual(expectedIds);
  });
});

describe('demo MISP server: test hooks', () => {
  it('plays faults in order before normal handling: 429, HTML login page, delays, resets', async () => {
    await start();
    server!.faults.push(
      { status: 429, body: { name: 'Rate limit exceeded.', message: 'Rate limit exceeded.', url: '/attributes/restSearch' }, retryAfter: 3 },
      { status: 200, body: '<html><body>Login</body></html>', headers: { 'Content-Type': 'text/html' }, times: 2 },
      { delayMs: 50 },
    );
    const limited = await search({ returnFormat: 'json' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    for (let i = 0; i < 2; i++) {
      const html = await search({ returnFormat: 'json' });
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toBe('text/html');
      expect(html.text).toContain('Login');
    }
    const started = Date.now();
    const delayed = await search({ returnFormat: 'json' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(delayed.status).toBe(200);
    expect(delayed.rows.length).toBeGreaterThan(0);

    server!.faults.push({ reset: true });
    await expect(search({ returnFormat: 'json' })).rejects.toThrow();
    expect((await search({ returnFormat: 'json' })).status).toBe(200);
    expect(server!.requests.map((request) => request.fault)).toEqual([true, true, true, false, true, false]);
  });

  it('logs requests with headers, parsed body and response size', async () => {
    await start();
    const answer = await search({ returnFormat: 'json', to_ids: 1, limit: 2 });
    const [request] = server!.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/attributes/restSearch', status: 200, body: { returnFormat: 'json', to_ids: 1, limit: 2 } });
    expect(request!.headers.authorization).toBe(KEY);
    expect(request!.responseBytes).toBe(answer.bytes);
  });

  it('serves changes made between cycles: edits unpublish, publishing brings rows back', async () => {
    const attributes = smallInstance();
    await start(attributes);
    const query = { returnFormat: 'json', to_ids: 1, published: 1, publish_timestamp: '1d' };
    expect((await search(query)).uuids.sort()).toEqual(['a1', 'a2', 'a5']);

    editAttribute(attributes.find((a) => a.row.uuid === 'a2')!, { to_ids: false }, NOW - 60);
    expect((await search(query)).uuids).toEqual([]);

    publishEvent(attributes, 'event-a', NOW - 30);
    expect((await search(query)).uuids.sort()).toEqual(['a1', 'a5']);

    server!.attributes = attributes.filter((a) => a.row.uuid !== 'a1');
    expect((await search(query)).uuids).toEqual(['a5']);
  });
});

describe('demo data', () => {
  it('loads the demo events and a one-day window catches every IDS attribute once republished', async () => {
    const attributes = loadDemoAttributes({ publishedAt: NOW - 3 * HOUR });
    await start(attributes);
    const answer = await search({ returnFormat: 'json', to_ids: 1, published: 1, publish_timestamp: '1d', limit: 100_000 });
    const expected = attributes.filter((a) => a.row.to_ids && !a.row.deleted);
    expect(answer.rows).toHaveLength(expected.length);
    expect(new Set(answer.rows.map((row) => row.Event.uuid)).size).toBe(new Set(expected.map((a) => a.row.Event.uuid)).size);
    // Without republishing, the events are unpublished or were published long ago.
    server!.attributes = loadDemoAttributes();
    expect((await search({ returnFormat: 'json', to_ids: 1, publish_timestamp: '1d' })).rows).toHaveLength(0);
  });

  it('holds, per synced type, the IDS attributes the README and the demo expectations count', () => {
    const counted = new Map<string, number>();
    for (const { row } of loadDemoAttributes()) {
      if (!row.to_ids || row.deleted) continue;
      counted.set(row.type, (counted.get(row.type) ?? 0) + 1);
    }
    expect(Object.fromEntries(counted)).toEqual({
      'ip-dst': 44,
      'ip-dst|port': 19,
      domain: 38,
      'domain|ip': 5,
      url: 29,
      md5: 22,
      sha1: 23,
      sha256: 19,
      'filename|md5': 9,
      'filename|sha1': 8,
      'filename|sha256': 9,
      'email-src': 5,
      hostname: 2,
      filename: 5,
      ssdeep: 1,
      'ip-src': 1,
    });
  });

  it('is the same at every call for a seed, and another seed gives other values', () => {
    const values = (rows: DemoAttribute[]) => rows.map(({ row }) => `${row.uuid} ${row.type} ${row.value}`);
    expect(values(loadDemoAttributes())).toEqual(values(loadDemoAttributes()));
    const other = new Set(values(loadDemoAttributes({}, 7)));
    expect(values(loadDemoAttributes()).filter((value) => other.has(value))).toEqual([]);
  });
});
