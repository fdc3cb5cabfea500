/**
 * Reads a MISP event as MISP's JSON export and the "New Event" trigger give it (numbers and flags
 * possibly as strings, optional lists possibly absent) into the few typed fields the STIX
 * conversion uses. Elements it cannot use are listed with the reason, never dropped in silence.
 */
import { flag, integer, isObject, text, type JsonObject } from '../misp/loose-fields.js';
import { NotAMispEventError } from './errors/not-a-misp-event-error.js';
import { isUuid } from './stix-identifiers.js';

export interface MispOrganisation {
  readonly uuid: string;
  readonly name: string;
}

export interface MispAttributeEntry {
  readonly uuid: string;
  readonly type: string;
  readonly category: string | undefined;
  readonly value: string;
  readonly toIds: boolean;
  /** Epoch seconds of the attribute's last change (the event's when the attribute has none). */
  readonly timestamp: number;
  readonly comment: string | undefined;
  readonly firstSeen: string | undefined;
  readonly lastSeen: string | undefined;
  readonly tags: readonly string[];
  /** Galaxy clusters attached to this attribute alone. */
  readonly galaxyClusters: readonly MispGalaxyClusterEntry[];
  /** Epoch seconds of each time the value was seen (MISP sightings of type 0, not false positives or expirations). */
  readonly sightings: readonly number[];
}

export interface MispObjectReference {
  readonly referencedUuid: string;
  readonly relationshipType: string;
}

export interface MispObjectEntry {
  readonly uuid: string;
  readonly name: string;
  readonly comment: string | undefined;
  readonly timestamp: number;
  readonly firstSeen: string | undefined;
  readonly lastSeen: string | undefined;
  readonly attributes: readonly MispAttributeEntry[];
  readonly references: readonly MispObjectReference[];
}

export interface MispGalaxyClusterEntry {
  readonly uuid: string;
  readonly galaxyType: string;
  readonly value: string;
  readonly description: string | undefined;
  readonly externalId: string | undefined;
}

export interface MispEventEntry {
  readonly uuid: string;
  readonly info: string;
  /** The event's date (YYYY-MM-DD) when valid. */
  readonly date: string | undefined;
  readonly timestamp: number;
  readonly publishTimestamp: number | undefined;
  readonly creator: MispOrganisation | undefined;
  readonly tags: readonly string[];
  readonly attributes: readonly MispAttributeEntry[];
  readonly objects: readonly MispObjectEntry[];
  readonly galaxyClusters: readonly MispGalaxyClusterEntry[];
}

/** An element of the event left out of the conversion, and why. */
export interface SkippedElement {
  readonly element: 'attribute' | 'object' | 'galaxy cluster';
  /** The element's uuid, or its position when it has none (`Attribute[3]`). */
  readonly reference: string;
  readonly mispType?: string;
  readonly reason: string;
}

