import { describe, expect, it } from 'vitest';
import { editAttribute, publishEvent } from '../../misp_modules/dev/misp-events.js';
import { syntheticAttributes, type SyntheticAttribute } from '../../misp_modules/dev/synthetic-attributes.js';
import { expectedIndicators, feedFixture } from '../feed/support/kit.js';
import { itWithFixtures } from '../support/fixtures.js';
import { closedAfterEachTest, COLLECTION, START_MS, startTrigger, type World } from './trigger-harness.js';

const NOW_S = Math.floor(START_MS / 1000);
const HOUR = 3_600;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const FEED = feedFixture('cert-fr-anssi');

const { world, trigger } = closedAfterEachTest();
const searches = (w: World) => w.misp.requests.filter((request) => request.path === '/attributes/restSearch').map((request) => request.body as Record<string, unknown>);

describe('choosing what goes into the collection', () => {
  it('puts every filter into the restSearch query, so MISP sends nothing to throw away', async () => {
    const w = await world([]);
    const t = trigger(w, {
      configuration: { tags: ['tlp:clear', '!tlp:red'], organisations: ['CIRCL'], attribute_types: ['domain', 'ip-src', 'email-src'], enforce_warninglist: true },
    });
    await t.untilCycles(1);
    expect(searches(w)[0]).toMatchObject({ to_ids: 1, published: 1, tags: ['tlp:clear', '!tlp:red'], org: ['CIRCL'], type: ['domain', 'ip-src', 'email-src'], enforceWarninglist: 1 });
  });

  it('asks for the documented types by default, and for no tag, organisation or warninglist', async () => {
    const w = await world([]);
    const t = trigger(w);
    await t.untilCycles(1);
    const body = searches(w)[0] ?? {};
    expect(body.type).toEqual(['ip-dst', 'ip-dst|port', 'domain', 'domain|ip', 'url', 'md5', 'sha1', 'sha256', 'filename|md5', 'filename|sha1', 'filename|sha256']);
    expect(body).not.toHaveProperty('tags');
    expect(body).not.toHaveProperty('org');
    expect(body).not.toHaveProperty('enforceWarninglist');
  });

  it('pushes the extra types once chosen (ip-src, hostname, email-src…), each with its own validation', async () => {
    const rows: SyntheticAttribute[] = [...syntheticAttributes({ count: 40, now: NOW_S, seed: 3 })].filter((row) => row.row.to_ids && !row.row.deleted).slice(0, 4);
    const [a, b, c, d] = rows;
    if (!a || !b || !c || !d) throw new Error('four IDS rows');
    Object.assign(a.row, { type: 'ip-src', value: '203.0.113.77' });
    Object.assign(b.row, { type: 'hostname', value: 'C2.Evil-Host.example.net' });
    Object.assign(c.row, { type: 'email-src', value: 'billing@phish.example.net' });
    Object.assign(d.row, { type: 'email-src', value: 'not an address' });
    const w = await world(rows);
    const t = trigger(w, { configuration: { attribute_types: ['ip-src', 'hostname', 'email-src'] } });
    await t.untilCycles(1);
    const accepted = w.collection.accepted(COLLECTION).byFormat;
    expect(accepted.get('ipv4-addr.value')).toEqual(new Set(['203.0.113.77']));
    expect(accepted.get('domain-name.value')).toEqual(new Set(['c2.evil-host.example.net']));
    expect(accepted.get('email-addr.value')).toEqual(new Set(['billing@phish.example.net']));
    expect(t.runtime.events[0]?.event).toMatchObject({ iocs_submitted: 3, iocs_skipped_invalid: 1 });
  });

  it('with enforce_warninglist on MISP 2.4.196, reads past pages that warninglists shortened and loses nothing', async () => {
    const version = '2.4.196';
    const data = [...syntheticAttributes({ count: 300, now: NOW_S, seed: 9, repeatShare: 0, invalidShare: 0, unsupportedShare: 0, deletedShare: 0, nonIdsShare: 0 })];
    const w = await world(data);
    w.misp.version = version;
    // A warninglist drops 20 rows of the first page of 100: the page comes back with 80.
    const listed = new Set(data.slice(30, 50).map((row) => row.row.uuid));
    w.misp.warninglist = { matches: (row) => listed.has(row.uuid) };
    const t = trigger(w, { configuration: { enforce_warninglist: true, misp_page_size: 100 } });
    await t.untilCycles(1);
    const expected = new Set(data.filter((row) => !listed.has(row.row.uuid)).flatMap((row) => (row.expected.kind === 'push' ? [row.expected.value] : [])));
    expect(expected.size).toBe(280);
    expect(new Set(w.collection.accepted(COLLECTION).all)).toEqual(expected);
    expect(w.misp.requests.filter((request) => request.path === '/servers/getVersion')).toHaveLength(1);
  });

  it('refuses an attribute type it cannot push, naming it', async () => {
    const w = await world([]);
    expect(() => startTrigger(w, { configuration: { attribute_types: ['domain', 'vulnerability'] } })).toThrow(/attribute_types names "vulnerability", which the trigger does not push/);
  });

  itWithFixtures('applies tags, organisations and types to a feed, and counts what they left out', async () => {
    const w = await world([]);
    const window = { source: 'misp_feed', feed_location: FEED, publish_timestamp: '3650' };
    const all = expectedIndicators(FEED).indicators;

    const kept = trigger(w, { configuration: { ...window, tags: ['tlp:clear'], organisations: ['CERT-FR'] } });
    await kept.untilCycles(1);
    expect(w.collection.accepted(COLLECTION).all.length).toBe(all.size);
    await kept.stop();

    const w2 = await world([]);
    const dropped = trigger(w2, { configuration: { ...window, tags: ['!tlp:clear'] } });
    await dropped.untilCycles(1);
    expect(w2.collection.accepted(COLLECTION).all).toEqual([]);
    expect(dropped.cycleLogs()[0]).toMatch(/^Cycle 1: 0 attributes fetched/);

    const w3 = await world([]);
    const hashes = trigger(w3, { configuration: { ...window, attribute_types: ['sha256'] } });
    await hashes.untilCycles(1);
    const sha256 = [...all].filter((indicator) => /^file\.hashes [0-9a-f]{64}$/.test(indicator)).map((indicator) => indicator.slice('file.hashes '.length));
    expect(new Set(w3.collection.accepted(COLLECTION).all)).toEqual(new Set(sha256));
    expect(hashes.runtime.events[0]?.event.iocs_skipped_filtered).toBeGreaterThan(0);
  });
});

