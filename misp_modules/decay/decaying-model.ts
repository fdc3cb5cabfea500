/**
 * MISP's decaying models as the lifetime computation needs them, read from `decayingModel/index`,
 * and the overrides MISP applies on the fly.
 *
 * What MISP sends (app/Controller/DecayingModelController.php `index`, app/Model/DecayingModel.php
 * `afterFind`): a JSON list, paginated like MISP's other indexes (50 a page unless a `limit` is
 * named), of `{"DecayingModel": {...}}` rows, sometimes with a `DecayingModelMapping` list beside.
 * In a row: `id`, `org_id`, `version` as strings; `uuid`, `name`, `description`, `formula` strings;
 * `enabled`, `all_orgs`, `default` booleans; `ref` and `attribute_types` lists of strings (the types
 * the model ships with; the mapping may add others); `parameters` an object with `lifetime` (days),
 * `decay_speed`, `threshold`, `default_base_score` (numbers, or numeric text from older saves) and
 * `base_score_config` (taxonomy namespace → weight; `[]` or 0 when empty).
 *
 * The formula is named as MISP finds its class: an empty name means Polynomial, and MISP capitalises
 * only the first letter (`polynomial` and `Polynomial` are the same formula). Other formulas
 * (PolynomialExtended, which zeroes the score after a `retention` tag, or one an administrator
 * added) cannot be computed here: their verdict is MISP's own.
 *
 * The base score (app/Model/DecayingModelsFormulas/Base.php `computeBasescore`) comes from the tags
 * whose namespace (`namespace:predicate` for machine tags with a value) has a weight in
 * `base_score_config`: the weights of the matching tags are rescaled to sum to 1 and each tag adds
 * weight × its numerical value; an attribute tag replaces an event tag of the same namespace; with
 * no matching tag the base score is `default_base_score`. MISP sends the result as `base_score` in
 * each `decay_score` entry, which is what the lifetime computation uses.
 *
 * Overrides (app/Model/DecayingModel.php `overrideModelParameters`): restSearch's `modelOverrides`
 * replaces, key by key, the model's `threshold`, `lifetime` and `decay_speed` and ignores any other
 * key; its `score` filter is a threshold override that wins over `modelOverrides.threshold`.
 */
import { decimal, flag, isObject, text, type JsonObject } from '../misp/loose-fields.js';
import { describeJson as describe } from '../misp/restsearch-answer.js';
import { DecayingModelAnswerError } from './errors/decaying-model-answer-error.js';
import { ModelOverrideError } from './errors/model-override-error.js';

export interface DecayingModelParameters {
  /** Days. */
  lifetime: number;
  decaySpeed: number;
  threshold: number;
  defaultBaseScore: number;
  /** Taxonomy namespace → weight. */
  baseScoreConfig: Record<string, number>;
}

export interface DecayingModel {
  id: string;
  name: string;
  /** As MISP holds it; `isPolynomial` says whether the closed form applies. */
  formula: string;
  enabled: boolean;
  attributeTypes: string[];
  parameters: DecayingModelParameters;
}

/** The parameters MISP lets restSearch override, under MISP's names. */
export interface ModelOverrides {
  threshold?: number;
  lifetime?: number;
  decay_speed?: number;
}

const OVERRIDABLE = ['threshold', 'lifetime', 'decay_speed'] as const;

/** Whether MISP computes this model with its Polynomial class. */
export function isPolynomial(model: Pick<DecayingModel, 'formula'>): boolean {
  return model.formula === '' || model.formula === 'polynomial' || model.formula === 'Polynomial';
}

/** Reads a `decayingModel/index` answer. Throws a DecayingModelAnswerError naming the faulty row and field. */
export function parseDecayingModels(answer: unknown): DecayingModel[] {
  if (!Array.isArray(answer)) throw new DecayingModelAnswerError('the answer', `is ${describe(answer)}, not a list of models`);
  return answer.map((row, index) => parseModelRow(row, index));
}

function parseModelRow(row: unknown, index: number): DecayingModel {
  const at = `model ${index + 1}`;
  if (!isObject(row) || !isObject(row['DecayingModel'])) {
    throw new DecayingModelAnswerError(at, `is ${describe(row)}, not {"DecayingModel": {...}}`);
  }
  const raw = row['DecayingModel'];
  const id = text(raw['id']);
  if (id === undefined) throw new DecayingModelAnswerError(at, 'has no id');
  const name = text(raw['name']) ?? '';
  const where = `model ${id}${name === '' ? '' : ` ("${name}")`}`;
  if (name === '') throw new DecayingModelAnswerError(where, 'has no name');
  const formula = raw['formula'] ?? '';
  if (typeof formula !== 'string') throw new DecayingModelAnswerError(where, `has a formula that is ${describe(formula)}, not a name`);
  if (!isObject(raw['parameters'])) throw new DecayingModelAnswerError(where, `has parameters that are ${describe(raw['parameters'])}, not an object`);
  const parameters = raw['parameters'];
  return {
    id,
    name,
    formula,
    // MISP always sends it; a row without it is one MISP would not apply by default.
    enabled: flag(raw['enabled']) ?? false,
    attributeTypes: stringList(raw['attribute_types'], where),
    parameters: {
      lifetime: requiredNumber(parameters, 'lifetime', where),
      decaySpeed: requiredNumber(parameters, 'decay_speed', where),
      threshold: requiredNumber(parameters, 'threshold', where),
      defaultBaseScore: optionalNumber(parameters, 'default_base_score', where) ?? 0,
      baseScoreConfig: weights(parameters['base_score_config'], where),
    },
  };
}

