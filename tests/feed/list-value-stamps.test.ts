import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeListValues, encodeListValues, LIST_VALUE_FILE, ListValueFile } from '../../misp_modules/feed/list-value-file.js';
import { ListKeyCollector, ListValueStamps } from '../../misp_modules/feed/list-value-stamps.js';
import { RecordingLogger, temporaryDirectory } from './support/kit.js';

const FEED = '0123456789abcdef0123456789abcdef';
const OTHER_FEED = 'fedcba9876543210fedcba9876543210';

/** `count` random 48-bit keys, as the reader takes them from value uuids. */
function randomKeys(count: number): number[] {
  const bytes = randomBytes(count * 6);
  return Array.from({ length: count }, (_, index) => bytes.readUIntBE(index * 6, 6));
}

function collect(keys: readonly number[]): Float64Array {
  const collector = new ListKeyCollector();
  for (const key of keys) collector.add(key);
  return collector.collected();
}

let directory: { path: string; remove: () => void } | undefined;
afterEach(() => directory?.remove());

describe('the memory of a list’s values', () => {
  it('keeps the timestamp of a value that stays, gives the fresh one to a new value, and drops one that left', () => {
    const [stays, leaves, joins] = randomKeys(3) as [number, number, number];
    const first = ListValueStamps.after(ListValueStamps.EMPTY, collect([stays, leaves, stays]), 1);
    expect(first.size).toBe(2);
    const second = ListValueStamps.after(first, collect([joins, stays]), 1_700_000_000);
    expect(second.get(stays)).toBe(1);
    expect(second.get(joins)).toBe(1_700_000_000);
    expect(second.get(leaves)).toBeUndefined();
    expect(second.size).toBe(2);
  });

  it('agrees with a Map on thousands of random values, through the file form', () => {
    const keys = randomKeys(5_000);
    const oracle = new Map<number, number>();
    keys.slice(0, 3_000).forEach((key, index) => oracle.set(key, 1_000 + index));
    const previous = ListValueStamps.fromSorted(
      Float64Array.from([...oracle.keys()].sort((a, b) => a - b)),
      Uint32Array.from([...oracle.keys()].sort((a, b) => a - b).map((key) => oracle.get(key) as number)),
    );
    const now = keys.slice(2_000);
    const next = ListValueStamps.after(previous, collect(now), 42);
    const decoded = decodeListValues(encodeListValues(FEED, next));
    expect(decoded.feedDigest).toBe(FEED);
    expect(decoded.stamps.size).toBe(3_000);
    for (const key of now) expect(decoded.stamps.get(key)).toBe(oracle.get(key) ?? 42);
    for (const key of keys.slice(0, 2_000)) expect(decoded.stamps.get(key)).toBeUndefined();
  });

  it('takes 10 bytes a value on disk: a list of a million values is a 10 MB file', () => {
    const stamps = ListValueStamps.after(ListValueStamps.EMPTY, collect(Array.from({ length: 1_000_000 }, (_, index) => index * 7_919 + 3)), 1);
    expect(encodeListValues(FEED, stamps).length).toBe(28 + 10_000_000);
  });

  it('refuses bytes that are not a list memory, naming the problem', () => {
    const good = encodeListValues(FEED, ListValueStamps.after(ListValueStamps.EMPTY, collect([5, 9]), 3));
    expect(() => decodeListValues(good.subarray(0, good.length - 1))).toThrow(/holds 47 bytes instead of 48 for 2 values/);
    const swapped = Buffer.concat([good.subarray(0, 28), good.subarray(38, 48), good.subarray(28, 38)]);
    expect(() => decodeListValues(swapped)).toThrow(/not in increasing order at entry 1/);
  });

  it('reads, in the data path, the memory of its own feed only', async () => {
    directory = temporaryDirectory('list-values-');
    const logger = new RecordingLogger();
    const file = path.join(directory.path, LIST_VALUE_FILE);
    await new ListValueFile(file, FEED, logger).save(ListValueStamps.after(ListValueStamps.EMPTY, collect([11]), 7));
    expect((await new ListValueFile(file, FEED, logger).load())?.get(11)).toBe(7);
    expect(await new ListValueFile(file, OTHER_FEED, logger).load()).toBeUndefined();
    expect(logger.lines).toEqual([]);
  });
});
