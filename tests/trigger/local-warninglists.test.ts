import { describe, expect, it } from 'vitest';
import { demoWarninglists } from '../../misp_modules/dev/demo-warninglists.js';
import { syntheticAttributes, type SyntheticAttribute } from '../../misp_modules/dev/synthetic-attributes.js';
import { closedAfterEachTest, COLLECTION, START_MS, type World } from './trigger-harness.js';

const NOW_S = Math.floor(START_MS / 1000);
const HOUR = 3_600;
const { world, trigger } = closedAfterEachTest();
const searches = (w: World) => w.misp.requests.filter((request) => request.path === '/attributes/restSearch').map((request) => request.body as Record<string, unknown>);
const paths = (w: World, prefix: string) => w.misp.requests.filter((request) => request.path.startsWith(prefix)).map((request) => request.path);
const RESOLVERS = 'Demo public DNS resolvers';

/** 300 unique pushable rows; the first `listed` become public resolvers (on the demo cidr list). */
function rows(listed: number): { data: SyntheticAttribute[]; expected: Set<string> } {
  const data = [...syntheticAttributes({ count: 300, now: NOW_S, seed: 9, repeatShare: 0, invalidShare: 0, unsupportedShare: 0, deletedShare: 0, nonIdsShare: 0 })];
  data.slice(0, listed).forEach((row, i) => Object.assign(row.row, { type: 'ip-dst', value: `198.51.100.${i % 250}` }));
  const expected = new Set(data.slice(listed).flatMap((row) => (row.expected.kind === 'push' ? [row.expected.value] : [])));
  return { data, expected };
}

