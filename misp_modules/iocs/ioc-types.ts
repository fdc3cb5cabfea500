import type { ExtractionName } from './extractions.js';
import type { IocKindName } from './ioc-kinds.js';

/**
 * One MISP attribute type the module pushes: which part of the value is the indicator, and which
 * kind of indicator it is (the kind gives the validation and the Sekoia.io observable).
 */
export interface IocTypeRow {
  readonly mispType: string;
  readonly extraction: ExtractionName;
  readonly kind: IocKindName;
}

/**
 * The MISP types pushed to the IOC collection (CONTRACT §6). Supporting another type is adding a
 * row here, e.g. `{ mispType: 'ip-src', extraction: 'whole', kind: 'ip' }`.
 */
export const IOC_TYPE_TABLE: readonly IocTypeRow[] = Object.freeze([
  { mispType: 'ip-dst', extraction: 'whole', kind: 'ip' },
  { mispType: 'ip-dst|port', extraction: 'host-before-port', kind: 'ip' },
  { mispType: 'domain', extraction: 'whole', kind: 'domain' },
  { mispType: 'domain|ip', extraction: 'before-first-pipe', kind: 'domain' },
  { mispType: 'url', extraction: 'whole', kind: 'url' },
  { mispType: 'md5', extraction: 'whole', kind: 'md5' },
  { mispType: 'sha1', extraction: 'whole', kind: 'sha1' },
  { mispType: 'sha256', extraction: 'whole', kind: 'sha256' },
  { mispType: 'filename|md5', extraction: 'after-last-pipe', kind: 'md5' },
  { mispType: 'filename|sha1', extraction: 'after-last-pipe', kind: 'sha1' },
  { mispType: 'filename|sha256', extraction: 'after-last-pipe', kind: 'sha256' },
] as const satisfies readonly IocTypeRow[]);

/**
 * The rows of `table` for the wanted MISP types, in table order, and the wanted types the table
 * has no row for (so that a configuration naming them can be refused with their names).
 */
export function selectIocTypeRows(
  wanted: Iterable<string>,
  table: readonly IocTypeRow[] = IOC_TYPE_TABLE,
): { rows: readonly IocTypeRow[]; unknown: readonly string[] } {
  const wantedSet = new Set(wanted);
  const rows = table.filter((row) => wantedSet.has(row.mispType));
  const known = new Set(table.map((row) => row.mispType));
  const unknown = [...wantedSet].filter((type) => !known.has(type));
  return { rows, unknown };
}
