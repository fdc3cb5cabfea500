/**
 * A MISP event → a STIX 2.1 bundle. The event becomes a report by its creating organisation (an
 * identity); IDS-flagged attributes and objects holding IDS-flagged attributes become indicators
 * whose patterns are checked before they are emitted; the other attributes and objects become
 * observed-data with their observables; text attributes become notes, vulnerabilities and galaxy
 * clusters (of the event or of an attribute) their own objects; object references and attribute
 * clusters become relationships, an indicator's sightings one sighting; `tlp:` tags become the
 * standard TLP markings and every tag a label. Ids come from MISP uuids and dates from MISP
 * timestamps, so one event always gives the same bundle.
 */
import { NotAMispEventError } from './errors/not-a-misp-event-error.js';
import { checkStixPattern } from './pattern-validator.js';
import { fieldValues, type FieldValue } from './field-values.js';
import {
  readMispEvent,
  type MispAttributeEntry,
  type MispEventEntry,
  type MispGalaxyClusterEntry,
  type MispObjectEntry,
  type SkippedElement,
} from './misp-event-reader.js';
import { buildObservables, unmetRequirement } from './observable-builder.js';
import { writePattern } from './pattern-writer.js';
import { MISP_TO_STIX_NAMESPACE, stixIdOf, uuidV5 } from './stix-identifiers.js';
import type { StixBundle, StixCommonProperties, StixCyberObservable, StixMarkingDefinition, StixObject } from './stix-objects.js';
import { CONTEXT_TYPE_TABLE, GALAXY_TYPE_TABLE, ruleTypeRow, stixTypeRow } from './stix-type-table.js';
import { tlpMarkingsOfTags } from './tlp-markings.js';

export type { SkippedElement } from './misp-event-reader.js';

export interface StixConversion {
  readonly bundle: StixBundle;
  /** Elements of the event that are not in the bundle (or not as indicators), with the reason. */
  readonly skipped: readonly SkippedElement[];
}

export interface StixConversionOptions {
  /** Called once per element left out of the bundle, so that the caller can log it. */
  readonly onSkipped?: (skipped: SkippedElement) => void;
}

const KILL_CHAIN_NAME = 'misp-category';

