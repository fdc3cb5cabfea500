import { LiveIndicators, type LiveIndicatorsSnapshot } from './live-indicators.js';
import { uuidWords } from './uuid-words.js';

/**
 * Binary form of the expiry schedule, big-endian, written in slices of 256 kB so that a save
 * never holds the event loop for long (500,000 values take some 25 MB instead of 50 MB of JSON):
 *
 *   "MISPSCH3", then five u32 counts: formats, events, values, uuid carriers, other carriers
 *   formats:        u32 byte length, UTF-8 text
 *   events:         u32 byte length, UTF-8 text (an event uuid)
 *   values:         u16 format index, f64 expiry (epoch seconds), f64 target moment (epoch
 *                   seconds: the decaying model's, later than the expiry when pushed early),
 *                   u32 byte length, UTF-8 text
 *   uuid carriers:  16-byte attribute uuid, u32 value index, i32 event index (-1: none known)
 *   other carriers: u32 byte length, UTF-8 key, u32 value index, i32 event index
 *
 * Indexes count from 0 in the order of their section. Integrity against a write cut short is the
 * state file's job (length + CRC). "MISPSCH2", written before decaying models, is the same without
 * the target moment: it is read with each target equal to its expiry.
 */
const MAGIC = Buffer.from('MISPSCH3', 'ascii');
const MAGIC_WITHOUT_TARGETS = Buffer.from('MISPSCH2', 'ascii');
const HEADER_BYTES = MAGIC.length + 5 * 4;
const SLICE_BYTES = 256 * 1024;

/** A slice being filled; `take` hands it over and starts the next, with room for at least `bytes`. */
class Slice {
  buffer = Buffer.allocUnsafe(SLICE_BYTES);
  at = 0;

  fits(bytes: number): boolean {
    return this.at + bytes <= this.buffer.length;
  }

  take(bytes: number): Buffer {
    const full = this.buffer.subarray(0, this.at);
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes);
    this.at = 0;
    return full;
  }

  text(value: string, bytes: number): void {
    this.at = this.buffer.writeUInt32BE(bytes, this.at);
    this.at += this.buffer.write(value, this.at, 'utf8');
  }
}

/** The payload of a schedule's state file, slice by slice. */
export function* encodeLiveIndicators(snapshot: LiveIndicatorsSnapshot): Generator<Uint8Array, boolean> {
  const out = new Slice();
  const eventIndex = new Int32Array(snapshot.events.length);
  const events: string[] = [];
  snapshot.events.forEach((event, id) => {
    eventIndex[id] = event === undefined ? -1 : events.push(event) - 1;
  });
  const indexOfEvent = (id: number): number => (id < 0 ? -1 : (eventIndex[id] as number));
  MAGIC.copy(out.buffer, 0);
  out.at = MAGIC.length;
  for (const count of [snapshot.formats.length, events.length, snapshot.valueCount, snapshot.uuidCarriers, snapshot.otherCarriers.length]) {
    out.at = out.buffer.writeUInt32BE(count, out.at);
  }
  for (const text of [...snapshot.formats, ...events]) {
    const bytes = Buffer.byteLength(text);
    if (!out.fits(4 + bytes)) yield out.take(4 + bytes);
    out.text(text, bytes);
  }
  const valueIndex = new Int32Array(snapshot.texts.length).fill(-1);
  let values = 0;
  for (let id = 0; id < snapshot.texts.length; id++) {
    const text = snapshot.texts[id];
    if (text === undefined) continue;
    valueIndex[id] = values++;
    const bytes = Buffer.byteLength(text);
    if (!out.fits(22 + bytes)) yield out.take(22 + bytes);
    out.at = out.buffer.writeUInt16BE(snapshot.valueFormats[id] as number, out.at);
    out.at = out.buffer.writeDoubleBE(snapshot.expiries[id] as number, out.at);
    out.at = out.buffer.writeDoubleBE(snapshot.targets[id] as number, out.at);
    out.text(text, bytes);
  }
  for (let slot = 0; slot < snapshot.slotValues.length; slot++) {
    const id = snapshot.slotValues[slot] as number;
    if (id < 0) continue;
    if (!out.fits(24)) yield out.take(24);
    for (let word = 0; word < 4; word++) out.at = out.buffer.writeUInt32BE(snapshot.slotKeys[slot * 4 + word] as number, out.at);
    out.at = out.buffer.writeUInt32BE(valueIndex[id] as number, out.at);
    out.at = out.buffer.writeInt32BE(indexOfEvent(snapshot.slotEvents[slot] as number), out.at);
  }
  for (const [key, id, event] of snapshot.otherCarriers) {
    const bytes = Buffer.byteLength(key);
    if (!out.fits(12 + bytes)) yield out.take(12 + bytes);
    out.text(key, bytes);
    out.at = out.buffer.writeUInt32BE(valueIndex[id] as number, out.at);
    out.at = out.buffer.writeInt32BE(indexOfEvent(event), out.at);
  }
  yield out.take(0);
  return values === snapshot.valueCount;
}

