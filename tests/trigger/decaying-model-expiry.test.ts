import { describe, expect, it } from 'vitest';
import { startDemoIocCollectionServer } from '../../misp_modules/dev/demo-ioc-collection-server.js';
import { startDemoMispServer } from '../../misp_modules/dev/demo-misp-server.js';
import type { DemoAttribute } from '../../misp_modules/dev/misp-events.js';
import { closedAfterEachTest, COLLECTION, MISP_KEY, SEKOIA_KEY, START_MS, startTrigger, type Runtime, type World } from './trigger-harness.js';

const NOW = Math.floor(START_MS / 1000);
const DAY = 86_400;
const SLEEP = 600;
const { trigger, keep } = closedAfterEachTest();

/**
 * MISP's Polynomial, as MISP documents it, written here apart from the product: the score
 * base × (1 − (t / (lifetime × 86,400))^(1 / decay_speed)), decayed once the threshold is above it.
 * The crossing moment is found by walking whole seconds around the closed form.
 */
function mispCrossing(origin: number, base: number, lifetimeDays: number, decaySpeed: number, threshold: number): number {
  const score = (t: number): number => Math.max(0, base * (1 - Math.pow(t / (lifetimeDays * DAY), 1 / decaySpeed)));
  let t = Math.floor(lifetimeDays * DAY * Math.pow(1 - threshold / base, decaySpeed)) + 5;
  while (threshold > score(t)) t -= 1;
  return origin + t;
}

function row(n: number, value: string, timestamp: number): DemoAttribute {
  const uuid = `5b1c0d2e-3f4a-4b5c-8d6e-${String(n).padStart(12, '0')}`;
  return {
    row: {
      id: String(n),
      event_id: '1',
      object_id: '0',
      object_relation: null,
      category: 'Network activity',
      type: 'ip-dst',
      to_ids: true,
      uuid,
      timestamp: String(timestamp),
      distribution: '5',
      sharing_group_id: '0',
      comment: '',
      deleted: false,
      disable_correlation: false,
      first_seen: null,
      last_seen: null,
      value,
      Event: { org_id: '1', distribution: '1', id: '1', info: 'decay', orgc_id: '1', uuid: '7a6b5c4d-3e2f-4a1b-9c8d-000000000001' },
    },
    event: { published: true, publishTimestamp: NOW - 60, timestamp: NOW - 60 },
  };
}

/** The demo MISP and collection, MISP's clock following the trigger's fake clock. */
async function decayWorld(attributes: DemoAttribute[]): Promise<World & { follow(t: Runtime): void }> {
  let clock: { now(): number } = { now: () => START_MS };
  const misp = await startDemoMispServer({ apiKey: MISP_KEY, attributes, clock: { now: () => clock.now() } });
  const collection = await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION] });
  return keep({
    misp,
    collection,
    follow: (t: Runtime) => {
      clock = t.clock;
    },
    close: async () => {
      await Promise.all([misp.close(), collection.close()]);
    },
  });
}

function start(w: World & { follow(t: Runtime): void }, configuration: Record<string, unknown>): Runtime {
  const t = trigger(w, { configuration: { expiry: 'decaying_model', sleep_time: SLEEP, ...configuration } });
  w.follow(t);
  return t;
}

const seconds = (iso: string | undefined): number => Date.parse(iso ?? '') / 1000;
const validUntil = (w: World, value: string): number => seconds(w.collection.accepted(COLLECTION).validUntil.get(value));

