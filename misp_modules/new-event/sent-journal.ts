import { StateJournal, type StateFileSystem } from '@sekoia/automation-sdk-shim';

/**
 * The keys of the sent events, one JSON string a line, appended through the runtime's StateJournal:
 * remembering one more sent event costs one short flushed write, however many came before. A line
 * cut short by a crash or a full disk is ignored on reading.
 */
export class SentJournal {
  private readonly journal: StateJournal;

  constructor(
    readonly path: string,
    fileSystem?: StateFileSystem,
  ) {
    this.journal = new StateJournal(path, { fileSystem });
  }

  /** The keys of every complete line; none when the file does not exist. */
  async read(): Promise<string[]> {
    const text = await this.journal.read();
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
    await this.journal.append(JSON.stringify(key));
  }

  /** Empties the journal, once what it held is saved elsewhere. */
  async clear(): Promise<void> {
    await this.journal.clear();
  }

  async close(): Promise<void> {
    await this.journal.close();
  }
}