describe('enforce_warninglist on a MISP that does not report the rows its warninglists drop', () => {
  it.each(['2.4.180', 'no version'])('MISP %s: asks without enforceWarninglist, applies the enabled lists itself, and a page all on a list loses nothing after it', async (version) => {
    const { data, expected } = rows(100);
    const w = await world(data);
    w.misp.warninglists = demoWarninglists();
    if (version === 'no version') w.misp.faults.push({ path: '/servers/getVersion', status: 404, body: { name: 'Not Found', message: 'Not Found', url: '/servers/getVersion' }, times: Infinity });
    else w.misp.version = version;
    const t = trigger(w, { configuration: { enforce_warninglist: true, misp_page_size: 100 } });
    await t.untilCycles(1);

    expect(expected.size).toBe(200);
    expect(new Set(w.collection.accepted(COLLECTION).all)).toEqual(expected);
    expect(searches(w).every((body) => !('enforceWarninglist' in body))).toBe(true);
    // Only enabled lists are read, each once.
    expect(paths(w, '/warninglists/')).toEqual(['/warninglists/index/enabled:1/limit:9999', '/warninglists/view/1', '/warninglists/view/2', '/warninglists/view/3']);
    expect(t.cycleLogs()[0]).toContain(`; 100 left out by warninglists ("${RESOLVERS}" 100)`);
    expect(t.runtime.events[0]?.event).toMatchObject({ iocs_submitted: 200, iocs_skipped_warninglist: 100 });
    const metrics = await t.runtime.metrics.metrics();
    expect(metrics).toContain(`misp_trigger_warninglist_skipped_total{list="${RESOLVERS}"} 100`);
    expect(t.runtime.logs.map((entry) => entry.message).join('\n')).toMatch(/before 2\.4\.196 it does not report the rows its warninglists drop from a page, so the trigger reads MISP's enabled warninglists and applies them itself/);
  });

  it('reads the index each cycle and a list again only when its version changed', async () => {
    const { data } = rows(10);
    const w = await world(data);
    w.misp.version = '2.4.170';
    w.misp.warninglists = demoWarninglists();
    const t = trigger(w, { configuration: { enforce_warninglist: true, sleep_time: 300 } });
    await t.untilCycles(2);
    expect(paths(w, '/warninglists/')).toEqual(['/warninglists/index/enabled:1/limit:9999', '/warninglists/view/1', '/warninglists/view/2', '/warninglists/view/3', '/warninglists/index/enabled:1/limit:9999']);

    const shorteners = w.misp.warninglists[1];
    if (shorteners === undefined) throw new Error('the demo lists');
    shorteners.version += 1;
    shorteners.entries.push('example.com');
    await t.untilCycles(3);
    expect(paths(w, '/warninglists/').slice(5)).toEqual(['/warninglists/index/enabled:1/limit:9999', '/warninglists/view/2']);
  });

  it('leaves MISP 2.4.196 to apply them: no list is read, the query asks for enforceWarninglist', async () => {
    const { data, expected } = rows(100);
    const w = await world(data);
    w.misp.warninglists = demoWarninglists();
    const t = trigger(w, { configuration: { enforce_warninglist: true, misp_page_size: 100 } });
    await t.untilCycles(1);
    expect(new Set(w.collection.accepted(COLLECTION).all)).toEqual(expected);
    expect(searches(w)[0]).toMatchObject({ enforceWarninglist: 1 });
    expect(paths(w, '/warninglists/')).toEqual([]);
    expect(t.runtime.events[0]?.event).toMatchObject({ iocs_skipped_warninglist: 0 });
  });

  it('fails the cycle with a sentence naming MISP when the lists cannot be read, and pushes nothing', async () => {
    const { data } = rows(10);
    const w = await world(data);
    w.misp.version = '2.4.180';
    w.misp.warninglists = demoWarninglists();
    w.misp.faults.push({ path: /^\/warninglists\//, status: 403, body: { name: 'You do not have permission to use this functionality.', message: 'You do not have permission to use this functionality.', url: '/warninglists/index' } });
    const t = trigger(w, { configuration: { enforce_warninglist: true } });
    await t.untilCycles(1);
    expect(t.cycleLogs()[0]).toMatch(/^Cycle 1 failed: MISP at 127\.0\.0\.1:\d+ refused GET \/warninglists\/index\/enabled:1\/limit:9999 with HTTP 403/);
    expect(w.collection.accepted(COLLECTION).all).toEqual([]);
    await t.untilCycles(2);
    expect(w.collection.accepted(COLLECTION).all.length).toBe(290);
  });

  it('with valid_for, a value that joins a list is not refreshed: it lapses at once', async () => {
    const { data } = rows(0);
    const w = await world(data);
    w.misp.version = '2.4.180';
    w.misp.warninglists = demoWarninglists();
    const t = trigger(w, { configuration: { enforce_warninglist: true, valid_for: 1, sleep_time: 12 * HOUR } });
    await t.untilCycles(1);
    const first = data.find((row) => row.expected.kind === 'push' && row.row.type === 'domain');
    if (first === undefined || first.expected.kind !== 'push') throw new Error('a domain row');
    const shorteners = w.misp.warninglists[1];
    if (shorteners === undefined) throw new Error('the demo lists');
    shorteners.version += 1;
    shorteners.entries.push(first.row.value);
    // The next cycle refreshes what lapses within 8 hours: all of the first cycle's values.
    await t.untilCycles(2);
    const lapsed = w.collection.requests
      .filter((request) => request.path.endsWith('/indicators/text'))
      .map((request) => request.body as { indicators: string; valid_until?: string })
      .filter((body) => body.valid_until !== undefined && Date.parse(body.valid_until) <= t.clock.now() + 1000);
    expect(lapsed.flatMap((body) => body.indicators.split('\n'))).toContain(first.expected.value);
    expect(t.runtime.events.at(-1)?.event).toMatchObject({ iocs_withdrawn: 1 });
    // Confirmed by uuid without enforceWarninglist: the lists are applied here there too.
    const confirmations = searches(w).filter((body) => 'uuid' in body);
    expect(confirmations.length).toBeGreaterThan(0);
    expect(confirmations.every((body) => !('enforceWarninglist' in body))).toBe(true);
  });
});