export interface ReadEvent {
  readonly event: MispEventEntry;
  readonly skipped: readonly SkippedElement[];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A list of elements of the event; anything else but an absent list is reported, not ignored. */
function elements(value: unknown, element: SkippedElement['element'], reference: string, skipped: SkippedElement[]): unknown[] {
  if (value !== undefined && value !== null && !Array.isArray(value)) {
    skipped.push({ element, reference, reason: `${reference} is not a list` });
  }
  return list(value);
}

function tagNames(value: unknown): string[] {
  return list(value)
    .map((tag) => (isObject(tag) ? text(tag.name) : undefined))
    .filter((name): name is string => name !== undefined);
}

function organisation(value: unknown): MispOrganisation | undefined {
  if (!isObject(value)) return undefined;
  const uuid = text(value.uuid);
  const name = text(value.name);
  return uuid !== undefined && isUuid(uuid) && name !== undefined ? { uuid: uuid.toLowerCase(), name } : undefined;
}

/** A first_seen / last_seen value as a STIX timestamp, when it is a date. */
function seen(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  // MISP writes microseconds (`.123456+00:00`): Date reads milliseconds only.
  const parsed = Date.parse(raw.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

function readAttributes(
  raw: unknown,
  defaultTimestamp: number,
  where: string,
  skipped: SkippedElement[],
): MispAttributeEntry[] {
  const attributes: MispAttributeEntry[] = [];
  elements(raw, 'attribute', `${where}Attribute`, skipped).forEach((item, index) => {
    const reference = `${where}Attribute[${index}]`;
    if (!isObject(item)) {
      skipped.push({ element: 'attribute', reference, reason: 'not a JSON object' });
      return;
    }
    const uuid = text(item.uuid);
    const type = text(item.type);
    const value = text(item.value);
    const label = uuid ?? reference;
    if (uuid === undefined || !isUuid(uuid)) {
      skipped.push({ element: 'attribute', reference: label, ...(type ? { mispType: type } : {}), reason: 'no valid uuid' });
      return;
    }
    if (type === undefined || value === undefined) {
      skipped.push({ element: 'attribute', reference: label, reason: 'no type or no value' });
      return;
    }
    if (flag(item.deleted) === true) {
      skipped.push({ element: 'attribute', reference: label, mispType: type, reason: 'deleted in MISP' });
      return;
    }
    attributes.push({
      uuid: uuid.toLowerCase(),
      type,
      category: text(item.category),
      value,
      toIds: flag(item.to_ids) === true,
      timestamp: integer(item.timestamp) ?? defaultTimestamp,
      comment: text(item.comment),
      firstSeen: seen(item.first_seen),
      lastSeen: seen(item.last_seen),
      tags: tagNames(item.Tag),
      galaxyClusters: readGalaxyClusters(item.Galaxy, `Attribute ${uuid} `, skipped),
      sightings: list(item.Sighting).flatMap((sighting) => {
        if (!isObject(sighting) || (integer(sighting.type) ?? 0) !== 0) return [];
        const date = integer(sighting.date_sighting);
        return date === undefined ? [] : [date];
      }),
    });
  });
  return attributes;
}

function readObjects(raw: unknown, defaultTimestamp: number, skipped: SkippedElement[]): MispObjectEntry[] {
  const objects: MispObjectEntry[] = [];
  elements(raw, 'object', 'Object', skipped).forEach((item, index) => {
    const uuid = isObject(item) ? text(item.uuid) : undefined;
    if (!isObject(item) || uuid === undefined || !isUuid(uuid)) {
      skipped.push({ element: 'object', reference: uuid ?? `Object[${index}]`, reason: 'not an object with a valid uuid' });
      return;
    }
    if (flag(item.deleted) === true) {
      skipped.push({ element: 'object', reference: uuid, reason: 'deleted in MISP' });
      return;
    }
    const timestamp = integer(item.timestamp) ?? defaultTimestamp;
    const references = list(item.ObjectReference).flatMap((reference): MispObjectReference[] => {
      if (!isObject(reference) || flag(reference.deleted) === true) return [];
      const referencedUuid = text(reference.referenced_uuid);
      const relationshipType = text(reference.relationship_type);
      return referencedUuid !== undefined && isUuid(referencedUuid) && relationshipType !== undefined
        ? [{ referencedUuid: referencedUuid.toLowerCase(), relationshipType }]
        : [];
    });
    objects.push({
      uuid: uuid.toLowerCase(),
      name: text(item.name) ?? 'object',
      comment: text(item.comment),
      timestamp,
      firstSeen: seen(item.first_seen),
      lastSeen: seen(item.last_seen),
      attributes: readAttributes(item.Attribute, timestamp, `Object ${uuid} `, skipped),
      references,
    });
  });
  return objects;
}

function readGalaxyClusters(raw: unknown, where: string, skipped: SkippedElement[]): MispGalaxyClusterEntry[] {
  return elements(raw, 'galaxy cluster', `${where}Galaxy`, skipped).flatMap((galaxy) => {
    if (!isObject(galaxy)) return [];
    const galaxyType = text(galaxy.type);
    return list(galaxy.GalaxyCluster).flatMap((cluster, index): MispGalaxyClusterEntry[] => {
      const uuid = isObject(cluster) ? text(cluster.uuid) : undefined;
      const value = isObject(cluster) ? text(cluster.value) : undefined;
      if (!isObject(cluster) || uuid === undefined || !isUuid(uuid) || value === undefined || galaxyType === undefined) {
        skipped.push({ element: 'galaxy cluster', reference: uuid ?? `GalaxyCluster[${index}]`, reason: 'no uuid, value or galaxy type' });
        return [];
      }
      const meta = isObject(cluster.meta) ? cluster.meta : {};
      const externalId = list(meta.external_id).map(text).find((id) => id !== undefined);
      return [{ uuid: uuid.toLowerCase(), galaxyType, value, description: text(cluster.description), externalId }];
    });
  });
}

function eventObject(input: unknown): JsonObject {
  if (!isObject(input)) throw new NotAMispEventError('it is not a JSON object');
  if (isObject(input.Event)) return input.Event;
  if ('Event' in input) throw new NotAMispEventError('its Event is not a JSON object');
  if ('uuid' in input && ('info' in input || 'Attribute' in input)) return input;
  throw new NotAMispEventError('it has no Event object');
}

/** The event inside `input` (`{Event: {...}}`, or the bare event), with the elements left out. */
export function readMispEvent(input: unknown): ReadEvent {
  const raw = eventObject(input);
  const uuid = text(raw.uuid);
  if (uuid === undefined || !isUuid(uuid)) throw new NotAMispEventError('the event has no valid uuid');
  const timestamp = integer(raw.timestamp);
  if (timestamp === undefined) throw new NotAMispEventError(`the event ${uuid} has no timestamp`);
  const date = text(raw.date);
  const skipped: SkippedElement[] = [];
  const publishTimestamp = integer(raw.publish_timestamp);
  const event: MispEventEntry = {
    uuid: uuid.toLowerCase(),
    info: text(raw.info) ?? `MISP event ${uuid}`,
    date: date !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(Date.parse(date)) ? date : undefined,
    timestamp,
    publishTimestamp: publishTimestamp !== undefined && publishTimestamp > 0 ? publishTimestamp : undefined,
    creator: organisation(raw.Orgc) ?? organisation(raw.Org),
    tags: tagNames(raw.Tag),
    attributes: readAttributes(raw.Attribute, timestamp, '', skipped),
    objects: readObjects(raw.Object, timestamp, skipped),
    galaxyClusters: readGalaxyClusters(raw.Galaxy, '', skipped),
  };
  return { event, skipped };
}
