import { flag, integer, isObject, text, type JsonObject } from '../../misp/loose-fields.js';
import { TAG_COLOUR } from './feed-directory.js';
import type { EventSelection } from './event-selection.js';

/** The fields of each element that a feed carries, as PyMISP's feed export keeps them; ids, org ids and sharing details stay home. */
const EVENT_FIELDS = ['uuid', 'info', 'threat_level_id', 'analysis', 'timestamp', 'publish_timestamp', 'published', 'date', 'extends_uuid'];
const ATTRIBUTE_FIELDS = ['uuid', 'type', 'category', 'value', 'to_ids', 'comment', 'timestamp', 'deleted', 'disable_correlation', 'object_relation', 'first_seen', 'last_seen', 'data'];
const OBJECT_FIELDS = ['uuid', 'name', 'meta-category', 'description', 'template_uuid', 'template_version', 'timestamp', 'comment', 'deleted', 'first_seen', 'last_seen'];
const REFERENCE_FIELDS = ['uuid', 'timestamp', 'object_uuid', 'referenced_uuid', 'relationship_type', 'comment'];
const GALAXY_FIELDS = ['uuid', 'name', 'type', 'namespace', 'description', 'version'];
const CLUSTER_FIELDS = ['uuid', 'type', 'value', 'tag_name', 'description', 'source', 'authors', 'version', 'meta'];
const FLAGS = new Set(['to_ids', 'deleted', 'disable_correlation', 'published']);

/** What the export left out of one event, for the run's summary. */
export interface ExportCounts {
  attributes: number;
  objects: number;
  /** Attributes and objects left out: distribution, deleted, or not IDS with `idsOnly`. */
  attributesLeftOut: number;
  objectsLeftOut: number;
  /** References dropped because what they point to was left out. */
  referencesDropped: number;
}

export type ExportedEvent = { event: JsonObject; counts: ExportCounts };

/**
 * The feed form of one MISP event, as PyMISP's feed generator writes it (`MISPEvent.to_feed`): the
 * event with its own uuid, its creator organisation, tags, galaxies, attributes and objects with
 * their references, every attribute keeping its MISP uuid. Left out: an event whose distribution
 * is not kept (undefined is returned), attributes and objects whose own distribution is not kept,
 * deleted ones, local tags, and with `idsOnly` the attributes not flagged for IDS and the objects
 * left empty. A reference to something left out is dropped, so that every reference in the feed
 * resolves as it did in MISP.
 */
