/**
 * How long an indicator lives under MISP's decaying models: for one attribute, from the
 * `decay_score` MISP attached to it and its clock; for a value, from all the attributes that carry
 * it.
 *
 * What MISP attaches (app/Model/DecayingModel.php `attachScoresToAttribute`, called by
 * app/Model/MispAttribute.php when restSearch asks for `includeDecayScore`, or for `excludeDecayed`
 * which implies it): on each attribute, `decay_score`, a list with one entry per model that applies
 * (those named in `decayingModel`, else the enabled models mapped to the attribute's type):
 * `{score, base_score, decayed, DecayingModel: {id, name}}`, scores as numbers, `decayed` a
 * boolean, the model's id a string (the whole model instead with `includeFullModel`).
 * `excludeDecayed` drops an attribute only when every entry says decayed: it lives as long as its
 * longest-living model, as a value lives as long as its longest-living attribute.
 *
 * Where MISP's decay starts (app/Model/DecayingModelsFormulas/Base.php `computeCurrentScore`):
 * from the latest type-0 sighting, else from `last_seen`, else from `timestamp`; and when the
 * attribute was changed after that moment (`timestamp` later), from `last_seen` when set, else from
 * `timestamp`, even should that `last_seen` be older than the sighting.
 *
 * One departure, on purpose: MISP's Polynomial gives 0 for a negative elapsed time, so an attribute
 * whose `last_seen` is still ahead is decayed for MISP until that day. An analyst who set a future
 * last_seen expects the indicator to hold until then: here it lives from that origin on like any other.
 */
import { readDecayScore, type DecayScoreEntry } from '../misp/decay-fields.js';
import { applyOverrides, isPolynomial, type DecayingModel, type ModelOverrides } from './decaying-model.js';
import { DecayScoreMalformedError } from './errors/decay-score-malformed-error.js';
import { lastAliveSecond, SECONDS_PER_DAY } from './polynomial.js';

export { lastSeenSeconds, type DecayScoreEntry } from '../misp/decay-fields.js';

/** When an attribute's decay starts, from its fields (epoch seconds). */
export interface AttributeClock {
  /** The attribute's last change. */
  timestamp: number;
  lastSeen?: number | undefined;
  /** Its latest type-0 sighting. */
  lastSighting?: number | undefined;
}

/**
 * - `lapses`: alive through `at` (epoch seconds) and decayed one second later: pushed with that
 *   moment as its validity;
 * - `decayed`: decayed already: not pushed;
 * - `misp-verdict`: alive by MISP's word, under a formula only MISP computes: pushed, and MISP asked
 *   again next cycle;
 * - `withdrawn`: reported as a false positive: withdrawn at once.
 */
export type Lifetime =
  | { kind: 'lapses'; at: number }
  | { kind: 'decayed' }
  | { kind: 'misp-verdict'; score: number }
  | { kind: 'withdrawn' };

/**
 * Reads the `decay_score` of one restSearch attribute; none (no model applies) is an empty list.
 * Throws a DecayScoreMalformedError naming the attribute when it is not MISP's list of entries.
 */
export function parseDecayScore(attributeUuid: string, raw: unknown): DecayScoreEntry[] {
  const read = readDecayScore(raw);
  if (!Array.isArray(read)) throw new DecayScoreMalformedError(attributeUuid, read.problem);
  return read;
}

/** The moment MISP's decay of this attribute starts (epoch seconds). */
export function decayOrigin(clock: AttributeClock): number {
  const origin = clock.lastSighting ?? clock.lastSeen ?? clock.timestamp;
  // Changed after the last sighting: MISP restarts from last_seen, or from the change itself.
  if (clock.timestamp > origin) return clock.lastSeen ?? clock.timestamp;
  return origin;
}

export interface AttributeDecay {
  decayScore: readonly DecayScoreEntry[];
  clock: AttributeClock;
  /** Epoch seconds. */
  now: number;
}

/**
 * The lifetime of one attribute: its longest under the models that apply. A Polynomial model known
 * from `models` gives the closed-form moment, under `overrides` (which should be those sent to MISP
 * with the search, so that MISP's entries and this computation speak of the same model); any other
 * entry gives MISP's verdict. Undefined when no model applies. Throws a DecayParametersError for a
 * model whose parameters cannot give a lifetime.
 */
export function attributeLifetime(
  attribute: AttributeDecay,
  models: ReadonlyMap<string, DecayingModel>,
  overrides: ModelOverrides,
): Lifetime | undefined {
  const origin = decayOrigin(attribute.clock);
  return longest(
    attribute.decayScore.map((entry): Lifetime => {
      const model = models.get(entry.modelId);
      if (model === undefined || !isPolynomial(model)) {
        return entry.decayed ? { kind: 'decayed' } : { kind: 'misp-verdict', score: entry.score };
      }
      const alive = lastAliveSecond(model.name, entry.baseScore, applyOverrides(model, overrides).parameters);
      if (alive === undefined || origin + alive < attribute.now) return { kind: 'decayed' };
      return { kind: 'lapses', at: origin + alive };
    }),
  );
}

