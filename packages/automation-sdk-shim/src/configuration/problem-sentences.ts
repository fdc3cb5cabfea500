import type { ErrorObject } from 'ajv';
import { REDACTED } from '../logging/secret-redactor.js';
import type { JsonSchema } from './json-schema.js';

/** Enough of a given value to recognise it, short enough for one log line. */
const GIVEN_CHARS = 60;

/**
 * ajv's errors as sentences an operator can act on, one per field: the field, what was given
 * (secrets and URL credentials masked), what is expected in words and an example, both read from
 * the schema (its `examples`, else its `default`). `where` names the configuration, e.g.
 * "the trigger configuration".
 */
export function describeProblems(errors: readonly ErrorObject[], schema: JsonSchema, value: unknown, where: string): string[] {
  const fields = new Map<string, { path: string[]; keywords: Set<string> }>();
  for (const error of errors) {
    const path = splitPath(error.instancePath);
    if (error.keyword === 'required') path.push(String((error.params as { missingProperty?: unknown }).missingProperty));
    if (error.keyword === 'additionalProperties') path.push(String((error.params as { additionalProperty?: unknown }).additionalProperty));
    const key = path.join('.');
    let field = fields.get(key);
    if (field === undefined) fields.set(key, (field = { path, keywords: new Set() }));
    field.keywords.add(error.keyword);
  }
  const secrets = new Set(Array.isArray(schema['secrets']) ? schema['secrets'].filter((key): key is string => typeof key === 'string') : []);
  return [...fields.values()].map(({ path, keywords }) => {
    const name = path.length === 0 ? 'the configuration' : formatPath(path);
    if (keywords.has('additionalProperties')) return `In ${where}, ${name} is not a known setting; remove it or check its spelling.`;
    const property = schemaAt(schema, path);
    const given = valueAt(value, path);
    const secret = path.length === 1 && secrets.has(path[0] as string);
    const example = secret ? undefined : exampleOf(property);
    const expected = `expected ${expectedWords(property, example !== undefined)}${example === undefined ? '' : `, for example ${JSON.stringify(example)}`}`;
    if (path.length === 0) return `${where.charAt(0).toUpperCase()}${where.slice(1)} ${describeGiven(given, secret)}; ${expected}.`;
    return `In ${where}, ${name} ${describeGiven(given, secret)}; ${expected}.`;
  });
}

function splitPath(instancePath: string): string[] {
  return instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function formatPath(path: readonly string[]): string {
  return path.map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : `${index === 0 ? '' : '.'}${part}`)).join('');
}

function schemaAt(schema: JsonSchema, path: readonly string[]): JsonSchema {
  let current: unknown = schema;
  for (const part of path) {
    const node = asSchema(current);
    current = /^\d+$/.test(part) && node['items'] !== undefined ? node['items'] : asSchema(node['properties'])[part];
  }
  return asSchema(current);
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asSchema(value: unknown): JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : {};
}

function exampleOf(property: JsonSchema): unknown {
  const examples = property['examples'];
  if (Array.isArray(examples) && examples.length > 0) return examples[0];
  const fallback = property['default'];
  // An empty default (no tags, no filter) shows nothing of the expected form.
  if (fallback === undefined || (Array.isArray(fallback) && fallback.length === 0)) return undefined;
  return fallback;
}

function describeGiven(given: unknown, secret: boolean): string {
  if (given === undefined) return 'is missing';
  if (secret && typeof given === 'string' && given.trim() === '') return 'is empty';
  if (secret) {
    const length = typeof given === 'string' ? given.length : JSON.stringify(given).length;
    return `is set to a value of ${length} characters (a secret, not shown)`;
  }
  let text = JSON.stringify(maskUrlCredentials(given)) ?? String(given);
  if (text.length > GIVEN_CHARS) text = `${text.slice(0, GIVEN_CHARS)}…`;
  return `is ${text}`;
}

/** A URL's user and password, if any, never appear in a message. */
function maskUrlCredentials(given: unknown): unknown {
  if (typeof given !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(given)) return given;
  return given.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, `$1${REDACTED}@`);
}

const count = (value: unknown): string => (typeof value === 'number' ? value.toLocaleString('en-US') : String(value));

/** What the schema asks for, in words: type, bounds, choices, prefix. */
function expectedWords(property: JsonSchema, hasExample: boolean): string {
  const type = property['type'];
  if (Array.isArray(property['enum'])) return `one of ${property['enum'].map((choice) => JSON.stringify(choice)).join(', ')}`;
  const words: string[] = [];
  switch (type) {
    case 'integer':
      words.push('a whole number');
      break;
    case 'number':
      words.push('a number');
      break;
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a JSON object';
    case 'array': {
      const items = asSchema(property['items']);
      words.push(`a list${items['type'] === 'string' ? ` of ${items['minLength'] === 1 ? 'non-empty ' : ''}texts` : ''}`);
      if (typeof property['minItems'] === 'number' && property['minItems'] > 0) words.push(`with at least ${count(property['minItems'])} entr${property['minItems'] === 1 ? 'y' : 'ies'}`);
      if (property['uniqueItems'] === true) words.push('without repeats');
      return words.join(' ');
    }
    case 'string':
      words.push(property['format'] === 'uri' ? 'a URL' : typeof property['minLength'] === 'number' && property['minLength'] > 0 ? 'a non-empty text' : 'a text');
      break;
    default:
      words.push('a value');
  }
  const low = property['minimum'] ?? property['exclusiveMinimum'];
  const strictLow = property['minimum'] === undefined && property['exclusiveMinimum'] !== undefined;
  const high = property['maximum'];
  if (low !== undefined && high !== undefined) words.push(strictLow ? `above ${count(low)} and at most ${count(high)}` : `between ${count(low)} and ${count(high)}`);
  else if (low !== undefined) words.push(strictLow ? `above ${count(low)}` : `of at least ${count(low)}`);
  else if (high !== undefined) words.push(`of at most ${count(high)}`);
  const pattern = property['pattern'];
  if (typeof pattern === 'string') {
    const prefixes = literalPrefixes(pattern);
    if (prefixes !== undefined) words.push(`starting with ${orList(prefixes.map((prefix) => JSON.stringify(prefix)))}`);
    else words.push(hasExample ? 'written like the example' : `matching the pattern ${pattern}`);
  }
  return words.join(' ');
}

/**
 * The prefixes a pattern such as `^https?://` or `^(https?://|file://|/)` accepts, or undefined
 * when it says more than "starts with one of these" (anything else is left to the example).
 */
function literalPrefixes(pattern: string): string[] | undefined {
  let body = pattern.startsWith('^') ? pattern.slice(1) : undefined;
  if (body === undefined || body.includes('$')) return undefined;
  if (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1);
  const prefixes: string[] = [];
  for (const alternative of body.split('|')) {
    // Literal characters, escaped ones, and `x?` for an optional letter: nothing else.
    if (!/^(?:\\.|[A-Za-z0-9:/._-]\??)+$/.test(alternative)) return undefined;
    let variants = [''];
    for (const [, escaped, literal, optional] of alternative.matchAll(/\\(.)|([A-Za-z0-9:/._-])(\?)?/g)) {
      const character = (escaped ?? literal) as string;
      variants = optional === undefined ? variants.map((variant) => variant + character) : variants.flatMap((variant) => [variant, variant + character]);
    }
    prefixes.push(...variants);
  }
  return prefixes;
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) as string}`;
}