describe('valid_for: expiry, refresh and withdrawal', () => {
  function rows(): SyntheticAttribute[] {
    // Unique values (no repeats), so that each value has exactly one attribute.
    return [...syntheticAttributes({ count: 200, now: NOW_S, seed: 5, repeatShare: 0, invalidShare: 0, unsupportedShare: 0, deletedShare: 0, nonIdsShare: 0 })];
  }

  it('pushes with valid_until, refreshes before the lapse, and makes withdrawn attributes lapse at once, across a restart', async () => {
    const data = rows();
    const w = await world(data);
    const t = trigger(w, { configuration: { valid_for: 1, sleep_time: 12 * HOUR } });
    await t.untilCycles(1);
    const collection = () => w.collection.accepted(COLLECTION);
    const values = [...collection().byFormat.values()].flatMap((set) => [...set]);
    expect(values.length).toBeGreaterThan(100);
    for (const value of values) expect(collection().validUntil.get(value)).toBe(iso(NOW_S + 24 * HOUR));

    // An analyst clears the IDS flag of one attribute and deletes another.
    const [cleared, deleted] = data.filter((row) => row.expected.kind === 'push');
    if (!cleared || !deleted || cleared.expected.kind !== 'push' || deleted.expected.kind !== 'push') throw new Error('two pushed rows');
    const clearedValue = cleared.expected.value;
    const deletedValue = deleted.expected.value;
    editAttribute(cleared, { to_ids: false }, NOW_S + HOUR);
    editAttribute(deleted, { deleted: true, value: 'deleted' }, NOW_S + HOUR);
    // The edits unpublished the event; the analyst publishes it again.
    publishEvent(data, cleared.row.Event.uuid, NOW_S + 2 * HOUR);

    await t.untilCycles(2); // 12 hours later: everything lapses within a day, so it is due
    const cycle2 = NOW_S + 12 * HOUR;
    expect(collection().validUntil.get(clearedValue)).toBe(iso(cycle2));
    expect(collection().validUntil.get(deletedValue)).toBe(iso(cycle2));
    const others = values.filter((value) => value !== clearedValue && value !== deletedValue);
    for (const value of others) expect(collection().validUntil.get(value), value).toBe(iso(cycle2 + 24 * HOUR));
    expect(t.runtime.events.at(-1)?.event).toMatchObject({ iocs_withdrawn: 2, iocs_refreshed: others.length });
    await t.stop();

    // A new process on the same data path keeps the schedule: 12 hours later, the refreshed values
    // are due again; the withdrawn ones are not pushed any more.
    const before = collection().all.length;
    const restarted = trigger(w, { dataPath: t.runtime.dataPath, startMs: (cycle2 + 12 * HOUR) * 1000, configuration: { valid_for: 1, sleep_time: 12 * HOUR } });
    await restarted.untilCycles(1);
    const pushedAgain = collection().all.slice(before);
    expect(new Set(pushedAgain)).toEqual(new Set(others));
    for (const value of others) expect(collection().validUntil.get(value)).toBe(iso(cycle2 + 36 * HOUR));
  });

  it('sees withdrawals at the next cycle, long before any refresh is due', async () => {
    const data = rows();
    const w = await world(data);
    const t = trigger(w, { configuration: { valid_for: 30, sleep_time: HOUR } });
    await t.untilCycles(1);
    const before = w.collection.accepted(COLLECTION).all.length;
    const [cleared, deleted] = data.filter((row) => row.expected.kind === 'push');
    if (!cleared || !deleted || cleared.expected.kind !== 'push' || deleted.expected.kind !== 'push') throw new Error('two pushed rows');
    const clearedValue = cleared.expected.value;
    const deletedValue = deleted.expected.value;
    editAttribute(cleared, { to_ids: false }, NOW_S + 60);
    editAttribute(deleted, { deleted: true, value: 'deleted' }, NOW_S + 60);
    await t.untilCycles(2);
    const cycle2 = NOW_S + HOUR;
    expect(w.collection.accepted(COLLECTION).all.slice(before).sort()).toEqual([clearedValue, deletedValue].sort());
    expect(w.collection.accepted(COLLECTION).validUntil.get(deletedValue)).toBe(iso(cycle2));
    const withdrawalQueries = searches(w).filter((body) => body.to_ids === 0 || body.deleted === 1);
    // Each cycle asks for the IDS flags cleared and the deletions since its lower bound: the window
    // for the first, the cursor less the overlap for the second.
    expect(withdrawalQueries.map((body) => body.timestamp)).toEqual([NOW_S - 86_400, NOW_S - 86_400, NOW_S - 15 * 60, NOW_S - 15 * 60]);
  });

  it('withdraws an attribute deleted on a MISP that sanitises deleted attributes (type comment, value deleted)', async () => {
    const data = rows();
    const w = await world(data);
    w.misp.sanitiseOnDelete = true;
    const t = trigger(w, { configuration: { valid_for: 30, sleep_time: HOUR } });
    await t.untilCycles(1);
    const before = w.collection.accepted(COLLECTION).all.length;
    const deleted = data.find((row) => row.expected.kind === 'push');
    if (deleted === undefined || deleted.expected.kind !== 'push') throw new Error('a pushed row');
    const deletedValue = deleted.expected.value;
    w.misp.deleteAttribute(deleted, NOW_S + 60);
    expect(deleted.row).toMatchObject({ type: 'comment', value: 'deleted', to_ids: false, deleted: true });
    await t.untilCycles(2);
    expect(w.collection.accepted(COLLECTION).all.slice(before)).toEqual([deletedValue]);
    expect(w.collection.accepted(COLLECTION).validUntil.get(deletedValue)).toBe(iso(NOW_S + HOUR));
    expect(t.runtime.events.at(-1)?.event).toMatchObject({ iocs_withdrawn: 1 });
  });

  it('refreshes only attributes of published events: an event left unpublished after an edit lapses, and comes back once published', async () => {
    const data = [...syntheticAttributes({ count: 200, now: NOW_S, seed: 5, attributesPerEvent: 50, repeatShare: 0, invalidShare: 0, unsupportedShare: 0, deletedShare: 0, nonIdsShare: 0 })];
    const w = await world(data);
    const t = trigger(w, { configuration: { valid_for: 1, sleep_time: 12 * HOUR } });
    await t.untilCycles(1);
    const collection = () => w.collection.accepted(COLLECTION);
    const pushedValue = (row: SyntheticAttribute): string[] => (row.expected.kind === 'push' ? [row.expected.value] : []);
    const edited = data[0];
    if (edited === undefined) throw new Error('rows');
    const eventUuid = edited.row.Event.uuid;
    const unpublished = new Set(data.filter((row) => row.row.Event.uuid === eventUuid).flatMap(pushedValue));
    const published = new Set(data.filter((row) => row.row.Event.uuid !== eventUuid).flatMap(pushedValue));
    expect(unpublished.size).toBe(50);
    // A comment is edited: MISP unpublishes the event, and nobody publishes it again.
    editAttribute(edited, { comment: 'seen again' }, NOW_S + HOUR);

    await t.untilCycles(2); // 12 hours later, everything is due
    const cycle2 = NOW_S + 12 * HOUR;
    for (const value of unpublished) expect(collection().validUntil.get(value), value).toBe(iso(cycle2));
    for (const value of published) expect(collection().validUntil.get(value), value).toBe(iso(cycle2 + 24 * HOUR));

    publishEvent(data, eventUuid, cycle2 + HOUR);
    await t.untilCycles(3);
    const cycle3 = cycle2 + 12 * HOUR;
    for (const value of unpublished) expect(collection().validUntil.get(value), value).toBe(iso(cycle3 + 24 * HOUR));
  });

  it('pushes no valid_until without valid_for', async () => {
    const w = await world(rows());
    const t = trigger(w);
    await t.untilCycles(1);
    expect(w.collection.accepted(COLLECTION).validUntil.size).toBe(0);
  });
});
