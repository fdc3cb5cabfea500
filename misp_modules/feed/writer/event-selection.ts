import { integer, isObject, text, type JsonObject } from '../../misp/loose-fields.js';

/** A list in MISP's filter syntax, `a|b|!c`: keep what matches one of `any` (when given) and none of `none`. */
export interface MispList {
  any: string[];
  none: string[];
}

/** Which events of a MISP go into the feed, and which of their attributes and objects. */
export interface EventSelection {
  /** Event tags, as `--filter-tags`. */
  tags: MispList;
  /** Creator organisations (name or uuid), as `--filter-org`. */
  orgs: MispList;
  /** Distribution levels kept (0 your organisation … 4 sharing group, 5 inherit the event's). */
  distributions: ReadonlySet<number>;
  /** Only IDS-flagged attributes (objects left without any are left out). */
  idsOnly: boolean;
}

/** PyMISP's feed generator keeps every level unless told otherwise. */
export const ALL_DISTRIBUTIONS: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5]);
export const EMPTY_LIST: MispList = { any: [], none: [] };

/** Parses `tlp:white|feed-export|!privint`; an empty item is refused, since MISP would read it as "no tag". */
export function parseMispList(option: string, value: string): MispList {
  const list: MispList = { any: [], none: [] };
  for (const raw of value.split('|')) {
    const item = raw.trim();
    const negated = item.startsWith('!');
    const name = negated ? item.slice(1).trim() : item;
    if (name === '') throw new RangeError(`${option} has an empty item in ${JSON.stringify(value)}: write names separated by |, a ! before those to exclude.`);
    (negated ? list.none : list.any).push(name);
  }
  return list;
}

/** Parses `0,1,2,3,4,5`. */
export function parseDistributions(value: string): Set<number> {
  const levels = new Set<number>();
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (!/^[0-5]$/.test(item)) throw new RangeError(`--distribution takes levels from 0 to 5 separated by commas (0 your organisation only, 1 this community, 2 connected communities, 3 all communities, 4 sharing group, 5 inherit the event), not ${JSON.stringify(value)}.`);
    levels.add(Number(item));
  }
  return levels;
}

/** The restSearch filters that ask MISP for the same selection (MISP then does most of the work). */
export function restSearchFilters(selection: EventSelection): JsonObject {
  const filters: JsonObject = {};
  const asFilter = (list: MispList): JsonObject => ({ ...(list.any.length > 0 ? { OR: list.any } : {}), ...(list.none.length > 0 ? { NOT: list.none } : {}) });
  if (selection.tags.any.length + selection.tags.none.length > 0) filters['tags'] = asFilter(selection.tags);
  if (selection.orgs.any.length + selection.orgs.none.length > 0) filters['org'] = asFilter(selection.orgs);
  return filters;
}

/**
 * Whether an event (full or as listed by a metadata search) is selected. Checked here as well as by
 * MISP, so that a MISP that ignores a filter cannot widen the feed. A part the listing lacks (no
 * `Tag`, no `Orgc`) is not held against the event: the full event is checked again before writing.
 */
export function selectsEvent(selection: EventSelection, event: JsonObject): boolean {
  const distribution = integer(event['distribution']);
  if (distribution !== undefined && !selection.distributions.has(distribution)) return false;
  if (Array.isArray(event['Tag'])) {
    const names = new Set(event['Tag'].flatMap((tag) => (isObject(tag) && text(tag['name']) !== undefined ? [(text(tag['name']) as string).toLowerCase()] : [])));
    if (!matches(selection.tags, (name) => names.has(name.toLowerCase()))) return false;
  }
  if (isObject(event['Orgc'])) {
    const name = text(event['Orgc']['name'])?.toLowerCase();
    const uuid = text(event['Orgc']['uuid'])?.toLowerCase();
    if (!matches(selection.orgs, (org) => org.toLowerCase() === name || org.toLowerCase() === uuid)) return false;
  }
  return true;
}

function matches(list: MispList, has: (name: string) => boolean): boolean {
  if (list.none.some(has)) return false;
  return list.any.length === 0 || list.any.some(has);
}
