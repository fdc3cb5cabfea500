import { formatUuid, hashUuid as hashOf, parseUuid, uuidWords as scratch } from './uuid-words.js';

/**
 * The attributes whose indicator was accepted by the IOC collection, keyed by attribute uuid with
 * the attribute timestamp, so that an edited attribute (MISP bumps its timestamp) goes out again.
 *
 * Bounded: at most `capacity` entries, the least recently delivered evicted first, and entries older
 * than the retention dropped, since MISP no longer returns them once they leave the look-back window.
 *
 * Held in typed arrays rather than a Map of strings: a uuid is kept as its 16 bytes, beside a 32-bit
 * timestamp and a 16-bit delivery day, in a log kept in delivery order, with an open-addressing
 * index over it. A million entries take about 31 MB outside the JavaScript heap instead of some
 * 100 MB of strings and map entries inside it, and saving them is a copy of arrays.
 */
export class DeliveredAttributes {
  /** The log, in delivery order: uuid as four 32-bit words, timestamp, delivery day, liveness. */
  private keys: Uint32Array;
  private timestamps: Uint32Array;
  private days: Uint16Array;
  private live: Uint8Array;
  /** Log positions in use: [head, tail); `head` is at or before the oldest live entry. */
  private head = 0;
  private tail = 0;
  private count = 0;
  private changes = 0;
  /** Changes when entries move in the log (compaction, growth). */
  private layout = 0;
  /** Open addressing, linear probing: log position + 1 of each live key, 0 for an empty slot. */
  private index: Int32Array;
  private mask: number;
  /** The log never needs to be longer than this: past it, a third or more of it is dead and compaction frees room. */
  private readonly maxLog: number;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.maxLog = Math.ceil(capacity * 1.5) + 1;
    const initial = Math.min(this.maxLog, 1024);
    this.keys = new Uint32Array(initial * 4);
    this.timestamps = new Uint32Array(initial);
    this.days = new Uint16Array(initial);
    this.live = new Uint8Array(initial);
    this.index = new Int32Array(2048);
    this.mask = this.index.length - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes the memory holds (its arrays, allocated as it grows). */
  get footprintBytes(): number {
    return this.keys.byteLength + this.timestamps.byteLength + this.days.byteLength + this.live.byteLength + this.index.byteLength;
  }

  /** Changes with every change of the entries: tells a saver whether there is anything new to write. */
  get version(): number {
    return this.changes;
  }

  /** True when this very version of the attribute (uuid and timestamp) was delivered. */
  has(uuid: string, timestamp: number): boolean {
    if (!parseUuid(uuid)) return false;
    const slot = this.find();
    if (slot < 0) return false;
    return this.timestamps[(this.index[slot] as number) - 1] === timestamp >>> 0;
  }

  add(uuid: string, timestamp: number, deliveredAtMs: number): void {
    this.put(uuid, timestamp, dayOf(deliveredAtMs));
  }

  /** Forgets the attribute, whichever version of it was delivered, so that it is pushed again when met; returns whether it was remembered. */
  forget(uuid: string): boolean {
    if (!parseUuid(uuid)) return false;
    const slot = this.find();
    if (slot < 0) return false;
    this.remove((this.index[slot] as number) - 1);
    this.advanceHead();
    return true;
  }

  /**
   * Forgets every entry that `keep` turns down, `keep` finding the entry's uuid in `uuidWords`
   * (no string is made); returns how many were forgotten.
   */
  forgetUnless(keep: () => boolean): number {
    let forgotten = 0;
    for (let position = this.head; position < this.tail; position++) {
      if (this.live[position] === 0) continue;
      const key = position * 4;
      scratch[0] = this.keys[key] as number;
      scratch[1] = this.keys[key + 1] as number;
      scratch[2] = this.keys[key + 2] as number;
      scratch[3] = this.keys[key + 3] as number;
      if (keep()) continue;
      this.remove(position);
      forgotten++;
    }
    this.advanceHead();
    return forgotten;
  }

  /** Drops the entries delivered before `cutoffMs`; returns how many were dropped. */
  expire(cutoffMs: number): number {
    const cutoffDay = dayOf(cutoffMs);
    let dropped = 0;
    for (let position = this.head; position < this.tail; position++) {
      if (this.live[position] === 0 || (this.days[position] as number) >= cutoffDay) continue;
      this.remove(position);
      dropped++;
    }
    this.advanceHead();
    return dropped;
  }

  /** Entries in delivery order, oldest first. */
  *[Symbol.iterator](): IterableIterator<[uuid: string, timestamp: number, deliveredDay: number]> {
    for (let position = this.head; position < this.tail; position++) {
      if (this.live[position] === 0) continue;
      yield [formatUuid(this.keys, position * 4), this.timestamps[position] as number, this.days[position] as number];
    }
  }

