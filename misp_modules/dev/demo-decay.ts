/**
 * MISP's decaying models and sightings for the demo MISP: the `decayingModel/index` rows, the
 * `decay_score` restSearch attaches when asked for `includeDecayScore`, and the sightings that
 * `sightings/restSearch` answers, kept in memory and added to while the demo runs.
 *
 * The scores are computed as MISP computes them (app/Model/DecayingModel.php
 * `attachScoresToAttribute`, app/Model/DecayingModelsFormulas/Polynomial.php), with the product's
 * own formula and origin (decay/polynomial.ts, decay/indicator-lifetime.ts `decayOrigin`): a
 * model named in `decayingModel`, else every enabled model mapped to the attribute's type, under
 * `modelOverrides` and the `score` threshold; a non-Polynomial model is scored with the same
 * formula (PolynomialExtended differs only after a retention tag, which the demo has none of).
 */
import { applyOverrides, parseDecayingModels, parseModelOverrides, withThresholdOverride, type DecayingModel, type ModelOverrides } from '../decay/decaying-model.js';
import { decayOrigin, lastSeenSeconds } from '../decay/indicator-lifetime.js';
import { isDecayedScore, polynomialScore } from '../decay/polynomial.js';
import { EXPIRATION, FALSE_POSITIVE, SIGHTING, type SightingType } from '../decay/sightings.js';
import type { DemoAttribute, MispAttributeRow } from './misp-events.js';

const DAY = 86_400;
const HOUR = 3_600;

/** The types the demo's Polynomial model is mapped to: what the trigger pushes most. */
const DEMO_MODEL_TYPES = ['ip-dst', 'ip-src', 'domain', 'hostname', 'url', 'md5', 'sha1', 'sha256', 'filename|md5', 'filename|sha1', 'filename|sha256'];

/**
 * The demo's models, as `decayingModel/index` lists them. "Demo decay" lives 7 days: an
 * indicator with the default base score 80 falls under the threshold 30 after 2.73 days
 * (7 × (1 − 30/80)² days), so that the demo's sightings give lapses within hours and within days.
 * "Demo retention" is a PolynomialExtended model, disabled: listed, and applied only when named.
 */
export function demoDecayingModels(): Record<string, unknown>[] {
  return [
    modelRow({ id: '1', name: 'Demo decay', formula: 'Polynomial', enabled: true, lifetime: 7, decaySpeed: 2, threshold: 30, defaultBaseScore: 80, types: DEMO_MODEL_TYPES }),
    modelRow({ id: '2', name: 'Demo retention', formula: 'PolynomialExtended', enabled: false, lifetime: 30, decaySpeed: 1, threshold: 20, defaultBaseScore: 60, types: DEMO_MODEL_TYPES }),
  ];
}

interface ModelSpec {
  id: string;
  name: string;
  formula: string;
  enabled: boolean;
  lifetime: number;
  decaySpeed: number;
  threshold: number;
  defaultBaseScore: number;
  types: string[];
}

/** One row as MISP writes it: ids and version as strings, parameters as numbers, PHP's `[]` for an empty map. */
function modelRow(spec: ModelSpec): Record<string, unknown> {
  return {
    DecayingModel: {
      id: spec.id,
      uuid: `5f0c3e9a-0b7e-4c52-9c1f-6f2d7a4b8e${spec.id.padStart(2, '0')}`,
      name: spec.name,
      description: `${spec.name}: a model of the demo MISP.`,
      parameters: {
        lifetime: spec.lifetime,
        decay_speed: spec.decaySpeed,
        threshold: spec.threshold,
        default_base_score: spec.defaultBaseScore,
        base_score_config: [],
      },
      attribute_types: spec.types,
      org_id: '1',
      enabled: spec.enabled,
      all_orgs: true,
      ref: [],
      formula: spec.formula,
      version: '1',
      default: false,
    },
  };
}

/** A sighting as the demo MISP holds it. */
export interface DemoSighting {
  attributeUuid: string;
  type: SightingType;
  /** Epoch seconds. */
  dateSighting: number;
  source?: string;
}

/** The decay side of the demo MISP: its models (as `decayingModel/index` rows) and its sightings. */
export class DemoDecay {
  /** Replace or change between requests; read at every request. */
  models: Record<string, unknown>[];
  readonly sightings: DemoSighting[];
  /**
   * Attribute uuid → the names of the models of the `decay_score` last served with it: which
   * model speaks of which value, for a summary that shows the models at work. Left empty with
   * `recordScoredBy: false`: a benchmark's MISP serving 100,000 rows on the trigger's machine
   * would spend its time on it.
   */
  readonly scoredBy = new Map<string, string[]>();
  readonly recordsScoredBy: boolean;

