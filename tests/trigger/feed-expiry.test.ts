import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemoFeed, removeDemoFeedEvent, setDemoFeedTimestamps } from '../../misp_modules/dev/demo-feed.js';
import { feedFixture } from '../feed/support/kit.js';
import { describeWithFixtures } from '../support/fixtures.js';
import { expectedIndicator } from '../support/indicator-oracle.js';
import { closedAfterEachTest, COLLECTION, START_MS } from './trigger-harness.js';

type Json = Record<string, any>;
const NOW_S = Math.floor(START_MS / 1000);
const HOUR = 3_600;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const { world, trigger } = closedAfterEachTest();

/** The pushed value of each IDS attribute of each event file, by event uuid, computed from the files by the independent oracle. */
function valuesByEvent(directory: string): Map<string, Map<string, string>> {
  const byEvent = new Map<string, Map<string, string>>();
  for (const name of readdirSync(directory).filter((file) => /^[0-9a-f-]{36}\.json$/.test(file))) {
    const event = (JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as { Event: Json }).Event;
    const attributes: Json[] = [...(event.Attribute ?? []), ...((event.Object ?? []) as Json[]).flatMap((object) => object.Attribute ?? [])];
    const values = new Map<string, string>();
    for (const attribute of attributes) {
      if (attribute.to_ids !== true || attribute.deleted === true) continue;
      const verdict = expectedIndicator(attribute.type, attribute.value);
      if (verdict.status === 'ok') values.set(attribute.uuid, verdict.value);
    }
    byEvent.set(name.slice(0, 36), values);
  }
  return byEvent;
}

describeWithFixtures('valid_for with a MISP feed', () => {
  it('withdraws what a re-read event no longer carries and what the feed no longer lists, and refreshes the rest', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'feed-expiry-'));
    cpSync(feedFixture('cert-fr-anssi'), directory, { recursive: true });
    const byEvent = valuesByEvent(directory);
    const count = (value: string): number => [...byEvent.values()].reduce((n, values) => n + [...values.values()].filter((v) => v === value).length, 0);
    // One event leaves the feed; another is edited: one of its attributes, whose value no other attribute carries, is deleted.
    const [leaving, edited] = [...byEvent.keys()].filter((uuid) => [...(byEvent.get(uuid)?.values() ?? [])].some((value) => count(value) === 1));
    if (leaving === undefined || edited === undefined) throw new Error('two events with values of their own');
    const onlyInLeaving = [...(byEvent.get(leaving)?.values() ?? [])].filter((value) => count(value) === 1);
    const [removedUuid, removedValue] = [...(byEvent.get(edited) ?? new Map<string, string>())].find(([, value]) => count(value) === 1) ?? [];
    if (removedUuid === undefined || removedValue === undefined) throw new Error('a value of its own in the edited event');

    const w = await world();
    const configuration = { source: 'misp_feed', feed_location: directory, publish_timestamp: '3650', valid_for: 1, sleep_time: 12 * HOUR };
    const t = trigger(w, { configuration });
    await t.untilCycles(1);
    const accepted = () => w.collection.accepted(COLLECTION);
    const delivered = [...accepted().validUntil.keys()];
    expect(delivered.length).toBeGreaterThan(500);
    for (const value of delivered) expect(accepted().validUntil.get(value)).toBe(iso(NOW_S + 24 * HOUR));

    const manifestPath = path.join(directory, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Json;
    delete manifest[leaving];
    manifest[edited].timestamp = String(NOW_S + HOUR);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const eventPath = path.join(directory, `${edited}.json`);
    const document = JSON.parse(readFileSync(eventPath, 'utf8')) as { Event: Json };
    for (const attribute of [...(document.Event.Attribute ?? []), ...((document.Event.Object ?? []) as Json[]).flatMap((object) => object.Attribute ?? [])]) {
      if (attribute.uuid === removedUuid) attribute.deleted = true;
    }
    document.Event.timestamp = String(NOW_S + HOUR);
    writeFileSync(eventPath, JSON.stringify(document));

    await t.untilCycles(2);
    const cycle2 = NOW_S + 12 * HOUR;
    // A value lapses when every attribute that carried it is gone: in the event that left, or deleted.
    const carriers = new Map<string, Array<[string, string]>>();
    for (const [event, values] of byEvent) for (const [uuid, value] of values) carriers.set(value, [...(carriers.get(value) ?? []), [event, uuid]]);
    const lapsed = new Set([...carriers].filter(([, list]) => list.every(([event, uuid]) => event === leaving || uuid === removedUuid)).map(([value]) => value));
    expect(lapsed).toContain(removedValue);
    for (const value of onlyInLeaving) expect(lapsed).toContain(value);
    for (const value of lapsed) expect(accepted().validUntil.get(value), value).toBe(iso(cycle2));
    for (const value of delivered.filter((v) => !lapsed.has(v))) expect(accepted().validUntil.get(value), value).toBe(iso(cycle2 + 24 * HOUR));
    expect(t.runtime.events.at(-1)?.event).toMatchObject({ iocs_withdrawn: lapsed.size, iocs_refreshed: delivered.length - lapsed.size });
  });
});

