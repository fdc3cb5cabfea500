import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { replaceFile } from '@sekoia/automation-sdk-shim';

/**
 * The files of one feed directory, by name (`manifest.json`, `<uuid>.json`, `hashes.csv`): the one
 * place where the writers touch the disk, so that a test can count and inspect every write.
 */
export interface FeedFiles {
  /** Where the feed is, as shown in messages. */
  readonly location: string;
  /** The file's text, or undefined when there is no such file. */
  read(name: string): Promise<string | undefined>;
  /** Replaces the file whole or not at all: a reader sees the old content or the new one. */
  write(name: string, content: string): Promise<void>;
  /** Removes the file if it is there. */
  remove(name: string): Promise<void>;
}

/**
 * The files of a local directory, created on the first write. Each is replaced through the runtime's
 * durable writer (a temporary file, flushed, renamed); a full or read-only disk rejects with its
 * StateWriteError, naming the feed directory, and leaves the file as it was.
 */
export function directoryFiles(directory: string): FeedFiles {
  let created = false;
  return {
    location: directory,
    read: async (name) => {
      try {
        return await readFile(path.join(directory, name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    write: async (name, content) => {
      if (!created) {
        await mkdir(directory, { recursive: true });
        created = true;
      }
      await replaceFile(path.join(directory, name), content, { place: 'feed directory', mode: 0o644 });
    },
    remove: (name) => rm(path.join(directory, name), { force: true }),
  };
}
