/**
 * MISP's enabled warninglists, read from its API and kept between cycles:
 * - `GET /warninglists/index` answers `{"Warninglists": [{"Warninglist": {id, name, type, version,
 *   enabled, valid_attributes: "ip-src, ip-dst", warninglist_entry_count, ...}}]}`;
 * - `GET /warninglists/view/<id>` answers `{"Warninglist": {..., "WarninglistEntry": [{value, ...}],
 *   "WarninglistType": [{type}]}}` (older versions put the two arrays beside `Warninglist`).
 * The index is asked every cycle; a list is fetched again only when its version (or its entry
 * count) changed, so a steady state costs one request a cycle.
 */
import type { Logger } from '@sekoia/automation-sdk-shim';
import { MispUnexpectedAnswerError } from '../misp/errors/misp-unexpected-answer-error.js';
import { flag, integer, isObject, text } from '../misp/loose-fields.js';
import { combineWarninglists, compileWarninglist, type CompiledWarninglist, type WarninglistMatcher } from './warninglist-matcher.js';

/**
 * `enabled:1` spares the lists nobody uses; `limit:9999` because MISP 2.4.159 to 2.4.16x paginate
 * this index for the API too, 60 lists a page (versions that do not page ignore both).
 */
export const WARNINGLIST_INDEX_PATH = '/warninglists/index/enabled:1/limit:9999';
export const warninglistViewPath = (id: string): string => `/warninglists/view/${encodeURIComponent(id)}`;

/** What the index tells of one list. */
export interface WarninglistSummary {
  id: string;
  name: string;
  type: string;
  version: string;
  enabled: boolean;
  entryCount: number | undefined;
  /** From `valid_attributes`; the view's WarninglistType wins when it has them. */
  attributeTypes: string[];
}

/** The JSON API requests the catalogue needs (MispApi). */
export interface MispReader {
  readonly host: string;
  get(path: string, signal?: AbortSignal): Promise<unknown>;
}

/** The lists of an index answer; throws MispUnexpectedAnswerError when it is not one. */
export function parseWarninglistIndex(answer: unknown, host: string): WarninglistSummary[] {
  const rows = isObject(answer) ? answer['Warninglists'] : Array.isArray(answer) ? answer : undefined;
  if (!Array.isArray(rows)) throw new MispUnexpectedAnswerError(host, `GET ${WARNINGLIST_INDEX_PATH}`, 'JSON without a "Warninglists" array', 'the index of its warninglists');
  const lists: WarninglistSummary[] = [];
  for (const row of rows) {
    const list = isObject(row) && isObject(row['Warninglist']) ? row['Warninglist'] : row;
    if (!isObject(list)) continue;
    const id = text(list['id']);
    const name = text(list['name']);
    if (id === undefined || name === undefined) continue;
    lists.push({
      id,
      name,
      type: text(list['type']) ?? 'string',
      version: text(list['version']) ?? '',
      enabled: flag(list['enabled']) ?? false,
      entryCount: integer(list['warninglist_entry_count']),
      attributeTypes: typesOf(list['valid_attributes']),
    });
  }
  return lists;
}

/** The entries and attribute types of a view answer; throws MispUnexpectedAnswerError when it is not one. */
export function parseWarninglistView(answer: unknown, host: string, id: string): { entries: string[]; attributeTypes: string[] | undefined } {
  const list = isObject(answer) && isObject(answer['Warninglist']) ? answer['Warninglist'] : undefined;
  const entries = list?.['WarninglistEntry'] ?? (isObject(answer) ? answer['WarninglistEntry'] : undefined);
  if (list === undefined || !Array.isArray(entries)) {
    throw new MispUnexpectedAnswerError(host, `GET ${warninglistViewPath(id)}`, 'JSON without its "WarninglistEntry" array', 'the warninglist and its entries');
  }
  const types = list['WarninglistType'] ?? (isObject(answer) ? answer['WarninglistType'] : undefined);
  return {
    entries: entries.map((entry) => (isObject(entry) ? text(entry['value']) : text(entry))).filter((value): value is string => value !== undefined),
    attributeTypes: Array.isArray(types) && types.length > 0 ? types.map((type) => (isObject(type) ? text(type['type']) : text(type))).filter((type): type is string => type !== undefined) : undefined,
  };
}

/** `"ip-src, ip-dst"` (or already a list) as types. */
function typesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((type) => text(type)).filter((type): type is string => type !== undefined);
  const written = text(value);
  return written === undefined ? [] : written.split(',').map((type) => type.trim()).filter((type) => type !== '');
}

interface Kept {
  /** Version and entry count: a list is fetched again when either changes. */
  stamp: string;
  list: CompiledWarninglist;
}

/** The enabled lists of one MISP, fetched when they change. */
export class WarninglistCatalogue {
  private readonly kept = new Map<string, Kept>();
  private matcher: WarninglistMatcher = combineWarninglists([]);

  constructor(
    private readonly misp: MispReader,
    private readonly logger: Logger,
  ) {}

  /** Asks the index, fetches the lists that are new or changed, and returns the matcher of all enabled lists. */
  async refresh(signal?: AbortSignal): Promise<WarninglistMatcher> {
    const index = parseWarninglistIndex(await this.misp.get(WARNINGLIST_INDEX_PATH, signal), this.misp.host);
    const enabled = index.filter((list) => list.enabled).sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id));
    const fetched: string[] = [];
    let changed = false;
    for (const summary of enabled) {
      const stamp = `${summary.version}/${summary.entryCount ?? ''}`;
      if (this.kept.get(summary.id)?.stamp === stamp) continue;
      const view = parseWarninglistView(await this.misp.get(warninglistViewPath(summary.id), signal), this.misp.host, summary.id);
      const list = compileWarninglist({ id: summary.id, name: summary.name, type: summary.type, attributeTypes: view.attributeTypes ?? summary.attributeTypes, entries: view.entries });
      for (const problem of list.problems) {
        this.logger.log(`Warninglist "${summary.name}" (version ${summary.version}) of MISP at ${this.misp.host}: ${problem}.`, 'warning');
      }
      this.kept.set(summary.id, { stamp, list });
      fetched.push(`"${summary.name}" v${summary.version} (${view.entries.length} entries)`);
      changed = true;
    }
    const wanted = new Set(enabled.map((list) => list.id));
    const dropped = [...this.kept.keys()].filter((id) => !wanted.has(id));
    for (const id of dropped) this.kept.delete(id);
    if (changed || dropped.length > 0) {
      this.matcher = combineWarninglists(enabled.map((summary) => (this.kept.get(summary.id) as Kept).list));
      this.logger.log(
        `Warninglists of MISP at ${this.misp.host}: ${enabled.length} enabled, applied by the trigger` +
          `${fetched.length > 0 ? `; read ${fetched.join(', ')}` : ''}${dropped.length > 0 ? `; ${dropped.length} no longer enabled` : ''}.`,
      );
    }
    return this.matcher;
  }
}
