import { holdsLineBreakOrControl } from '../../iocs/text-guards.js';
import { InvalidFeedOptionsError } from '../errors/invalid-feed-options-error.js';
import { eventHashLines, type HashedAttribute } from '../feed-hashes.js';
import { uuidV5 } from '../feed-uuid.js';
import { defaultCategory } from '../indicator-type.js';
import { directoryFiles, type FeedFiles } from './feed-files.js';
import { hashBlock, hashesText, hashLinesByEvent } from './hash-lines.js';
import { allAttributes, HASHES_FILE, MANIFEST_FILE, manifestEntryOf, readOwnEvent, readOwnManifest, TAG_COLOUR } from './feed-directory.js';

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
  /** Detection material (MISP's IDS flag). Default true. */
  toIds?: boolean | undefined;
  /** Attribute tags, for example `honeypot:ssh`. */
  tags?: readonly string[] | undefined;
}

/** A MISP object ready to be written, its attributes included (see `buildFeedObject`). */
export interface FeedObject extends Record<string, unknown> {
  uuid: string;
  name: string;
  Attribute: Array<Record<string, unknown>>;
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
  /** Title of the daily events before `: <what> of <day>`; defaults to the organisation name. */
  eventInfo?: string | undefined;
  /** Where the files go; defaults to the directory itself. */
  files?: FeedFiles | undefined;
}

export interface FeedWriteReport {
  /** The daily events this run touched, oldest day first. */
  events: Array<{ uuid: string; date: string; created: boolean; changed: boolean; attributes: number }>;
  attributesAdded: number;
  attributesUpdated: number;
  attributesUnchanged: number;
  objectsAdded: number;
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
  Tag?: Array<{ name: string; colour: string }>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

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
  private days = new Map<string, Map<string, FeedIndicator>>();
  private objects = new Map<string, FeedObject[]>();
  private writing: Promise<unknown> = Promise.resolve();
  private readonly files: FeedFiles;

  constructor(private readonly options: FeedWriterOptions) {
    for (const [setting, value] of [['organisation', options.orgName], ...(options.tags ?? []).map((tag) => ['event tag', tag])] as const) {
      if (typeof value !== 'string' || value.trim() === '' || holdsLineBreakOrControl(value)) {
        throw new InvalidFeedOptionsError(setting, `The ${setting} of a feed must be a non-empty name on one line, not ${JSON.stringify(value)}: MISP refuses events without it.`);
      }
    }
    this.orgUuid = options.orgUuid ?? uuidV5(`organisation:${options.orgName}`);
    this.files = options.files ?? directoryFiles(options.directory);
  }

  /** Attributes and objects queued and not yet written. */
  get pending(): number {
    let count = 0;
    for (const attributes of this.days.values()) count += attributes.size;
    for (const objects of this.objects.values()) count += objects.length;
    return count;
  }

  /** The uuid of the daily event for `day` (`YYYY-MM-DD`). */
  eventUuid(day: string): string {
    return uuidV5(`event:${this.orgUuid}:${day}`);
  }

  /** Queues an indicator for its day's event; the same attribute twice is kept once (the later wins). */
  add(indicator: FeedIndicator): string {
    checkDay(indicator.day);
    const eventUuid = this.eventUuid(indicator.day);
    const uuid = indicator.uuid ?? uuidV5(`attribute:${eventUuid}:${indicator.type}\u0000${indicator.value}`);
    let attributes = this.days.get(indicator.day);
    if (attributes === undefined) {
      attributes = new Map();
      this.days.set(indicator.day, attributes);
    }
    attributes.set(uuid, { ...indicator, uuid });
    return uuid;
  }

  /** Queues an object for its day's event; every object is a new one (objects have no natural identity). */
  addObject(day: string, object: FeedObject): void {
    checkDay(day);
    let objects = this.objects.get(day);
    if (objects === undefined) {
      objects = [];
      this.objects.set(day, objects);
    }
    objects.push(object);
  }

