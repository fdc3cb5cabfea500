/**
 * A MISP value cut into the parts its type row names, each with the observable type it resolves
 * to: the common input of the pattern writer and the observable builder.
 */
import type { StixTypeRow, StixValueField } from './stix-type-table.js';

export interface FieldValue {
  readonly field: StixValueField;
  /** The observable type that holds the value (`ip-addr` resolved to v4 or v6). */
  readonly objectType: string;
  readonly value: string | number;
}

export type FieldValuesResult = { readonly ok: true; readonly values: FieldValue[] } | { readonly ok: false; readonly reason: string };

function resolveObjectType(object: string, value: string): string {
  if (object !== 'ip-addr') return object;
  return value.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
}

function parts(row: StixTypeRow, value: string): string[] | undefined {
  if (row.fields.length === 1) return [value];
  const at = row.splitAt === 'last-pipe' ? value.lastIndexOf('|') : value.indexOf('|');
  if (at === -1) return undefined;
  return [value.slice(0, at), value.slice(at + 1)];
}

function typedValue(field: StixValueField, objectType: string, part: string): string | number | undefined {
  if (field.literal !== 'integer') return part;
  const digits = /^(?:AS)?(\d{1,15})$/i.exec(part.trim());
  if (!digits || (objectType !== 'autonomous-system' && /^AS/i.test(part.trim()))) return undefined;
  return Number(digits[1]);
}

/** The parts of `value` as its row places them, or why the value does not fit the row. */
export function fieldValues(row: StixTypeRow, value: string): FieldValuesResult {
  const split = parts(row, value);
  if (split === undefined || split.length !== row.fields.length) {
    return { ok: false, reason: `${row.mispType} values need ${row.fields.length} parts separated by "|"` };
  }
  const values: FieldValue[] = [];
  for (const [index, field] of row.fields.entries()) {
    const part = split[index]!;
    if (part === '') return { ok: false, reason: `part ${index + 1} of the ${row.mispType} value is empty` };
    const objectType = resolveObjectType(field.object, part);
    const typed = typedValue(field, objectType, part);
    if (typed === undefined) return { ok: false, reason: `${JSON.stringify(part)} is not a whole number, as ${row.mispType} needs` };
    values.push({ field, objectType, value: typed });
  }
  return { ok: true, values };
}
