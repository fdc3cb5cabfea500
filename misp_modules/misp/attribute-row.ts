import { lastSeenSeconds, readDecayScore, type DecayScoreEntry } from './decay-fields.js';
import { flag, integer, isObject as isRow, text } from './loose-fields.js';

/** One IDS attribute as the pipeline needs it: MISP's strings turned into numbers and booleans. */
export interface MispAttribute {
  id: string;
  uuid: string;
  type: string;
  value: string;
  /** The attribute's last change, epoch seconds (0 when MISP sent none that could be read). */
  timestamp: number;
  toIds: boolean;
  deleted: boolean;
  eventId: string;
  eventUuid?: string;
  /** MISP's `last_seen`, epoch seconds: only when the row has one and carries decay scores, the one use of it. */
  lastSeen?: number;
  /** MISP's `decay_score` entries: only when the search asked for them (`includeDecayScore`). */
  decay?: DecayScoreEntry[];
}

/**
 * Reads one row of a restSearch answer. Returns undefined for a row that cannot be followed
 * (not an object, without uuid, type or value, or with a `decay_score` that is not MISP's list of
 * entries), which the caller counts as malformed.
 */
export function parseAttributeRow(raw: unknown): MispAttribute | undefined {
  if (!isRow(raw)) return undefined;
  const uuid = text(raw['uuid']);
  const type = text(raw['type']);
  const value = text(raw['value']);
  if (uuid === undefined || type === undefined || value === undefined) return undefined;
  const event = isRow(raw['Event']) ? raw['Event'] : undefined;
  const attribute: MispAttribute = {
    id: text(raw['id']) ?? '',
    uuid,
    type,
    value,
    timestamp: integer(raw['timestamp']) ?? 0,
    // The search asks for to_ids: 1, so a row without the field was selected as IDS-flagged.
    toIds: flag(raw['to_ids']) ?? true,
    deleted: flag(raw['deleted']) ?? false,
    eventId: text(raw['event_id']) ?? text(event?.['id']) ?? '',
  };
  const eventUuid = text(event?.['uuid']);
  if (eventUuid !== undefined) attribute.eventUuid = eventUuid;
  // decay_score comes only when the search asked for it, and last_seen matters only to the decay it
  // scores: a row without scores costs one look, not a date to parse.
  const decayScore = raw['decay_score'];
  if (decayScore !== undefined) {
    const entries = readDecayScore(decayScore);
    if (!Array.isArray(entries)) return undefined;
    attribute.decay = entries;
    const lastSeen = raw['last_seen'];
    if (lastSeen !== null && lastSeen !== undefined) {
      const seconds = lastSeenSeconds(lastSeen);
      if (seconds !== undefined) attribute.lastSeen = seconds;
    }
  }
  return attribute;
}

/** The id of a raw row, whatever else it holds: used to spot a server that ignores paging. */
export function rawRowId(raw: unknown): string | undefined {
  return isRow(raw) ? text(raw['id']) : undefined;
}
