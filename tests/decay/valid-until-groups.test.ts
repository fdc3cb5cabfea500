import { describe, expect, it } from 'vitest';
import { refreshValidUntil, VALID_UNTIL_GRIDS, ValidUntilGroups, type ValidUntilBatch } from '../../misp_modules/decay/valid-until-groups.js';
import { mulberry32 } from '../../misp_modules/dev/synthetic-attributes.js';

const NOW = 1_800_000_000;
const HOUR = 3_600;
const DAY = 86_400;

interface Placed {
  format: string;
  value: string;
  moment: number;
}

/** Runs a whole cycle through one grouping: every batch sent, in order, the drained ones last. */
function cycle(groups: ValidUntilGroups, items: readonly Placed[]): ValidUntilBatch[] {
  const sent: ValidUntilBatch[] = [];
  for (const { format, value, moment } of items) sent.push(...groups.add(format, value, moment));
  sent.push(...groups.drain());
  return sent;
}

/** The valid_until each value went with. */
function pushedWith(batches: readonly ValidUntilBatch[]): Map<string, number> {
  const pushed = new Map<string, number>();
  for (const batch of batches) for (const value of batch.values) pushed.set(`${batch.format} ${value}`, batch.validUntil);
  return pushed;
}

describe('ValidUntilGroups', () => {
  it('pushes each value with its own moment while the distinct moments fit the budget', () => {
    const items: Placed[] = [
      { format: 'ipv4-addr.value', value: '192.0.2.1', moment: NOW + 5 },
      { format: 'ipv4-addr.value', value: '192.0.2.2', moment: NOW + 5 },
      { format: 'ipv4-addr.value', value: '192.0.2.3', moment: NOW + 7 },
      { format: 'domain-name.value', value: 'a.example', moment: NOW + 5 },
      { format: 'domain-name.value', value: 'b.example', moment: NOW + 3 * DAY + 1 },
    ];
    const batches = cycle(new ValidUntilGroups({ batchSize: 100, maxOpenGroups: 4 }), items);
    expect(batches).toHaveLength(4);
    const pushed = pushedWith(batches);
    for (const item of items) expect(pushed.get(`${item.format} ${item.value}`)).toBe(item.moment);
    expect(batches.find((batch) => batch.validUntil === NOW + 5 && batch.format === 'ipv4-addr.value')?.values).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('sends a group as soon as it holds a batch, and only the rest at the end', () => {
    const groups = new ValidUntilGroups({ batchSize: 3, maxOpenGroups: 8 });
    const ready = ['a', 'b', 'c', 'd'].map((value) => groups.add('url.value', value, NOW));
    expect(ready.map((batches) => batches.length)).toEqual([0, 0, 1, 0]);
    expect(ready[2]?.[0]).toEqual({ format: 'url.value', validUntil: NOW, values: ['a', 'b', 'c'], moments: [NOW, NOW, NOW] });
    expect(groups.drain()).toEqual([{ format: 'url.value', validUntil: NOW, values: ['d'], moments: [NOW] }]);
    expect(groups.drain()).toEqual([]);
  });

  it('coarsens keys to the floor of each moment on the ladder once the budget is full, and says which values went early', () => {
    const groups = new ValidUntilGroups({ batchSize: 1_000, maxOpenGroups: 2 });
    const moments = [NOW + 10, NOW + 20, NOW + 30];
    const batches = cycle(
      groups,
      moments.map((moment, index) => ({ format: 'url.value', value: `v${index}`, moment })),
    );
    const minute = Math.floor((NOW + 10) / 60) * 60;
    expect(batches).toEqual([{ format: 'url.value', validUntil: minute, values: ['v0', 'v1', 'v2'], moments }]);
    expect(batches[0]!.moments.filter((moment) => moment > batches[0]!.validUntil)).toHaveLength(3);
  });

  it('starts exact again after a drain', () => {
    const groups = new ValidUntilGroups({ batchSize: 10, maxOpenGroups: 1 });
    cycle(groups, [
      { format: 'f', value: 'a', moment: NOW + 1 },
      { format: 'f', value: 'b', moment: NOW + 2 },
    ]);
    expect(groups.grid).toBe(1);
    expect(cycle(groups, [{ format: 'f', value: 'c', moment: NOW + 2 }])[0]?.validUntil).toBe(NOW + 2);
  });

  it('never pushes a value later than its moment, on random cycles (seeded)', () => {
    const random = mulberry32(20_260_301);
    for (let round = 0; round < 200; round++) {
      const batchSize = 1 + Math.floor(random() * 50);
      const maxOpenGroups = 1 + Math.floor(random() * 12);
      const spread = [60, HOUR, DAY, 30 * DAY][Math.floor(random() * 4)] as number;
      const count = Math.floor(random() * 400);
      const items: Placed[] = Array.from({ length: count }, (_, index) => ({
        format: ['f1', 'f2', 'f3'][Math.floor(random() * 3)] as string,
        value: `value-${index}`,
        moment: NOW + Math.floor(random() * spread),
      }));
      const groups = new ValidUntilGroups({ batchSize, maxOpenGroups });
      const batches: ValidUntilBatch[] = [];
      for (const item of items) {
        batches.push(...groups.add(item.format, item.value, item.moment));
        expect(groups.openGroups).toBeLessThanOrEqual(maxOpenGroups);
      }
      batches.push(...groups.drain());
      const moment = new Map(items.map((item) => [`${item.format} ${item.value}`, item.moment]));
      const pushed = pushedWith(batches);
      expect(pushed.size).toBe(items.length);
      for (const [key, validUntil] of pushed) expect(validUntil).toBeLessThanOrEqual(moment.get(key) as number);
      for (const batch of batches) {
        expect(batch.values.length).toBeLessThanOrEqual(batchSize);
        expect(batch.moments.every((each) => each >= batch.validUntil)).toBe(true);
      }
    }
  });

  it('keeps the requests for 100,000 spread moments within the full batches and the budget', () => {
    const random = mulberry32(7);
    const batchSize = 1_000;
    const maxOpenGroups = 64;
    const formats = ['ipv4-addr.value', 'domain-name.value', 'url.value', 'file.hashes'];
    const groups = new ValidUntilGroups({ batchSize, maxOpenGroups });
    const batches: ValidUntilBatch[] = [];
    const count = 100_000;
    let early = 0;
    for (let index = 0; index < count; index++) {
      const moment = NOW + Math.floor(random() * 7 * DAY);
      batches.push(...groups.add(formats[index % formats.length] as string, `value-${index}`, moment));
    }
    batches.push(...groups.drain());
    for (const batch of batches) for (const moment of batch.moments) if (moment > batch.validUntil) early++;
    const full = batches.filter((batch) => batch.values.length === batchSize).length;
    expect(batches.reduce((sum, batch) => sum + batch.values.length, 0)).toBe(count);
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(count / batchSize) + maxOpenGroups);
    expect(full).toBeGreaterThanOrEqual(Math.floor(count / batchSize) - maxOpenGroups);
    // Four formats over seven days fit 64 groups on the day grid (32 keys), not on the 4-hour one (172).
    expect(batches.every((batch) => batch.validUntil % DAY === 0)).toBe(true);
    expect(early).toBeGreaterThan(count * 0.99);
  });

  it('on the day grid, puts a value without a group in the latest group no later than its moment, and sends the fullest early only when none is', () => {
    const groups = new ValidUntilGroups({ batchSize: 100, maxOpenGroups: 2 });
    const batches = cycle(groups, [
      { format: 'f', value: 'a', moment: NOW },
      { format: 'f', value: 'b', moment: NOW + 1 },
      { format: 'f', value: 'c', moment: NOW + 2 * DAY },
      { format: 'f', value: 'd', moment: NOW + 4 * DAY },
      { format: 'f', value: 'e', moment: NOW - 3 * DAY },
    ]);
    const day = (moment: number) => Math.floor(moment / DAY) * DAY;
    expect(batches.map((batch) => [batch.validUntil, batch.values])).toEqual([
      [day(NOW), ['a', 'b']],
      [day(NOW + 2 * DAY), ['c', 'd']],
      [day(NOW - 3 * DAY), ['e']],
    ]);
    expect(groups.grid).toBe(1);
  });

  it('keeps the requests near the full batches when even the day grid does not fit the budget', () => {
    const random = mulberry32(11);
    const batchSize = 1_000;
    const maxOpenGroups = 64;
    const formats = ['ipv4-addr.value', 'ipv6-addr.value', 'domain-name.value', 'url.value', 'file.hashes', 'email-addr.value'];
    const groups = new ValidUntilGroups({ batchSize, maxOpenGroups });
    const batches: ValidUntilBatch[] = [];
    const count = 100_000;
    for (let index = 0; index < count; index++) {
      batches.push(...groups.add(formats[index % formats.length] as string, `value-${index}`, NOW + Math.floor(random() * 30 * DAY)));
    }
    batches.push(...groups.drain());
    expect(batches.reduce((sum, batch) => sum + batch.values.length, 0)).toBe(count);
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(count / batchSize) + 2 * maxOpenGroups);
    for (const batch of batches) expect(batch.moments.every((moment) => moment >= batch.validUntil)).toBe(true);
  });

  it("with the schedule's refresh, keys no value beyond its horizon within it, none within it before the next refresh, none else past (seeded)", () => {
    const random = mulberry32(20_261_206);
    for (let round = 0; round < 150; round++) {
      const nextAt = NOW + 120 + Math.floor(random() * 600);
      const dueUntil = nextAt + HOUR;
      // Two formats over at most 10 days fit 32 groups on the day grid; smaller budgets fall back on earlier groups.
      const roomy = round % 2 === 0;
      const maxOpenGroups = roomy ? 32 + Math.floor(random() * 32) : 1 + Math.floor(random() * 8);
      const items: Placed[] = Array.from({ length: 50 + Math.floor(random() * 300) }, (_, index) => ({
        format: ['f1', 'f2'][index % 2] as string,
        value: `value-${index}`,
        moment: NOW + Math.floor(random() * ([2 * HOUR, DAY, 10 * DAY][round % 3] as number)),
      }));
      const groups = new ValidUntilGroups({ batchSize: 1 + Math.floor(random() * 40), maxOpenGroups, refresh: { nextAt, dueUntil } });
      const batches: ValidUntilBatch[] = [];
      for (const item of items) {
        batches.push(...groups.add(item.format, item.value, item.moment));
        expect(groups.openGroups).toBeLessThanOrEqual(maxOpenGroups);
      }
      batches.push(...groups.drain());
      expect(batches.reduce((sum, batch) => sum + batch.values.length, 0)).toBe(items.length);
      for (const batch of batches) {
        for (const moment of batch.moments) {
          expect(batch.validUntil).toBeLessThanOrEqual(moment);
          if (!roomy) continue;
          if (moment > dueUntil) expect(batch.validUntil).toBeGreaterThan(dueUntil);
          else if (moment >= nextAt) expect(batch.validUntil).toBeGreaterThanOrEqual(nextAt);
          else expect(moment - batch.validUntil).toBeLessThan(60);
        }
      }
    }
  });

  it("keeps the values that lapse before the next refresh within a minute of their moments, where the budget coarsens to the day", () => {
    const refresh = { nextAt: NOW + 120, dueUntil: NOW + HOUR };
    const groups = new ValidUntilGroups({ batchSize: 1_000, maxOpenGroups: 8, refresh });
    const items: Placed[] = Array.from({ length: 400 }, (_, index) => ({ format: 'f', value: `v${index}`, moment: NOW + 30 + index * 997 }));
    const batches = cycle(groups, items);
    const pushed = pushedWith(batches);
    expect(new Set(batches.map((batch) => batch.validUntil)).size).toBeLessThanOrEqual(8);
    for (const item of items) {
      const validUntil = pushed.get(`f ${item.value}`) as number;
      expect(validUntil).toBeLessThanOrEqual(item.moment);
      if (item.moment < refresh.nextAt) expect(item.moment - validUntil).toBeLessThan(60);
      else if (item.moment <= refresh.dueUntil) expect(validUntil).toBeGreaterThanOrEqual(refresh.nextAt);
      else expect(validUntil).toBeGreaterThan(refresh.dueUntil);
    }
  });

  it('refuses a batch size or a budget that is not a whole number above 0', () => {
    expect(() => new ValidUntilGroups({ batchSize: 0, maxOpenGroups: 1 })).toThrow(/batchSize must be a whole number above 0/);
    expect(() => new ValidUntilGroups({ batchSize: 1, maxOpenGroups: 0.5 })).toThrow(/maxOpenGroups must be a whole number above 0/);
  });
});

