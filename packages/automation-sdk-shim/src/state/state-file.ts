import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from '../types.js';
import { StateWriteError } from './state-write-error.js';

// The one place that writes files durably (state in the data path, a feed's files, the append-only
// journals): a second writer would copy the frame below and drift from it. tests check there is none.

// Header: magic, format version, payload length, CRC32 of the payload. The length and the checksum
// tell a complete file from one cut short or altered, whatever the filesystem did on a crash.
const MAGIC = Buffer.from('SKST', 'ascii');
const VERSION = 1;
const HEADER_LENGTH = MAGIC.length + 1 + 4 + 4;

/** Where state files live, as messages name it. */
const DATA_PATH = 'data path';

/** An open file, as the writer uses it. */
export interface StateFileHandle {
  write(data: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file-system operations of the writer: the real disk by default; a test passes its own to make
 * a write fail as a full disk does, the way the runtime hands a trigger its clock.
 */
export interface StateFileSystem {
  readFile(path: string): Promise<Buffer>;
  /** Creates the directory and its parents, if missing. */
  mkdir(path: string): Promise<void>;
  open(path: string, flags: 'w' | 'a' | 'r', mode?: number): Promise<StateFileHandle>;
  rename(from: string, to: string): Promise<void>;
  /** Removes the file if it is there. */
  remove(path: string): Promise<void>;
}

export const nodeStateFileSystem: StateFileSystem = {
  readFile: (path) => readFile(path),
  mkdir: async (path) => {
    await mkdir(path, { recursive: true });
  },
  open: (path, flags, mode) => open(path, flags, mode),
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
};

export interface StateFileOptions {
  /** Default: the real disk. */
  fileSystem?: StateFileSystem | undefined;
  /** Where the file lives, as a failure's message names it; default "data path". */
  place?: string | undefined;
}

/** A payload in parts, in order; each may be overwritten once the next is asked for. Returning false abandons the write. */
export type StateSlices = Iterator<Uint8Array, boolean | void> | Iterable<Uint8Array>;

// Writes to one path are serialised across every StateFile of the process, since they share the
// temporary file next to it.
const writeQueues = new Map<string, Promise<unknown>>();

/**
 * Persistent state in one file, crash-safe: a write goes to a temporary file in the same directory,
 * is flushed to disk, then renamed over the old one, and the directory is flushed too. A reader
 * therefore sees the previous state or the new one, never a mix. A file that is missing reads as
 * undefined; one that is corrupt, cut short or unreadable is reported (warning) and also reads as
 * undefined, so that bad state never stops the trigger. A write that fails (a full disk, a read-only
 * mount) leaves the old file as it was, removes its temporary file and rejects with a
 * {@link StateWriteError}.
 */
export class StateFile {
  private readonly fileSystem: StateFileSystem;
  private readonly place: string;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
    options: StateFileOptions = {},
  ) {
    this.fileSystem = options.fileSystem ?? nodeStateFileSystem;
    this.place = options.place ?? DATA_PATH;
  }

  async readBytes(): Promise<Buffer | undefined> {
    let data: Buffer;
    try {
      data = await this.fileSystem.readFile(this.path);
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

  async writeBytes(data: Uint8Array): Promise<void> {
    await this.writeSlices([data]);
  }

  /**
   * Writes the payload slice by slice, without ever holding it whole: the event loop runs on between
   * two slices. When `slices` returns false, the write is abandoned and the old file left as it
   * was; the result says whether the file was replaced.
   */
  async writeSlices(slices: StateSlices): Promise<boolean> {
    const previous = writeQueues.get(this.path) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => replace(this.path, `${this.path}.tmp`, iteratorOf(slices), { fileSystem: this.fileSystem, place: this.place, framed: true, mode: 0o600 }));
    writeQueues.set(this.path, next);
    try {
      return await next;
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

  private warn(problem: string): void {
    this.logger.log(`State file ${basename(this.path)} is ignored because ${problem}; the trigger starts from an empty state for it`, 'warning');
  }
}

/**
 * Replaces a plain file (no state header: a feed's `manifest.json`, read by MISP) whole or not at
 * all, as StateFile does. The temporary name is unique, so that two processes writing the same
 * directory never share one. The directory must exist.
 */
export async function replaceFile(path: string, content: string | Uint8Array, options: StateFileOptions & { mode?: number } = {}): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  await replace(path, temporary, iteratorOf([bytes]), {
    fileSystem: options.fileSystem ?? nodeStateFileSystem,
    place: options.place ?? DATA_PATH,
    framed: false,
    mode: options.mode ?? 0o644,
  });
}

/**
 * A file that only grows by lines, each flushed before `append` resolves: recording one more item
 * costs one short write, however many came before. A line cut short by a crash or a full disk is
 * the reader's to skip. Failures reject with a {@link StateWriteError}.
 */
export class StateJournal {
  private handle: StateFileHandle | undefined;
  private readonly fileSystem: StateFileSystem;
  private readonly place: string;
  /** An append failed: the file may end in part of a line, which the next append must not extend. */
  private cutShort = false;

  constructor(
    readonly path: string,
    options: StateFileOptions = {},
  ) {
    this.fileSystem = options.fileSystem ?? nodeStateFileSystem;
    this.place = options.place ?? DATA_PATH;
  }

  /** The journal's text; empty when the file does not exist. */
  async read(): Promise<string> {
    try {
      return (await this.fileSystem.readFile(this.path)).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  async append(line: string): Promise<void> {
    try {
      this.handle ??= await this.fileSystem.open(this.path, 'a', 0o600);
      await writeAll(this.handle, Buffer.from(`${this.cutShort ? '\n' : ''}${line}\n`, 'utf8'), null);
      await this.handle.datasync();
      this.cutShort = false;
    } catch (error) {
      this.cutShort = true;
      // Opened again at the next append: a handle that failed once is not trusted.
      await this.close().catch(() => undefined);
      throw StateWriteError.of(error, this.path, this.place) ?? error;
    }
  }

  /** Empties the journal, once what it held is saved elsewhere. */
  async clear(): Promise<void> {
    await this.close();
    try {
      const handle = await this.fileSystem.open(this.path, 'w', 0o600);
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.cutShort = false;
    } catch (error) {
      throw StateWriteError.of(error, this.path, this.place) ?? error;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

interface ReplaceOptions {
  fileSystem: StateFileSystem;
  place: string;
  /** With the state header (StateFile), or the content as it is (a feed's files). */
  framed: boolean;
  mode: number;
}

/**
 * The one durable write: the payload to `temporary`, flushed, renamed over `path`, the directory
 * flushed. Any failure removes the temporary file and leaves `path` as it was; a file-system one
 * rejects as a StateWriteError. Resolves false, `path` untouched, when the slices abandon the write.
 */
async function replace(path: string, temporary: string, slices: Iterator<Uint8Array, boolean | void>, options: ReplaceOptions): Promise<boolean> {
  const { fileSystem, framed } = options;
  const directory = dirname(path);
  let file: StateFileHandle | undefined;
  let renamed = false;
  try {
    if (framed) await fileSystem.mkdir(directory);
    file = await fileSystem.open(temporary, 'w', options.mode);
    const start = framed ? HEADER_LENGTH : 0;
    let crc = 0;
    let position = start;
    for (let step = slices.next(); ; step = slices.next()) {
      if (step.done === true) {
        if (step.value === false) return false;
        break;
      }
      const bytes = step.value;
      if (bytes.length === 0) continue;
      if (framed) crc = crc32(bytes, crc);
      await writeAll(file, bytes, position);
      position += bytes.length;
    }
    if (framed) {
      const header = Buffer.alloc(HEADER_LENGTH);
      MAGIC.copy(header, 0);
      header.writeUInt8(VERSION, MAGIC.length);
      header.writeUInt32BE(position - start, MAGIC.length + 1);
      header.writeUInt32BE(crc >>> 0, MAGIC.length + 5);
      await writeAll(file, header, 0);
    }
    await file.sync();
    const closing = file;
    file = undefined;
    await closing.close();
    await fileSystem.rename(temporary, path);
    renamed = true;
  } catch (error) {
    throw StateWriteError.of(error, path, options.place) ?? error;
  } finally {
    await file?.close().catch(() => undefined);
    // A full disk must not keep the temporary file's blocks too.
    if (!renamed) await fileSystem.remove(temporary).catch(() => undefined);
  }
  await syncDirectory(directory, fileSystem);
  return true;
}

/** Writes every byte: a write may take fewer than it was given. */
async function writeAll(file: StateFileHandle, bytes: Uint8Array, position: number | null): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset, position === null ? null : position + offset);
    offset += bytesWritten;
  }
}

function iteratorOf(slices: StateSlices): Iterator<Uint8Array, boolean | void> {
  return Symbol.iterator in slices ? (slices as Iterable<Uint8Array>)[Symbol.iterator]() : slices;
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
async function syncDirectory(directory: string, fileSystem: StateFileSystem): Promise<void> {
  // Some platforms cannot open a directory for that; the rename is still atomic there, only its
  // durability on power loss is weaker.
  let handle: StateFileHandle | undefined;
  try {
    handle = await fileSystem.open(directory, 'r');
    await handle.sync();
  } catch {
    // See above.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
