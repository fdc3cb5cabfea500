/**
 * MISP events in feed format (`{"Event": {...}}`) turned into the attribute rows that
 * `POST /attributes/restSearch` answers, with the event state the demo server filters on.
 */

/** An attribute tag as restSearch shows it. */
export interface MispTag {
  id: string;
  name: string;
  colour: string;
  numerical_value: string | null;
  local: boolean;
}

/** The `Event` block of a restSearch row. */
export interface MispEventRef {
  org_id: string;
  distribution: string;
  id: string;
  info: string;
  orgc_id: string;
  uuid: string;
}

/** One row of `{"response": {"Attribute": [...]}}`, with MISP's JSON types (ids and times as strings). */
export interface MispAttributeRow {
  id: string;
  event_id: string;
  object_id: string;
  object_relation: string | null;
  category: string;
  type: string;
  to_ids: boolean;
  uuid: string;
  timestamp: string;
  distribution: string;
  sharing_group_id: string;
  comment: string;
  deleted: boolean;
  disable_correlation: boolean;
  first_seen: string | null;
  last_seen: string | null;
  value: string;
  Event: MispEventRef;
  /** Only for attributes inside an object. */
  Object?: { id: string; distribution: string; sharing_group_id: string };
  /** Only when the attribute has tags. */
  Tag?: MispTag[];
  /** MISP's decay scores, held ready in the row (as a search with `includeDecayScore` got them). */
  decay_score?: Array<{ score: number; base_score: number; decayed: boolean; DecayingModel: { id: string; name: string } }>;
}

/**
 * Event state that restSearch filters on without returning it. One object per event, shared by
 * all the event's attributes, so publishing or editing the event changes them all at once.
 */
export interface DemoEventState {
  published: boolean;
  /** Unix seconds; 0 when never published. */
  publishTimestamp: number;
  /** Unix seconds of the event's last change. */
  timestamp: number;
}

/** A row the demo MISP server can answer, with what it needs to filter it. */
export interface DemoAttribute {
  row: MispAttributeRow;
  event: DemoEventState;
}

/**
 * Thrown when an event is not a MISP feed event (`{"Event": {...}}` with a uuid and info). The
 * message names where the event came from.
 */
export class MispEventFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MispEventFileError';
  }
}

export interface FlattenOptions {
  /**
   * Publish every event at this time (Unix seconds). Event files carry `publish_timestamp` 0 or
   * an old date (the demo's date from 2025), which no look-back window of a day or so would catch.
   */
  publishedAt?: number;
}

/** Hands out the ids a MISP instance would have given the imported events, objects and tags. */
export class MispIdAllocator {
  private nextEvent = 1;
  private nextAttribute = 1;
  private nextObject = 1;
  private readonly orgs = new Map<string, string>();
  private readonly tags = new Map<string, string>();

  event(): string {
    return String(this.nextEvent++);
  }
  attribute(): string {
    return String(this.nextAttribute++);
  }
  object(): string {
    return String(this.nextObject++);
  }
  /** Org 1 is the local organisation; creator organisations are numbered from 2. */
  org(key: string): string {
    let id = this.orgs.get(key);
    if (id === undefined) {
      id = String(this.orgs.size + 2);
      this.orgs.set(key, id);
    }
    return id;
  }
  tag(name: string): string {
    let id = this.tags.get(name);
    if (id === undefined) {
      id = String(this.tags.size + 1);
      this.tags.set(name, id);
    }
    return id;
  }
}

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

function records(value: unknown): JsonRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function flattenTags(value: unknown, ids: MispIdAllocator): MispTag[] | undefined {
  const tags = records(value).filter((tag) => typeof tag.name === 'string');
  if (tags.length === 0) return undefined;
  return tags.map((tag) => {
    const name = tag.name as string;
    return {
      id: ids.tag(name),
      name,
      colour: text(tag.colour, '#ffffff'),
      numerical_value: typeof tag.numerical_value === 'string' ? tag.numerical_value : null,
      local: tag.local === true,
    };
  });
}

/**
 * Flattens one feed event into restSearch rows: event-level attributes first, then each object's
 * attributes, as MISP's restSearch includes object attributes with their `object_id`.
 */