  /** Restores an entry as it was saved, keeping its delivery day. */
  restore(uuid: string, timestamp: number, deliveredDay: number): void {
    this.put(uuid, timestamp, deliveredDay);
  }

  /**
   * Writes the live entries, oldest first, as 22-byte records (16-byte uuid, big-endian 32-bit
   * timestamp, big-endian 16-bit day) from `offset`; returns how many were written.
   */
  writeRecords(target: Buffer, offset: number): number {
    const snapshot = this.snapshot();
    return this.writeRecordsFrom(snapshot, snapshot.head, target, offset, Number.MAX_SAFE_INTEGER)?.written ?? 0;
  }

  /**
   * What a save needs to write the entries as they are now while the cycle goes on: the liveness
   * of each log position (1 byte an entry) and the log's bounds. Entries added later lie beyond
   * `tail`, and an entry delivered again or dropped keeps its bytes where they were, so the
   * snapshot stays exact until the log is compacted or grown (see `writeRecordsFrom`).
   */
  snapshot(): DeliveredSnapshot {
    return { live: this.live.slice(this.head, this.tail), head: this.head, tail: this.tail, count: this.count, layout: this.layout };
  }

  /**
   * Writes at most `maxRecords` entries of the snapshot from log position `position` (start with
   * the snapshot's `head`), oldest first; returns how many were written and where to go on from,
   * or undefined when the log was compacted or grown since the snapshot (it no longer applies).
   */
  writeRecordsFrom(snapshot: DeliveredSnapshot, position: number, target: Buffer, offset: number, maxRecords: number): { written: number; next: number } | undefined {
    if (snapshot.layout !== this.layout) return undefined;
    const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    let at = offset;
    let written = 0;
    let from = position;
    for (; from < snapshot.tail && written < maxRecords; from++) {
      if (snapshot.live[from - snapshot.head] === 0) continue;
      const key = from * 4;
      view.setUint32(at, this.keys[key] as number);
      view.setUint32(at + 4, this.keys[key + 1] as number);
      view.setUint32(at + 8, this.keys[key + 2] as number);
      view.setUint32(at + 12, this.keys[key + 3] as number);
      view.setUint32(at + 16, this.timestamps[from] as number);
      view.setUint16(at + 20, this.days[from] as number);
      at += RECORD_BYTES;
      written++;
    }
    return { written, next: from };
  }

  /** Restores records written by {@link writeRecords}, in their order. */
  restoreRecords(source: Buffer, offset: number, records: number): void {
    const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
    for (let record = 0, at = offset; record < records; record++, at += RECORD_BYTES) {
      scratch[0] = view.getUint32(at);
      scratch[1] = view.getUint32(at + 4);
      scratch[2] = view.getUint32(at + 8);
      scratch[3] = view.getUint32(at + 12);
      this.putParsed(view.getUint32(at + 16), view.getUint16(at + 20));
    }
  }

  private put(uuid: string, timestamp: number, day: number): void {
    if (!parseUuid(uuid)) throw new RangeError(`A delivered attribute is remembered by its uuid; "${uuid.slice(0, 40)}" is not one.`);
    this.putParsed(timestamp >>> 0, day);
  }

  /** Adds or moves to the end the key in `scratch`. */
  private putParsed(timestamp: number, day: number): void {
    this.changes++;
    if (this.tail === this.timestamps.length) this.makeRoom();
    const slot = this.find();
    const position = this.tail++;
    const key = position * 4;
    this.keys[key] = scratch[0] as number;
    this.keys[key + 1] = scratch[1] as number;
    this.keys[key + 2] = scratch[2] as number;
    this.keys[key + 3] = scratch[3] as number;
    this.timestamps[position] = timestamp;
    this.days[position] = day;
    this.live[position] = 1;
    if (slot >= 0) {
      // Delivered again: the entry moves to the end, so that eviction follows the delivery order.
      this.live[(this.index[slot] as number) - 1] = 0;
      this.index[slot] = position + 1;
      this.advanceHead();
      return;
    }
    this.count++;
    if (this.count * 2 > this.index.length) this.rebuildIndex(this.index.length * 2);
    else this.insert(position);
    if (this.count > this.capacity) {
      this.advanceHead();
      this.remove(this.head);
      this.advanceHead();
    }
  }

  /** The index slot holding the key in `scratch`, or -1. */
  private find(): number {
    const index = this.index;
    const keys = this.keys;
    const k0 = scratch[0] as number;
    const k1 = scratch[1] as number;
    const k2 = scratch[2] as number;
    const k3 = scratch[3] as number;
    for (let slot = hashOf(k0, k1, k2, k3) & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = index[slot] as number;
      if (entry === 0) return -1;
      const key = (entry - 1) * 4;
      if (keys[key] === k0 && keys[key + 1] === k1 && keys[key + 2] === k2 && keys[key + 3] === k3) return slot;
    }
  }

