import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

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

/** The files of a local directory, created on the first write. */
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
      await writeAtomically(path.join(directory, name), content);
    },
    remove: (name) => rm(path.join(directory, name), { force: true }),
  };
}

/** Temporary file, flush, rename: a crash leaves the old file or the new one, never half of one. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
