import { open, readFile, type FileHandle } from 'node:fs/promises';

/**
 * An append-only list of keys on disk, one JSON string a line, each append flushed before it
 * resolves: remembering one more sent event costs one short write, however many came before. A
 * line cut short by a crash is ignored on reading.
 */
export class SentJournal {
  private handle: FileHandle | undefined;

  constructor(readonly path: string) {}

  /** The keys of every complete line; none when the file does not exist. */
  async read(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const keys: string[] = [];
    for (const line of complete.split('\n')) {
      try {
        const key: unknown = JSON.parse(line);
        if (typeof key === 'string') keys.push(key);
      } catch {
        // An empty or damaged line holds no key.
      }
    }
    return keys;
  }

  async append(key: string): Promise<void> {
    this.handle ??= await open(this.path, 'a', 0o600);
    await this.handle.write(`${JSON.stringify(key)}\n`);
    await this.handle.datasync();
  }

  /** Empties the journal, once what it held is saved elsewhere. */
  async clear(): Promise<void> {
    await this.close();
    const handle = await open(this.path, 'w', 0o600);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
