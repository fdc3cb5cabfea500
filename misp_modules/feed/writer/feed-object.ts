import { randomUUID } from 'node:crypto';
import { InvalidFeedObjectError } from '../errors/invalid-feed-object-error.js';
import type { FeedObject } from './feed-writer.js';
import { defaultCategory } from '../indicator-type.js';
import { checkAttributeValue } from './attribute-value.js';
import { OBJECT_TEMPLATES } from './object-templates.js';

/** A relation's value or values, as a producer gives them. */
export type RelationValues = Readonly<Record<string, string | number | boolean | ReadonlyArray<string | number>>>;

export interface ObjectSettings {
  /** Epoch seconds of the object and its attributes. */
  timestamp: number;
  comment?: string | undefined;
  /** References from this object to other objects or attributes, by uuid. */
  references?: ReadonlyArray<{ referencedUuid: string; relationship: string; comment?: string }> | undefined;
  /** Fresh uuids; injectable so that a test can tell them apart. */
  newUuid?: () => string;
}

/** Names of the templates the generator knows, for messages. */
export const KNOWN_TEMPLATES = Object.keys(OBJECT_TEMPLATES).sort();

/**
 * A MISP object of a known template, checked as MISP checks it on import: every relation belongs
 * to the template and carries the template's attribute type, single-valued relations have one
 * value, and the required relations (all of `required`, one of `requiredOneOf`) are filled. Every
 * uuid is fresh. Values are checked like single attributes (no line break, valid indicators).
 */
export function buildFeedObject(name: string, values: RelationValues, settings: ObjectSettings): FeedObject {
  const template = Object.hasOwn(OBJECT_TEMPLATES, name) ? OBJECT_TEMPLATES[name] : undefined;
  if (template === undefined) {
    throw new InvalidFeedObjectError(name, `no such object template here; the known ones are ${KNOWN_TEMPLATES.join(', ')}.`);
  }
  const newUuid = settings.newUuid ?? randomUUID;
  const timestamp = String(settings.timestamp);
  const attributes: Array<Record<string, unknown>> = [];
  for (const [relationName, given] of Object.entries(values)) {
    const relation = Object.hasOwn(template.relations, relationName) ? template.relations[relationName] : undefined;
    if (relation === undefined) {
      throw new InvalidFeedObjectError(name, `${JSON.stringify(relationName)} is not one of its relations (${Object.keys(template.relations).join(', ')}).`);
    }
    const list = Array.isArray(given) ? given : [given];
    if (list.length === 0) continue;
    if (list.length > 1 && relation.multiple !== true) throw new InvalidFeedObjectError(name, `${relationName} takes one value, not ${list.length}.`);
    for (const raw of list) {
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        throw new InvalidFeedObjectError(name, `the value of ${relationName} must be a string or a number.`);
      }
      const value = String(raw);
      const problem = checkAttributeValue(relation.type, value);
      if (problem !== undefined) throw new InvalidFeedObjectError(name, `${relationName} (${relation.type}): ${problem}`);
      attributes.push({
        uuid: newUuid(),
        type: relation.type,
        category: defaultCategory(relation.type),
        value,
        to_ids: relation.toIds === true,
        timestamp,
        comment: '',
        deleted: false,
        disable_correlation: relation.disableCorrelation === true,
        object_relation: relationName,
      });
    }
  }
  const filled = new Set(attributes.map((attribute) => attribute['object_relation'] as string));
  const missing = (template.required ?? []).filter((relation) => !filled.has(relation));
  if (missing.length > 0) throw new InvalidFeedObjectError(name, `it requires ${missing.join(', ')}.`);
  if (template.requiredOneOf !== undefined && !template.requiredOneOf.some((relation) => filled.has(relation))) {
    throw new InvalidFeedObjectError(name, `it requires at least one of ${template.requiredOneOf.join(', ')}.`);
  }
  const uuid = newUuid();
  return {
    uuid,
    name,
    'meta-category': template.metaCategory,
    description: template.description,
    template_uuid: template.uuid,
    template_version: String(template.version),
    timestamp,
    comment: settings.comment ?? '',
    deleted: false,
    Attribute: attributes,
    ObjectReference: (settings.references ?? []).map((reference) => ({
      uuid: newUuid(),
      timestamp,
      object_uuid: uuid,
      referenced_uuid: reference.referencedUuid,
      relationship_type: reference.relationship,
      comment: reference.comment ?? '',
    })),
  };
}
