import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDirectory } from '@sekoia/automation-sdk-shim';
import { DELIVERED_IMAGE_HEADER_BYTES, writeDeliveredImageHeader } from './delivered-attributes-codec.js';
import { RECORD_BYTES, type DeliveredAttributes } from './delivered-attributes.js';

// The runtime's StateFile frame (magic, format version, payload length, CRC-32 of the payload), so
// that StateFile reads back what is written here.
const FRAME_MAGIC = Buffer.from('SKST', 'ascii');
const FRAME_VERSION = 1;
const FRAME_HEADER_BYTES = FRAME_MAGIC.length + 1 + 4 + 4;
/** Records per slice: about 1.4 MB, written while the event loop runs on. */
const RECORDS_PER_SLICE = 65_536;

/**
 * Writes the delivered memory to `path` slice by slice, crash-safe as StateFile does it (a
 * temporary file in the same directory, flushed, renamed over the old one, the directory flushed),
 * without ever holding the whole image: a million entries cost a 1.4 MB slice instead of two
 * 22 MB copies, and the event loop is never held for more than one slice.
 *
 * The image is the memory as it was when the save began, even while batches keep being answered
 * meanwhile. Returns false, leaving the old file as it was, in the rare case the memory was
 * compacted or grew during the write: the caller then writes a snapshot instead.
 */
export async function writeDeliveredInSlices(path: string, store: DeliveredAttributes): Promise<boolean> {
  const snapshot = store.snapshot();
  const count = snapshot.count;
  const payloadBytes = DELIVERED_IMAGE_HEADER_BYTES + count * RECORD_BYTES;
  const temporary = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  const file = await open(temporary, 'w', 0o600);
  let complete = false;
  try {
    const slice = Buffer.allocUnsafe(Math.max(DELIVERED_IMAGE_HEADER_BYTES, RECORDS_PER_SLICE * RECORD_BYTES));
    writeDeliveredImageHeader(slice, count);
    let crc = crc32(slice.subarray(0, DELIVERED_IMAGE_HEADER_BYTES));
    let position = FRAME_HEADER_BYTES;
    await file.write(slice, 0, DELIVERED_IMAGE_HEADER_BYTES, position);
    position += DELIVERED_IMAGE_HEADER_BYTES;
    let cursor = snapshot.head;
    let records = 0;
    for (;;) {
      const step = store.writeRecordsFrom(snapshot, cursor, slice, 0, RECORDS_PER_SLICE);
      if (step === undefined) return false;
      const { written, next } = step;
      cursor = next;
      records += written;
      if (written > 0) {
        const bytes = slice.subarray(0, written * RECORD_BYTES);
        crc = crc32(bytes, crc);
        await file.write(bytes, 0, bytes.length, position);
        position += bytes.length;
      }
      if (cursor >= snapshot.tail) break;
    }
    if (records !== count) return false;
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    FRAME_MAGIC.copy(header, 0);
    header.writeUInt8(FRAME_VERSION, FRAME_MAGIC.length);
    header.writeUInt32BE(payloadBytes, FRAME_MAGIC.length + 1);
    header.writeUInt32BE(crc >>> 0, FRAME_MAGIC.length + 5);
    await file.write(header, 0, header.length, 0);
    await file.sync();
    complete = true;
  } finally {
    await file.close();
    if (!complete) await rm(temporary, { force: true });
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
  return true;
}
