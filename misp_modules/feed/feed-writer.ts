import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FeedDirectoryError } from './errors/feed-directory-error.js';
import { eventOf } from './feed-event.js';
import { eventHashLines, type HashedAttribute } from './feed-hashes.js';
import { EVENT_UUID } from './feed-manifest.js';
import { uuidV5 } from './feed-uuid.js';
import { defaultCategory } from './indicator-type.js';

/** One attribute to write into the feed. */
export interface FeedIndicator {
  type: string;
  value: string;
  /** The attribute's uuid when it has one (from MISP); otherwise one is derived from the event, type and value. */
  uuid?: string | undefined;
  /** Last change of the attribute, epoch seconds. */
  timestamp: number;
  /** UTC day of the daily event that carries it, `YYYY-MM-DD`. */
  day: string;
  category?: string | undefined;
  comment?: string | undefined;
}

export interface FeedWriterOptions {
  directory: string;
  /** The creator organisation written into every event and the manifest. */
  orgName: string;
  /** Defaults to a uuid derived from the name, stable across runs. */
  orgUuid?: string | undefined;
  /** Milliseconds since the epoch: the time of changed events. */
  nowMs: number;
  /** Event tags, for example `tlp:clear`. */
  tags?: readonly string[] | undefined;
}

export interface FeedWriteReport {
  /** The daily events this run touched, oldest day first. */
  events: Array<{ uuid: string; date: string; created: boolean; changed: boolean; attributes: number }>;
  attributesAdded: number;
  attributesUpdated: number;
  attributesUnchanged: number;
  /** Events listed in the manifest after the write, all producers included. */
  manifestEvents: number;
}

type Json = Record<string, unknown>;

/** An attribute as it sits in an event file. */
interface WrittenAttribute extends Json {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  timestamp: string;
  comment: string;
  deleted: boolean;
  disable_correlation: boolean;
  object_relation: null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TAG_COLOUR = '#ffffff';

/**
 * Writes a MISP feed directory (manifest.json, one `<uuid>.json` per event, hashes.csv) in daily
 * events, as MISP's real-time feed generator does: one event per organisation and UTC day, whose
 * uuid is derived from both, so a later run adds to the same day's event instead of creating
 * another. An event whose content changed gets a newer timestamp, which is what makes readers
 * fetch it again. Every file is replaced atomically (temporary file, flush, rename); event files
 * go first and the manifest last, so a reader never meets a manifest naming a file not yet there.
 */
export class FeedWriter {
  private readonly orgUuid: string;
  private readonly days = new Map<string, Map<string, FeedIndicator>>();

  constructor(private readonly options: FeedWriterOptions) {
    this.orgUuid = options.orgUuid ?? uuidV5(`organisation:${options.orgName}`);
  }

  /** The uuid of the daily event for `day` (`YYYY-MM-DD`). */
  eventUuid(day: string): string {
    return uuidV5(`event:${this.orgUuid}:${day}`);
  }

  /** Queues an indicator for its day's event; the same attribute twice is kept once (the later wins). */
  add(indicator: FeedIndicator): void {
    if (!DAY.test(indicator.day)) throw new RangeError(`The day of an indicator must be YYYY-MM-DD, not ${JSON.stringify(indicator.day)}.`);
    const eventUuid = this.eventUuid(indicator.day);
    const uuid = indicator.uuid ?? uuidV5(`attribute:${eventUuid}:${indicator.type}\u0000${indicator.value}`);
    let attributes = this.days.get(indicator.day);
    if (attributes === undefined) {
      attributes = new Map();
      this.days.set(indicator.day, attributes);
    }
    attributes.set(uuid, { ...indicator, uuid });
  }

  async write(): Promise<FeedWriteReport> {
    const { directory } = this.options;
    await mkdir(directory, { recursive: true });
    const manifest = await this.readManifest();
    const report: FeedWriteReport = { events: [], attributesAdded: 0, attributesUpdated: 0, attributesUnchanged: 0, manifestEvents: 0 };
    const nowSeconds = Math.floor(this.options.nowMs / 1000);

    for (const day of [...this.days.keys()].sort()) {
      const uuid = this.eventUuid(day);
      const existing = await this.readEvent(uuid);
      const event = existing ?? this.newEvent(uuid, day);
      const attributes = (Array.isArray(event['Attribute']) ? event['Attribute'] : []) as Json[];
      const byUuid = new Map<string, number>();
      attributes.forEach((attribute, index) => {
        if (typeof attribute['uuid'] === 'string') byUuid.set(attribute['uuid'], index);
      });
      let changed = existing === undefined;
      for (const indicator of (this.days.get(day) as Map<string, FeedIndicator>).values()) {
        const written = this.attribute(indicator);
        const index = byUuid.get(written.uuid);
        if (index === undefined) {
          byUuid.set(written.uuid, attributes.length);
          attributes.push(written);
          report.attributesAdded++;
          changed = true;
        } else if (sameAttribute(attributes[index] as Json, written)) {
          report.attributesUnchanged++;
        } else {
          attributes[index] = written;
          report.attributesUpdated++;
          changed = true;
        }
      }
      event['Attribute'] = attributes;
      if (changed) {
        const previous = Number(event['timestamp']) || 0;
        const timestamp = String(Math.max(nowSeconds, previous + 1));
        event['timestamp'] = timestamp;
        event['publish_timestamp'] = timestamp;
        await writeAtomically(path.join(directory, `${uuid}.json`), `${JSON.stringify({ Event: event })}\n`);
      }
      manifest.set(uuid, this.manifestEntry(event));
      report.events.push({ uuid, date: day, created: existing === undefined, changed, attributes: attributes.length });
    }

    await writeAtomically(path.join(directory, 'hashes.csv'), await this.hashes(manifest));
    await writeAtomically(path.join(directory, 'manifest.json'), `${JSON.stringify(Object.fromEntries(manifest))}\n`);
    report.manifestEvents = manifest.size;
    return report;
  }