/** Reads the payload, each read checked against its end. */
class Reader {
  at = 0;

  constructor(private readonly bytes: Buffer) {}

  need(count: number): number {
    const at = this.at;
    if (at + count > this.bytes.length) throw new RangeError(`the expiry schedule file ends at byte ${this.bytes.length}, inside a record at byte ${at}`);
    this.at += count;
    return at;
  }

  u32(): number {
    return this.bytes.readUInt32BE(this.need(4));
  }

  text(): string {
    const length = this.u32();
    const at = this.need(length);
    return this.bytes.toString('utf8', at, at + length);
  }

  index(count: number, what: string, allowNone: boolean): number {
    const index = this.bytes.readInt32BE(this.need(4));
    if (index >= count || index < (allowNone ? -1 : 0)) throw new RangeError(`a carrier of the expiry schedule refers to ${what} ${index}, of ${count}`);
    return index;
  }
}

/** Throws a RangeError naming the problem when the bytes are not a schedule written by {@link encodeLiveIndicators}. */
export function decodeLiveIndicators(bytes: Buffer): LiveIndicators {
  const header = bytes.subarray(0, MAGIC.length);
  const withTargets = header.equals(MAGIC);
  if (bytes.length < HEADER_BYTES || !(withTargets || header.equals(MAGIC_WITHOUT_TARGETS))) throw new RangeError('not an expiry schedule file (bad header)');
  const valueBytes = withTargets ? 22 : 14;
  const reader = new Reader(bytes);
  reader.need(MAGIC.length);
  const [formatCount, eventCount, valueCount, uuidCarriers, otherCarriers] = [reader.u32(), reader.u32(), reader.u32(), reader.u32(), reader.u32()] as const;
  const formats = Array.from({ length: formatCount }, () => reader.text());
  const events = Array.from({ length: eventCount }, () => reader.text());
  if (valueCount * valueBytes + uuidCarriers * 24 > bytes.length) throw new RangeError(`the expiry schedule file counts ${valueCount} values and ${uuidCarriers} carriers, more than its ${bytes.length} bytes can hold`);
  const live = new LiveIndicators();
  live.reserve(valueCount, uuidCarriers);
  const ids = new Int32Array(valueCount);
  for (let index = 0; index < valueCount; index++) {
    const format = formats[bytes.readUInt16BE(reader.need(2))];
    if (format === undefined) throw new RangeError(`value ${index} of the expiry schedule has no known format`);
    const expiresAt = bytes.readDoubleBE(reader.need(8));
    const target = withTargets ? bytes.readDoubleBE(reader.need(8)) : expiresAt;
    ids[index] = live.restoreValue(format, reader.text(), expiresAt, target);
  }
  for (let carrier = 0; carrier < uuidCarriers; carrier++) {
    const at = reader.need(16);
    for (let word = 0; word < 4; word++) uuidWords[word] = bytes.readUInt32BE(at + word * 4);
    const value = ids[reader.index(valueCount, 'value', false)] as number;
    const event = reader.index(eventCount, 'event', true);
    live.restoreCarrier(undefined, value, events[event]);
  }
  for (let carrier = 0; carrier < otherCarriers; carrier++) {
    const key = reader.text();
    const value = ids[reader.index(valueCount, 'value', false)] as number;
    const event = reader.index(eventCount, 'event', true);
    live.restoreCarrier(key, value, events[event]);
  }
  if (reader.at !== bytes.length) throw new RangeError(`the expiry schedule file holds ${bytes.length - reader.at} bytes past its last record`);
  return live;
}
