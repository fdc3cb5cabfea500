import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDirectory } from '@sekoia/automation-sdk-shim';

// The runtime's StateFile frame (magic, format version, payload length, CRC-32 of the payload), so
// that StateFile reads back what is written here.
const FRAME_MAGIC = Buffer.from('SKST', 'ascii');
const FRAME_VERSION = 1;
const FRAME_HEADER_BYTES = FRAME_MAGIC.length + 1 + 4 + 4;

/**
 * Writes a state file's payload slice by slice, crash-safe as StateFile does it (a temporary file
 * in the same directory, flushed, renamed over the old one, the directory flushed), without ever
 * holding the whole payload: the event loop runs on between two slices.
 *
 * `slices` yields the payload's parts in order; each may be overwritten once the next is asked
 * for. When it returns false, the write is abandoned and the old file left as it was; the result
 * says whether the file was replaced.
 */
export async function writeStateFileInSlices(path: string, slices: Generator<Uint8Array, boolean | void>): Promise<boolean> {
  const temporary = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  const file = await open(temporary, 'w', 0o600);
  let complete = false;
  try {
    let crc = 0;
    let position = FRAME_HEADER_BYTES;
    for (let step = slices.next(); ; step = slices.next()) {
      if (step.done === true) {
        if (step.value === false) return false;
        break;
      }
      const bytes = step.value;
      if (bytes.length === 0) continue;
      crc = crc32(bytes, crc);
      await file.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    }
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    FRAME_MAGIC.copy(header, 0);
    header.writeUInt8(FRAME_VERSION, FRAME_MAGIC.length);
    header.writeUInt32BE(position - FRAME_HEADER_BYTES, FRAME_MAGIC.length + 1);
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