export function flattenEvent(feed: unknown, ids: MispIdAllocator, options: FlattenOptions = {}, source = 'event'): DemoAttribute[] {
  const event = isRecord(feed) ? feed.Event : undefined;
  if (!isRecord(event) || typeof event.uuid !== 'string' || typeof event.info !== 'string') {
    throw new MispEventFileError(`${source} is not a MISP feed event: expected {"Event": {"uuid": ..., "info": ...}}.`);
  }
  const eventId = ids.event();
  const orgc = isRecord(event.Orgc) ? event.Orgc : {};
  const ref: MispEventRef = {
    org_id: '1',
    distribution: text(event.distribution, '3'),
    id: eventId,
    info: event.info,
    orgc_id: ids.org(text(orgc.uuid, text(orgc.name, 'unknown'))),
    uuid: event.uuid,
  };
  const state: DemoEventState =
    options.publishedAt === undefined
      ? {
          published: event.published === true,
          publishTimestamp: Number(text(event.publish_timestamp, '0')) || 0,
          timestamp: Number(text(event.timestamp, '0')) || 0,
        }
      : { published: true, publishTimestamp: options.publishedAt, timestamp: Number(text(event.timestamp, '0')) || 0 };

  const rows: DemoAttribute[] = [];
  const add = (attribute: JsonRecord, object?: { id: string; distribution: string; sharing_group_id: string }): void => {
    const row: MispAttributeRow = {
      id: ids.attribute(),
      event_id: eventId,
      object_id: object?.id ?? '0',
      object_relation: object ? text(attribute.object_relation, '') : null,
      category: text(attribute.category, 'Other'),
      type: text(attribute.type, 'other'),
      to_ids: attribute.to_ids === true,
      uuid: text(attribute.uuid, ''),
      timestamp: text(attribute.timestamp, '0'),
      distribution: text(attribute.distribution, '5'),
      sharing_group_id: text(attribute.sharing_group_id, '0'),
      comment: text(attribute.comment, ''),
      deleted: attribute.deleted === true,
      disable_correlation: attribute.disable_correlation === true,
      first_seen: typeof attribute.first_seen === 'string' ? attribute.first_seen : null,
      last_seen: typeof attribute.last_seen === 'string' ? attribute.last_seen : null,
      value: text(attribute.value, ''),
      Event: ref,
    };
    if (object) row.Object = object;
    const tags = flattenTags(attribute.Tag, ids);
    if (tags) row.Tag = tags;
    rows.push({ row, event: state });
  };

  for (const attribute of records(event.Attribute)) add(attribute);
  for (const object of records(event.Object)) {
    const ref = {
      id: ids.object(),
      distribution: text(object.distribution, '5'),
      sharing_group_id: text(object.sharing_group_id, '0'),
    };
    for (const attribute of records(object.Attribute)) add(attribute, ref);
  }
  return rows;
}

/** Publishes (or republishes) an event at `at` (Unix seconds), as MISP's publish action does. */
export function publishEvent(attributes: readonly DemoAttribute[], eventUuid: string, at: number): void {
  const found = attributes.find((attribute) => attribute.row.Event.uuid === eventUuid);
  if (!found) throw new Error(`No attribute of event ${eventUuid} in this data set.`);
  found.event.published = true;
  found.event.publishTimestamp = at;
}

/**
 * Edits an attribute as MISP does: the attribute's timestamp becomes `at` and its event is
 * unpublished (and changed at `at`) until someone publishes it again.
 */
export function editAttribute(
  attribute: DemoAttribute,
  changes: Partial<Pick<MispAttributeRow, 'value' | 'type' | 'to_ids' | 'deleted' | 'comment' | 'category'>>,
  at: number,
): void {
  Object.assign(attribute.row, changes);
  attribute.row.timestamp = String(at);
  attribute.event.published = false;
  attribute.event.timestamp = at;
}

/**
 * Soft-deletes an attribute as MISP does. With the instance setting
 * `Security.sanitise_attribute_on_delete`, MISP also overwrites the row: its type becomes
 * `comment`, its value `deleted`, its IDS flag cleared; only its uuid still tells what it was.
 */
export function deleteAttribute(attribute: DemoAttribute, at: number, options: { sanitise: boolean }): void {
  editAttribute(attribute, options.sanitise ? { deleted: true, type: 'comment', value: 'deleted', to_ids: false } : { deleted: true }, at);
}
