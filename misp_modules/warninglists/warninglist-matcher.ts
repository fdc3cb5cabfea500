/**
 * MISP's enabled warninglists, applied here the way MISP applies them when a search asks for
 * `enforceWarninglist`: a list applies to the attribute types it names (or to all with `ALL`); a
 * composite value (`domain|ip`, `ip-dst|port`, `filename|sha256`, any type with `|`) is cut at its
 * first `|` and each part is checked; a value is left out when any part is on any applicable list.
 * Per list type:
 * - `string`: the part equals an entry (case counts);
 * - `substring`: the part contains an entry (case counts);
 * - `hostname`: the host of the part (the part up to its first `/`, or what follows `//` in a URL),
 *   its final dots trimmed, or one of its parent domains, equals an entry (entries are compared in
 *   lower case, the value as it is, as MISP does);
 * - `cidr`: see CidrIndex;
 * - `regex`: a PCRE pattern of the list matches the part (see translatePcre).
 * Pure: the lists come in, a matcher and the problems met come out.
 */
import { CidrIndex } from './cidr-index.js';
import { translatePcre } from './pcre-pattern.js';

/** One warninglist as MISP holds it. */
export interface WarninglistDefinition {
  id: string;
  name: string;
  /** string, substring, hostname, cidr or regex. */
  type: string;
  /** MISP attribute types it applies to; `ALL` for every type. */
  attributeTypes: readonly string[];
  entries: readonly string[];
}

/** One list ready to match. */
export interface CompiledWarninglist {
  id: string;
  name: string;
  attributeTypes: readonly string[];
  /** True when this part of a value is on the list. */
  has(part: string): boolean;
  /** What could not be used of the list, one sentence each (an unknown type, patterns JavaScript cannot read). */
  problems: readonly string[];
}

export interface WarninglistMatcher {
  /** The name of the first list (in the order given) the value is on, or undefined. */
  listOf(type: string, value: string): string | undefined;
  readonly size: number;
}

export function compileWarninglist(definition: WarninglistDefinition): CompiledWarninglist {
  const problems: string[] = [];
  const entries = definition.entries.filter((entry) => entry !== '');
  let has: (part: string) => boolean;
  switch (definition.type) {
    case 'string': {
      const values = new Set(entries);
      has = (part) => values.has(part);
      break;
    }
    case 'substring':
      has = (part) => entries.some((entry) => part.includes(entry));
      break;
    case 'hostname': {
      const hosts = new Set(entries.map((entry) => entry.toLowerCase().replace(/^\.+|\.+$/g, '')));
      has = (part) => onHostList(hosts, part);
      break;
    }
    case 'cidr': {
      const index = new CidrIndex(entries);
      has = (part) => index.contains(part);
      break;
    }
    case 'regex': {
      const patterns: RegExp[] = [];
      for (const entry of entries) {
        const translated = translatePcre(entry);
        if (translated.ok) patterns.push(translated.regexp);
        else problems.push(`its pattern ${JSON.stringify(entry)} is left out: ${translated.reason}`);
      }
      has = (part) => patterns.some((pattern) => pattern.test(part));
      break;
    }
    default:
      problems.push(`its type ${JSON.stringify(definition.type)} is unknown, so it matches nothing`);
      has = () => false;
  }
  return { id: definition.id, name: definition.name, attributeTypes: definition.attributeTypes, has, problems };
}

/** The lists, in the order MISP checks them, as one matcher indexed by attribute type. */
export function combineWarninglists(lists: readonly CompiledWarninglist[]): WarninglistMatcher {
  const forAll = new Set(lists.filter((list) => list.attributeTypes.includes('ALL')));
  const byType = new Map<string, CompiledWarninglist[]>();
  const applicable = (type: string): CompiledWarninglist[] => {
    let found = byType.get(type);
    if (found === undefined) {
      found = lists.filter((list) => forAll.has(list) || list.attributeTypes.includes(type));
      byType.set(type, found);
    }
    return found;
  };
  return {
    size: lists.length,
    listOf(type, value) {
      const candidates = applicable(type);
      if (candidates.length === 0) return undefined;
      if (type === 'malware-sample' || type.includes('|')) {
        const parts = splitOnce(value);
        return candidates.find((list) => parts.some((part) => list.has(part)))?.name;
      }
      for (const list of candidates) if (list.has(value)) return list.name;
      return undefined;
    },
  };
}

function splitOnce(value: string): string[] {
  const bar = value.indexOf('|');
  return bar < 0 ? [value] : [value.slice(0, bar), value.slice(bar + 1)];
}

/** The host of a domain, host name or URL, or one of its parent domains, is on the list. */
function onHostList(hosts: ReadonlySet<string>, part: string): boolean {
  const pieces = part.split('/');
  const host = (part.includes('//') ? pieces[2] : pieces[0]) ?? '';
  const labels = host.replace(/\.+$/, '').split('.');
  let suffix = '';
  for (let i = labels.length - 1; i >= 0; i--) {
    suffix = suffix === '' ? (labels[i] as string) : `${labels[i] as string}.${suffix}`;
    if (hosts.has(suffix)) return true;
  }
  return false;
}
