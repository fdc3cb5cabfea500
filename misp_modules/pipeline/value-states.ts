/**
 * A map from indicator value to a small state (0 to 255), for the million distinct values a large
 * cycle meets. ASCII values (every normalised indicator is printable ASCII) are kept as bytes in
 * 1 MB slabs, lower-case hex digests packed two digits a byte, with an open-addressing table in
 * typed arrays: about 40 bytes a value outside the JavaScript heap, where a Map of strings costs
 * some 100 bytes inside it and makes the collector walk them all. Lookups are exact: a hash match
 * is confirmed byte for byte. A value with other characters, or longer than 32 kB, goes to a Map.
 */
export class ValueStates {
  private readonly slabs: Buffer[] = [];
  /** Free bytes start here in the last slab. */
  private slabUsed = SLAB_BYTES;
  /** Per slot: byte position + 1 (0: empty slot), stored length (bit 15: packed hex), state. */
  private positions = new Uint32Array(INITIAL_SLOTS);
  private lengths = new Uint16Array(INITIAL_SLOTS);
  private states = new Uint8Array(INITIAL_SLOTS);
  private entries = 0;
  private readonly others = new Map<string, number>();
  /** The value being looked up, in its stored form. */
  private scratch = Buffer.allocUnsafe(MAX_STORED);

  get size(): number {
    return this.entries + this.others.size;
  }

  get(value: string): number | undefined {
    const meta = this.encode(value);
    if (meta < 0) return this.others.get(value);
    const slot = this.find(meta);
    return this.positions[slot] === 0 ? undefined : (this.states[slot] as number);
  }

  set(value: string, state: number): void {
    const meta = this.encode(value);
    if (meta < 0) {
      this.others.set(value, state);
      return;
    }
    const slot = this.find(meta);
    if (this.positions[slot] !== 0) this.states[slot] = state;
    else this.insert(slot, meta, state);
  }

  /**
   * The state of `value` when it is known (and then `value` is left as it was); otherwise adds it
   * with `state` and returns undefined. One hash and one probe for both.
   */
  getOrAdd(value: string, state: number): number | undefined {
    const meta = this.encode(value);
    if (meta < 0) {
      const known = this.others.get(value);
      if (known === undefined) this.others.set(value, state);
      return known;
    }
    const slot = this.find(meta);
    if (this.positions[slot] !== 0) return this.states[slot] as number;
    this.insert(slot, meta, state);
    return undefined;
  }

  /** Writes `value` in its stored form into `scratch`; returns its meta (length, packed flag), or -1 when it is kept in the Map. */
  private encode(value: string): number {
    const length = value.length;
    if (length > MAX_STORED) return -1;
    const scratch = this.scratch;
    let hex = length >= 32 && length % 2 === 0;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) return -1;
      if (hex && HEX_DIGIT[code] === -1) hex = false;
      scratch[i] = code;
    }
    if (!hex) return length;
    for (let i = 0, o = 0; i < length; i += 2, o++) scratch[o] = ((HEX_DIGIT[scratch[i] as number] as number) << 4) | (HEX_DIGIT[scratch[i + 1] as number] as number);
    return PACKED | (length >> 1);
  }

  /** The slot holding the value in `scratch` (of this meta), or the empty slot where it would go. */
  private find(meta: number): number {
    const bytes = meta & LENGTH_MASK;
    const mask = this.positions.length - 1;
    for (let slot = hashOf(this.scratch, 0, bytes) & mask; ; slot = (slot + 1) & mask) {
      const stored = this.positions[slot] as number;
      if (stored === 0) return slot;
      if (this.lengths[slot] !== meta) continue;
      const position = stored - 1;
      const offset = position % SLAB_BYTES;
      const slab = this.slabs[(position - offset) / SLAB_BYTES] as Buffer;
      if (slab.compare(this.scratch, 0, bytes, offset, offset + bytes) === 0) return slot;
    }
  }

  private insert(slot: number, meta: number, state: number): void {
    const bytes = meta & LENGTH_MASK;
    if (this.slabUsed + bytes > SLAB_BYTES) {
      this.slabs.push(Buffer.allocUnsafe(SLAB_BYTES));
      this.slabUsed = 0;
    }
    this.scratch.copy(this.slabs[this.slabs.length - 1] as Buffer, this.slabUsed, 0, bytes);
    this.positions[slot] = (this.slabs.length - 1) * SLAB_BYTES + this.slabUsed + 1;
    this.lengths[slot] = meta;
    this.states[slot] = state;
    this.slabUsed += bytes;
    this.entries++;
    if (this.entries * 4 > this.positions.length * 3) this.grow();
  }

  /** Doubles the table, rehashing from the stored bytes. */
  private grow(): void {
    const positions = new Uint32Array(this.positions.length * 2);
    const lengths = new Uint16Array(positions.length);
    const states = new Uint8Array(positions.length);
    const mask = positions.length - 1;
    for (let old = 0; old < this.positions.length; old++) {
      const stored = this.positions[old] as number;
      if (stored === 0) continue;
      const position = stored - 1;
      const offset = position % SLAB_BYTES;
      const slab = this.slabs[(position - offset) / SLAB_BYTES] as Buffer;
      let slot = hashOf(slab, offset, (this.lengths[old] as number) & LENGTH_MASK) & mask;
      while (positions[slot] !== 0) slot = (slot + 1) & mask;
      positions[slot] = stored;
      lengths[slot] = this.lengths[old] as number;
      states[slot] = this.states[old] as number;
    }
    this.positions = positions;
    this.lengths = lengths;
    this.states = states;
  }
}

const SLAB_BYTES = 1 << 20;
const INITIAL_SLOTS = 1024;
const PACKED = 0x8000;
const LENGTH_MASK = 0x7fff;
/** Longest value stored as bytes; a longer one (no real indicator) goes to the Map. */
const MAX_STORED = LENGTH_MASK;

/** Value of each lower-case hex digit, -1 for any other code. */
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) HEX_DIGIT[digit.toString(16).charCodeAt(0)] = digit;

/** FNV-1a over the stored bytes, then a final mix. */
function hashOf(bytes: Buffer, offset: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = offset; i < offset + length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
