/**
 * What one cycle of the trigger must make of the bundled demo data, worked out without the
 * module's code: the event files are read as plain JSON, and each value is judged by small
 * rules written here from the README's "Supported types".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';

export const DEMO_DATA = path.join(import.meta.dirname, '../../misp_modules/dev/demo-data');

type Kind = 'ip' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256';
type Part = 'whole' | 'before-first-pipe' | 'before-last-pipe' | 'after-last-pipe';

/** The MISP types pushed, the part of the value pushed, and its kind. */
const SUPPORTED: Record<string, { part: Part; kind: Kind }> = {
  'ip-dst': { part: 'whole', kind: 'ip' },
  'ip-dst|port': { part: 'before-last-pipe', kind: 'ip' },
  domain: { part: 'whole', kind: 'domain' },
  'domain|ip': { part: 'before-first-pipe', kind: 'domain' },
  url: { part: 'whole', kind: 'url' },
  md5: { part: 'whole', kind: 'md5' },
  sha1: { part: 'whole', kind: 'sha1' },
  sha256: { part: 'whole', kind: 'sha256' },
  'filename|md5': { part: 'after-last-pipe', kind: 'md5' },
  'filename|sha1': { part: 'after-last-pipe', kind: 'sha1' },
  'filename|sha256': { part: 'after-last-pipe', kind: 'sha256' },
};

/** The supported MISP types, for checks against the demo data README's table. */
export const SUPPORTED_TYPES = Object.keys(SUPPORTED);

const HASH_LENGTH = { md5: 32, sha1: 40, sha256: 64 } as const;
const HASH_OBSERVABLE = { md5: 'file.hashes.MD5', sha1: 'file.hashes.SHA-1', sha256: 'file.hashes.SHA-256' } as const;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z]{2,63}$/;
const CONTROL_OR_BLANK = /[\u0000-\u0020\u007f]/;
/** IANA's top-level domains: a URL written without a scheme must end in one (else it is a file name). */
const TLDS = new Set(createRequire(import.meta.url)('tlds') as string[]);

function part(value: string, how: Part): string | undefined {
  if (how === 'whole') return value;
  const at = how === 'before-first-pipe' ? value.indexOf('|') : value.lastIndexOf('|');
  if (at === -1) return undefined;
  return how === 'after-last-pipe' ? value.slice(at + 1) : value.slice(0, at);
}

/** The value pushed and its observable, or undefined when the value is not a valid indicator. */
function judge(kind: Kind, text: string): { value: string; observable: string } | undefined {
  if (CONTROL_OR_BLANK.test(text)) return undefined;
  switch (kind) {
    case 'ip':
      if (isIPv4(text)) return { value: text, observable: 'ipv4-addr.value' };
      return isIPv6(text) ? { value: text, observable: 'ipv6-addr.value' } : undefined;
    case 'domain':
      return DOMAIN.test(text.toLowerCase()) ? { value: text.toLowerCase(), observable: 'domain-name.value' } : undefined;
    case 'url': {
      // The host: after an optional scheme://, before the path, without credentials or port.
      const rest = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
      const host = (rest.split(/[/?#\\]/)[0] ?? '').replace(/^.*@/, '').replace(/:\d+$/, '');
      if (isIPv4(host)) return { value: text, observable: 'url.value' };
      if (!DOMAIN.test(host.toLowerCase())) return undefined;
      const schemeless = rest === text;
      return schemeless && !TLDS.has(host.toLowerCase().split('.').pop() ?? '') ? undefined : { value: text, observable: 'url.value' };
    }
    default: {
      const hex = new RegExp(`^[0-9a-f]{${HASH_LENGTH[kind]}}$`, 'i');
      return hex.test(text) ? { value: text.toLowerCase(), observable: HASH_OBSERVABLE[kind] } : undefined;
    }
  }
}

interface FeedAttribute {
  type: string;
  value: string;
  to_ids?: boolean | number | string;
  deleted?: boolean | number | string;
  /** Set here, not in the files: the attribute sits in an object marked deleted. */
  inDeletedObject?: boolean;
}

interface FeedEventFile {
  Event: { uuid: string; info: string; Attribute?: FeedAttribute[]; Object?: Array<{ deleted?: boolean | number | string; Attribute?: FeedAttribute[] }> };
}

/** The demo event files, parsed, in name order. */
export function demoEventDocuments(): Array<{ file: string; document: FeedEventFile }> {
  return readdirSync(DEMO_DATA)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, document: JSON.parse(readFileSync(path.join(DEMO_DATA, file), 'utf8')) as FeedEventFile }));
}