  private insert(position: number): void {
    const key = position * 4;
    let slot = hashOf(this.keys[key] as number, this.keys[key + 1] as number, this.keys[key + 2] as number, this.keys[key + 3] as number) & this.mask;
    while (this.index[slot] !== 0) slot = (slot + 1) & this.mask;
    this.index[slot] = position + 1;
  }

  /** Forgets the live entry at `position`: its index slot is emptied by backward shifting, which keeps probes short without tombstones. */
  private remove(position: number): void {
    const key = position * 4;
    scratch[0] = this.keys[key] as number;
    scratch[1] = this.keys[key + 1] as number;
    scratch[2] = this.keys[key + 2] as number;
    scratch[3] = this.keys[key + 3] as number;
    let hole = this.find();
    this.changes++;
    this.live[position] = 0;
    this.count--;
    if (hole < 0) return;
    const index = this.index;
    const mask = this.mask;
    index[hole] = 0;
    for (let slot = (hole + 1) & mask; index[slot] !== 0; slot = (slot + 1) & mask) {
      const entry = index[slot] as number;
      const at = (entry - 1) * 4;
      const home = hashOf(this.keys[at] as number, this.keys[at + 1] as number, this.keys[at + 2] as number, this.keys[at + 3] as number) & mask;
      // The entry may fill the hole only if its home is not in the cyclic range (hole, slot].
      const distanceToHome = (slot - home) & mask;
      const distanceToHole = (slot - hole) & mask;
      if (distanceToHome >= distanceToHole) {
        index[hole] = entry;
        index[slot] = 0;
        hole = slot;
      }
    }
  }

  private advanceHead(): void {
    while (this.head < this.tail && this.live[this.head] === 0) this.head++;
  }

  /** The log is full: compacts it when enough of it is dead, grows it otherwise. */
  private makeRoom(): void {
    const length = this.timestamps.length;
    if ((length - this.count) * 3 >= length || length >= this.maxLog) {
      this.compact();
      if (this.tail < this.timestamps.length) return;
    }
    this.resize(Math.min(this.maxLog, Math.max(length * 2, this.count + 1)));
  }

  /** Moves the live entries to the front, in order, and reindexes them. */
  private compact(): void {
    this.layout++;
    let to = 0;
    for (let from = this.head; from < this.tail; from++) {
      if (this.live[from] === 0) continue;
      if (from !== to) {
        this.keys.copyWithin(to * 4, from * 4, from * 4 + 4);
        this.timestamps[to] = this.timestamps[from] as number;
        this.days[to] = this.days[from] as number;
        this.live[to] = 1;
      }
      to++;
    }
    this.live.fill(0, to, this.tail);
    this.head = 0;
    this.tail = to;
    this.rebuildIndex(this.index.length);
  }

  private resize(length: number): void {
    this.layout++;
    const keys = new Uint32Array(length * 4);
    keys.set(this.keys.subarray(0, this.tail * 4));
    const timestamps = new Uint32Array(length);
    timestamps.set(this.timestamps.subarray(0, this.tail));
    const days = new Uint16Array(length);
    days.set(this.days.subarray(0, this.tail));
    const live = new Uint8Array(length);
    live.set(this.live.subarray(0, this.tail));
    this.keys = keys;
    this.timestamps = timestamps;
    this.days = days;
    this.live = live;
  }

  private rebuildIndex(slots: number): void {
    let size = slots;
    while (this.count * 2 > size) size *= 2;
    if (size !== this.index.length) {
      this.index = new Int32Array(size);
      this.mask = size - 1;
    } else {
      this.index.fill(0);
    }
    for (let position = this.head; position < this.tail; position++) if (this.live[position] === 1) this.insert(position);
  }
}

/** The entries of a moment, for a save that runs while the cycle goes on. */
export interface DeliveredSnapshot {
  /** Liveness of log positions [head, tail). */
  readonly live: Uint8Array;
  readonly head: number;
  readonly tail: number;
  readonly count: number;
  readonly layout: number;
}

/** Bytes of one record of {@link DeliveredAttributes.writeRecords}. */
export const RECORD_BYTES = 22;

// Days since 1970 in 16 bits: enough until the year 2149.
const MAX_DAY = 65_535;
const MS_PER_DAY = 86_400_000;

function dayOf(ms: number): number {
  return Math.min(MAX_DAY, Math.max(0, Math.floor(ms / MS_PER_DAY)));
}
