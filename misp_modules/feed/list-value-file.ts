import { StateFile, type Logger, type StateFileSystem } from '@sekoia/automation-sdk-shim';
import { ListValueStamps } from './list-value-stamps.js';

export const LIST_VALUE_FILE = 'misp-feed-list-values.bin';

// Magic, the digest of the feed the values belong to, the count, then per value its 48-bit key and
// 32-bit timestamp: 10 bytes a value, so a list of a million values takes 10 MB on disk.
const MAGIC = Buffer.from('MISPLSV1', 'ascii');
const FEED_DIGEST_BYTES = 16;
const HEADER_BYTES = MAGIC.length + FEED_DIGEST_BYTES + 4;
const KEY_BYTES = 6;
const ENTRY_BYTES = KEY_BYTES + 4;

/**
 * A list feed's memory of its values, in the data path, crash-safe through the runtime's
 * StateFile. One list is remembered: the file names the feed it belongs to, and the memory of
 * another feed reads as none. A file that cannot be read is logged and read as none, which costs
 * the values that came back while the trigger was down their new push, never more.
 */
export class ListValueFile {
  private readonly file: StateFile;

  constructor(
    path: string,
    private readonly feedDigest: string,
    private readonly logger: Logger,
    fileSystem?: StateFileSystem,
  ) {
    this.file = new StateFile(path, logger, { fileSystem });
  }

  /** The memory saved for this feed, or undefined when there is none. */
  async load(): Promise<ListValueStamps | undefined> {
    const data = await this.file.readBytes();
    if (data === undefined) return undefined;
    try {
      const decoded = decodeListValues(data);
      return decoded.feedDigest === this.feedDigest ? decoded.stamps : undefined;
    } catch (error) {
      this.logger.log(`The list memory ${LIST_VALUE_FILE} is ignored because ${(error as Error).message}; values that came back to the list while the trigger was down are not told apart this time.`, 'warning');
      return undefined;
    }
  }

  async save(stamps: ListValueStamps): Promise<void> {
    await this.file.writeBytes(encodeListValues(this.feedDigest, stamps));
  }
}

export function encodeListValues(feedDigest: string, stamps: ListValueStamps): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES + stamps.size * ENTRY_BYTES);
  MAGIC.copy(buffer, 0);
  Buffer.from(feedDigest, 'hex').copy(buffer, MAGIC.length, 0, FEED_DIGEST_BYTES);
  buffer.writeUInt32BE(stamps.size, MAGIC.length + FEED_DIGEST_BYTES);
  let at = HEADER_BYTES;
  for (const [key, stamp] of stamps.entries()) {
    buffer.writeUIntBE(key, at, KEY_BYTES);
    buffer.writeUInt32BE(stamp, at + KEY_BYTES);
    at += ENTRY_BYTES;
  }
  return buffer;
}

/** Throws a RangeError naming the problem when the bytes are not a list memory. */
export function decodeListValues(buffer: Buffer): { feedDigest: string; stamps: ListValueStamps } {
  if (buffer.length < HEADER_BYTES || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) throw new RangeError('it does not start with the list memory header');
  const count = buffer.readUInt32BE(MAGIC.length + FEED_DIGEST_BYTES);
  if (buffer.length !== HEADER_BYTES + count * ENTRY_BYTES) throw new RangeError(`it holds ${buffer.length} bytes instead of ${HEADER_BYTES + count * ENTRY_BYTES} for ${count} values`);
  const keys = new Float64Array(count);
  const values = new Uint32Array(count);
  for (let index = 0, at = HEADER_BYTES; index < count; index++, at += ENTRY_BYTES) {
    keys[index] = buffer.readUIntBE(at, KEY_BYTES);
    values[index] = buffer.readUInt32BE(at + KEY_BYTES);
  }
  const feedDigest = buffer.subarray(MAGIC.length, MAGIC.length + FEED_DIGEST_BYTES).toString('hex');
  return { feedDigest, stamps: ListValueStamps.fromSorted(keys, values) };
}
