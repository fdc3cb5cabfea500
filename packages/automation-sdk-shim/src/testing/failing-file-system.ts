import { basename } from 'node:path';
import { nodeStateFileSystem, type StateFileHandle, type StateFileSystem } from '../state/state-file.js';

/** Which writes fail, and how. */
export interface WriteFailure {
  /** The errno code of the failure: ENOSPC (full disk), EROFS (read-only), EIO. */
  code: string;
  /** Only writes of this file (its name in the data path); default every file. */
  file?: string | undefined;
  /** Matching writes that succeed before the first failure; default 0. */
  after?: number | undefined;
  /** Matching writes that fail; default every one until `heal()`. */
  times?: number | undefined;
}

// The writer's temporary names: `<file>.tmp`, or `<file>.<pid>.<random>.tmp` for a feed's files.
const TEMPORARY_SUFFIX = /\.(?:\d+\.[0-9a-f]+\.)?tmp$/;

/**
 * The real disk, except for the writes a test tells to fail as a full or read-only disk does: the
 * file is opened (and created), then its first write rejects with the errno error Node gives. A
 * write is one file replaced (one StateFile write, however many slices), or one journal append.
 */
export class FailingFileSystem implements StateFileSystem {
  /** Names of the files opened for writing, in order, temporary suffix removed. */
  readonly written: string[] = [];
  private failures: { failure: WriteFailure; seen: number; failed: number }[] = [];
  // Everything but opening for writing goes to the disk as it is.
  readonly readFile: StateFileSystem['readFile'];
  readonly mkdir: StateFileSystem['mkdir'];
  readonly rename: StateFileSystem['rename'];
  readonly remove: StateFileSystem['remove'];

  constructor(private readonly disk: StateFileSystem = nodeStateFileSystem) {
    this.readFile = disk.readFile.bind(disk);
    this.mkdir = disk.mkdir.bind(disk);
    this.rename = disk.rename.bind(disk);
    this.remove = disk.remove.bind(disk);
  }

  /** Makes the writes `failure` describes fail, from now on. */
  failWrites(failure: WriteFailure): this {
    this.failures.push({ failure, seen: 0, failed: 0 });
    return this;
  }

  /** Space is back: every write succeeds again. */
  heal(): void {
    this.failures = [];
  }

  /** How many writes failed so far. */
  get failed(): number {
    return this.failures.reduce((sum, entry) => sum + entry.failed, 0);
  }

  async open(path: string, flags: 'w' | 'a' | 'r', mode?: number): Promise<StateFileHandle> {
    const handle = await this.disk.open(path, flags, mode);
    if (flags === 'r') return handle;
    const name = basename(path).replace(TEMPORARY_SUFFIX, '');
    if (flags === 'a') {
      // A journal: each append is a write of its own.
      return {
        ...bound(handle),
        write: async (data, offset, length, position) => {
          const code = this.attempt(name);
          if (code !== undefined) throw failure(code, path);
          return handle.write(data, offset, length, position);
        },
      };
    }
    const code = this.attempt(name);
    if (code === undefined) return handle;
    const fail = async (): Promise<never> => {
      throw failure(code, path);
    };
    return { write: fail, sync: fail, datasync: fail, close: () => handle.close() };
  }

  /** Records a write of `name`; the errno code it fails with, if it does. */
  private attempt(name: string): string | undefined {
    this.written.push(name);
    return this.failureFor(name);
  }

  private failureFor(name: string): string | undefined {
    for (const entry of this.failures) {
      const { failure } = entry;
      if (failure.file !== undefined && failure.file !== name) continue;
      entry.seen += 1;
      if (entry.seen <= (failure.after ?? 0) || entry.failed >= (failure.times ?? Infinity)) continue;
      entry.failed += 1;
      return failure.code;
    }
    return undefined;
  }
}

function failure(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: simulated failure, write '${path}'`), { code, syscall: 'write', path });
}

function bound(handle: StateFileHandle): StateFileHandle {
  return {
    write: handle.write.bind(handle),
    sync: handle.sync.bind(handle),
    datasync: handle.datasync.bind(handle),
    close: handle.close.bind(handle),
  };
}