  constructor(models: Record<string, unknown>[] = demoDecayingModels(), sightings: readonly DemoSighting[] = [], options: { recordScoredBy?: boolean } = {}) {
    this.models = models;
    this.sightings = [...sightings];
    this.recordsScoredBy = options.recordScoredBy ?? true;
  }

  /** Adds a sighting (type 0) or a false positive (type 1) of an attribute at `at` (epoch seconds). */
  addSighting(attributeUuid: string, type: SightingType, at: number, source = ''): void {
    this.sightings.push({ attributeUuid, type, dateSighting: at, source });
  }
}

/** Thrown for a decay or sightings filter the demo MISP cannot read; answered with 400. */
export class DecayFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecayFilterError';
  }
}

/** What a restSearch asked of the decay: undefined when it asked for no score. */
export interface DecayRequest {
  /** The models to apply, overrides applied; undefined: the enabled ones mapped to each type. */
  named: DecayingModel[] | undefined;
  enabled: DecayingModel[];
  excludeDecayed: boolean;
  /** Latest type-0 sighting of each attribute uuid. */
  lastSighting: Map<string, number>;
  now: number;
}

const on = (value: unknown): boolean => value !== undefined && value !== null && value !== false && value !== 0 && value !== '0' && value !== 'false' && value !== '';

/** Reads a restSearch's `includeDecayScore`, `excludeDecayed`, `decayingModel`, `modelOverrides` and `score`. */
export function decayRequest(filters: Record<string, unknown>, decay: DemoDecay, now: number): DecayRequest | undefined {
  const excludeDecayed = on(filters['excludeDecayed']);
  if (!on(filters['includeDecayScore']) && !excludeDecayed) return undefined;
  let overrides: ModelOverrides;
  let models: DecayingModel[];
  try {
    const score = filters['score'];
    overrides = withThresholdOverride(parseModelOverrides(filters['modelOverrides']), score === undefined || score === null || score === '' ? undefined : Number(score));
    models = parseDecayingModels(decay.models).map((model) => applyOverrides(model, overrides));
  } catch (error) {
    throw new DecayFilterError(error instanceof Error ? error.message : String(error));
  }
  const wanted = filters['decayingModel'];
  let named: DecayingModel[] | undefined;
  if (wanted !== undefined && wanted !== null && wanted !== '') {
    const ids = (Array.isArray(wanted) ? wanted : [wanted]).map(String);
    named = models.filter((model) => ids.includes(model.id));
  }
  const lastSighting = new Map<string, number>();
  for (const sighting of decay.sightings) {
    if (sighting.type !== SIGHTING || sighting.dateSighting > now) continue;
    const known = lastSighting.get(sighting.attributeUuid);
    if (known === undefined || sighting.dateSighting > known) lastSighting.set(sighting.attributeUuid, sighting.dateSighting);
  }
  return { named, enabled: models.filter((model) => model.enabled), excludeDecayed, lastSighting, now };
}

/** MISP's `decay_score` for one row: one entry per model that applies. */
export function decayScoreOf(row: MispAttributeRow, request: DecayRequest): Record<string, unknown>[] {
  // Rows that hold MISP's scores already (synthetic data sets) are served with them.
  if (row.decay_score !== undefined) return row.decay_score;
  const models = request.named ?? request.enabled.filter((model) => model.attributeTypes.includes(row.type));
  const origin = decayOrigin({ timestamp: Number(row.timestamp), lastSeen: lastSeenSeconds(row.last_seen), lastSighting: request.lastSighting.get(row.uuid) });
  return models.map((model) => {
    const baseScore = model.parameters.defaultBaseScore;
    const score = polynomialScore(baseScore, request.now - origin, model.parameters);
    return { score, base_score: baseScore, decayed: isDecayedScore(score, model.parameters.threshold), DecayingModel: { id: model.id, name: model.name } };
  });
}

/** Remembers which models the `decay_score` served with an attribute came from. */
export function recordScored(decay: DemoDecay, row: MispAttributeRow, scores: readonly Record<string, unknown>[]): void {
  if (!decay.recordsScoredBy) return;
  const names = scores.flatMap((entry) => {
    const model = entry['DecayingModel'] as Record<string, unknown> | undefined;
    return typeof model?.['name'] === 'string' ? [model['name']] : [];
  });
  decay.scoredBy.set(row.uuid, names);
}