/** A lifetime's rank: decayed, then a known end (the later the longer), then MISP's open verdict. */
const RANK: Record<Lifetime['kind'], number> = { withdrawn: 0, decayed: 1, lapses: 2, 'misp-verdict': 3 };

/**
 * The longest of several lifetimes (the models of one attribute, the attributes of one value);
 * undefined for none. A withdrawal ranks lowest here: `valueLifetime` lets it win.
 */
export function longest(lifetimes: readonly Lifetime[]): Lifetime | undefined {
  let best: Lifetime | undefined;
  for (const lifetime of lifetimes) {
    if (best === undefined || RANK[lifetime.kind] > RANK[best.kind]) {
      best = lifetime;
    } else if (lifetime.kind === 'lapses' && best.kind === 'lapses' && lifetime.at > best.at) {
      best = lifetime;
    } else if (lifetime.kind === 'misp-verdict' && best.kind === 'misp-verdict' && lifetime.score > best.score) {
      best = lifetime;
    }
  }
  return best;
}

/**
 * The lifetime of a value from those of the attributes that carry it (by uuid): the longest, unless
 * one of them was reported as a false positive, which withdraws the value wherever it appears.
 * Undefined when no model applies to one of them (its lifetime is undefined): that attribute keeps
 * the value under the ordinary validity, which no decay shortens.
 */
export function valueLifetime(
  carriers: ReadonlyMap<string, Lifetime | undefined>,
  falsePositive: ReadonlySet<string>,
): Lifetime | undefined {
  if ([...carriers.keys()].some((uuid) => falsePositive.has(uuid))) return { kind: 'withdrawn' };
  const lifetimes = [...carriers.values()];
  if (lifetimes.some((lifetime) => lifetime === undefined)) return undefined;
  return longest(lifetimes as Lifetime[]);
}

/**
 * Where MISP's decay of this attribute started, read back from the score MISP just gave under a
 * Polynomial model (epoch seconds, `now` being the moment of MISP's answer): solving
 * score = base × (1 − (t / lifetime)^(1 / decay_speed)) for t. MISP's score already counts what
 * the row does not show (its latest sighting), so the origin needs no sightings query. Undefined
 * where the score tells nothing of the elapsed time: a base score of 0 or less, or a score at 0
 * (decayed past the lifetime, or an origin still ahead) or at the base score or above.
 */
export function originFromScore(entry: Pick<DecayScoreEntry, 'score' | 'baseScore'>, parameters: { lifetime: number; decaySpeed: number }, now: number): number | undefined {
  if (!(entry.baseScore > 0) || !(entry.score > 0) || entry.score >= entry.baseScore) return undefined;
  const elapsed = parameters.lifetime * SECONDS_PER_DAY * Math.pow(1 - entry.score / entry.baseScore, parameters.decaySpeed);
  return Math.round(now - elapsed);
}

/** A lifetime and the model that gave it (the longest-living one), for counts by model. */
export type ModelLifetime = Lifetime & { model: string };

/**
 * The lifetime of one attribute as the MISP search found it: like {@link attributeLifetime}, but
 * each Polynomial entry's origin is read back from MISP's own score ({@link originFromScore}),
 * which holds the sightings MISP knows of; the attribute's fields give the origin only where the
 * score cannot. Undefined when no model applies.
 */
export function scoredLifetime(
  attribute: AttributeDecay,
  models: ReadonlyMap<string, DecayingModel>,
  overrides: ModelOverrides,
): ModelLifetime | undefined {
  let best: ModelLifetime | undefined;
  for (const entry of attribute.decayScore) {
    const model = models.get(entry.modelId);
    let lifetime: Lifetime;
    if (model === undefined || !isPolynomial(model)) {
      lifetime = entry.decayed ? { kind: 'decayed' } : { kind: 'misp-verdict', score: entry.score };
    } else {
      const parameters = applyOverrides(model, overrides).parameters;
      const origin = originFromScore(entry, parameters, attribute.now) ?? decayOrigin(attribute.clock);
      const alive = lastAliveSecond(model.name, entry.baseScore, parameters);
      lifetime = alive === undefined || origin + alive < attribute.now ? { kind: 'decayed' } : { kind: 'lapses', at: origin + alive };
    }
    const candidate = { ...lifetime, model: entry.modelName };
    if (best === undefined || longest([best, candidate]) !== best) best = candidate;
  }
  return best;
}