describe('expiry: decaying_model, as MISP judges it', () => {
  it("pushes each value with the moment MISP's Polynomial crosses the threshold, and skips what decayed already", async () => {
    const w = await decayWorld([row(1, '198.51.100.1', NOW - DAY), row(2, '198.51.100.2', NOW - 5 * DAY)]);
    const t = start(w, {});
    await t.untilCycles(1);
    // "Demo decay": base score 80, lifetime 7 days, decay speed 2, threshold 30.
    expect(Math.abs(validUntil(w, '198.51.100.1') - mispCrossing(NOW - DAY, 80, 7, 2, 30))).toBeLessThanOrEqual(1);
    expect(w.collection.accepted(COLLECTION).all).toEqual(['198.51.100.1']);
    expect(t.cycleLogs()[0]).toMatch(/; 1 decayed skipped \("Demo decay" 1\)/);
    const body = w.misp.requests.find((request) => request.path === '/attributes/restSearch')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ includeDecayScore: 1 });
    const metrics = await t.runtime.metrics.metrics();
    expect(metrics).toMatch(/misp_trigger_decay_values_pushed_total\{model="Demo decay"\} 1/);
    expect(metrics).toMatch(/misp_trigger_decay_skipped_total\{model="Demo decay"\} 1/);
  });

  it("moves the moment as MISP does under decay_threshold", async () => {
    // Under threshold 50 the model's crossing comes after 85,050 s: a day-old value decayed, a half-day-old one not.
    const w = await decayWorld([row(1, '198.51.100.1', NOW - DAY / 2), row(2, '198.51.100.2', NOW - DAY)]);
    const t = start(w, { decay_threshold: 50 });
    await t.untilCycles(1);
    expect(Math.abs(validUntil(w, '198.51.100.1') - mispCrossing(NOW - DAY / 2, 80, 7, 2, 50))).toBeLessThanOrEqual(1);
    expect(w.collection.accepted(COLLECTION).all).toEqual(['198.51.100.1']);
    const body = w.misp.requests.find((request) => request.path === '/attributes/restSearch')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ includeDecayScore: 1, modelOverrides: { threshold: 50 } });
  });

  it("takes MISP's verdict for a formula only MISP computes, and asks again before it runs out", async () => {
    const w = await decayWorld([row(1, '198.51.100.1', NOW - DAY)]);
    const t = start(w, { decaying_model: ['demo retention'] });
    await t.untilCycles(1);
    const body = w.misp.requests.find((request) => request.path === '/attributes/restSearch')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ decayingModel: ['2'] });
    expect(validUntil(w, '198.51.100.1')).toBe(NOW + 2 * SLEEP);
    await t.untilCycles(2);
    expect(validUntil(w, '198.51.100.1')).toBe(NOW + SLEEP + 2 * SLEEP);
  });

  it('pushes a sighted value again with its new moment, and withdraws a value reported as a false positive', async () => {
    const sighted = row(1, '198.51.100.1', NOW - DAY);
    const wrong = row(2, '198.51.100.2', NOW - DAY);
    const w = await decayWorld([sighted, wrong]);
    const t = start(w, {});
    await t.untilCycles(1);
    const first = validUntil(w, '198.51.100.1');
    const at = Math.floor(t.clock.now() / 1000) + 100;
    w.misp.decay.addSighting(sighted.row.uuid, 0, at);
    w.misp.decay.addSighting(wrong.row.uuid, 1, at);
    await t.untilCycles(2);
    const moved = validUntil(w, '198.51.100.1');
    expect(moved).toBeGreaterThan(first);
    expect(Math.abs(moved - mispCrossing(at, 80, 7, 2, 30))).toBeLessThanOrEqual(1);
    expect(validUntil(w, '198.51.100.2')).toBeLessThanOrEqual(Math.floor(t.clock.now() / 1000));
    expect(await t.runtime.metrics.metrics()).toMatch(/misp_trigger_sighting_refreshes_total 1/);
    // One sightings query a cycle: the refresh and the withdrawal share it.
    expect(w.misp.requests.filter((request) => request.path === '/sightings/restSearch')).toHaveLength(2);
  });

  it('pushes a value sighted before the search once, with the moment its score already counted', async () => {
    const sighted = row(1, '198.51.100.1', NOW - 3 * DAY);
    const w = await decayWorld([sighted]);
    const at = NOW - DAY;
    w.misp.decay.addSighting(sighted.row.uuid, 0, at);
    const t = start(w, {});
    await t.untilCycles(1);
    expect(Math.abs(validUntil(w, '198.51.100.1') - mispCrossing(at, 80, 7, 2, 30))).toBeLessThanOrEqual(1);
    // The cycle's sightings query sees that sighting too: the collection already holds its moment, so nothing goes again.
    expect(await t.runtime.metrics.metrics()).toMatch(/misp_trigger_sighting_refreshes_total 0/);
    expect(t.cycleLogs().join('\n')).not.toMatch(/refreshed before they lapse/);
  });

  it('pushes each value once in a cycle whose moments outnumber the groups: none keyed within the refresh horizon unless its moment is, no lifetime asked again', async () => {
    // "Demo decay" crosses 236,250 s after the origin: moments from NOW + 300 s, one every 1,900 s.
    const rows = Array.from({ length: 120 }, (_, index) => row(index + 1, `198.51.100.${index + 1}`, NOW - 236_250 + 300 + index * 1_900));
    const w = await decayWorld(rows);
    const t = start(w, {});
    await t.untilCycles(1);
    const accepted = w.collection.accepted(COLLECTION).all;
    expect(accepted).toHaveLength(120);
    expect(new Set(accepted).size).toBe(120);
    // The search for the carriers' lifetimes names uuids: the cycle's pages gave them all already.
    expect(w.misp.requests.filter((request) => request.path === '/attributes/restSearch' && 'uuid' in (request.body as Record<string, unknown>))).toHaveLength(0);
    const horizonEnd = NOW + 3_600;
    const nextRefresh = NOW + 2 * SLEEP;
    const early: string[] = [];
    rows.forEach((each, index) => {
      const value = each.row.value;
      const moment = mispCrossing(NOW - 236_250 + 300 + index * 1_900, 80, 7, 2, 30);
      const pushed = validUntil(w, value);
      expect(pushed).toBeLessThanOrEqual(moment);
      if (moment > horizonEnd) expect(pushed).toBeGreaterThan(horizonEnd);
      else if (moment >= nextRefresh) expect(pushed).toBeGreaterThanOrEqual(nextRefresh);
      else expect(moment - pushed).toBeLessThan(60);
      if (moment <= horizonEnd && pushed < moment) early.push(value);
    });
    // The next cycle's refresh brings the values within the horizon to their moments.
    await t.untilCycles(2);
    for (const value of early) {
      const index = Number(value.split('.')[3]) - 1;
      expect(validUntil(w, value)).toBe(mispCrossing(NOW - 236_250 + 300 + index * 1_900, 80, 7, 2, 30));
    }
  });

  it('refuses a model MISP does not have, and a MISP older than decaying models, with one critical sentence and no polling', async () => {
    const w = await decayWorld([row(1, '198.51.100.1', NOW - DAY)]);
    const t = start(w, { decaying_model: ['No such model'] });
    await t.done;
    expect(t.runtime.outcome).toBe('fatal');
    const critical = t.runtime.logs.filter((entry) => entry.level === 'critical').map((entry) => entry.message);
    expect(critical).toEqual([
      expect.stringContaining(
        `In the trigger configuration, decaying_model names "No such model", which MISP at ${new URL(w.misp.url).host} does not have; expected the id or name of one of its decaying models (it has 1 ("Demo decay"), 2 ("Demo retention")), or decaying_model left empty for the models MISP enables.`,
      ),
    ]);
    expect(w.misp.requests.filter((request) => request.path === '/attributes/restSearch')).toHaveLength(0);

    const old = await decayWorld([]);
    old.misp.version = '2.4.110';
    const o = start(old, {});
    await o.done;
    expect(o.runtime.logs.filter((entry) => entry.level === 'critical').map((entry) => entry.message)).toEqual([
      expect.stringContaining(
        `MISP at ${new URL(old.misp.url).host} is version 2.4.110: decaying models came with MISP 2.4.116; expected expiry "fixed" (with valid_for) on this MISP, or MISP updated to that version or later.`,
      ),
    ]);
  });

  it('refuses expiry decaying_model with a feed source, in one sentence', async () => {
    const w = await decayWorld([]);
    expect(() => startTrigger(w, { configuration: { expiry: 'decaying_model', source: 'misp_feed', feed_location: 'https://feed.example/' } })).toThrow(
      'In the trigger configuration, expiry is "decaying_model", which source misp_feed cannot follow: only a MISP API reads MISP\'s decaying models; expected source "misp_api" with it, or expiry "fixed" with valid_for.',
    );
  });
});
