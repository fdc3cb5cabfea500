import { crc32 } from 'node:zlib';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../types.js';

// Header: magic, format version, payload length, CRC32 of the payload. The length and the checksum
// tell a complete file from one cut short or altered, whatever the filesystem did on a crash.
const MAGIC = Buffer.from('SKST', 'ascii');
const VERSION = 1;
const HEADER_LENGTH = MAGIC.length + 1 + 4 + 4;

// Writes to one path are serialised across every StateFile of the process, since they share the
// temporary file next to it.
const writeQueues = new Map<string, Promise<void>>();

/**
 * Persistent state in one file, crash-safe: a write goes to a temporary file in the same directory,
 * is flushed to disk, then renamed over the old one, and the directory is flushed too. A reader
 * therefore sees the previous state or the new one, never a mix. A file that is missing reads as
 * undefined; one that is corrupt, cut short or unreadable is reported (warning) and also reads as
 * undefined, so that bad state never stops the trigger.
 */
export class StateFile {
  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  async readBytes(): Promise<Buffer | undefined> {
    let data: Buffer;
    try {
      data = await readFile(this.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.warn(`it cannot be read (${code ?? String(error)})`);
      return undefined;
    }
    const problem = checkFrame(data);
    if (problem !== undefined) {
      this.warn(problem);
      return undefined;
    }
    return data.subarray(HEADER_LENGTH);
  }

  async writeBytes(data: Buffer): Promise<void> {
    const previous = writeQueues.get(this.path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.replace(data));
    writeQueues.set(this.path, next);
    try {
      await next;
    } finally {
      if (writeQueues.get(this.path) === next) writeQueues.delete(this.path);
    }
  }

  async readJson<T>(): Promise<T | undefined> {
    const data = await this.readBytes();
    if (data === undefined) return undefined;
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch {
      this.warn('its content is not JSON');
      return undefined;
    }
  }

  async writeJson(value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`State for ${this.path} cannot be written: the value is not JSON-serialisable.`);
    await this.writeBytes(Buffer.from(text, 'utf8'));
  }

  private async replace(data: Buffer): Promise<void> {
    const directory = dirname(this.path);
    const temporary = `${this.path}.tmp`;
    await mkdir(directory, { recursive: true });
    const header = Buffer.alloc(HEADER_LENGTH);
    MAGIC.copy(header, 0);
    header.writeUInt8(VERSION, MAGIC.length);
    header.writeUInt32BE(data.length, MAGIC.length + 1);
    header.writeUInt32BE(crc32(data) >>> 0, MAGIC.length + 5);
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(Buffer.concat([header, data]));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
    await syncDirectory(directory);
  }

  private warn(problem: string): void {
    this.logger.log(`State file ${basename(this.path)} is ignored because ${problem}; the trigger starts from an empty state for it`, 'warning');
  }
}

/** Why `data` is not a complete state frame, or undefined when it is one. */
function checkFrame(data: Buffer): string | undefined {
  if (data.length < HEADER_LENGTH || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    return data.length === 0 ? 'it is empty' : 'it does not start with a state header (corrupt or not written by this runtime)';
  }
  const version = data.readUInt8(MAGIC.length);
  if (version !== VERSION) return `its format version ${version} is unknown`;
  const length = data.readUInt32BE(MAGIC.length + 1);
  const actual = data.length - HEADER_LENGTH;
  if (actual !== length) return `it holds ${actual} bytes of data instead of ${length} (a write was cut short)`;
  if ((crc32(data.subarray(HEADER_LENGTH)) >>> 0) !== data.readUInt32BE(MAGIC.length + 5)) return 'its checksum does not match (corrupt)';
  return undefined;
}

/** Makes a rename in `directory` durable, where the platform allows it. */
export async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable. Some platforms cannot open a directory for that; the rename
  // is still atomic there, only its durability on power loss is weaker.
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // See above.
  } finally {
    await handle?.close();
  }
}
