import path from 'node:path';
import { StateFile, type Logger, type StateFileSystem } from '@sekoia/automation-sdk-shim';
import { SentJournal } from './sent-journal.js';

/** The state files of the New Event trigger in the data path: the cursor, and the events sent since it was saved. */
export const CURSOR_FILE = 'misp-new-event-cursor.json';
export const SENT_JOURNAL_FILE = 'misp-new-event-sent.log';

/**
 * Events can become visible in MISP a little after the publish time they carry (a long publication,
 * a slow transaction): each poll looks back this far before the latest publish time seen.
 */
export const LOOK_BACK_SECONDS = 300;

interface Saved {
  /** Epoch seconds: the lower bound of publish_timestamp asked for. */
  since: number;
  /** `<event uuid>@<publish_timestamp>` of the events already sent, those published at or after `since`. */
  sent: string[];
}

/**
 * Where the New Event trigger stands: the publish time it reads from, and which publications at or
 * after it were sent, each recorded on disk as soon as it is sent. A restart, a failed send or a
 * failed page therefore neither loses nor repeats an event; an event published again is a new
 * publication. The cursor is rewritten only when it moves; in between, sent events go to a journal,
 * so that a backlog of thousands of events costs one short write each.
 */
export class PublishedEventCursor {
  private constructor(
    private readonly file: StateFile,
    private readonly journal: SentJournal,
    private since: number,
    private readonly sent: Set<string>,
  ) {
    this.savedSince = since;
  }

  /** `since` as the file holds it: a save that failed (a full disk) is made again at the next advance. */
  private savedSince: number;

  /** The saved cursor, or a new one at `nowSeconds` (no backfill, as the Python trigger), saved at once. */
  static async load(dataPath: string, nowSeconds: number, logger: Logger, fileSystem?: StateFileSystem): Promise<PublishedEventCursor> {
    const file = new StateFile(path.join(dataPath, CURSOR_FILE), logger, { fileSystem });
    const journal = new SentJournal(path.join(dataPath, SENT_JOURNAL_FILE), fileSystem);
    const saved = await file.readJson<Saved>();
    if (saved !== undefined && Number.isFinite(saved.since) && Array.isArray(saved.sent)) {
      const keys = [...saved.sent, ...(await journal.read())].filter((key) => typeof key === 'string' && publishTimeOf(key) >= saved.since);
      return new PublishedEventCursor(file, journal, saved.since, new Set(keys));
    }
    const cursor = new PublishedEventCursor(file, journal, nowSeconds, new Set());
    await cursor.save();
    return cursor;
  }

  get publishedSince(): number {
    return this.since;
  }

  get remembered(): number {
    return this.sent.size;
  }

  wasSent(key: string): boolean {
    return this.sent.has(key);
  }

  /** Records one publication as sent, on disk before it resolves. */
  async markSent(key: string): Promise<void> {
    this.sent.add(key);
    await this.journal.append(key);
  }

  async close(): Promise<void> {
    await this.journal.close();
  }

  /**
   * After a complete poll: reads from `latestPublished - LOOK_BACK_SECONDS` on (never backwards),
   * forgetting the publications before that.
   */
  async advance(latestPublished: number): Promise<void> {
    const next = Math.max(this.since, latestPublished - LOOK_BACK_SECONDS);
    if (next === this.since && next === this.savedSince) return;
    this.since = next;
    for (const key of this.sent) if (publishTimeOf(key) < next) this.sent.delete(key);
    await this.save();
  }

  /** The cursor with every key it keeps, then an empty journal: a crash between the two only repeats keys. */
  private async save(): Promise<void> {
    const saved: Saved = { since: this.since, sent: [...this.sent] };
    await this.file.writeJson(saved);
    this.savedSince = saved.since;
    await this.journal.clear();
  }
}

/** The key of one publication of an event. */
export function publicationKey(uuid: string, publishTimestamp: number): string {
  return `${uuid}@${publishTimestamp}`;
}

function publishTimeOf(key: string): number {
  return Number(key.slice(key.lastIndexOf('@') + 1));
}
