/**
 * Builds STIX cyber observables from field values: one observable per type, filled property by
 * property (a second value for a property already filled starts another observable of that type),
 * referenced observables made first so that the referring one can name them. Ids follow the
 * specification's deterministic recipe, so one value gives one observable across the whole bundle.
 */
import type { FieldValue } from './field-values.js';
import { canonicalJson, STIX_OBSERVABLE_NAMESPACE, uuidV5 } from './stix-identifiers.js';
import type { StixCyberObservable } from './stix-objects.js';
import { ID_CONTRIBUTING_PROPERTIES, ID_HASH_PREFERENCE, OBSERVABLE_NEEDS_ONE_OF } from './stix-type-table.js';

type Properties = Record<string, unknown>;

interface Draft {
  readonly type: string;
  readonly properties: Properties;
  /** Property paths already filled, so that a second value goes to another observable. */
  readonly filled: Set<string>;
}

/** Properties STIX requires that MISP values do not give. */
function requiredDefaults(draft: Draft, byId: ReadonlyMap<string, StixCyberObservable>): Properties {
  if (draft.type === 'email-message') return { is_multipart: false };
  if (draft.type === 'network-traffic') {
    const reference = (draft.properties.dst_ref ?? draft.properties.src_ref) as string | undefined;
    const target = reference === undefined ? undefined : byId.get(reference)?.type;
    return { protocols: [target === 'ipv6-addr' ? 'ipv6' : target === 'ipv4-addr' ? 'ipv4' : 'tcp'] };
  }
  return {};
}

function setPath(properties: Properties, segments: readonly string[], value: unknown): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  if (rest.length === 0) {
    properties[head] = value;
    return;
  }
  if (rest[0] === '*') {
    const items = (properties[head] as unknown[] | undefined) ?? [];
    // `list.*` holds the values themselves; `list.*.property` objects holding them.
    let element: unknown = value;
    if (rest.length > 1) {
      element = {};
      setPath(element as Properties, rest.slice(1), value);
    }
    properties[head] = [...items, element];
    return;
  }
  const inner = (properties[head] as Properties | undefined) ?? {};
  properties[head] = inner;
  setPath(inner, rest, value);
}

/** The deterministic id of an observable (STIX 2.1 §2.9), from its id contributing properties. */
export function observableId(type: string, properties: Properties): string {
  const contributing = ID_CONTRIBUTING_PROPERTIES[type];
  let basis: Properties = {};
  for (const name of contributing ?? Object.keys(properties)) {
    const value = properties[name];
    if (value === undefined) continue;
    if (name === 'hashes' && typeof value === 'object' && value !== null) {
      const hashes = value as Record<string, string>;
      const preferred = ID_HASH_PREFERENCE.find((algorithm) => hashes[algorithm] !== undefined);
      basis[name] = preferred === undefined ? hashes : { [preferred]: hashes[preferred] };
    } else {
      basis[name] = value;
    }
  }
  // Without any contributing property the specification falls back to a random id: use all properties instead.
  if (Object.keys(basis).length === 0) basis = properties;
  return `${type}--${uuidV5(STIX_OBSERVABLE_NAMESPACE, canonicalJson(basis))}`;
}

function finish(draft: Draft, byId: ReadonlyMap<string, StixCyberObservable>): StixCyberObservable {
  const properties = { ...draft.properties, ...requiredDefaults(draft, byId) };
  return { type: draft.type, spec_version: '2.1', id: observableId(draft.type, properties), ...properties };
}

function draftFor(drafts: Draft[], type: string, key: string): Draft {
  const existing = drafts.find((draft) => draft.type === type && !draft.filled.has(key));
  if (existing) return existing;
  const created: Draft = { type, properties: {}, filled: new Set() };
  drafts.push(created);
  return created;
}

/** The observables `values` describe; the referring ones first, then the ones they refer to. */
export function buildObservables(values: readonly FieldValue[]): StixCyberObservable[] {
  const referenced: StixCyberObservable[] = [];
  const byId = new Map<string, StixCyberObservable>();
  const drafts: Draft[] = [];
  for (const item of values) {
    const { field } = item;
    if (field.via === undefined) {
      const key = field.property.join('.');
      const draft = draftFor(drafts, item.objectType, key);
      setPath(draft.properties, field.property, item.value);
      if (!field.property.includes('*')) draft.filled.add(key);
      continue;
    }
    const target: Draft = { type: item.objectType, properties: {}, filled: new Set() };
    setPath(target.properties, field.property, item.value);
    const observable = finish(target, byId);
    if (!byId.has(observable.id)) referenced.push(observable);
    byId.set(observable.id, observable);
    const many = field.via.reference.endsWith('_refs');
    const draft = draftFor(drafts, field.via.object, many ? `${field.via.reference}:${observable.id}` : field.via.reference);
    if (many) {
      const current = (draft.properties[field.via.reference] as string[] | undefined) ?? [];
      if (!current.includes(observable.id)) draft.properties[field.via.reference] = [...current, observable.id];
      draft.filled.add(`${field.via.reference}:${observable.id}`);
    } else {
      draft.properties[field.via.reference] = observable.id;
      draft.filled.add(field.via.reference);
    }
  }
  return [...drafts.map((draft) => finish(draft, byId)), ...referenced];
}

/** Why `observables` are not valid STIX (an observable without a property STIX requires), or undefined. */
export function unmetRequirement(observables: readonly StixCyberObservable[]): string | undefined {
  for (const observable of observables) {
    const needed = OBSERVABLE_NEEDS_ONE_OF[observable.type];
    if (needed !== undefined && !needed.some((property) => observable[property] !== undefined)) {
      return `a ${observable.type} observable needs one of ${needed.join(', ')}`;
    }
  }
  return undefined;
}
