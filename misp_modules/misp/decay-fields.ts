/**
 * The fields of a restSearch attribute that MISP's decay reads: `decay_score`, attached when the
 * search asks for `includeDecayScore`, and `last_seen`. Read here, where attribute rows are read,
 * so that a page carries them to whoever computes lifetimes (decay/ builds on these readers).
 *
 * `decay_score` (app/Model/DecayingModel.php `attachScoresToAttribute`) is a list with one entry
 * per model that applies: `{score, base_score, decayed, DecayingModel: {id, name}}`, scores as
 * numbers, `decayed` a boolean, the model's id a string.
 */
import { decimal, flag, isObject, text } from './loose-fields.js';
import { describeJson } from './restsearch-answer.js';

export interface DecayScoreEntry {
  score: number;
  baseScore: number;
  decayed: boolean;
  modelId: string;
  modelName: string;
}

/**
 * Reads a `decay_score`: its entries (none, for null or a missing field: no model applies), or a
 * sentence saying what is wrong with it, for the caller to set the attribute aside.
 */
export function readDecayScore(raw: unknown): DecayScoreEntry[] | { problem: string } {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return { problem: `it is ${describeJson(raw)}` };
  // Sized at once: a list grown by push reserves room for 16 entries, on every row of every page.
  const entries = new Array<DecayScoreEntry>(raw.length);
  for (let index = 0; index < raw.length; index++) {
    const entry: unknown = raw[index];
    const at = `entry ${index + 1}`;
    if (!isObject(entry)) return { problem: `${at} is ${describeJson(entry)}` };
    const score = decimal(entry['score']);
    const baseScore = decimal(entry['base_score']);
    const decayed = flag(entry['decayed']);
    const model = isObject(entry['DecayingModel']) ? entry['DecayingModel'] : undefined;
    const modelId = text(model?.['id']);
    if (score === undefined) return { problem: `${at} has a score that is ${describeJson(entry['score'])}` };
    if (baseScore === undefined) return { problem: `${at} has a base_score that is ${describeJson(entry['base_score'])}` };
    if (decayed === undefined) return { problem: `${at} has a decayed flag that is ${describeJson(entry['decayed'])}` };
    if (modelId === undefined) return { problem: `${at} names no DecayingModel id` };
    entries[index] = { score, baseScore, decayed, modelId: interned(modelId), modelName: interned(text(model?.['name']) ?? modelId) };
  }
  return entries;
}

/** Model ids and names met so far: each row's copy gives way to the one kept here. */
const INTERNED = new Map<string, string>();
/** Beyond this many, names are no longer kept: a MISP holds a few models. */
const MAX_INTERNED = 1_000;

function interned(name: string): string {
  const known = INTERNED.get(name);
  if (known !== undefined) return known;
  if (INTERNED.size < MAX_INTERNED) INTERNED.set(name, name);
  return name;
}

/**
 * An attribute's `last_seen` in epoch seconds. MISP writes it in ISO 8601 with microseconds and an
 * offset (`2024-05-02T08:00:00.000000+00:00`), or null; a time without an offset is read as UTC.
 */
export function lastSeenSeconds(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const value = raw.trim();
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const millis = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(millis) ? undefined : Math.floor(millis / 1000);
}
