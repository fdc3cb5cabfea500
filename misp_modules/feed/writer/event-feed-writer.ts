import { eventHashLines } from '../feed-hashes.js';
import { hashedAttributes } from './feed-writer.js';
import type { FeedFiles } from './feed-files.js';
import { hashBlock, hashesText, hashLinesByEvent } from './hash-lines.js';
import { HASHES_FILE, MANIFEST_FILE, manifestEntryOf, readOwnManifest } from './feed-directory.js';

type Json = Record<string, unknown>;

/** What the last export wrote the events with: content-changing settings, kept beside the feed. */
export const EXPORT_SETTINGS_FILE = '.feed-export.json';

export interface EventFeedReport {
  /** Events written in this run (new or changed). */
  written: Array<{ uuid: string; info: string; attributes: number; created: boolean }>;
  /** Events of the selection whose timestamp had not changed: left as they were. */
  unchanged: number;
  /** Events that left the selection: out of the manifest, their files removed. */
  removed: string[];
  /** The settings that shape an event's content changed since the last run: every event was written again. */
  settingsChanged: boolean;
  /** Events in the manifest after the run. */
  manifestEvents: number;
}

/**
 * Keeps a feed directory equal to a selection of events, incrementally: an event whose timestamp
 * is the one the manifest holds is left alone (its file is neither read nor written), a new or
 * changed one is written, and those the run did not meet leave the manifest. hashes.csv is kept
 * from the previous run for the unchanged events and made anew for the others. Event files are
 * written before the manifest that names them; the manifest is written only when something changed.
 */
export class EventFeedWriter {
  private manifest = new Map<string, Json>();
  private hashes = new Map<string, string>();
  private readonly met = new Set<string>();
  private readonly report: EventFeedReport = { written: [], unchanged: 0, removed: [], settingsChanged: false, manifestEvents: 0 };
  private readonly settings: string;

  /**
   * `settings` are those that shape an event's content without changing its timestamp (for example
   * which distribution levels are kept): when they differ from the last run's, every event is
   * written again instead of being left as it was.
   */
  constructor(
    private readonly files: FeedFiles,
    settings: Json = {},
  ) {
    this.settings = `${JSON.stringify(settings)}\n`;
  }

  /** Reads the manifest and hashes.csv already there; refuses a directory that is not a feed. */
  async open(): Promise<void> {
    this.manifest = await readOwnManifest(this.files);
    this.report.settingsChanged = this.manifest.size > 0 && (await this.files.read(EXPORT_SETTINGS_FILE)) !== this.settings;
    this.hashes = hashLinesByEvent(await this.files.read(HASHES_FILE), (uuid) => this.manifest.has(uuid));
  }

  /** True when the feed holds this event at this timestamp: nothing to fetch or write. Marks it as still selected. */
  holds(uuid: string, timestamp: number): boolean {
    const entry = this.manifest.get(uuid);
    if (this.report.settingsChanged || entry === undefined || Number(entry['timestamp']) !== timestamp) return false;
    this.met.add(uuid);
    this.report.unchanged++;
    return true;
  }

  /** Writes an event (already in feed form) and records it for the manifest and hashes.csv. */
  async put(event: Json, attributes: number): Promise<void> {
    const uuid = String(event['uuid']);
    await this.files.write(`${uuid}.json`, `${JSON.stringify({ Event: event })}\n`);
    const created = !this.manifest.has(uuid);
    this.manifest.set(uuid, manifestEntryOf(event));
    this.hashes.set(uuid, hashBlock(eventHashLines(uuid, hashedAttributes(event))));
    this.met.add(uuid);
    this.report.written.push({ uuid, info: String(event['info'] ?? ''), attributes, created });
  }

  /**
   * Drops the events not met in this run (unless `dropUnlisted` is false: the listing was not
   * trustworthy), writes hashes.csv and the manifest when anything changed.
   */
  async finish(options: { dropUnlisted: boolean } = { dropUnlisted: true }): Promise<EventFeedReport> {
    for (const uuid of [...this.manifest.keys()]) {
      if (this.met.has(uuid) || !options.dropUnlisted) continue;
      this.manifest.delete(uuid);
      this.hashes.delete(uuid);
      this.report.removed.push(uuid);
    }
    const existing = await this.files.read(MANIFEST_FILE);
    if (this.report.written.length > 0 || this.report.removed.length > 0 || existing === undefined) {
      await this.files.write(HASHES_FILE, hashesText(this.manifest.keys(), this.hashes));
      await this.files.write(MANIFEST_FILE, `${JSON.stringify(Object.fromEntries(this.manifest))}\n`);
      if (existing === undefined || this.report.settingsChanged) await this.files.write(EXPORT_SETTINGS_FILE, this.settings);
      // Files of events gone from the manifest go last: a reader of the old manifest still finds them until then.
      for (const uuid of this.report.removed) await this.files.remove(`${uuid}.json`);
    }
    this.report.manifestEvents = this.manifest.size;
    return this.report;
  }
}
