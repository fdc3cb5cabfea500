/**
 * The warninglists of the demo MISP: what it answers at `GET /warninglists/index` (named parameters
 * `enabled:` and `limit:` as MISP reads them) and `GET /warninglists/view/<id>`, in MISP's shapes,
 * and the matcher that drops their values from a search that asks for `enforceWarninglist`.
 */
import { isAtLeast, parseMispVersion } from '../misp/misp-version.js';
import { combineWarninglists, compileWarninglist, type WarninglistMatcher } from '../warninglists/warninglist-matcher.js';
import type { MispAttributeRow } from './misp-events.js';

export interface DemoWarninglist {
  id: number;
  name: string;
  type: 'string' | 'substring' | 'hostname' | 'cidr' | 'regex';
  version: number;
  enabled: boolean;
  /** MISP attribute types, or `ALL`. */
  matchingAttributes: string[];
  entries: string[];
}

/** MISP 2.4.159 up to this version pages the index for the API too, 60 lists a page, unless `limit:` says otherwise. */
const PAGED_INDEX = { from: [2, 4, 159], before: [2, 4, 170], limit: 60 } as const;

/** A small set of lists, generated: resolvers (cidr), shorteners (hostname), empty-file hashes (string), and a disabled one. */
export function demoWarninglists(): DemoWarninglist[] {
  return [
    {
      id: 1,
      name: 'Demo public DNS resolvers',
      type: 'cidr',
      version: 3,
      enabled: true,
      matchingAttributes: ['ip-src', 'ip-dst', 'domain|ip', 'ip-dst|port'],
      entries: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9', '2001:4860:4860::8888', ...Array.from({ length: 250 }, (_, i) => `198.51.100.${i}`)],
    },
    {
      id: 2,
      name: 'Demo URL shorteners',
      type: 'hostname',
      version: 1,
      enabled: true,
      matchingAttributes: ['domain', 'hostname', 'url', 'domain|ip'],
      entries: ['bit.ly', 'goo.gl', 't.co', 'tinyurl.com'],
    },
    {
      id: 3,
      name: 'Demo hashes of empty files',
      type: 'string',
      version: 2,
      enabled: true,
      matchingAttributes: ['md5', 'sha1', 'sha256', 'filename|md5', 'filename|sha1', 'filename|sha256'],
      entries: ['d41d8cd98f00b204e9800998ecf8427e', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    },
    { id: 4, name: 'Demo disabled list', type: 'substring', version: 1, enabled: false, matchingAttributes: ['ALL'], entries: ['.'] },
  ];
}

/** Drops what MISP's enforcement would drop: the enabled lists, matched as MISP matches them. */
export function warninglistRowFilter(lists: readonly DemoWarninglist[]): { matches(row: MispAttributeRow): boolean } {
  const matcher: WarninglistMatcher = combineWarninglists(
    lists.filter((list) => list.enabled).map((list) => compileWarninglist({ id: String(list.id), name: list.name, type: list.type, attributeTypes: list.matchingAttributes, entries: list.entries })),
  );
  return { matches: (row) => matcher.listOf(row.type, row.value) !== undefined };
}

/** MISP's answer to `/warninglists/index[/name:value…]`, or undefined for another path. */
export function warninglistIndexAnswer(path: string, lists: readonly DemoWarninglist[], version: string): unknown {
  const match = /^\/warninglists\/index((?:\/[a-z]+:[^/]*)*)\/?$/.exec(path);
  if (match === null) return undefined;
  const named = new Map((match[1] ?? '').split('/').filter(Boolean).map((part) => part.split(':', 2) as [string, string]));
  const enabled = named.get('enabled');
  const parsed = parseMispVersion(version) ?? [0, 0, 0];
  const paged = isAtLeast(parsed, PAGED_INDEX.from) && !isAtLeast(parsed, PAGED_INDEX.before);
  const limit = named.has('limit') ? Number(named.get('limit')) : paged ? PAGED_INDEX.limit : Number.POSITIVE_INFINITY;
  const selected = lists.filter((list) => enabled === undefined || list.enabled === (enabled === '1' || enabled === 'true')).slice(0, limit);
  return {
    Warninglists: selected.map((list) => ({
      Warninglist: {
        ...listFields(list),
        warninglist_entry_count: String(list.entries.length),
        valid_attributes: list.matchingAttributes.join(', '),
      },
    })),
  };
}

/** MISP's answer to `/warninglists/view/<id>`: the list, undefined for another path, null for an unknown id. */
export function warninglistViewAnswer(path: string, lists: readonly DemoWarninglist[]): unknown {
  const match = /^\/warninglists\/view\/(\d+)$/.exec(path);
  if (match === null) return undefined;
  const list = lists.find((candidate) => String(candidate.id) === match[1]);
  if (list === undefined) return null;
  let entryId = list.id * 100_000;
  return {
    Warninglist: {
      ...listFields(list),
      WarninglistEntry: list.entries.map((value) => ({ id: String(++entryId), value, warninglist_id: String(list.id), comment: null })),
      WarninglistType: list.matchingAttributes.map((type, i) => ({ id: String(list.id * 100 + i), type, warninglist_id: String(list.id) })),
    },
  };
}

/** The fields of a list that the index and the view both carry, as MISP writes them. */
function listFields(list: DemoWarninglist): Record<string, unknown> {
  return {
    id: String(list.id),
    name: list.name,
    type: list.type,
    description: `${list.name} (demo)`,
    version: String(list.version),
    enabled: list.enabled,
    default: true,
    category: 'false_positive',
  };
}
