import type { StateFile } from '@sekoia/automation-sdk-shim';
import { DELIVERED_IMAGE_HEADER_BYTES, writeDeliveredImageHeader } from './delivered-attributes-codec.js';
import { RECORD_BYTES, type DeliveredAttributes, type DeliveredSnapshot } from './delivered-attributes.js';

/** Records per slice: about 1.4 MB, written while the event loop runs on. */
const RECORDS_PER_SLICE = 65_536;

/**
 * Writes the delivered memory to `file` slice by slice (see {@link StateFile.writeSlices}),
 * without ever holding the whole image: a million entries cost a 1.4 MB slice instead of two
 * 22 MB copies, and the event loop is never held for more than one slice.
 *
 * The image is the memory as it was when the save began, even while batches keep being answered
 * meanwhile. Returns false, leaving the old file as it was, in the rare case the memory was
 * compacted or grew during the write: the caller then writes a snapshot instead.
 */
export async function writeDeliveredInSlices(file: StateFile, store: DeliveredAttributes): Promise<boolean> {
  // The snapshot is taken now, before the file is opened: a generator's body runs only once asked.
  return file.writeSlices(deliveredSlices(store, store.snapshot()));
}

function* deliveredSlices(store: DeliveredAttributes, snapshot: DeliveredSnapshot): Generator<Uint8Array, boolean> {
  const slice = Buffer.allocUnsafe(Math.max(DELIVERED_IMAGE_HEADER_BYTES, RECORDS_PER_SLICE * RECORD_BYTES));
  writeDeliveredImageHeader(slice, snapshot.count);
  yield slice.subarray(0, DELIVERED_IMAGE_HEADER_BYTES);
  let cursor = snapshot.head;
  let records = 0;
  for (;;) {
    const step = store.writeRecordsFrom(snapshot, cursor, slice, 0, RECORDS_PER_SLICE);
    if (step === undefined) return false;
    cursor = step.next;
    records += step.written;
    if (step.written > 0) yield slice.subarray(0, step.written * RECORD_BYTES);
    if (cursor >= snapshot.tail) break;
  }
  return records === snapshot.count;
}
