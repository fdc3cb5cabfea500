import { DeliveredAttributes, RECORD_BYTES } from './delivered-attributes.js';

/**
 * Binary form of the delivered-attributes memory: 22 bytes an entry (16-byte uuid, 32-bit
 * timestamp, 16-bit day), so a million delivered attributes take 22 MB on disk instead of the
 * ~60 MB of JSON. Integrity against a write cut short is the state file's job (length + CRC).
 */
const MAGIC = Buffer.from('MISPDLV1', 'ascii');
const HEADER_BYTES = MAGIC.length + 4;

/** Bytes of the image's own header, before the records. */
export const DELIVERED_IMAGE_HEADER_BYTES = HEADER_BYTES;

/** Writes the image's header (magic and record count) at the start of `target`. */
export function writeDeliveredImageHeader(target: Buffer, count: number): void {
  MAGIC.copy(target, 0);
  target.writeUInt32BE(count, MAGIC.length);
}

export function encodeDeliveredAttributes(store: DeliveredAttributes): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + store.size * RECORD_BYTES);
  MAGIC.copy(buffer, 0);
  const count = store.writeRecords(buffer, HEADER_BYTES);
  buffer.writeUInt32BE(count, MAGIC.length);
  return buffer.subarray(0, HEADER_BYTES + count * RECORD_BYTES);
}

/** Throws a RangeError naming the problem when the bytes are not a delivered-attributes image. */
export function decodeDeliveredAttributes(buffer: Buffer, capacity: number): DeliveredAttributes {
  if (buffer.length < HEADER_BYTES || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new RangeError('not a delivered-attributes file (bad header)');
  }
  const count = buffer.readUInt32BE(MAGIC.length);
  if (buffer.length !== HEADER_BYTES + count * RECORD_BYTES) {
    throw new RangeError(`delivered-attributes file holds ${buffer.length} bytes, expected ${HEADER_BYTES + count * RECORD_BYTES} for ${count} entries`);
  }
  const store = new DeliveredAttributes(capacity);
  store.restoreRecords(buffer, HEADER_BYTES, count);
  return store;
}
