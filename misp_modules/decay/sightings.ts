/**
 * Sightings of MISP attributes, read from `sightings/restSearch`, and what each kind does to an
 * indicator's lifetime.
 *
 * What MISP sends (app/Model/Sighting.php `restSearch` and `getSightings`, written by the JSON
 * export): `{"response": [{"Sighting": {...}}, ...]}`, every integer as a string: `id`,
 * `attribute_id`, `event_id`, `org_id`, `date_sighting` (epoch seconds), `uuid`, `source`, `type`,
 * the attribute's `value`, and, when the search asks for `includeUuid`, `attribute_uuid` and
 * `event_uuid`; `Organisation` when the sighting names one. The search takes `context: "attribute"`
 * with `uuid` (a list of attribute uuids), a time window `from`/`to` (or `last`; 30 days when none
 * is given) on `date_sighting`, and `type`.
 *
 * Types (app/Model/Sighting.php `TYPE`): 0 a sighting, 1 a false positive, 2 an expiration. Only
 * type 0 moves the origin of the decay: MISP's score starts from the latest type-0 sighting the
 * user may see (`getLastSightingForAttribute`); false positives and expirations play no part in it.
 * Here a false positive withdraws the value at once; an expiration is left to MISP's decay, as MISP
 * itself does.
 */
import { integer, isObject, text } from '../misp/loose-fields.js';
import { describeJson } from '../misp/restsearch-answer.js';
import { SightingsAnswerError } from './errors/sightings-answer-error.js';

export const SIGHTING = 0;
export const FALSE_POSITIVE = 1;
export const EXPIRATION = 2;

export type SightingType = typeof SIGHTING | typeof FALSE_POSITIVE | typeof EXPIRATION;

export interface Sighting {
  attributeUuid: string;
  type: SightingType;
  /** Epoch seconds. */
  dateSighting: number;
}

/** The filters of a `sightings/restSearch` for these attributes' sightings within [from, to] (epoch seconds). */
export function sightingsSearchFilters(attributeUuids: readonly string[], from: number, to: number): Record<string, unknown> {
  return { returnFormat: 'json', context: 'attribute', uuid: [...attributeUuids], from, to, includeUuid: true };
}

/** Reads a `sightings/restSearch` answer. Throws a SightingsAnswerError naming the faulty sighting and field. */
export function parseSightings(answer: unknown): Sighting[] {
  if (!isObject(answer) || !Array.isArray(answer['response'])) {
    throw new SightingsAnswerError('the answer', `is ${describeJson(answer)}, not {"response": [...]}`);
  }
  return answer['response'].map((row, index) => parseSightingRow(row, index));
}

function parseSightingRow(row: unknown, index: number): Sighting {
  const at = `sighting ${index + 1}`;
  if (!isObject(row) || !isObject(row['Sighting'])) throw new SightingsAnswerError(at, `is ${describeJson(row)}, not {"Sighting": {...}}`);
  const raw = row['Sighting'];
  const where = text(raw['uuid']) === undefined ? at : `${at} (${text(raw['uuid'])})`;
  const attributeUuid = text(raw['attribute_uuid']);
  if (attributeUuid === undefined) throw new SightingsAnswerError(where, 'has no attribute_uuid (the search must ask for includeUuid)');
  const type = integer(raw['type']);
  if (type !== SIGHTING && type !== FALSE_POSITIVE && type !== EXPIRATION) {
    throw new SightingsAnswerError(where, `has a type that is ${describeJson(raw['type'])}, not 0, 1 or 2`);
  }
  const dateSighting = integer(raw['date_sighting']);
  if (dateSighting === undefined) throw new SightingsAnswerError(where, `has a date_sighting that is ${describeJson(raw['date_sighting'])}, not epoch seconds`);
  return { attributeUuid, type, dateSighting };
}

/** What the sightings of one cycle say, attribute by attribute. */
export interface SightingsByAttribute {
  /** The latest type-0 sighting of each attribute: the new origin of its decay. */
  lastSighting: Map<string, number>;
  /** Attributes reported as false positives: their values are withdrawn at once. */
  falsePositive: Set<string>;
}

export function sightingsByAttribute(sightings: readonly Sighting[]): SightingsByAttribute {
  const lastSighting = new Map<string, number>();
  const falsePositive = new Set<string>();
  for (const sighting of sightings) {
    if (sighting.type === FALSE_POSITIVE) falsePositive.add(sighting.attributeUuid);
    if (sighting.type !== SIGHTING) continue;
    const known = lastSighting.get(sighting.attributeUuid);
    if (known === undefined || sighting.dateSighting > known) lastSighting.set(sighting.attributeUuid, sighting.dateSighting);
  }
  return { lastSighting, falsePositive };
}
