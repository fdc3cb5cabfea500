import { describe, expect, it } from 'vitest';
import { decodeDeliveredAttributes, encodeDeliveredAttributes } from '../../misp_modules/state/delivered-attributes-codec.js';
import { DeliveredAttributes } from '../../misp_modules/state/delivered-attributes.js';

const DAY = 86_400_000;
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('DeliveredAttributes', () => {
  it('remembers an attribute by uuid and timestamp, so an edited attribute is new again', () => {
    const store = new DeliveredAttributes(10);
    store.add(uuid(1), 1_700_000_000, Date.UTC(2026, 10, 1));
    expect(store.has(uuid(1), 1_700_000_000)).toBe(true);
    expect(store.has(uuid(1), 1_700_000_001)).toBe(false);
    expect(store.has(uuid(2), 1_700_000_000)).toBe(false);
  });

  it('forgets one attribute whatever version was delivered, and keeps the others findable', () => {
    const store = new DeliveredAttributes(100);
    for (let n = 1; n <= 50; n++) store.add(uuid(n), 1_700_000_000 + n, Date.UTC(2026, 10, 1));
    expect(store.forget(uuid(7))).toBe(true);
    expect(store.forget(uuid(7))).toBe(false);
    expect(store.forget('not-a-uuid')).toBe(false);
    expect(store.size).toBe(49);
    expect(store.has(uuid(7), 1_700_000_007)).toBe(false);
    for (let n = 1; n <= 50; n++) if (n !== 7) expect(store.has(uuid(n), 1_700_000_000 + n), String(n)).toBe(true);
    expect([...decodeDeliveredAttributes(encodeDeliveredAttributes(store), 100)].map(([id]) => id)).not.toContain(uuid(7));
  });

  it('evicts the least recently delivered entry beyond its capacity', () => {
    const store = new DeliveredAttributes(3);
    for (let n = 1; n <= 3; n++) store.add(uuid(n), n, 0);
    store.add(uuid(1), 11, 0); // delivered again: now the most recent
    store.add(uuid(4), 4, 0);
    expect(store.size).toBe(3);
    expect(store.has(uuid(2), 2)).toBe(false);
    expect(store.has(uuid(1), 11)).toBe(true);
    expect(store.has(uuid(4), 4)).toBe(true);
  });

  it('expires entries delivered before the cutoff day', () => {
    const store = new DeliveredAttributes(10);
    store.add(uuid(1), 1, 10 * DAY);
    store.add(uuid(2), 2, 20 * DAY);
    expect(store.expire(15 * DAY)).toBe(1);
    expect(store.has(uuid(1), 1)).toBe(false);
    expect(store.has(uuid(2), 2)).toBe(true);
  });

  it('round-trips through its binary form in 22 bytes an entry', () => {
    const store = new DeliveredAttributes(1_000);
    for (let n = 0; n < 500; n++) store.add(uuid(n), 1_600_000_000 + n, (19_000 + (n % 7)) * DAY);
    const bytes = encodeDeliveredAttributes(store);
    expect(bytes.length).toBe(12 + 500 * 22);
    const restored = decodeDeliveredAttributes(bytes, 1_000);
    expect([...restored]).toEqual([...store]);
  });

  it('refuses bytes that are not its own format', () => {
    const store = new DeliveredAttributes(10);
    store.add(uuid(1), 1, 0);
    const bytes = encodeDeliveredAttributes(store);
    expect(() => decodeDeliveredAttributes(bytes.subarray(0, bytes.length - 1), 10)).toThrow(/expected/);
    expect(() => decodeDeliveredAttributes(Buffer.from('{"json": true}'), 10)).toThrow(/bad header/);
  });
});
