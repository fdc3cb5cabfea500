/**
 * The attributes whose indicator was accepted by the IOC collection, keyed by attribute uuid with
 * the attribute timestamp, so that an edited attribute (MISP bumps its timestamp) goes out again.
 *
 * Bounded: at most `capacity` entries, the least recently delivered evicted first, and entries older
 * than the retention dropped, since MISP no longer returns them once they leave the look-back window.
 * Each entry is one number packing (timestamp, delivery day), which keeps the map small at the
 * 500,000-indicator scale of an IOC collection.
 */
export class DeliveredAttributes {
  private readonly entries = new Map<string, number>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** True when this very version of the attribute (uuid and timestamp) was delivered. */
  has(uuid: string, timestamp: number): boolean {
    const packed = this.entries.get(uuid);
    return packed !== undefined && unpackTimestamp(packed) === timestamp;
  }

  add(uuid: string, timestamp: number, deliveredAtMs: number): void {
    // Delete first so that the entry moves to the end: eviction follows the delivery order.
    this.entries.delete(uuid);
    this.entries.set(uuid, pack(timestamp, deliveredAtMs));
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Drops the entries delivered before `cutoffMs`; returns how many were dropped. */
  expire(cutoffMs: number): number {
    const cutoffDay = dayOf(cutoffMs);
    let dropped = 0;
    for (const [uuid, packed] of this.entries) {
      if (unpackDay(packed) >= cutoffDay) continue;
      this.entries.delete(uuid);
      dropped++;
    }
    return dropped;
  }

  /** Entries in delivery order, oldest first. */
  *[Symbol.iterator](): IterableIterator<[uuid: string, timestamp: number, deliveredDay: number]> {
    for (const [uuid, packed] of this.entries) yield [uuid, unpackTimestamp(packed), unpackDay(packed)];
  }

  /** Restores an entry as it was saved, keeping its delivery day. */
  restore(uuid: string, timestamp: number, deliveredDay: number): void {
    this.entries.delete(uuid);
    this.entries.set(uuid, timestamp * DAY_SLOTS + deliveredDay);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

// 16 bits of day number (days since 1970: enough until the year 2149) under a 32-bit timestamp:
// 48 bits, exact in a double.
const DAY_SLOTS = 65_536;
const MS_PER_DAY = 86_400_000;

function dayOf(ms: number): number {
  return Math.min(DAY_SLOTS - 1, Math.max(0, Math.floor(ms / MS_PER_DAY)));
}
function pack(timestamp: number, deliveredAtMs: number): number {
  return timestamp * DAY_SLOTS + dayOf(deliveredAtMs);
}
function unpackTimestamp(packed: number): number {
  return Math.floor(packed / DAY_SLOTS);
}
function unpackDay(packed: number): number {
  return packed % DAY_SLOTS;
}