export function exportEvent(source: JsonObject, selection: EventSelection): ExportedEvent | undefined {
  const distribution = integer(source['distribution']);
  if (distribution !== undefined && !selection.distributions.has(distribution)) return undefined;
  const counts: ExportCounts = { attributes: 0, objects: 0, attributesLeftOut: 0, objectsLeftOut: 0, referencesDropped: 0 };
  const kept = (element: JsonObject): boolean => {
    const level = integer(element['distribution']);
    if (level !== undefined && !selection.distributions.has(level)) return false;
    return flag(element['deleted']) !== true;
  };
  const keptAttribute = (attribute: JsonObject): boolean => kept(attribute) && (!selection.idsOnly || flag(attribute['to_ids']) === true) && text(attribute['uuid']) !== undefined;

  const event = pick(source, EVENT_FIELDS);
  const orgc = isObject(source['Orgc']) ? source['Orgc'] : {};
  event['Orgc'] = { name: text(orgc['name']) ?? '', uuid: text(orgc['uuid']) ?? '' };
  event['Tag'] = tagsOf(source['Tag']);
  const galaxies = galaxiesOf(source['Galaxy']);
  if (galaxies.length > 0) event['Galaxy'] = galaxies;

  // Every uuid the source event holds, and those the feed keeps: references to the difference are dropped.
  const held = new Set<string>();
  const written = new Set<string>();
  const attributes: JsonObject[] = [];
  for (const attribute of objects(source['Attribute'])) {
    const uuid = text(attribute['uuid']);
    if (uuid !== undefined) held.add(uuid);
    if (!keptAttribute(attribute)) {
      counts.attributesLeftOut++;
      continue;
    }
    attributes.push(exportAttribute(attribute));
    written.add(uuid as string);
  }
  const exportedObjects: Array<{ object: JsonObject; references: JsonObject[] }> = [];
  for (const object of objects(source['Object'])) {
    const uuid = text(object['uuid']);
    const members = objects(object['Attribute']);
    if (uuid !== undefined) held.add(uuid);
    for (const member of members) if (text(member['uuid']) !== undefined) held.add(text(member['uuid']) as string);
    if (!kept(object) || uuid === undefined) {
      counts.objectsLeftOut++;
      counts.attributesLeftOut += members.length;
      continue;
    }
    const keptMembers = members.filter(keptAttribute);
    counts.attributesLeftOut += members.length - keptMembers.length;
    if (keptMembers.length === 0) {
      counts.objectsLeftOut++;
      continue;
    }
    const exported = pick(object, OBJECT_FIELDS);
    exported['Attribute'] = keptMembers.map(exportAttribute);
    for (const member of keptMembers) written.add(text(member['uuid']) as string);
    written.add(uuid);
    exportedObjects.push({ object: exported, references: objects(object['ObjectReference']) });
  }
  for (const { object, references } of exportedObjects) {
    const keptReferences: JsonObject[] = [];
    for (const reference of references) {
      const target = text(reference['referenced_uuid']);
      if (target === undefined || (held.has(target) && !written.has(target))) {
        counts.referencesDropped++;
        continue;
      }
      keptReferences.push({ ...pick(reference, REFERENCE_FIELDS), object_uuid: object['uuid'] });
    }
    if (keptReferences.length > 0) object['ObjectReference'] = keptReferences;
  }
  event['Attribute'] = attributes;
  event['Object'] = exportedObjects.map(({ object }) => object);
  counts.attributes = attributes.length + exportedObjects.reduce((sum, { object }) => sum + (object['Attribute'] as unknown[]).length, 0);
  counts.objects = exportedObjects.length;
  return { event, counts };
}

function exportAttribute(source: JsonObject): JsonObject {
  const attribute = pick(source, ATTRIBUTE_FIELDS);
  const tags = tagsOf(source['Tag']);
  if (tags.length > 0) attribute['Tag'] = tags;
  const galaxies = galaxiesOf(source['Galaxy']);
  if (galaxies.length > 0) attribute['Galaxy'] = galaxies;
  return attribute;
}

/** Tags as a feed lists them; local tags are this MISP's own and are never shared. */
function tagsOf(raw: unknown): JsonObject[] {
  const tags: JsonObject[] = [];
  for (const tag of objects(raw)) {
    const name = text(tag['name']);
    if (name === undefined || flag(tag['local']) === true) continue;
    tags.push({ name, colour: text(tag['colour']) ?? TAG_COLOUR });
  }
  return tags;
}

function galaxiesOf(raw: unknown): JsonObject[] {
  return objects(raw).map((galaxy) => {
    const exported = pick(galaxy, GALAXY_FIELDS);
    exported['GalaxyCluster'] = objects(galaxy['GalaxyCluster']).map((cluster) => pick(cluster, CLUSTER_FIELDS));
    return exported;
  });
}

/** The named fields of `source` that are present, flags as booleans. */
function pick(source: JsonObject, fields: readonly string[]): JsonObject {
  const picked: JsonObject = {};
  for (const field of fields) {
    const value = source[field];
    if (value === undefined || value === null) continue;
    picked[field] = FLAGS.has(field) ? flag(value) === true : value;
  }
  return picked;
}

function objects(raw: unknown): JsonObject[] {
  return Array.isArray(raw) ? raw.filter(isObject) : [];
}
