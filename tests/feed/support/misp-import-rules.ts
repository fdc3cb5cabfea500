/**
 * A model of what a MISP instance keeps when it pulls a feed, written from MISP's documented
 * behaviour and independent of the writers under test:
 * - the manifest is read first; an event the instance holds is downloaded again only when the
 *   manifest's timestamp is newer than the one held, and then updated in place;
 * - an attribute or object uuid is unique across the instance: one held by another event is refused;
 *   one held by the same event is updated when its timestamp is newer;
 * - object references must point at an attribute or object the instance holds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Json = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface HeldAttribute {
  event: string;
  type: string;
  value: string;
  toIds: boolean;
  timestamp: number;
}

export interface ImportReport {
  eventsCreated: number;
  eventsUpdated: number;
  /** Listed by the manifest but not downloaded: held at the same or a newer timestamp. */
  eventsSkipped: number;
  attributesCreated: number;
  attributesUpdated: number;
  /** Attributes refused because their uuid belongs to another event. */
  attributesRefused: Array<{ uuid: string; event: string; heldBy: string }>;
  objectsCreated: number;
  objectsRefused: number;
  /** References whose target the instance does not hold after the import. */
  referencesUnresolved: Array<{ object: string; referenced: string }>;
  /** Anything that would make MISP refuse an event file outright. */
  problems: string[];
}

export class MispImportModel {
  readonly events = new Map<string, { timestamp: number; info: string; orgc: string; attributes: Set<string>; objects: Set<string> }>();
  readonly attributes = new Map<string, HeldAttribute>();
  readonly objects = new Map<string, string>();

  /** Pulls the feed in `directory` as MISP's "fetch and import" does. */
  importFeed(directory: string): ImportReport {
    const report: ImportReport = {
      eventsCreated: 0,
      eventsUpdated: 0,
      eventsSkipped: 0,
      attributesCreated: 0,
      attributesUpdated: 0,
      attributesRefused: [],
      objectsCreated: 0,
      objectsRefused: 0,
      referencesUnresolved: [],
      problems: [],
    };
    const manifest = JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as Record<string, Json>;
    const references: Array<{ object: string; referenced: string }> = [];
    for (const [uuid, entry] of Object.entries(manifest)) {
      const listed = Number(entry['timestamp']);
      const held = this.events.get(uuid);
      if (held !== undefined && !(listed > held.timestamp)) {
        report.eventsSkipped++;
        continue;
      }
      let event: Json;
      try {
        event = (JSON.parse(readFileSync(path.join(directory, `${uuid}.json`), 'utf8')) as { Event: Json }).Event;
      } catch (error) {
        report.problems.push(`${uuid}.json: ${(error as Error).message}`);
        continue;
      }
      if (event?.['uuid'] !== uuid) report.problems.push(`${uuid}.json holds event ${String(event?.['uuid'])}`);
      if (typeof event['info'] !== 'string' || event['info'] === '') report.problems.push(`${uuid}: no info`);
      if (typeof event['date'] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(event['date'])) report.problems.push(`${uuid}: no date`);
      const orgc = event['Orgc'] as Json | undefined;
      if (typeof orgc?.['name'] !== 'string' || orgc['name'] === '') report.problems.push(`${uuid}: no creator organisation`);
      if (Number(event['timestamp']) !== listed) report.problems.push(`${uuid}: the manifest says timestamp ${listed}, the event ${String(event['timestamp'])}`);

      const record = held ?? { timestamp: 0, info: '', orgc: '', attributes: new Set<string>(), objects: new Set<string>() };
      record.timestamp = listed;
      record.info = String(event['info']);
      record.orgc = String(orgc?.['name']);
      if (held === undefined) {
        this.events.set(uuid, record);
        report.eventsCreated++;
      } else {
        report.eventsUpdated++;
      }
      const take = (attribute: Json): void => this.takeAttribute(uuid, record.attributes, attribute, report);
      for (const attribute of (event['Attribute'] as Json[] | undefined) ?? []) take(attribute);
      for (const object of (event['Object'] as Json[] | undefined) ?? []) {
        const objectUuid = String(object['uuid']);
        const owner = this.objects.get(objectUuid);
        if (!UUID.test(objectUuid) || (owner !== undefined && owner !== uuid)) {
          report.objectsRefused++;
          continue;
        }
        if (owner === undefined) {
          this.objects.set(objectUuid, uuid);
          record.objects.add(objectUuid);
          report.objectsCreated++;
        }
        for (const attribute of (object['Attribute'] as Json[] | undefined) ?? []) take(attribute);
        for (const reference of (object['ObjectReference'] as Json[] | undefined) ?? []) {
          if (reference['object_uuid'] !== undefined && reference['object_uuid'] !== objectUuid) report.problems.push(`reference ${String(reference['uuid'])} claims object ${String(reference['object_uuid'])} inside ${objectUuid}`);
          references.push({ object: objectUuid, referenced: String(reference['referenced_uuid']) });
        }
      }
    }
    // References are resolved once the whole feed is in, as MISP captures them after the objects.
    for (const reference of references) {
      if (!this.attributes.has(reference.referenced) && !this.objects.has(reference.referenced)) report.referencesUnresolved.push(reference);
    }
    return report;
  }

  /** The attribute uuids an event holds, objects' included. */
  attributesOf(event: string): Set<string> {
    return new Set(this.events.get(event)?.attributes ?? []);
  }

  private takeAttribute(event: string, owned: Set<string>, attribute: Json, report: ImportReport): void {
    const uuid = String(attribute['uuid']);
    if (!UUID.test(uuid) || typeof attribute['type'] !== 'string' || typeof attribute['value'] !== 'string' || attribute['value'] === '') {
      report.problems.push(`event ${event}: attribute ${uuid} lacks a uuid, a type or a value`);
      return;
    }
    const held = this.attributes.get(uuid);
    const incoming: HeldAttribute = { event, type: attribute['type'], value: attribute['value'], toIds: attribute['to_ids'] === true || attribute['to_ids'] === '1', timestamp: Number(attribute['timestamp']) || 0 };
    if (held !== undefined && held.event !== event) {
      report.attributesRefused.push({ uuid, event, heldBy: held.event });
      return;
    }
    if (held === undefined) {
      this.attributes.set(uuid, incoming);
      owned.add(uuid);
      report.attributesCreated++;
    } else if (incoming.timestamp > held.timestamp) {
      this.attributes.set(uuid, incoming);
      report.attributesUpdated++;
    }
  }
}