/** `excludeDecayed`: MISP drops an attribute only when every model says it decayed. */
export function isExcluded(scores: readonly Record<string, unknown>[]): boolean {
  return scores.length > 0 && scores.every((entry) => entry['decayed'] === true);
}

type ReadTime = (name: string, value: unknown, now: number) => number;

/**
 * The `sightings/restSearch` answer: the sightings of the attributes named in `uuid` (all when
 * none is named) of the `type` asked, within `from`/`to`, or the `last` window, or the last 30 days
 * as MISP's default. `readTime` reads a time filter as the attribute search does.
 */
export function sightingsAnswer(filters: Record<string, unknown>, decay: DemoDecay, attributes: (uuid: string) => MispAttributeRow | undefined, now: number, readTime: ReadTime): Record<string, unknown> {
  const context = filters['context'] ?? 'attribute';
  if (context !== 'attribute') throw new DecayFilterError(`Filter context: ${JSON.stringify(context)} is not "attribute", the only context the demo MISP answers.`);
  const given = (name: string): boolean => filters[name] !== undefined && filters[name] !== null && filters[name] !== '';
  const uuids = given('uuid') ? new Set((Array.isArray(filters['uuid']) ? filters['uuid'] : [filters['uuid']]).map(String)) : undefined;
  let from = now - 30 * DAY;
  if (given('last')) from = readTime('last', filters['last'], now);
  else if (given('from')) from = readTime('from', filters['from'], now);
  else if (given('to')) from = 0;
  const to = given('to') ? readTime('to', filters['to'], now) : Number.POSITIVE_INFINITY;
  const type = given('type') ? Number(filters['type']) : undefined;
  if (type !== undefined && type !== SIGHTING && type !== FALSE_POSITIVE && type !== EXPIRATION) {
    throw new DecayFilterError(`Filter type: ${JSON.stringify(filters['type'])} is not 0 (sighting), 1 (false positive) or 2 (expiration).`);
  }
  const includeUuid = on(filters['includeUuid']);
  const response: Record<string, unknown>[] = [];
  decay.sightings.forEach((sighting, index) => {
    if (uuids !== undefined && !uuids.has(sighting.attributeUuid)) return;
    if (sighting.dateSighting < from || sighting.dateSighting > to) return;
    if (type !== undefined && sighting.type !== type) return;
    const row = attributes(sighting.attributeUuid);
    const out: Record<string, unknown> = {
      id: String(index + 1),
      attribute_id: row?.id ?? '0',
      event_id: row?.event_id ?? '0',
      org_id: '1',
      date_sighting: String(sighting.dateSighting),
      uuid: `6a1d2c3b-4e5f-4a6b-8c7d-${String(index + 1).padStart(12, '0')}`,
      source: sighting.source ?? '',
      type: String(sighting.type),
      value: row?.value ?? '',
    };
    if (includeUuid) {
      out['attribute_uuid'] = sighting.attributeUuid;
      out['event_uuid'] = row?.Event.uuid ?? '';
    }
    response.push({ Sighting: out });
  });
  return { response };
}

/**
 * Sightings that give the demo's data a mix under "Demo decay", `now` being the demo's start: of
 * the IDS attributes of the model's types, in order, one in three is left alone (its 2025 origin
 * has it decayed), one in three was sighted 60 hours ago (lapses within hours), one in three 2 hours
 * ago (lapses within days); and the first of them was also reported as a false positive.
 */
export function demoSightings(attributes: readonly DemoAttribute[], now: number): DemoSighting[] {
  const sightings: DemoSighting[] = [];
  let index = 0;
  for (const { row } of attributes) {
    if (!row.to_ids || row.deleted || !DEMO_MODEL_TYPES.includes(row.type)) continue;
    const share = index % 3;
    if (share === 1) sightings.push({ attributeUuid: row.uuid, type: SIGHTING, dateSighting: now - 60 * HOUR, source: 'demo sensor' });
    if (share === 2) sightings.push({ attributeUuid: row.uuid, type: SIGHTING, dateSighting: now - 2 * HOUR, source: 'demo sensor' });
    if (index === 0) sightings.push({ attributeUuid: row.uuid, type: FALSE_POSITIVE, dateSighting: now - HOUR, source: 'demo analyst' });
    index++;
  }
  return sightings;
}
