import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValueStates } from '../../misp_modules/pipeline/value-states.js';
import { decodeDeliveredAttributes, encodeDeliveredAttributes } from '../../misp_modules/state/delivered-attributes-codec.js';
import { DeliveredAttributes } from '../../misp_modules/state/delivered-attributes.js';
import { SyncState } from '../../misp_modules/state/sync-state.js';

/** A small deterministic generator, so that a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

const DAY = 86_400_000;
const uuid = (n: number): string => {
  const head = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  return `${head}-${(n & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${n.toString(16).padStart(12, '0')}`;
};

/** The former Map-based memory, as the reference the compact one must match. */
class MapModel {
  readonly entries = new Map<string, [number, number]>();
  constructor(private readonly capacity: number) {}
  add(key: string, timestamp: number, day: number): void {
    this.entries.delete(key);
    this.entries.set(key, [timestamp, day]);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
  has(key: string, timestamp: number): boolean {
    return this.entries.get(key)?.[0] === timestamp;
  }
  expire(cutoffDay: number): number {
    let dropped = 0;
    for (const [key, [, day]] of this.entries) {
      if (day >= cutoffDay) continue;
      this.entries.delete(key);
      dropped++;
    }
    return dropped;
  }
  list(): Array<[string, number, number]> {
    return [...this.entries].map(([key, [timestamp, day]]) => [key, timestamp, day]);
  }
}

describe('DeliveredAttributes in typed arrays', () => {
  it.each([1, 3, 17, 1_000, 5_000])('behaves as the Map it replaces under random adds, re-adds, lookups and expiries (capacity %i)', (capacity) => {
    const next = random(capacity);
    const store = new DeliveredAttributes(capacity);
    const model = new MapModel(capacity);
    for (let step = 0; step < 20_000; step++) {
      const roll = next();
      const key = uuid(Math.floor(next() * capacity * 2));
      const timestamp = Math.floor(next() * 3);
      const day = Math.floor(next() * 50);
      if (roll < 0.6) {
        store.add(key, timestamp, day * DAY);
        model.add(key, timestamp, day);
      } else if (roll < 0.995) {
        expect(store.has(key, timestamp)).toBe(model.has(key, timestamp));
      } else {
        const cutoff = Math.floor(next() * 20);
        expect(store.expire(cutoff * DAY)).toBe(model.expire(cutoff));
      }
      expect(store.size).toBe(model.entries.size);
    }
    expect([...store]).toEqual(model.list());
    expect([...decodeDeliveredAttributes(encodeDeliveredAttributes(store), capacity)]).toEqual(model.list());
  });

  it('reads uuids in either case as the same attribute and refuses a key that is not a uuid', () => {
    const store = new DeliveredAttributes(10);
    store.add('5A0F1C2E-1111-4222-8333-444455556666', 5, 0);
    expect(store.has('5a0f1c2e-1111-4222-8333-444455556666', 5)).toBe(true);
    expect(store.has('not-a-uuid', 5)).toBe(false);
    expect(() => store.add('not-a-uuid', 5, 0)).toThrow(/not one/);
    expect(store.size).toBe(1);
  });
});

describe('ValueStates', () => {
  it('keeps exactly the states a Map would, for ASCII and other values of every length', () => {
    const next = random(42);
    const states = new ValueStates();
    const model = new Map<string, number>();
    // Hex digests (packed), the same in upper case or of odd length (not packed), non-ASCII and very long values (kept aside).
    const hexOf = (n: number, digits: number): string => (n.toString(16).padStart(8, '0').repeat(digits / 8 + 1)).slice(0, digits);
    const valueOf = (n: number): string =>
      n % 97 === 0
        ? `bücher-${n}.example`
        : n % 89 === 0
          ? `${'x'.repeat(40_000)}${n}`
          : n % 5 === 0
            ? hexOf(n, [32, 40, 64][n % 3] as number)
            : n % 7 === 0
              ? hexOf(n, 64).toUpperCase()
              : n % 11 === 0
                ? hexOf(n, 33)
                : `value-${n}-${'a'.repeat(n % 300)}`;
    for (let step = 0; step < 40_000; step++) {
      const value = valueOf(Math.floor(next() * 8_000));
      if (next() < 0.5) {
        const state = Math.floor(next() * 3);
        states.set(value, state);
        model.set(value, state);
      } else {
        expect(states.get(value)).toBe(model.get(value));
      }
    }
    expect(states.size).toBe(model.size);
    for (const [value, state] of model) expect(states.get(value)).toBe(state);
    // Values of one length that differ in a byte, or only in case, stay apart.
    const digest = hexOf(0xabc, 64);
    states.set(digest, 2);
    expect(states.get(digest)).toBe(2);
    expect(states.get(digest.toUpperCase())).toBeUndefined();
    expect(states.get(`${digest.slice(0, 63)}g`)).toBeUndefined();
    expect(states.get('value-1-b')).toBeUndefined();
  });
});

describe('SyncState saving the delivered memory in slices', () => {
  const quietLogger = { log: (): void => undefined };

  it('writes a file that loads back entry for entry, and skips a save when nothing changed', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'delivered-slices-'));
    const state = await SyncState.load(dataPath, 300_000, quietLogger);
    for (let n = 0; n < 100_000; n++) state.delivered.add(uuid(n), 1_700_000_000 + (n % 1_000), (20_000 + (n % 3)) * DAY);
    await state.save();
    const file = path.join(dataPath, 'misp-ids-delivered.bin');
    const written = statSync(file).mtimeMs;
    const reloaded = await SyncState.load(dataPath, 300_000, quietLogger);
    expect(reloaded.delivered.size).toBe(100_000);
    expect([...reloaded.delivered]).toEqual([...state.delivered]);
    await reloaded.save();
    expect(statSync(file).mtimeMs).toBe(written);
  });

  it('writes the memory as it was when the save began while attributes keep being delivered, and the rest at the next save', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'delivered-slices-'));
    const state = await SyncState.load(dataPath, 300_000, quietLogger);
    for (let n = 0; n < 150_000; n++) state.delivered.add(uuid(n), 1, 20_000 * DAY);
    const before = [...state.delivered];
    const saving = state.save();
    // Answers to batches keep arriving once the save has begun writing: one attribute delivered again, ten new ones.
    await new Promise((resolve) => setImmediate(resolve));
    state.delivered.add(uuid(0), 2, 20_000 * DAY);
    for (let n = 150_000; n < 150_010; n++) state.delivered.add(uuid(n), 1, 20_000 * DAY);
    await saving;
    expect([...(await SyncState.load(dataPath, 300_000, quietLogger)).delivered]).toEqual(before);
    await state.save();
    const reloaded = await SyncState.load(dataPath, 300_000, quietLogger);
    expect(reloaded.delivered.size).toBe(150_010);
    expect([...reloaded.delivered]).toEqual([...state.delivered]);
  });
});
