import { describe, expect, it } from 'vitest';
import { loadDemoAttributes } from '../../misp_modules/dev/demo-events.js';
import { editAttribute, publishEvent, type DemoAttribute } from '../../misp_modules/dev/misp-events.js';
import { expectedByFormat, expectedPushes, syntheticAttributes, type SyntheticAttribute } from '../../misp_modules/dev/synthetic-attributes.js';
import { IOCS_PUSHED_EVENT } from '../../misp_modules/trigger/cycle-event.js';
import { acceptedValues, COLLECTION, MISP_KEY, SEKOIA_KEY, START_MS, closedAfterEachTest, type World } from './trigger-harness.js';

const NOW_S = Math.floor(START_MS / 1000);
const uploadFormat = (observable: string): string => (observable.startsWith('file.hashes.') ? 'file.hashes' : observable);

function synthetic(count: number): SyntheticAttribute[] {
  return [...syntheticAttributes({ count, now: NOW_S, seed: 7 })];
}

function acceptedByFormat(world: World): Map<string, Set<string>> {
  return world.collection.accepted(COLLECTION).byFormat;
}

const { world, trigger } = closedAfterEachTest();

describe('MISP IDS Attributes to IOC Collection', () => {
  it('delivers exactly the expected values of a cycle, per upload format, each once', async () => {
    const rows = synthetic(3_000);
    const expected = expectedPushes(rows);
    const w = await world(rows);
    const t = trigger(w);
    await t.untilCycles(1);

    expect(acceptedByFormat(w)).toEqual(expectedByFormat(expected, uploadFormat));
    const all = acceptedValues(w);
    expect(all.length).toBe(new Set(all).size);
    expect(all.length).toBe(expected.values.size);
  });

  it('reports the cycle in one event, one summary line, the metrics and a warning for invalid values', async () => {
    const rows = synthetic(2_000);
    const expected = expectedPushes(rows);
    const w = await world(rows);
    const t = trigger(w);
    await t.untilCycles(1);

    // MISP is asked for the synced types only: attributes of other types are never fetched.
    const idsRows = expected.rows.total - expected.rows.notIds - expected.rows.deleted - expected.rows.unsupported;
    expect(t.runtime.events).toHaveLength(1);
    expect(t.runtime.events[0]).toMatchObject({
      name: IOCS_PUSHED_EVENT,
      event: { attributes_processed: idsRows, iocs_submitted: expected.values.size, iocs_skipped_invalid: expected.rows.invalid, iocs_failed: 0 },
    });
    expect(t.cycleLogs()).toEqual([expect.stringMatching(new RegExp(`^Cycle 1: ${idsRows.toLocaleString('en-US')} attributes fetched, ${expected.values.size.toLocaleString('en-US')} new IOCs pushed`))]);
    const warnings = t.runtime.logs.filter((entry) => entry.level === 'warning' && entry.message.includes('invalid values skipped'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(`${expected.rows.invalid} invalid values skipped, e.g.`);

    const metrics = await t.runtime.metrics.metrics();
    expect(metrics).toContain('misp_trigger_cycles_total{outcome="success"} 1');
    expect(metrics).toContain('misp_trigger_cycles_total{outcome="failure"} 0');
    expect(metrics).toContain(`misp_trigger_attributes_fetched_total ${idsRows}`);
    expect(metrics).toContain(`misp_trigger_iocs_pushed_total ${expected.values.size}`);
    expect(metrics).toContain(`misp_trigger_iocs_invalid_total ${expected.rows.invalid}`);
    expect(metrics).toContain('misp_trigger_cycle_duration_seconds_count 1');
    expect(t.runtime.health().healthy).toBe(true);
  });

  it('asks MISP for IDS attributes of published events over the window, then from the cursor with an overlap', async () => {
    const w = await world(synthetic(200));
    const t = trigger(w, { configuration: { publish_timestamp: '3', sleep_time: 600 } });
    await t.untilCycles(2);

    const searches = w.misp.requests.filter((request) => request.path === '/attributes/restSearch').map((request) => request.body as Record<string, unknown>);
    const first = searches[0];
    expect(first).toMatchObject({ returnFormat: 'json', to_ids: 1, published: 1, page: 1, limit: 500, publish_timestamp: NOW_S - 3 * 86_400 });
    const second = searches.at(-1);
    // Cycle 2 starts 600 s later and asks from cycle 1's start less the 15-minute overlap.
    expect(second).toMatchObject({ page: 1, publish_timestamp: NOW_S - 15 * 60 });
    const headers = w.misp.requests[0]?.headers;
    expect(headers?.authorization).toBe(MISP_KEY);
    expect(headers?.accept).toBe('application/json');
  });

  it('after a restart on the same data path, pushes nothing that was accepted', async () => {
    const rows = synthetic(1_500);
    const w = await world(rows);
    const first = trigger(w);
    await first.untilCycles(1);
    await first.stop();
    const requestsAfterFirst = w.collection.acceptedRequests();
    expect(requestsAfterFirst).toBeGreaterThan(0);

    const second = trigger(w, { dataPath: first.runtime.dataPath });
    await second.untilCycles(1);
    expect(w.collection.acceptedRequests()).toBe(requestsAfterFirst);
    expect(second.cycleLogs()[0]).toMatch(/ 0 new IOCs pushed/);
    expect(second.runtime.events).toHaveLength(0);
  });

  it('delivers everything at least once and nothing twice when a cycle fails to push', async () => {
    const rows = synthetic(1_000);
    const expected = expectedPushes(rows);
    const w = await world(rows);
    w.collection.faults.push({ status: 503, times: Number.POSITIVE_INFINITY, body: { message: 'maintenance' } });
    const t = trigger(w);
    await t.untilCycles(1);
    expect(acceptedValues(w)).toEqual([]);
    expect(t.runtime.logs.some((entry) => entry.level === 'error' && /not accepted by the IOC collection/.test(entry.message))).toBe(true);

    w.collection.faults.length = 0;
    await t.untilCycles(2);
    const all = acceptedValues(w);
    expect(new Set(all)).toEqual(expected.values);
    expect(all.length).toBe(expected.values.size);
    // The failed cycle did not move the cursor: cycle 2 asked for the whole window again, not
    // from cycle 1's start.
    const bodies = w.misp.requests.filter((request) => request.path === '/attributes/restSearch' && request.status === 200).map((r) => r.body as { publish_timestamp: number });
    expect(bodies.at(-1)?.publish_timestamp).toBeLessThan(NOW_S - 80_000);
    const metrics = await t.runtime.metrics.metrics();
    expect(metrics).toContain('misp_trigger_cycles_total{outcome="failure"} 1');
    expect(metrics).toContain('misp_trigger_cycles_total{outcome="success"} 1');
  });

  it('pushes an edited attribute again once its event is republished, and an attribute of a late-published event', async () => {
    const rows: DemoAttribute[] = loadDemoAttributes({ publishedAt: NOW_S - 3_600 });
    const w = await world(rows);
    const t = trigger(w);
    await t.untilCycles(1);
    const before = acceptedValues(w).length;

    const domain = rows.find((row) => row.row.type === 'domain' && row.row.to_ids && !row.row.deleted);
    if (domain === undefined) throw new Error('the demo data has an IDS domain');
    const cycle2 = NOW_S + 300;
    editAttribute(domain, { value: 'edited-after-review.example.net' }, cycle2 - 60);
    publishEvent(rows, domain.row.Event.uuid, cycle2 - 30);
    await t.untilCycles(2);

    expect(acceptedValues(w).slice(before)).toEqual(['edited-after-review.example.net']);
  });

  it('stops at the first 401 with one critical log naming the key to check, and pushes no more', async () => {
    const w = await world(synthetic(1_000));
    const t = trigger(w, { account: { sekoia_api_key: 'a-wrong-key-0000' } });
    await t.done;
    expect(t.runtime.outcome).toBe('fatal');
    const critical = t.runtime.logs.filter((entry) => entry.level === 'critical');
    expect(critical, JSON.stringify(critical)).toHaveLength(1);
    expect(critical[0]?.message).toMatch(/sekoia_api_key/);
    expect(w.collection.requests.length).toBe(1);
    expect(t.runtime.health().healthy).toBe(false);
  });

  it('stops on a missing collection with a message naming the collection and the region', async () => {
    const w = await world(synthetic(300));
    w.collection.collections.clear();
    const t = trigger(w);
    await t.done;
    expect(t.runtime.outcome).toBe('fatal');
    const critical = t.runtime.logs.find((entry) => entry.level === 'critical');
    expect(critical?.message).toContain(COLLECTION);
    expect(critical?.message).toMatch(/ioc_collection_server|region/);
  });

  it('keeps polling when MISP refuses the key, logging MISP\'s own message, with no secret in any log', async () => {
    const w = await world(synthetic(300));
    const t = trigger(w, { account: { misp_api_key: 'not-the-right-misp-key' } });
    await t.untilCycles(2);
    const failures = t.cycleLogs();
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(/^Cycle 1 failed: .*Authentication failed/);
    expect(t.runtime.outcome).toBeUndefined();
    const everything = JSON.stringify(t.runtime.logs);
    expect(everything).not.toContain('not-the-right-misp-key');
    expect(everything).not.toContain(SEKOIA_KEY);
    expect(await t.runtime.metrics.metrics()).toContain('misp_trigger_cycles_total{outcome="failure"} 2');
  });

  it('answers /health with 500 from the fifth failed cycle in a row, with the reason, and 200 again after a success', async () => {
    const w = await world(synthetic(300));
    w.misp.faults.push({ status: 403, times: Number.POSITIVE_INFINITY, body: { message: 'Authentication failed.' }, path: '/attributes/restSearch' });
    const t = trigger(w);
    await t.untilCycles(4);
    expect(t.runtime.health()).toMatchObject({ healthy: true, context: { successive_errors: 4 } });
    await t.untilCycles(5);
    const failing = t.runtime.health();
    expect(failing.healthy).toBe(false);
    expect(failing.context).toMatchObject({ successive_errors: 5, reason: '5 cycles in a row failed' });
    const critical = t.runtime.logs.filter((entry) => entry.level === 'critical').map((entry) => entry.message);
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatch(/^The trigger failed 5 times in a row without completing a cycle; last error: cycle 5: /);
    await t.untilCycles(6);
    expect(t.runtime.health()).toMatchObject({ healthy: false, context: { successive_errors: 6 } });

    w.misp.faults.length = 0;
    await t.untilCycles(7);
    expect(t.runtime.health()).toMatchObject({ healthy: true, context: { successive_errors: 0 } });
    expect(t.runtime.logs.filter((entry) => entry.level === 'critical')).toHaveLength(1);
  });

  it('says every 30 s of a long cycle what it fetched, pushed and skipped so far, and the pace', async () => {
    const rows = synthetic(3_000);
    const expected = expectedPushes(rows);
    const w = await world(rows);
    // The first push waits 45 s on the collection's word: the line comes at 30 s, in the middle of the wait.
    w.collection.faults.push({ status: 429, retryAfter: 45, times: 1 });
    const t = trigger(w);
    await t.untilCycles(1);
    const progress = t.runtime.logs.filter((entry) => / in progress /.test(entry.message));
    expect(progress, JSON.stringify(t.runtime.logs.map((entry) => entry.message))).toHaveLength(1);
    expect(progress[0]?.level).toBe('info');
    const match = /^Cycle 1 in progress \((\d+) s\): ([\d,]+) attributes fetched, ([\d,]+) IOCs pushed, ([\d,]+) skipped \(([\d,]+) invalid, ([\d,]+) already delivered, ([\d,]+) unsupported\), 0 failed; pushing at ([\d.]+) requests\/s$/.exec(
      progress[0]?.message ?? '',
    );
    expect(match, progress[0]?.message).not.toBeNull();
    const [seconds, fetched, pushed, skipped, invalid, repeated, unsupported, pace] = (match as RegExpExecArray).slice(1).map((text) => Number(text.replaceAll(',', '')));
    expect(seconds).toBe(30);
    expect(fetched).toBeGreaterThan(0);
    expect(pushed).toBeLessThan(expected.values.size);
    expect(skipped).toBe((invalid ?? 0) + (repeated ?? 0) + (unsupported ?? 0));
    // The harness caps the pace at 100 requests a second.
    expect(pace).toBeGreaterThan(0);
    expect(pace).toBeLessThanOrEqual(100);
    expect(new Set(acceptedValues(w))).toEqual(expected.values);
  });

  it('says its progress every 30 s even while held up in one long wait, and no more once the cycle ended', async () => {
    const rows = synthetic(600);
    const expected = expectedPushes(rows);
    const w = await world(rows);
    // MISP holds the first page back for 100 s: nothing moves until then, and the push pace is still its start, 10 requests a second.
    w.misp.faults.push({ status: 429, retryAfter: 100, times: 1, path: '/attributes/restSearch' });
    const t = trigger(w);
    await t.untilCycles(1);
    const progressOf = (cycle: number): string[] => t.runtime.logs.map((entry) => entry.message).filter((message) => message.startsWith(`Cycle ${cycle} in progress `));
    const during = progressOf(1);
    expect(during.slice(0, 3)).toEqual(
      [30, 60, 90].map(
        (seconds) => `Cycle 1 in progress (${seconds} s): 0 attributes fetched, 0 IOCs pushed, 0 skipped (0 invalid, 0 already delivered, 0 unsupported), 0 failed; pushing at 10 requests/s`,
      ),
    );
    expect(new Set(acceptedValues(w))).toEqual(expected.values);
    // The pause after the cycle and the next cycle bring no line of cycle 1.
    await t.untilCycles(2);
    expect(progressOf(1)).toEqual(during);
  });

  it('waits out a 429 from Sekoia.io and still delivers everything', async () => {
    const rows = synthetic(800);
    const expected = expectedPushes(rows);
    const w = await world(rows);
    w.collection.faults.push({ status: 429, retryAfter: 30, times: 2 });
    const t = trigger(w);
    await t.untilCycles(1);
    expect(new Set(acceptedValues(w))).toEqual(expected.values);
    expect(t.clock.now() - START_MS).toBeGreaterThanOrEqual(30_000);
  });
});