/** Every attribute of every demo event, event-level and inside objects. */
export function demoFeedAttributes(): FeedAttribute[] {
  const attributes: FeedAttribute[] = [];
  for (const { document } of demoEventDocuments()) {
    const event = document.Event;
    attributes.push(...(event.Attribute ?? []));
    for (const object of event.Object ?? []) {
      const deleted = object.deleted === true || object.deleted === 1 || object.deleted === '1';
      attributes.push(...(object.Attribute ?? []).map((attribute) => (deleted ? { ...attribute, inDeletedObject: true } : attribute)));
    }
  }
  return attributes;
}

export interface DemoExpectation {
  /** IDS-flagged, not deleted: what restSearch with to_ids=1 answers. */
  fetched: number;
  /** IDS attributes per MISP type. */
  idsByType: Map<string, number>;
  unsupported: number;
  invalid: Array<{ type: string; value: string }>;
  /** Valid attributes whose value was already sent in the same cycle. */
  repeats: number;
  /** Distinct values per observable type. */
  byObservable: Map<string, Set<string>>;
  total: number;
}

/** MISP writes its booleans as true, 1 or "1" depending on the producer. */
const flagged = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 'true';

/**
 * What restSearch with `to_ids: 1` answers (the API demo): the attributes whose own flags say
 * IDS and not deleted, event-level and in objects.
 */
function takenByRestSearch(attribute: FeedAttribute): boolean {
  return attribute.to_ids === true && attribute.deleted !== true;
}

/**
 * What a MISP feed reader keeps: it filters itself what restSearch filters on the server, and
 * also drops what sits in a deleted object (the feed carries the object's flag, restSearch hides
 * such objects' attributes) and attributes without a type or a value.
 */
function takenFromFeed(attribute: FeedAttribute): boolean {
  if (typeof attribute.type !== 'string' || attribute.type === '' || attribute.value === undefined || attribute.value === '') return false;
  return flagged(attribute.to_ids) && !flagged(attribute.deleted) && attribute.inDeletedObject !== true;
}

/** The attributes of the demo files a feed reader leaves out, and why. */
export function feedLeftOut(): { notIds: number; deleted: number } {
  let notIds = 0;
  let deleted = 0;
  for (const attribute of demoFeedAttributes()) {
    if (flagged(attribute.deleted) || attribute.inDeletedObject === true) deleted++;
    else if (!flagged(attribute.to_ids)) notIds++;
  }
  return { notIds, deleted };
}

/** The API demo's expectation: restSearch's filters. */
export function expectedFromDemoData(): DemoExpectation {
  return expectedWith(takenByRestSearch);
}

/** The feed demo's expectation: the feed reader's filters, on the same files. */
export function expectedFromDemoFeed(): DemoExpectation {
  return expectedWith(takenFromFeed);
}

function expectedWith(taken: (attribute: FeedAttribute) => boolean): DemoExpectation {
  const expectation: DemoExpectation = { fetched: 0, idsByType: new Map(), unsupported: 0, invalid: [], repeats: 0, byObservable: new Map(), total: 0 };
  for (const attribute of demoFeedAttributes()) {
    if (!taken(attribute)) continue;
    expectation.fetched++;
    expectation.idsByType.set(attribute.type, (expectation.idsByType.get(attribute.type) ?? 0) + 1);
    const row = SUPPORTED[attribute.type];
    if (!row) {
      expectation.unsupported++;
      continue;
    }
    const text = part(attribute.value, row.part);
    const indicator = text === undefined ? undefined : judge(row.kind, text);
    if (!indicator) {
      expectation.invalid.push({ type: attribute.type, value: attribute.value });
      continue;
    }
    let values = expectation.byObservable.get(indicator.observable);
    if (!values) expectation.byObservable.set(indicator.observable, (values = new Set()));
    if (values.has(indicator.value)) expectation.repeats++;
    else {
      values.add(indicator.value);
      expectation.total++;
    }
  }
  return expectation;
}

/** Parses `Summary: 377 IOCs <where>: 60 ipv4-addr.value, 16 domain-name.value, …`. */
export function parseSummaryLine(output: string, where: string): { total: number; counts: Map<string, number> } | undefined {
  const line = output.split('\n').find((candidate) => candidate.startsWith(`Summary: `) && candidate.includes(` IOCs ${where}`));
  const match = line === undefined ? null : new RegExp(`^Summary: (\\d+) IOCs ${where}(?:: (.*))?\\.?$`).exec(line);
  if (!match) return undefined;
  const counts = new Map<string, number>();
  for (const item of (match[2] ?? '').split(', ').filter(Boolean)) {
    const [count, observable] = item.split(' ');
    counts.set(observable as string, Number(count));
  }
  return { total: Number(match[1]), counts };
}
