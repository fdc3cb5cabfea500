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
  /** Synced unless the trigger's `attribute_types` says otherwise; the others are there to be chosen. */
  readonly byDefault: boolean;
}

/**
 * The MISP types the module can push. The first rows (the README's "Supported types") are synced
 * by default; the others, which MISP also marks as IDS material, are synced when the trigger's
 * `attribute_types` names them. Supporting another type is adding a row here.
 */
export const IOC_TYPE_TABLE: readonly IocTypeRow[] = Object.freeze([
  { mispType: 'ip-dst', extraction: 'whole', kind: 'ip', byDefault: true },
  { mispType: 'ip-dst|port', extraction: 'host-before-port', kind: 'ip', byDefault: true },
  { mispType: 'domain', extraction: 'whole', kind: 'domain', byDefault: true },
  { mispType: 'domain|ip', extraction: 'before-first-pipe', kind: 'domain', byDefault: true },
  { mispType: 'url', extraction: 'whole', kind: 'url', byDefault: true },
  { mispType: 'md5', extraction: 'whole', kind: 'md5', byDefault: true },
  { mispType: 'sha1', extraction: 'whole', kind: 'sha1', byDefault: true },
  { mispType: 'sha256', extraction: 'whole', kind: 'sha256', byDefault: true },
  { mispType: 'filename|md5', extraction: 'after-last-pipe', kind: 'md5', byDefault: true },
  { mispType: 'filename|sha1', extraction: 'after-last-pipe', kind: 'sha1', byDefault: true },
  { mispType: 'filename|sha256', extraction: 'after-last-pipe', kind: 'sha256', byDefault: true },
  { mispType: 'ip-src', extraction: 'whole', kind: 'ip', byDefault: false },
  { mispType: 'ip-src|port', extraction: 'host-before-port', kind: 'ip', byDefault: false },
  { mispType: 'hostname', extraction: 'whole', kind: 'domain', byDefault: false },
  { mispType: 'hostname|port', extraction: 'host-before-port', kind: 'domain', byDefault: false },
  { mispType: 'sha512', extraction: 'whole', kind: 'sha512', byDefault: false },
  { mispType: 'filename|sha512', extraction: 'after-last-pipe', kind: 'sha512', byDefault: false },
  { mispType: 'email-src', extraction: 'whole', kind: 'email', byDefault: false },
  { mispType: 'email-dst', extraction: 'whole', kind: 'email', byDefault: false },
] as const satisfies readonly IocTypeRow[]);

/** The rows synced when the trigger does not choose its types. */
export const DEFAULT_IOC_TYPE_ROWS: readonly IocTypeRow[] = Object.freeze(IOC_TYPE_TABLE.filter((row) => row.byDefault));

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
