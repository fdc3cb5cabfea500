import { DeliveredAttributes } from './delivered-attributes.js';

/**
 * Binary form of the delivered-attributes memory: 22 bytes an entry (16-byte uuid, 32-bit
 * timestamp, 16-bit day), so a million delivered attributes take 22 MB on disk instead of the
 * ~60 MB of JSON. Integrity against a write cut short is the state file's job (length + CRC).
 */
const MAGIC = Buffer.from('MISPDLV1', 'ascii');
const HEADER_BYTES = MAGIC.length + 4;
const ENTRY_BYTES = 22;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeDeliveredAttributes(store: DeliveredAttributes): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + store.size * ENTRY_BYTES);
  MAGIC.copy(buffer, 0);
  let offset = HEADER_BYTES;
  let count = 0;
  for (const [uuid, timestamp, day] of store) {
    // Keys are canonical uuids (see attribute-key.ts); anything else cannot be encoded and is skipped.
    if (!UUID_PATTERN.test(uuid)) continue;
    buffer.write(uuid.replaceAll('-', ''), offset, 16, 'hex');
    buffer.writeUInt32BE(timestamp >>> 0, offset + 16);
    buffer.writeUInt16BE(day, offset + 20);
    offset += ENTRY_BYTES;
    count++;
  }
  buffer.writeUInt32BE(count, MAGIC.length);
  return buffer.subarray(0, offset);
}

/** Throws a RangeError naming the problem when the bytes are not a delivered-attributes image. */
export function decodeDeliveredAttributes(buffer: Buffer, capacity: number): DeliveredAttributes {
  if (buffer.length < HEADER_BYTES || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new RangeError('not a delivered-attributes file (bad header)');
  }
  const count = buffer.readUInt32BE(MAGIC.length);
  if (buffer.length !== HEADER_BYTES + count * ENTRY_BYTES) {
    throw new RangeError(`delivered-attributes file holds ${buffer.length} bytes, expected ${HEADER_BYTES + count * ENTRY_BYTES} for ${count} entries`);
  }
  const store = new DeliveredAttributes(capacity);
  for (let offset = HEADER_BYTES; offset < buffer.length; offset += ENTRY_BYTES) {
    const hex = buffer.toString('hex', offset, offset + 16);
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    store.restore(uuid, buffer.readUInt32BE(offset + 16), buffer.readUInt16BE(offset + 20));
  }
  return store;
}
