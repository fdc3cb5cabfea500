import type { EventFacts, LocalAttributeFilter } from '../filters/attribute-filter.js';
import { flag, integer, isObject, text, type JsonObject } from '../misp/loose-fields.js';
import type { SourceAttribute } from '../pipeline/sync-cycle.js';

/** What reading one event file gave: the attributes to push, and what was left out and why. */
export interface FeedEventContent {
  /** IDS-flagged, non-deleted attributes, event-level first, then each object's. */
  attributes: SourceAttribute[];
  /** Attributes not flagged for IDS. */
  notIds: number;
  /** Attributes deleted (or inside a deleted object): withdrawn by the producer. */
  deleted: number;
  /** Attributes without a type or a value. */
  malformed: number;
  /** IDS attributes left out by the trigger's filters (tags, organisations, types). */
  filtered: number;
  /** The uuid the file itself gives its event, if any. */
  eventUuid: string | undefined;
}

/** A timestamp in seconds: a whole number, never negative. */
function seconds(value: unknown): number | undefined {
  const parsed = integer(value);
  return parsed !== undefined && parsed >= 0 ? parsed : undefined;
}

/** Only true counts: a missing or unreadable flag leaves the attribute out of what is pushed. */
function isSet(value: unknown): boolean {
  return flag(value) === true;
}

/**
 * The Event object of a feed file. MISP accepts `{"Event": …}`, the same wrapped in `response`
 * (an object or a one-item list), and a list of such, so this does too.
 */
export function eventOf(document: unknown): JsonObject | undefined {
  let current: unknown = document;
  for (let depth = 0; depth < 4; depth++) {
    if (Array.isArray(current)) current = current[0];
    else if (isObject(current) && isObject(current['Event'])) return current['Event'];
    else if (isObject(current) && current['response'] !== undefined) current = current['response'];
    else return undefined;
  }
  return undefined;
}

/**
 * Turns a parsed event file into pipeline attributes: `Event.Attribute[]` and
 * `Event.Object[].Attribute[]`, keeping IDS-flagged, non-deleted ones. Returns undefined when the
 * document is not a MISP event. Attributes without their own timestamp take the event's, so that an
 * edit of the event still makes them new.
 */
export function readFeedEvent(document: unknown, filter?: LocalAttributeFilter): FeedEventContent | undefined {
  const event = eventOf(document);
  if (event === undefined) return undefined;
  const content: FeedEventContent = { attributes: [], notIds: 0, deleted: 0, malformed: 0, filtered: 0, eventUuid: text(event['uuid']) };
  const orgc = isObject(event['Orgc']) ? event['Orgc'] : {};
  const facts: EventFacts = { tags: tagNames(event['Tag']), orgName: text(orgc['name']), orgUuid: text(orgc['uuid']) };
  const eventTimestamp = seconds(event['timestamp']) ?? 0;

  const take = (raw: unknown, withinDeleted: boolean): void => {
    if (!isObject(raw)) {
      content.malformed++;
      return;
    }
    const type = text(raw['type']);
    const value = text(raw['value']);
    if (type === undefined || value === undefined) {
      content.malformed++;
      return;
    }
    if (withinDeleted || isSet(raw['deleted'])) {
      content.deleted++;
      return;
    }
    if (!isSet(raw['to_ids'])) {
      content.notIds++;
      return;
    }
    if (filter !== undefined && !filter.acceptsAttribute(type, tagNames(raw['Tag']), facts)) {
      content.filtered++;
      return;
    }
    const attribute: SourceAttribute = { type, value, timestamp: seconds(raw['timestamp']) ?? eventTimestamp, toIds: true, deleted: false };
    const uuid = text(raw['uuid']);
    if (uuid !== undefined) attribute.uuid = uuid;
    const id = text(raw['id']);
    if (id !== undefined) attribute.id = id;
    content.attributes.push(attribute);
  };

  if (Array.isArray(event['Attribute'])) for (const raw of event['Attribute']) take(raw, false);
  if (Array.isArray(event['Object'])) {
    for (const object of event['Object']) {
      if (!isObject(object) || !Array.isArray(object['Attribute'])) continue;
      const objectDeleted = isSet(object['deleted']);
      for (const raw of object['Attribute']) take(raw, objectDeleted);
    }
  }
  return content;
}

/** The names of a MISP `Tag` list (`[{"name": "tlp:clear", ...}]`). */
function tagNames(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const names: string[] = [];
  for (const tag of tags) {
    const name = isObject(tag) ? text(tag['name']) : undefined;
    if (name !== undefined) names.push(name);
  }
  return names;
}
