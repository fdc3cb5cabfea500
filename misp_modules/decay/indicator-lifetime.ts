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
  return originOf(clock.timestamp, clock.lastSeen, clock.lastSighting);
}

/** {@link decayOrigin} from the fields themselves, for the per-row path. */
function originOf(timestamp: number, lastSeen: number | undefined, lastSighting: number | undefined): number {
  const origin = lastSighting ?? lastSeen ?? timestamp;
  // Changed after the last sighting: MISP restarts from last_seen, or from the change itself.
  if (timestamp > origin) return lastSeen ?? timestamp;
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

/**
 * How far the origin read back from MISP's score may stand from the one the attribute's fields give
 * and still be taken as theirs: MISP computes the score when it builds the page, seconds before the
 * page arrives (a large page, tens of seconds), and on its own clock. The fields then give the exact
 * moment; a sighting closer than this to the origin is not seen, which only makes the value lapse
 * that much earlier than MISP would, never later.
 */
export const SCORE_ORIGIN_TOLERANCE_SECONDS = 300;

/**
 * One attribute's lifetime as {@link scoredLifetime} writes it, into a record the caller reuses from
 * row to row: `none` when no model applies; `at` for `lapses`, `score` for `misp-verdict`; `model`
 * names the model that decided (the longest-living one).
 */
export interface ScoredLifetime {
  kind: 'none' | Lifetime['kind'];
  at: number;
  score: number;
  model: string;
}

/** A fresh record for {@link scoredLifetime}. */
export function scoredLifetimeRecord(): ScoredLifetime {
  return { kind: 'none', at: 0, score: 0, model: '' };
}

/** The last second alive after the origin, by model and base score: the same few pairs recur on every row. */
const ALIVE_SECONDS = new WeakMap<DecayingModel, Map<number, number | undefined>>();

function aliveSeconds(model: DecayingModel, baseScore: number): number | undefined {
  let byBase = ALIVE_SECONDS.get(model);
  if (byBase === undefined) ALIVE_SECONDS.set(model, (byBase = new Map()));
  if (byBase.has(baseScore)) return byBase.get(baseScore);
  const alive = lastAliveSecond(model.name, baseScore, model.parameters);
  byBase.set(baseScore, alive);
  return alive;
}

/**
 * The lifetime of one attribute as the MISP search found it, written into `into` (and returned):
 * like {@link attributeLifetime}, under `models` that already carry the overrides sent to MISP, but
 * each Polynomial entry's origin is read back from MISP's own score ({@link originFromScore}),
 * which holds the sightings MISP knows of; the attribute's fields (`timestamp`, `lastSeen`) give
 * the origin only where the score cannot. Numbers only, no object per row: it runs for every row
 * of every page. Throws a DecayParametersError for a model whose parameters cannot give a lifetime.
 */
export function scoredLifetime(
  into: ScoredLifetime,
  decayScore: readonly DecayScoreEntry[],
  models: ReadonlyMap<string, DecayingModel>,
  timestamp: number,
  lastSeen: number | undefined,
  now: number,
): ScoredLifetime {
  into.kind = 'none';
  for (let index = 0; index < decayScore.length; index++) {
    const entry = decayScore[index] as DecayScoreEntry;
    const model = models.get(entry.modelId);
    let kind: Lifetime['kind'];
    let at = 0;
    if (model === undefined || !isPolynomial(model)) {
      kind = entry.decayed ? 'decayed' : 'misp-verdict';
    } else {
      const fields = originOf(timestamp, lastSeen, undefined);
      const scored = originFromScore(entry, model.parameters, now);
      // MISP scored the row while it built the page, on its own clock: an origin that close to the
      // fields' is theirs, exactly; one further off is a sighting MISP counted.
      const origin = scored === undefined || Math.abs(scored - fields) <= SCORE_ORIGIN_TOLERANCE_SECONDS ? fields : scored;
      const alive = aliveSeconds(model, entry.baseScore);
      if (alive === undefined || origin + alive < now) kind = 'decayed';
      else {
        kind = 'lapses';
        at = origin + alive;
      }
    }
    // The longest, as `longest` ranks them; a tie keeps the first.
    const better =
      into.kind === 'none' ||
      RANK[kind] > RANK[into.kind] ||
      (kind === 'lapses' && into.kind === 'lapses' && at > into.at) ||
      (kind === 'misp-verdict' && into.kind === 'misp-verdict' && entry.score > into.score);
    if (better) {
      into.kind = kind;
      into.at = at;
      into.score = entry.score;
      into.model = entry.modelName;
    }
  }
  return into;
}
