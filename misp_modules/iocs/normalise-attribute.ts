import { EXTRACTIONS, type Extraction } from './extractions.js';
import { IocTableError } from './ioc-table-error.js';
import { IOC_KINDS, type IocKind } from './ioc-kinds.js';
import { DEFAULT_IOC_TYPE_ROWS, IOC_TYPE_TABLE, type IocTypeRow } from './ioc-types.js';
import type { Indicator } from './observables.js';
import { rejection, type Rejection } from './rejection.js';
import { holdsBlankOrControl, holdsLineBreakOrControl, isPrintableAscii } from './text-guards.js';

export type { Indicator, ObservableType, UploadFormat } from './observables.js';
export { DEFAULT_IOC_TYPE_ROWS, IOC_TYPE_TABLE, selectIocTypeRows, type IocTypeRow } from './ioc-types.js';

export type NormaliseResult =
  | { readonly status: 'ok'; readonly indicator: Indicator }
  /** A MISP type the table has no row for. */
  | { readonly status: 'unsupported' }
  /** `reason` is short and human, and does not repeat the value. */
  | { readonly status: 'invalid'; readonly reason: string };

export interface AttributeNormaliser {
  /** Pure: the indicator a MISP attribute carries, or why it carries none. */
  readonly normalise: (mispType: string, value: string) => NormaliseResult;
  /** The MISP types of the rows, in table order. */
  readonly supportedMispTypes: () => readonly string[];
}

const UNSUPPORTED: NormaliseResult = Object.freeze({ status: 'unsupported' });
const NOT_A_STRING = rejection('is not a string');
const LINE_BREAK_OR_CONTROL = rejection('holds a line break or a control character');
const EMPTY = rejection('is empty');
const BLANK_OR_CONTROL = rejection('holds whitespace or a control character');
const NOT_PRINTABLE_ASCII = rejection('does not normalise to printable ASCII');

/** Invalid results are shared per reason: refusing a value allocates nothing. */
const invalidResults = new Map<string, NormaliseResult>();
function invalid(refused: Rejection): NormaliseResult {
  let result = invalidResults.get(refused.reason);
  if (result === undefined) {
    result = Object.freeze({ status: 'invalid', reason: refused.reason });
    invalidResults.set(refused.reason, result);
  }
  return result;
}

interface CompiledRow {
  readonly extract: Extraction['extract'];
  readonly check: IocKind['check'];
}

function compile(row: IocTypeRow): CompiledRow {
  // Looked up by name because rows may come from untyped sources.
  const extraction: Extraction | undefined = Object.hasOwn(EXTRACTIONS, row.extraction)
    ? EXTRACTIONS[row.extraction]
    : undefined;
  const kind: IocKind | undefined = Object.hasOwn(IOC_KINDS, row.kind) ? IOC_KINDS[row.kind] : undefined;
  if (extraction === undefined) {
    throw new IocTableError(
      `The IOC type row for "${row.mispType}" names the extraction "${row.extraction}", which does not exist; use one of: ${Object.keys(EXTRACTIONS).join(', ')}.`,
      row.mispType,
    );
  }
  if (kind === undefined) {
    throw new IocTableError(
      `The IOC type row for "${row.mispType}" names the kind "${row.kind}", which does not exist; use one of: ${Object.keys(IOC_KINDS).join(', ')}.`,
      row.mispType,
    );
  }
  return { extract: extraction.extract, check: kind.check };
}

/**
 * A normaliser for the given rows (a subset of {@link IOC_TYPE_TABLE}, or the table plus new
 * rows). The code below reads the rows and knows no MISP type by name.
 *
 * @throws IocTableError when two rows share a MISP type or a row names an unknown extraction/kind.
 */
export function createAttributeNormaliser(rows: readonly IocTypeRow[]): AttributeNormaliser {
  const compiled = new Map<string, CompiledRow>();
  for (const row of rows) {
    if (compiled.has(row.mispType)) {
      throw new IocTableError(
        `The IOC type table has two rows for "${row.mispType}"; keep one.`,
        row.mispType,
      );
    }
    compiled.set(row.mispType, compile(row));
  }
  const types = Object.freeze(rows.map((row) => row.mispType));

  const normalise = (mispType: string, value: string): NormaliseResult => {
    const row = compiled.get(mispType);
    if (row === undefined) return UNSUPPORTED;
    if (typeof value !== 'string') return invalid(NOT_A_STRING);
    // The whole value first: a filename may hold spaces, but never a line break.
    if (holdsLineBreakOrControl(value)) return invalid(LINE_BREAK_OR_CONTROL);
    const part = row.extract(value);
    if (typeof part !== 'string') return invalid(part);
    if (part.length === 0) return invalid(EMPTY);
    if (holdsBlankOrControl(part)) return invalid(BLANK_OR_CONTROL);
    const checked = row.check(part);
    if ('reason' in checked) return invalid(checked);
    // Last line of defence for the one-value-per-line upload, whatever a kind returns.
    if (checked.value.length === 0 || !isPrintableAscii(checked.value)) return invalid(NOT_PRINTABLE_ASCII);
    return { status: 'ok', indicator: checked };
  };
  return { normalise, supportedMispTypes: () => types };
}

const defaultNormaliser = createAttributeNormaliser(DEFAULT_IOC_TYPE_ROWS);

/** The indicator a MISP attribute carries under the default rows of the type table, or why it carries none. */
export function normaliseAttribute(mispType: string, value: string): NormaliseResult {
  return defaultNormaliser.normalise(mispType, value);
}

/** The MISP types synced by default ({@link DEFAULT_IOC_TYPE_ROWS}). */
export function supportedMispTypes(): readonly string[] {
  return defaultNormaliser.supportedMispTypes();
}
