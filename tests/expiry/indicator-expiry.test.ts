import { describe, expect, it } from 'vitest';
import { isoSeconds, refreshDue, withdrawAttributes, type ExpiringBatch } from '../../misp_modules/expiry/indicator-expiry.js';
import { LiveIndicators } from '../../misp_modules/state/live-indicators.js';

const DAY = 86_400;
const NOW = 1_795_435_200;

function recorder(refuse: (batch: ExpiringBatch) => boolean = () => false) {
  const batches: ExpiringBatch[] = [];
  return {
    batches,
    push: async (batch: ExpiringBatch) => {
      batches.push(batch);
      return refuse(batch) ? { accepted: [], failed: batch.values } : { accepted: batch.values, failed: [] };
    },
  };
}

function liveStore(): LiveIndicators {
  const live = new LiveIndicators();
  live.accepted('domain-name.value', 'soon.example', ['a1'], NOW + 2 * DAY);
  live.accepted('domain-name.value', 'later.example', ['a2'], NOW + 25 * DAY);
  live.accepted('ipv4-addr.value', '198.51.100.7', ['a3', 'a4'], NOW + 1 * DAY);
  return live;
}

describe('LiveIndicators', () => {
  it('keeps a value alive while any attribute carries it, and lets an edited attribute move to its new value', () => {
    const live = liveStore();
    expect(live.withdraw('a3')).toBeUndefined(); // a4 still carries it
    expect(live.withdraw('a4')).toEqual({ format: 'ipv4-addr.value', value: '198.51.100.7' });
    live.accepted('domain-name.value', 'edited.example', ['a1'], NOW + 30 * DAY);
    expect(live.carriedBy('a1')?.value).toBe('edited.example');
    expect(live.due(NOW + 3 * DAY, 10).map((value) => value.value)).toEqual([]);
  });

  it('reads the JSON form of earlier versions, events included', () => {
    const restored = LiveIndicators.fromJSON({
      version: 1,
      values: [
        ['domain-name.value', 'soon.example', NOW + 2 * DAY, ['a1']],
        ['ipv4-addr.value', '198.51.100.7', NOW + 1 * DAY, ['a3', 'a4']],
        ['domain-name.value', 'orphan.example', NOW + 5 * DAY, []],
      ],
      events: [['a3', 'event-1']],
    });
    expect(restored.size).toBe(3);
    expect(restored.attributeCount).toBe(3);
    expect(restored.eventOf('a3')).toBe('event-1');
    expect(restored.eventOf('a1')).toBeUndefined();
    expect(restored.due(NOW + 10 * DAY, 10).map(({ value, expiresAt, carriers }) => [value, expiresAt, [...carriers]])).toEqual([
      ['198.51.100.7', NOW + 1 * DAY, ['a3', 'a4']],
      ['soon.example', NOW + 2 * DAY, ['a1']],
    ]);
    expect(() => LiveIndicators.fromJSON({ version: 2 })).toThrow(RangeError);
    expect(() => LiveIndicators.fromJSON({ version: 1, values: [['domain-name.value', 7, NOW, []]] })).toThrow(RangeError);
  });
});

describe('refreshDue', () => {
  it('submits again, soonest first, what lapses within the horizon, with a new valid_until', async () => {
    const live = liveStore();
    const sink = recorder();
    const outcome = await refreshDue(live, { push: sink.push }, { nowSeconds: NOW, validForSeconds: 30 * DAY, batchSize: 100, refreshWithinSeconds: 10 * DAY, limit: 10 });
    expect(outcome).toEqual({ refreshed: 2, withdrawn: 0, failed: 0 });
    expect(sink.batches).toEqual([
      { format: 'ipv4-addr.value', values: ['198.51.100.7'], validUntil: isoSeconds(NOW + 30 * DAY) },
      { format: 'domain-name.value', values: ['soon.example'], validUntil: isoSeconds(NOW + 30 * DAY) },
    ]);
    expect(live.due(NOW + 10 * DAY, 10)).toEqual([]);
  });

  it('spreads refreshes: at most `limit` values a cycle', async () => {
    const live = liveStore();
    const sink = recorder();
    await refreshDue(live, { push: sink.push }, { nowSeconds: NOW, validForSeconds: 30 * DAY, batchSize: 100, refreshWithinSeconds: 10 * DAY, limit: 1 });
    expect(sink.batches.flatMap((batch) => batch.values)).toEqual(['198.51.100.7']);
  });

  it('withdraws instead of refreshing what MISP no longer confirms, making it lapse now', async () => {
    const live = liveStore();
    const sink = recorder();
    const outcome = await refreshDue(
      live,
      { push: sink.push, confirm: async (uuids) => new Set(uuids.filter((uuid) => uuid !== 'a1')) },
      { nowSeconds: NOW, validForSeconds: 30 * DAY, batchSize: 100, refreshWithinSeconds: 10 * DAY, limit: 10 },
    );
    expect(outcome).toEqual({ refreshed: 1, withdrawn: 1, failed: 0 });
    expect(sink.batches).toContainEqual({ format: 'domain-name.value', values: ['soon.example'], validUntil: isoSeconds(NOW) });
    expect(live.carriedBy('a1')).toBeUndefined();
  });

  it('keeps a value whose refresh failed due, for the next cycle', async () => {
    const live = liveStore();
    const outcome = await refreshDue(live, { push: recorder(() => true).push }, { nowSeconds: NOW, validForSeconds: 30 * DAY, batchSize: 100, refreshWithinSeconds: 10 * DAY, limit: 10 });
    expect(outcome.failed).toBe(2);
    expect(live.due(NOW + 10 * DAY, 10)).toHaveLength(2);
  });
});

describe('withdrawAttributes', () => {
  it('makes a value lapse at once only when its last attribute is withdrawn', async () => {
    const live = liveStore();
    const sink = recorder();
    const outcome = await withdrawAttributes(live, ['a3', 'a2', 'unknown-uuid'], { push: sink.push }, { nowSeconds: NOW, validForSeconds: 30 * DAY, batchSize: 100 });
    expect(outcome.withdrawn).toBe(1);
    expect(sink.batches).toEqual([{ format: 'domain-name.value', values: ['later.example'], validUntil: isoSeconds(NOW) }]);
    expect(live.carriedBy('a4')?.value).toBe('198.51.100.7');
    expect(live.size).toBe(2);
  });
});