function timestampText(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** The object without its undefined properties, so that bundles compare and serialise the same. */
function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function nonEmpty<T>(items: readonly T[]): readonly T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** `Network activity` → `network-activity` (kill chain phases are lowercase with hyphens). */
function phaseName(category: string): string {
  return category.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** The result of converting one attribute or object, before it joins the bundle. */
interface Converted {
  readonly main: StixCommonProperties;
  readonly observables: readonly StixCyberObservable[];
}

class BundleWriter {
  readonly skipped: SkippedElement[];
  private readonly objects: StixObject[] = [];
  private readonly ids = new Set<string>();
  /** The STIX id each converted MISP attribute or object became, for object references. */
  private readonly stixIdByMispUuid = new Map<string, string>();
  private readonly markings = new Map<string, StixMarkingDefinition>();
  private readonly eventMarkingIds: readonly string[];
  private readonly identityId: string | undefined;
  private readonly reportId: string;

  constructor(
    private readonly event: MispEventEntry,
    skipped: readonly SkippedElement[],
  ) {
    this.skipped = [...skipped];
    this.eventMarkingIds = this.markingIds(event.tags);
    this.identityId = event.creator ? stixIdOf('identity', event.creator.uuid) : undefined;
    this.reportId = stixIdOf('report', event.uuid);
  }

  private markingIds(tags: readonly string[]): string[] {
    const markings = tlpMarkingsOfTags(tags);
    for (const marking of markings) this.markings.set(marking.id, marking);
    return markings.map((marking) => marking.id);
  }

  /** An element's own TLP markings, else the event's. */
  private elementMarkings(tags: readonly string[]): readonly string[] | undefined {
    const own = this.markingIds(tags);
    return nonEmpty(own.length > 0 ? own : this.eventMarkingIds);
  }

  private common(type: string, id: string, timestamp: number, tags: readonly string[]): StixCommonProperties {
    const time = timestampText(timestamp);
    return {
      type,
      spec_version: '2.1',
      id,
      created: time,
      modified: time,
      created_by_ref: this.identityId,
      labels: nonEmpty(tags),
      object_marking_refs: this.elementMarkings(tags),
    };
  }

  /**
   * The times an indicator's value was seen, as one sighting: how many, first and last (MISP
   * sightings of type 0; false positives and expirations are not sightings).
   */
  convertSightings(attribute: MispAttributeEntry): void {
    const indicatorId = this.stixIdByMispUuid.get(attribute.uuid);
    if (attribute.sightings.length === 0 || indicatorId === undefined || !indicatorId.startsWith('indicator--')) return;
    // A loop rather than Math.min(...list): a list of many sightings would overflow the call stack.
    const first = attribute.sightings.reduce((earliest, date) => Math.min(earliest, date));
    const last = attribute.sightings.reduce((latest, date) => Math.max(latest, date));
    const uuid = uuidV5(MISP_TO_STIX_NAMESPACE, `sighting/${attribute.uuid}`);
    const base = this.common('sighting', `sighting--${uuid}`, last, []);
    const main: StixCommonProperties = {
      ...base,
      sighting_of_ref: indicatorId,
      first_seen: timestampText(first),
      last_seen: timestampText(last),
      count: attribute.sightings.length,
    };
    this.add({ main, observables: [] }, undefined);
  }

  /** Adds a converted element; `source` is the MISP attribute or object it stands for, if any. */
  private add(converted: Converted, source: { element: 'attribute' | 'object'; uuid: string } | undefined): void {
    if (this.ids.has(converted.main.id)) {
      // Two MISP elements with one uuid would give two STIX objects with one id: the first stays.
      const reason = `its STIX id ${converted.main.id} is already in the bundle (the same uuid twice in the event)`;
      this.skip({ element: source?.element ?? 'attribute', reference: source?.uuid ?? converted.main.id, reason });
      return;
    }
    this.objects.push(defined(converted.main));
    this.ids.add(converted.main.id);
    if (source !== undefined) this.stixIdByMispUuid.set(source.uuid, converted.main.id);
    for (const observable of converted.observables) {
      if (this.ids.has(observable.id)) continue;
      this.ids.add(observable.id);
      this.objects.push(observable);
    }
  }

  private skip(skipped: SkippedElement): void {
    this.skipped.push(skipped);
  }

  /** An indicator when the pattern passes the check; otherwise the reason it does not. */
  private indicator(
    base: StixCommonProperties,
    pattern: string,
    patternType: string,
    validFrom: string,
    validUntil: string | undefined,
    category: string | undefined,
  ): StixCommonProperties | string {
    if (patternType === 'stix') {
      const check = checkStixPattern(pattern);
      if (!check.valid) return `its STIX pattern fails the pattern check at character ${check.offset}: ${check.reason}`;
    }
    const phase = category === undefined ? '' : phaseName(category);
    return {
      ...base,
      type: 'indicator',
      id: base.id.replace(/^[a-z-]+--/, 'indicator--'),
      indicator_types: ['malicious-activity'],
      pattern,
      pattern_type: patternType,
      pattern_version: patternType === 'stix' ? '2.1' : undefined,
      valid_from: validFrom,
      valid_until: validUntil !== undefined && validUntil > validFrom ? validUntil : undefined,
      kill_chain_phases: phase === '' ? undefined : [{ kill_chain_name: KILL_CHAIN_NAME, phase_name: phase }],
    };
  }

  /** Observed-data has no description: MISP's comment goes in the custom property `x_misp_comment`. */
  private observedData(
    base: StixCommonProperties,
    comment: string | undefined,
    observables: readonly StixCyberObservable[],
    firstSeen: string | undefined,
    lastSeen: string | undefined,
  ): Converted {
    const first = firstSeen ?? (base.created as string);
    const last = lastSeen !== undefined && lastSeen > first ? lastSeen : first;
    const main: StixCommonProperties = {
      ...base,
      type: 'observed-data',
      id: base.id.replace(/^[a-z-]+--/, 'observed-data--'),
      first_observed: first,
      last_observed: last,
      number_observed: 1,
      object_refs: observables.map((observable) => observable.id),
      x_misp_comment: comment,
    };
    return { main, observables };
  }

  convertAttribute(attribute: MispAttributeEntry): void {
    const base = this.common('indicator', stixIdOf('indicator', attribute.uuid), attribute.timestamp, attribute.tags);
    const described = { ...base, description: attribute.comment };
    const validFrom = attribute.firstSeen ?? (base.created as string);
    const reference = { element: 'attribute' as const, reference: attribute.uuid, mispType: attribute.type };
    const source = { element: 'attribute' as const, uuid: attribute.uuid };

    const rule = ruleTypeRow(attribute.type);
    // A rule MISP does not flag for detection is kept for reading, as a note.
    if (rule !== undefined && !attribute.toIds) {
      this.add({ main: this.contextObject('note', attribute, base), observables: [] }, source);
      return;
    }
    if (rule !== undefined) {
      const named = { ...described, name: attribute.comment ?? `MISP ${attribute.type} rule` };
      const indicator = this.indicator(named, attribute.value, rule.patternType, validFrom, attribute.lastSeen, attribute.category);
      if (typeof indicator === 'string') this.skip({ ...reference, reason: indicator });
      else this.add({ main: indicator, observables: [] }, source);
      return;
    }

    const context = CONTEXT_TYPE_TABLE[attribute.type];
    if (context !== undefined) {
      this.add({ main: this.contextObject(context, attribute, base), observables: [] }, source);
      return;
    }

    const row = stixTypeRow(attribute.type);
    if (row === undefined) {
      this.skip({ ...reference, reason: `STIX has no mapping for the MISP type ${attribute.type} in this module` });
      return;
    }
    const values = fieldValues(row, attribute.value);
    if (!values.ok) {
      this.skip({ ...reference, reason: values.reason });
      return;
    }
    const canObserve = row.observable !== false;
    let patternRefusal: string | undefined;
    if (attribute.toIds) {
      const named = { ...described, name: attribute.value };
      const indicator = this.indicator(named, writePattern(values.values), 'stix', validFrom, attribute.lastSeen, attribute.category);
      if (typeof indicator !== 'string') {
        this.add({ main: indicator, observables: [] }, source);
        return;
      }
      patternRefusal = indicator;
    }
    const observables = canObserve ? buildObservables(values.values) : [];
    const unobservable = canObserve ? unmetRequirement(observables) : `${attribute.type} values have no STIX observable form`;
    if (unobservable !== undefined) {
      this.skip({ ...reference, reason: patternRefusal ?? `without the IDS flag it can only be observed-data, and ${unobservable}` });
      return;
    }
    if (patternRefusal !== undefined) this.skip({ ...reference, reason: `${patternRefusal}; kept as observed-data` });
    this.add(this.observedData(base, attribute.comment, observables, attribute.firstSeen, attribute.lastSeen), source);
  }

  private contextObject(kind: 'note' | 'vulnerability', attribute: MispAttributeEntry, base: StixCommonProperties): StixCommonProperties {
    const uuid = attribute.uuid;
    if (kind === 'note') {
      return { ...base, type: 'note', id: stixIdOf('note', uuid), abstract: attribute.comment, content: attribute.value, object_refs: [this.reportId] };
    }
    const cve = /^CVE-\d{4}-\d{4,}$/i.test(attribute.value);
    return {
      ...base,
      type: 'vulnerability',
      id: stixIdOf('vulnerability', uuid),
      name: attribute.value,
      description: attribute.comment,
      external_references: cve ? [{ source_name: 'cve', external_id: attribute.value.toUpperCase() }] : undefined,
    };
  }

  convertObject(object: MispObjectEntry): void {
    const reference = { element: 'object' as const, reference: object.uuid, mispType: object.name };
    // Rules (a yara object's rule...) stand alone: each becomes its own indicator or note.
    const rules = object.attributes.filter((attribute) => ruleTypeRow(attribute.type) !== undefined);
    for (const rule of rules) this.convertAttribute(rule);
    const attributes = object.attributes.filter((attribute) => ruleTypeRow(attribute.type) === undefined);
    const values: FieldValue[] = [];
    let observable = true;
    for (const attribute of attributes) {
      const row = stixTypeRow(attribute.type);
      if (row === undefined) continue;
      const result = fieldValues(row, attribute.value);
      if (!result.ok) {
        this.skip({ element: 'attribute', reference: attribute.uuid, mispType: attribute.type, reason: `${result.reason} (in object ${object.uuid})` });
        continue;
      }
      values.push(...result.values);
      observable &&= row.observable !== false;
    }
    if (values.length === 0) {
      if (rules.length === 0) this.skip({ ...reference, reason: `none of the attributes of this ${object.name} object has a STIX mapping` });
      return;
    }
    const tags = [...new Set(attributes.flatMap((attribute) => attribute.tags))];
    const base = this.common('indicator', stixIdOf('indicator', object.uuid), object.timestamp, tags);
    const validFrom = object.firstSeen ?? (base.created as string);
    let patternRefusal: string | undefined;
    if (attributes.some((attribute) => attribute.toIds)) {
      const category = attributes.find((attribute) => attribute.toIds)?.category;
      const indicator = this.indicator({ ...base, name: object.name, description: object.comment }, writePattern(values), 'stix', validFrom, object.lastSeen, category);
      if (typeof indicator !== 'string') {
        this.add({ main: indicator, observables: [] }, { element: 'object', uuid: object.uuid });
        return;
      }
      patternRefusal = indicator;
    }
    const observables = observable ? buildObservables(values) : [];
    const unobservable = observable ? unmetRequirement(observables) : `some of its values have no STIX observable form`;
    if (unobservable !== undefined) {
      this.skip({ ...reference, reason: patternRefusal ?? `without the IDS flag it can only be observed-data, and ${unobservable}` });
      return;
    }
    if (patternRefusal !== undefined) this.skip({ ...reference, reason: `${patternRefusal}; kept as observed-data` });
    this.add(this.observedData(base, object.comment, observables, object.firstSeen, object.lastSeen), { element: 'object', uuid: object.uuid });
  }

  /** The cluster's STIX object (once per bundle); its id, or undefined when its galaxy type has no mapping. */
  convertGalaxyCluster(cluster: MispGalaxyClusterEntry): string | undefined {
    const type = GALAXY_TYPE_TABLE[cluster.galaxyType];
    if (type === undefined) {
      this.skip({ element: 'galaxy cluster', reference: cluster.uuid, reason: `the galaxy type ${cluster.galaxyType} has no STIX mapping in this module` });
      return undefined;
    }
    const id = stixIdOf(type, cluster.uuid);
    if (this.ids.has(id)) return id;
    const base = this.common(type, id, this.event.timestamp, []);
    const main: StixCommonProperties = {
      ...base,
      name: cluster.value,
      description: cluster.description,
      is_family: type === 'malware' ? true : undefined,
      external_references:
        cluster.externalId !== undefined && cluster.galaxyType.startsWith('mitre-')
          ? [{ source_name: 'mitre-attack', external_id: cluster.externalId }]
          : undefined,
    };
    this.add({ main, observables: [] }, undefined);
    return id;
  }

  /**
   * The clusters attached to one attribute, each related to what the attribute became (or, inside
   * an object, what the object became): an indicator `indicates` them, anything else is `related-to`.
   */
  convertAttributeGalaxies(attribute: MispAttributeEntry, owner: { uuid: string; timestamp: number }): void {
    const source = this.stixIdByMispUuid.get(attribute.uuid) ?? this.stixIdByMispUuid.get(owner.uuid);
    for (const cluster of attribute.galaxyClusters) {
      const target = this.convertGalaxyCluster(cluster);
      if (source === undefined || target === undefined) continue;
      const indicates = source.startsWith('indicator--') && !target.startsWith('course-of-action--');
      this.relationship(owner, indicates ? 'indicates' : 'related-to', source, target, cluster.uuid);
    }
  }

  private relationship(owner: { uuid: string; timestamp: number }, relationshipType: string, source: string, target: string, targetUuid: string): void {
    const uuid = uuidV5(MISP_TO_STIX_NAMESPACE, `relationship/${owner.uuid}/${relationshipType}/${targetUuid}`);
    if (this.ids.has(`relationship--${uuid}`)) return;
    const base = this.common('relationship', `relationship--${uuid}`, owner.timestamp, []);
    this.add({ main: { ...base, relationship_type: relationshipType, source_ref: source, target_ref: target }, observables: [] }, undefined);
  }

  convertReferences(object: MispObjectEntry): void {
    const source = this.stixIdByMispUuid.get(object.uuid);
    if (source === undefined) return;
    for (const reference of object.references) {
      const target = this.stixIdByMispUuid.get(reference.referencedUuid);
      if (target === undefined) continue;
      this.relationship(object, phaseName(reference.relationshipType) || 'related-to', source, target, reference.referencedUuid);
    }
  }

  /** The bundle: identity, markings, report, then the converted elements in MISP's order. */
  bundle(): StixBundle {
    const event = this.event;
    const contentIds = this.objects.filter((object) => !isObservable(object)).map((object) => object.id);
    // A report must refer to something: an event with no content refers to its organisation.
    const objectRefs = contentIds.length > 0 ? contentIds : this.identityId !== undefined ? [this.identityId] : [];
    if (objectRefs.length === 0) {
      throw new NotAMispEventError(`the event ${event.uuid} has neither a creating organisation nor any element to convert`);
    }
    const modified = timestampText(event.timestamp);
    const dated = event.date === undefined ? undefined : `${event.date}T00:00:00.000Z`;
    const created = dated !== undefined && dated < modified ? dated : modified;
    const report = defined<StixCommonProperties>({
      type: 'report',
      spec_version: '2.1',
      id: this.reportId,
      created,
      modified,
      created_by_ref: this.identityId,
      name: event.info,
      report_types: ['threat-report'],
      published: timestampText(event.publishTimestamp ?? event.timestamp),
      object_refs: objectRefs,
      labels: nonEmpty(event.tags),
      object_marking_refs: nonEmpty(this.eventMarkingIds),
    });
    const identity: StixObject[] =
      event.creator === undefined
        ? []
        : [{ type: 'identity', spec_version: '2.1', id: stixIdOf('identity', event.creator.uuid), created: modified, modified, name: event.creator.name, identity_class: 'organization' }];
    // Only the markings some emitted object carries (a skipped element's own marking is not).
    const carried = new Set([report, ...this.objects].flatMap((object) => (object.object_marking_refs as string[] | undefined) ?? []));
    const markings = [...this.markings.values()].filter((marking) => carried.has(marking.id));
    return {
      type: 'bundle',
      id: `bundle--${uuidV5(MISP_TO_STIX_NAMESPACE, `bundle/${event.uuid}/${event.timestamp}`)}`,
      objects: [...identity, ...markings, report, ...this.objects],
    };
  }
}

function isObservable(object: StixObject): boolean {
  return !('created' in object);
}

/** Converts `input` (`{Event: {...}}` as MISP exports it) and lists what was left out. */
export function convertMispEvent(input: unknown): StixConversion {
  const { event, skipped } = readMispEvent(input);
  const writer = new BundleWriter(event, skipped);
  for (const attribute of event.attributes) writer.convertAttribute(attribute);
  for (const object of event.objects) writer.convertObject(object);
  for (const cluster of event.galaxyClusters) writer.convertGalaxyCluster(cluster);
  for (const attribute of event.attributes) writer.convertAttributeGalaxies(attribute, attribute);
  for (const object of event.objects) for (const attribute of object.attributes) writer.convertAttributeGalaxies(attribute, object);
  for (const object of event.objects) writer.convertReferences(object);
  for (const attribute of event.attributes) writer.convertSightings(attribute);
  const bundle = writer.bundle();
  return { bundle, skipped: writer.skipped };
}

/**
 * The STIX 2.1 bundle of a MISP event. Throws `NotAMispEventError` when `input` is not one; the
 * elements left out are passed to `options.onSkipped`.
 */
export function mispEventToStixBundle(input: unknown, options: StixConversionOptions = {}): StixBundle {
  const { bundle, skipped } = convertMispEvent(input);
  if (options.onSkipped) for (const item of skipped) options.onSkipped(item);
  return bundle;
}