function requiredNumber(parameters: JsonObject, key: string, where: string): number {
  const value = optionalNumber(parameters, key, where);
  if (value === undefined) throw new DecayingModelAnswerError(where, `has no ${key} parameter`);
  return value;
}

function optionalNumber(parameters: JsonObject, key: string, where: string): number | undefined {
  const raw = parameters[key];
  if (raw === undefined || raw === null) return undefined;
  const value = decimal(raw);
  if (value === undefined) throw new DecayingModelAnswerError(where, `has a ${key} parameter that is ${describe(raw)}, not a number`);
  return value;
}

function stringList(raw: unknown, where: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((item) => typeof item === 'string')) {
    throw new DecayingModelAnswerError(where, `has attribute_types that are ${describe(raw)}, not a list of type names`);
  }
  return raw;
}

function weights(raw: unknown, where: string): Record<string, number> {
  // PHP writes an empty map as [] and MISP saves an empty setting as 0.
  if (raw === undefined || raw === null || raw === 0 || raw === '' || (Array.isArray(raw) && raw.length === 0)) return {};
  if (!isObject(raw)) throw new DecayingModelAnswerError(where, `has a base_score_config that is ${describe(raw)}, not an object of weights`);
  const result: Record<string, number> = {};
  for (const [namespace, weight] of Object.entries(raw)) {
    const value = decimal(weight);
    if (value === undefined) throw new DecayingModelAnswerError(where, `has a base_score_config weight for "${namespace}" that is ${describe(weight)}, not a number`);
    result[namespace] = value;
  }
  return result;
}

/**
 * Reads overrides written as MISP's `modelOverrides` (from the trigger settings). Unlike MISP,
 * which skips an unknown key in silence, an unknown key or a value that is not a number is refused
 * with a ModelOverrideError: in a setting it is a typo that would otherwise change nothing.
 */
export function parseModelOverrides(raw: unknown): ModelOverrides {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new ModelOverrideError('modelOverrides', `is ${describe(raw)}, not an object`);
  const overrides: ModelOverrides = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(OVERRIDABLE as readonly string[]).includes(key)) throw new ModelOverrideError(key, 'is not a parameter MISP overrides');
    const number = decimal(value);
    if (number === undefined) throw new ModelOverrideError(key, `is ${describe(value)}, not a number`);
    overrides[key as keyof ModelOverrides] = number;
  }
  return overrides;
}

/** Adds a `decay_threshold` setting to the overrides: like MISP's `score` filter, it wins over `threshold`. */
export function withThresholdOverride(overrides: ModelOverrides, decayThreshold: number | undefined): ModelOverrides {
  if (decayThreshold === undefined) return overrides;
  if (!Number.isFinite(decayThreshold)) throw new ModelOverrideError('decay_threshold', `is ${String(decayThreshold)}, not a number`);
  return { ...overrides, threshold: decayThreshold };
}

/** The model as MISP computes it under these overrides (a new object; the model is left as it was). */
export function applyOverrides(model: DecayingModel, overrides: ModelOverrides): DecayingModel {
  const parameters = { ...model.parameters };
  if (overrides.threshold !== undefined) parameters.threshold = overrides.threshold;
  if (overrides.lifetime !== undefined) parameters.lifetime = overrides.lifetime;
  if (overrides.decay_speed !== undefined) parameters.decaySpeed = overrides.decay_speed;
  return { ...model, parameters };
}

/**
 * The restSearch filters that make MISP attach `decay_score` under the same models and overrides as
 * the lifetime computation: without `decayingModel`, MISP scores each attribute with the enabled
 * models mapped to its type.
 */
export function decayScoreFilters(modelIds: readonly string[], overrides: ModelOverrides): JsonObject {
  const filters: JsonObject = { includeDecayScore: 1 };
  if (modelIds.length > 0) filters['decayingModel'] = [...modelIds];
  if (Object.keys(overrides).length > 0) filters['modelOverrides'] = { ...overrides };
  return filters;
}