  /**
   * Writes what was queued and forgets it, so that the writer can be used again. `nowMs`
   * overrides the time given at construction (a long-lived generator writes at many times).
   */
  write(nowMs: number = this.options.nowMs): Promise<FeedWriteReport> {
    // One write at a time: two at once would each rewrite the manifest without the other's events.
    const run = this.writing.then(() => this.writeNow(nowMs));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async writeNow(nowMs: number): Promise<FeedWriteReport> {
    // What is added while the files are being written waits for the next write.
    const queued = { days: this.days, objects: this.objects };
    this.days = new Map();
    this.objects = new Map();
    try {
      return await this.writeQueued(queued, nowMs);
    } catch (error) {
      // Nothing is lost to a failed write: what it held is queued again, before what came since.
      for (const [day, attributes] of this.days) {
        const earlier = queued.days.get(day);
        if (earlier === undefined) queued.days.set(day, attributes);
        else for (const [uuid, indicator] of attributes) earlier.set(uuid, indicator);
      }
      for (const [day, objects] of this.objects) queued.objects.set(day, [...(queued.objects.get(day) ?? []), ...objects]);
      this.days = queued.days;
      this.objects = queued.objects;
      throw error;
    }
  }

  private async writeQueued(queued: { days: Map<string, Map<string, FeedIndicator>>; objects: Map<string, FeedObject[]> }, nowMs: number): Promise<FeedWriteReport> {
    const manifest = await readOwnManifest(this.files);
    const rewritten = new Map<string, Json>();
    const report: FeedWriteReport = { events: [], attributesAdded: 0, attributesUpdated: 0, attributesUnchanged: 0, objectsAdded: 0, manifestEvents: 0 };
    const nowSeconds = Math.floor(nowMs / 1000);
    const days = [...new Set([...queued.days.keys(), ...queued.objects.keys()])].sort();

    for (const day of days) {
      const uuid = this.eventUuid(day);
      const existing = await readOwnEvent(this.files, uuid);
      const event = existing ?? this.newEvent(uuid, day);
      const attributes = (Array.isArray(event['Attribute']) ? event['Attribute'] : []) as Json[];
      const byUuid = new Map<string, number>();
      attributes.forEach((attribute, index) => {
        if (typeof attribute['uuid'] === 'string') byUuid.set(attribute['uuid'], index);
      });
      let changed = existing === undefined;
      for (const indicator of (queued.days.get(day) ?? new Map<string, FeedIndicator>()).values()) {
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
      const objects = queued.objects.get(day) ?? [];
      if (objects.length > 0) {
        event['Object'] = [...(Array.isArray(event['Object']) ? (event['Object'] as Json[]) : []), ...objects];
        report.objectsAdded += objects.length;
        changed = true;
      }
      if (changed) {
        const previous = Number(event['timestamp']) || 0;
        const timestamp = String(Math.max(nowSeconds, previous + 1));
        event['timestamp'] = timestamp;
        event['publish_timestamp'] = timestamp;
        await this.files.write(`${uuid}.json`, `${JSON.stringify({ Event: event })}\n`);
        rewritten.set(uuid, event);
      }
      manifest.set(uuid, manifestEntryOf(event));
      const objectAttributes = Array.isArray(event['Object']) ? (event['Object'] as Json[]).reduce((sum, object) => sum + (Array.isArray(object['Attribute']) ? object['Attribute'].length : 0), 0) : 0;
      report.events.push({ uuid, date: day, created: existing === undefined, changed, attributes: attributes.length + objectAttributes });
    }
    if (rewritten.size > 0 || (await this.files.read(MANIFEST_FILE)) === undefined) {
      await this.files.write(HASHES_FILE, await this.hashes(manifest, rewritten));
      await this.files.write(MANIFEST_FILE, `${JSON.stringify(Object.fromEntries(manifest))}\n`);
    }
    report.manifestEvents = manifest.size;
    return report;
  }

  private newEvent(uuid: string, day: string): Json {
    return {
      uuid,
      info: `${this.options.eventInfo ?? this.options.orgName}: IDS indicators of ${day}`,
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
    const written: WrittenAttribute = {
      uuid: indicator.uuid as string,
      type: indicator.type,
      category: indicator.category ?? defaultCategory(indicator.type),
      value: indicator.value,
      to_ids: indicator.toIds ?? true,
      timestamp: String(indicator.timestamp),
      comment: indicator.comment ?? '',
      deleted: false,
      disable_correlation: false,
      object_relation: null,
    };
    if (indicator.tags !== undefined && indicator.tags.length > 0) written.Tag = indicator.tags.map((name) => ({ name, colour: TAG_COLOUR }));
    return written;
  }

  /**
   * hashes.csv for every event of the manifest, in manifest order: the rewritten events' lines made
   * anew, the others' kept from the file; an event the file has no line for is read from disk.
   */
  private async hashes(manifest: Map<string, Json>, rewritten: Map<string, Json>): Promise<string> {
    const byEvent = hashLinesByEvent(await this.files.read(HASHES_FILE), (uuid) => manifest.has(uuid) && !rewritten.has(uuid));
    for (const uuid of manifest.keys()) {
      if (byEvent.has(uuid)) continue;
      const event = rewritten.get(uuid) ?? (await readOwnEvent(this.files, uuid).catch(() => undefined));
      if (event !== undefined) byEvent.set(uuid, hashBlock(eventHashLines(uuid, hashedAttributes(event))));
    }
    return hashesText(manifest.keys(), byEvent);
  }
}

/** The attributes of an event that hashes.csv lists: those with a textual type and value. */
export function hashedAttributes(event: Json): HashedAttribute[] {
  const attributes: HashedAttribute[] = [];
  for (const attribute of allAttributes(event)) {
    if (typeof attribute['type'] === 'string' && typeof attribute['value'] === 'string') attributes.push({ type: attribute['type'], value: attribute['value'] });
  }
  return attributes;
}

function checkDay(day: string): void {
  if (!DAY.test(day)) throw new RangeError(`The day of an indicator must be YYYY-MM-DD, not ${JSON.stringify(day)}.`);
}

/** Same indicator for a reader: a timestamp alone (a list written again) is no reason to make readers fetch the event. */
function sameAttribute(existing: Json, written: WrittenAttribute): boolean {
  return (
    existing['type'] === written.type &&
    existing['value'] === written.value &&
    existing['to_ids'] === written.to_ids &&
    existing['deleted'] !== true &&
    (existing['comment'] ?? '') === written.comment &&
    JSON.stringify(existing['Tag'] ?? []) === JSON.stringify(written.Tag ?? [])
  );
}