/** The values whose every carrying attribute belongs to `event`: they lapse when that event goes. */
function valuesOnlyIn(byEvent: Map<string, Map<string, string>>, event: string): Set<string> {
  const elsewhere = new Set([...byEvent].filter(([uuid]) => uuid !== event).flatMap(([, values]) => [...values.values()]));
  return new Set([...(byEvent.get(event)?.values() ?? [])].filter((value) => !elsewhere.has(value)));
}

describe('valid_for with a MISP feed: events that leave the manifest or the window', () => {
  const DAY = 24 * HOUR;
  /** The generated demo feed in a fresh directory, each event listed as changed at NOW_S. */
  function freshFeed(): { feed: ReturnType<typeof buildDemoFeed>; byEvent: Map<string, Map<string, string>>; ownValues: (event: string) => Set<string> } {
    const feed = buildDemoFeed(mkdtempSync(path.join(tmpdir(), 'feed-window-')), { changedAt: NOW_S });
    const byEvent = valuesByEvent(feed.directory);
    return { feed, byEvent, ownValues: (event) => valuesOnlyIn(byEvent, event) };
  }

  it('withdraws at the next cycle the values of an event the manifest no longer lists, long before any refresh', async () => {
    const { feed, byEvent, ownValues } = freshFeed();
    const leaving = [...byEvent.keys()].find((uuid) => ownValues(uuid).size > 0);
    if (leaving === undefined) throw new Error('an event with values of its own');
    const w = await world();
    const t = trigger(w, { configuration: { source: 'misp_feed', feed_location: feed.directory, publish_timestamp: '2', valid_for: 30, sleep_time: HOUR } });
    await t.untilCycles(1);
    const accepted = () => w.collection.accepted(COLLECTION);
    const before = accepted().all.length;

    removeDemoFeedEvent(feed, leaving);
    await t.untilCycles(2);
    expect(new Set(accepted().all.slice(before))).toEqual(ownValues(leaving));
    for (const value of ownValues(leaving)) expect(accepted().validUntil.get(value), value).toBe(iso(NOW_S + HOUR));
    expect(t.runtime.events.at(-1)?.event).toMatchObject({ iocs_withdrawn: ownValues(leaving).size, iocs_refreshed: 0 });
  });

  it('stops refreshing an event that ages out of the window while listed, and lets it run to the end of its validity', async () => {
    const { feed, byEvent, ownValues } = freshFeed();
    const [aging, ...others] = [...byEvent.keys()].sort((a, b) => ownValues(b).size - ownValues(a).size);
    if (aging === undefined || ownValues(aging).size === 0) throw new Error('an event with values of its own');
    // Changed 46 hours ago: inside a 2-day window for two more hours. The event dates are years old.
    setDemoFeedTimestamps(feed, { [aging]: NOW_S - 46 * HOUR });
    const configuration = { source: 'misp_feed', feed_location: feed.directory, publish_timestamp: '2', valid_for: 30, sleep_time: HOUR };
    const w = await world();
    const t = trigger(w, { configuration });
    await t.untilCycles(4);
    const accepted = () => w.collection.accepted(COLLECTION);
    const firstCycle = accepted().all.length;
    for (const value of ownValues(aging)) expect(accepted().validUntil.get(value), value).toBe(iso(NOW_S + 30 * DAY));
    await t.stop();

    // 21 days on, every value is due for a refresh; the other events were changed lately, the aging one was not.
    const restartS = NOW_S + 21 * DAY;
    setDemoFeedTimestamps(feed, Object.fromEntries(others.map((uuid) => [uuid, restartS - HOUR])));
    const restarted = trigger(w, { dataPath: t.runtime.dataPath, startMs: restartS * 1000, configuration });
    await restarted.untilCycles(1);
    const pushedAgain = new Set(accepted().all.slice(firstCycle));
    for (const value of ownValues(aging)) {
      expect(pushedAgain.has(value), value).toBe(false);
      expect(accepted().validUntil.get(value), value).toBe(iso(NOW_S + 30 * DAY));
    }
    for (const uuid of others) for (const value of ownValues(uuid)) expect(accepted().validUntil.get(value), value).toBe(iso(restartS + 30 * DAY));
  });
});