describe('refreshValidUntil', () => {
  const HORIZON = 6 * HOUR;

  it('asks for nothing while the pushed validity is beyond the horizon, or exact', () => {
    expect(refreshValidUntil(NOW + 10 * HOUR, NOW + 12 * HOUR, NOW, HORIZON)).toBeUndefined();
    expect(refreshValidUntil(NOW + HOUR, NOW + HOUR, NOW, HORIZON)).toBeUndefined();
  });

  it('gives the exact moment once it is within the horizon', () => {
    expect(refreshValidUntil(NOW + HOUR, NOW + 5 * HOUR + 17, NOW, HORIZON)).toBe(NOW + 5 * HOUR + 17);
  });

  it('steps towards a moment still beyond the horizon on the coarsest grid within it', () => {
    const target = NOW + 3 * DAY + 1_234;
    const next = refreshValidUntil(NOW + HOUR, target, NOW, HORIZON) as number;
    expect(next).toBe(Math.floor(target / 14_400) * 14_400);
    expect(next).toBeGreaterThan(NOW + HOUR);
    expect(next).toBeLessThanOrEqual(target);
  });

  it('reaches each moment exactly before it is within the horizon of now, never pushing past it (seeded)', () => {
    const random = mulberry32(42);
    for (let round = 0; round < 500; round++) {
      const horizon = [30, 5 * 60, HOUR, 6 * HOUR, 2 * DAY][Math.floor(random() * 5)] as number;
      const target = NOW + Math.floor(random() * 20 * DAY);
      const grid = VALID_UNTIL_GRIDS[Math.floor(random() * VALID_UNTIL_GRIDS.length)] as number;
      let pushed = Math.floor(target / grid) * grid;
      // The caller looks once a minute.
      for (let now = NOW; now <= target; now += 60) {
        const next = refreshValidUntil(pushed, target, now, horizon);
        if (next !== undefined) {
          expect(next).toBeGreaterThan(pushed);
          expect(next).toBeLessThanOrEqual(target);
          pushed = next;
        }
        if (target - now <= horizon) expect(pushed).toBe(target);
        if (pushed === target) break;
      }
    }
  });
});