  private newEvent(uuid: string, day: string): Json {
    return {
      uuid,
      info: `${this.options.orgName}: IDS indicators of ${day}`,
      date: day,
      analysis: '2',
      threat_level_id: '4',
      timestamp: '0',
      publish_timestamp: '0',
      published: true,
      Orgc: { name: this.options.orgName, uuid: this.orgUuid },
      Tag: (this.options.tags ?? []).map((name) => ({ name, colour: TAG_COLOUR })),
      Attribute: [],
    };
  }

  private attribute(indicator: FeedIndicator & { uuid?: string | undefined }): WrittenAttribute {
    return {
      uuid: indicator.uuid as string,
      type: indicator.type,
      category: indicator.category ?? defaultCategory(indicator.type),
      value: indicator.value,
      to_ids: true,
      timestamp: String(indicator.timestamp),
      comment: indicator.comment ?? '',
      deleted: false,
      disable_correlation: false,
      object_relation: null,
    };
  }

  private manifestEntry(event: Json): Json {
    const orgc = (event['Orgc'] ?? {}) as Json;
    const tags = Array.isArray(event['Tag']) ? (event['Tag'] as Json[]) : [];
    return {
      Orgc: { name: orgc['name'], uuid: orgc['uuid'] },
      Tag: tags.map((tag) => ({ colour: tag['colour'] ?? TAG_COLOUR, name: tag['name'] })),
      info: event['info'],
      date: event['date'],
      analysis: Number(event['analysis']) || 0,
      threat_level_id: Number(event['threat_level_id']) || 4,
      timestamp: Number(event['timestamp']) || 0,
    };
  }

  /** The manifest already in the directory, in its order; refuses a file that is not one. */
  private async readManifest(): Promise<Map<string, Json>> {
    const text = await readOptional(path.join(this.options.directory, 'manifest.json'));
    if (text === undefined) return new Map();
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new FeedDirectoryError(this.options.directory, 'its manifest.json is not JSON. Choose an empty directory or an existing MISP feed.');
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document) || !Object.keys(document).every((key) => EVENT_UUID.test(key))) {
      throw new FeedDirectoryError(this.options.directory, 'its manifest.json is not a MISP feed manifest. Choose an empty directory or an existing MISP feed.');
    }
    return new Map(Object.entries(document as Record<string, Json>));
  }

  /** The `Event` of an existing event file, or undefined when there is none; refuses a file that is not one. */
  private async readEvent(uuid: string): Promise<Json | undefined> {
    const text = await readOptional(path.join(this.options.directory, `${uuid}.json`));
    if (text === undefined) return undefined;
    let event: Json | undefined;
    try {
      event = eventOf(JSON.parse(text));
    } catch {
      event = undefined;
    }
    if (event === undefined) throw new FeedDirectoryError(this.options.directory, `${uuid}.json exists but is not a MISP event; move it away or choose another directory.`);
    return event;
  }

  /** hashes.csv for every event of the manifest, in manifest order, from the files on disk. */
  private async hashes(manifest: Map<string, Json>): Promise<string> {
    const lines: string[] = [];
    for (const uuid of manifest.keys()) {
      const event = await this.readEvent(uuid).catch(() => undefined);
      if (event === undefined) continue;
      const attributes: HashedAttribute[] = [];
      const collect = (list: unknown): void => {
        if (!Array.isArray(list)) return;
        for (const attribute of list as Json[]) {
          if (typeof attribute?.['type'] === 'string' && typeof attribute['value'] === 'string') attributes.push({ type: attribute['type'], value: attribute['value'] });
        }
      };
      collect(event['Attribute']);
      if (Array.isArray(event['Object'])) for (const object of event['Object'] as Json[]) collect(object?.['Attribute']);
      lines.push(...eventHashLines(uuid, attributes));
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
}

/** Same indicator for a reader: a timestamp alone (a list written again) is no reason to make readers fetch the event. */
function sameAttribute(existing: Json, written: WrittenAttribute): boolean {
  return (
    existing['type'] === written.type &&
    existing['value'] === written.value &&
    existing['to_ids'] === true &&
    existing['deleted'] !== true &&
    (existing['comment'] ?? '') === written.comment
  );
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces `file` whole or not at all: a reader sees the old content or the new one. */
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
