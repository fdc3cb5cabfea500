import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ConfigurationError } from './configuration-error.js';
import type { JsonSchema } from './json-schema.js';
import { describeProblems } from './problem-sentences.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object on some setups.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/**
 * The validator used for every schema of a module: all errors at once, defaults applied, formats
 * checked, and the manifest's own keywords (`secrets`, `deprecated`) accepted.
 */
export function createValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  addFormats(ajv);
  // `secrets` lists the keys that the platform serves through url_secrets; `deprecated` marks an
  // argument kept for old configurations. Neither constrains the value.
  acceptKeyword(ajv, 'secrets');
  acceptKeyword(ajv, 'deprecated');
  return ajv;
}

function acceptKeyword(ajv: Ajv, keyword: string): void {
  try {
    ajv.addKeyword({ keyword });
  } catch (error) {
    // Some versions of ajv know `deprecated` already (as annotation): nothing to add then.
    if (!(error instanceof Error && /already defined/.test(error.message))) throw error;
  }
}

/** The outcome of checking one value against one schema. */
export interface SchemaCheck<T> {
  /** A copy of the input with the schema's defaults applied. */
  value: T;
  /** One sentence per invalid field, e.g. `In the trigger configuration, sleep_time is 30; expected a whole number of at least 60, for example 300.` */
  problems: string[];
  /** Top-level keys that are set although their schema marks them `deprecated`. */
  deprecatedKeys: string[];
}

/**
 * Checks `value` against `schema` without throwing; the input is never modified. `where` names the
 * configuration in the sentences, e.g. "the trigger configuration".
 */
export function checkAgainstSchema<T = Record<string, unknown>>(
  ajv: Ajv,
  schema: JsonSchema | undefined,
  value: unknown,
  where = 'the configuration',
): SchemaCheck<T> {
  const copy = structuredClone(value ?? {}) as T;
  if (schema === undefined) return { value: copy, problems: [], deprecatedKeys: [] };
  const validate = compile(ajv, schema);
  const problems = validate(copy) ? [] : describeProblems(validate.errors ?? [], schema, value ?? {}, where);
  return { value: copy, problems, deprecatedKeys: deprecatedKeys(schema, value) };
}

export interface ConfigurationsInput {
  moduleConfiguration: unknown;
  moduleSchema: JsonSchema | undefined;
  triggerConfiguration: unknown;
  triggerSchema: JsonSchema | undefined;
  /** The trigger's own rules across both configurations (see TriggerClass.checkConfiguration). */
  crossCheck?: ((moduleConfiguration: Record<string, unknown>, triggerConfiguration: Record<string, unknown>) => string[]) | undefined;
}

export interface ValidConfigurations<M = Record<string, unknown>, T = Record<string, unknown>> {
  moduleConfiguration: M;
  triggerConfiguration: T;
  /** e.g. `trigger configuration: lookback_days`, for a warning. */
  deprecatedKeys: string[];
}

/** Problems of both configurations, one sentence per invalid field; never throws. */
export function checkConfigurations(
  input: ConfigurationsInput,
  ajv: Ajv = createValidator(),
): ValidConfigurations & { problems: string[] } {
  const moduleCheck = checkAgainstSchema(ajv, input.moduleSchema, input.moduleConfiguration, MODULE_CONFIGURATION);
  const triggerCheck = checkAgainstSchema(ajv, input.triggerSchema, input.triggerConfiguration, TRIGGER_CONFIGURATION);
  const crossProblems = input.crossCheck?.(asRecord(moduleCheck.value), asRecord(triggerCheck.value)) ?? [];
  // One sentence per field: where the trigger's own rule names a field the schema faults too, its
  // sentence (which says what the field is needed for) stands alone.
  const crossFields = new Set(crossProblems.map(fieldOfSentence).filter((field): field is string => field !== undefined));
  const schemaProblems = [...moduleCheck.problems, ...triggerCheck.problems].filter((problem) => !crossFields.has(fieldOfSentence(problem) ?? ''));
  const problems = [...schemaProblems, ...crossProblems];
  return {
    moduleConfiguration: moduleCheck.value,
    triggerConfiguration: triggerCheck.value,
    deprecatedKeys: [
      ...moduleCheck.deprecatedKeys.map((key) => `module configuration: ${key}`),
      ...triggerCheck.deprecatedKeys.map((key) => `trigger configuration: ${key}`),
    ],
    problems,
  };
}

/**
 * Validates the module configuration (secrets already merged) and the trigger configuration,
 * applying defaults. Throws one ConfigurationError naming every missing or invalid key of both.
 */
export function validateConfigurations<M = Record<string, unknown>, T = Record<string, unknown>>(
  input: ConfigurationsInput,
  ajv?: Ajv,
): ValidConfigurations<M, T> {
  const { problems, ...valid } = checkConfigurations(input, ajv);
  if (problems.length > 0) throw new ConfigurationError(problems);
  return valid as ValidConfigurations<M, T>;
}

/** How the sentences name the two configurations. */
export const MODULE_CONFIGURATION = 'the module configuration';
export const TRIGGER_CONFIGURATION = 'the trigger configuration';
export const ACTION_ARGUMENTS = "the action's arguments";

const compiled = new WeakMap<Ajv, WeakMap<object, ValidateFunction>>();

function compile(ajv: Ajv, schema: JsonSchema): ValidateFunction {
  let cache = compiled.get(ajv);
  if (cache === undefined) {
    cache = new WeakMap();
    compiled.set(ajv, cache);
  }
  let validate = cache.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}

function deprecatedKeys(schema: JsonSchema, value: unknown): string[] {
  const properties = schema['properties'];
  if (typeof value !== 'object' || value === null || typeof properties !== 'object' || properties === null) return [];
  return Object.keys(value).filter((key) => {
    const property = (properties as Record<string, unknown>)[key];
    return typeof property === 'object' && property !== null && (property as { deprecated?: unknown }).deprecated === true;
  });
}

/** `the module configuration: misp_api_key` for "In the module configuration, misp_api_key is …", else undefined. */
function fieldOfSentence(sentence: string): string | undefined {
  const match = /^In (.+?), (\S+) /.exec(sentence);
  return match === null ? undefined : `${match[1]}: ${match[2]}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
