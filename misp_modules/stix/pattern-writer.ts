/**
 * Writes STIX patterns from field values: one observation per observable type, the comparisons on
 * one observable joined by AND (the specification requires one object type per AND), several
 * values of one property joined by OR, observations joined by AND.
 */
import type { FieldValue } from './field-values.js';

const BARE_PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATTERN_KEYWORDS = new Set(['AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS', 'IN', 'START', 'STOP', 'SECONDS', 'TIMES', 'WITHIN', 'REPEATS', 'LAST', 'true', 'false']);

/** A STIX pattern string literal: `\` and `'` escaped with a backslash, the only escapes STIX has. */
export function quoteStixString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function propertyName(name: string): string {
  return BARE_PROPERTY.test(name) && !PATTERN_KEYWORDS.has(name) ? name : quoteStixString(name);
}

/** `hashes`, `'SHA-256'`, `*` → `hashes.'SHA-256'[*]`. */
function propertyPath(segments: readonly string[]): string {
  return segments
    .map((segment, index) => (segment === '*' ? '[*]' : `${index === 0 ? '' : '.'}${propertyName(segment)}`))
    .join('');
}

function comparisonTarget(item: FieldValue): { root: string; path: string } {
  const via = item.field.via;
  if (via === undefined) return { root: item.objectType, path: `${item.objectType}:${propertyPath(item.field.property)}` };
  const reference = via.reference.endsWith('_refs') ? [via.reference, '*'] : [via.reference];
  return { root: via.object, path: `${via.object}:${propertyPath([...reference, ...item.field.property])}` };
}

function literal(value: string | number): string {
  return typeof value === 'number' ? String(value) : quoteStixString(value);
}

/** The pattern matching all of `values` (at least one). */
export function writePattern(values: readonly FieldValue[]): string {
  const observations = new Map<string, Map<string, string[]>>();
  for (const item of values) {
    const { root, path } = comparisonTarget(item);
    const paths = observations.get(root) ?? new Map<string, string[]>();
    observations.set(root, paths);
    const literals = paths.get(path) ?? [];
    paths.set(path, literals);
    const written = literal(item.value);
    if (!literals.includes(written)) literals.push(written);
  }
  return [...observations.values()]
    .map((paths) => {
      const comparisons = [...paths].map(([path, literals]) =>
        literals.length === 1 ? `${path} = ${literals[0]}` : `(${literals.map((item) => `${path} = ${item}`).join(' OR ')})`,
      );
      return `[${comparisons.join(' AND ')}]`;
    })
    .join(' AND ');
}
