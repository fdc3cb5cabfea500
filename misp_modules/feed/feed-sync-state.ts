import { createHash } from 'node:crypto';
import path from 'node:path';
import { StateFile, type Logger, type StateFileSystem } from '@sekoia/automation-sdk-shim';
import { LIST_VALUE_FILE, ListValueFile } from './list-value-file.js';

/** What is remembered of one feed between cycles and across restarts. */
export interface FeedRecord {
  /** The manifest's ETag after the last cycle that left nothing behind; undefined forces a full manifest read. */
  etag: string | undefined;
  /** Start of the look-back window that ETag was recorded with: a wider window must read the manifest again. */
  etagSinceMs: number | undefined;
  /** The Last-Modified of a CSV or free-text feed's file, for servers that give no ETag. */
  lastModified?: string | undefined;
  /** Per event uuid, the manifest timestamp of the version last synced whole. */
  events: Map<string, number>;
}

interface FeedRecordJson {
  /** The feed as shown in logs (no credentials, no query string), for whoever reads the file. */
  label: string;
  updatedMs: number;
  etag?: string;
  etagSinceMs?: number;
  lastModified?: string;
  events: Record<string, number>;
}

interface FeedStateJson {
  version: 1;
  feeds: Record<string, FeedRecordJson>;
}

export const FEED_STATE_FILE = 'misp-feed-sync.json';
/** Feeds remembered at most: a trigger reads one; older records of feeds no longer configured go first. */
const MAX_FEEDS = 8;

/**
 * The feed reader's memory in the data path: per feed, the manifest ETag and the manifest timestamp
 * of every event synced whole. Feeds are keyed by a digest of their location, so a token in a URL's
 * query string never reaches the disk. Written crash-safe by the runtime's StateFile; an unreadable
 * file is logged and read as empty, which costs fetching the window's events again, never a loss.
 * Bounded: a commit keeps only the events the manifest still lists inside the look-back window.
 */
export class FeedSyncState {
  private readonly records = new Map<string, { label: string; updatedMs: number; record: FeedRecord }>();

  private constructor(
    private readonly file: StateFile,
    private readonly dataPath: string,
    private readonly logger: Logger,
    private readonly fileSystem: StateFileSystem | undefined,
  ) {}

  static async load(dataPath: string, logger: Logger, fileSystem?: StateFileSystem): Promise<FeedSyncState> {
    const state = new FeedSyncState(new StateFile(path.join(dataPath, FEED_STATE_FILE), logger, { fileSystem }), dataPath, logger, fileSystem);
    const saved = await state.file.readJson<FeedStateJson>();
    if (saved === undefined) return state;
    if (saved?.version !== 1 || typeof saved.feeds !== 'object' || saved.feeds === null) {
      logger.log(`The feed sync state ${FEED_STATE_FILE} has an unknown layout and is ignored; the events of the look-back window will be read again.`, 'warning');
      return state;
    }
    for (const [key, json] of Object.entries(saved.feeds)) {
      if (typeof json !== 'object' || json === null) continue;
      const events = new Map<string, number>();
      for (const [uuid, timestamp] of Object.entries(json.events ?? {})) if (Number.isSafeInteger(timestamp)) events.set(uuid, timestamp);
      state.records.set(key, {
        label: typeof json.label === 'string' ? json.label : '',
        updatedMs: Number.isFinite(json.updatedMs) ? json.updatedMs : 0,
        record: {
          etag: typeof json.etag === 'string' ? json.etag : undefined,
          etagSinceMs: Number.isFinite(json.etagSinceMs) ? json.etagSinceMs : undefined,
          lastModified: typeof json.lastModified === 'string' ? json.lastModified : undefined,
          events,
        },
      });
    }
    return state;
  }

  /** The record of a feed, created empty on first use. `locationKey` is hashed before it is kept. */
  record(locationKey: string, label: string): FeedRecord {
    const key = digest(locationKey);
    let entry = this.records.get(key);
    if (entry === undefined) {
      entry = { label, updatedMs: 0, record: { etag: undefined, etagSinceMs: undefined, events: new Map() } };
      this.records.set(key, entry);
    }
    entry.label = label;
    return entry.record;
  }

  /** The file that keeps the memory of a CSV or free-text list's values, beside this state. */
  listValueFile(locationKey: string): ListValueFile {
    return new ListValueFile(path.join(this.dataPath, LIST_VALUE_FILE), digest(locationKey), this.logger, this.fileSystem);
  }

  /** Writes every record; `touched` marks the feed just synced as the most recent. */
  async save(touchedLocationKey: string, nowMs: number): Promise<void> {
    const touched = this.records.get(digest(touchedLocationKey));
    if (touched !== undefined) touched.updatedMs = nowMs;
    const kept = [...this.records.entries()].sort((a, b) => b[1].updatedMs - a[1].updatedMs).slice(0, MAX_FEEDS);
    const feeds: Record<string, FeedRecordJson> = {};
    for (const [key, { label, updatedMs, record }] of kept) {
      const json: FeedRecordJson = { label, updatedMs, events: Object.fromEntries(record.events) };
      if (record.etag !== undefined) json.etag = record.etag;
      if (record.etagSinceMs !== undefined) json.etagSinceMs = record.etagSinceMs;
      if (record.lastModified !== undefined) json.lastModified = record.lastModified;
      feeds[key] = json;
    }
    await this.file.writeJson({ version: 1, feeds } satisfies FeedStateJson);
  }
}

function digest(locationKey: string): string {
  return createHash('sha256').update(locationKey).digest('hex').slice(0, 32);
}
