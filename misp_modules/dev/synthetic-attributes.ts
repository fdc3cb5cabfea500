/**
 * Deterministic synthetic restSearch rows for load tests and benchmarks: realistic in size and
 * type mix, with non-IDS, deleted, unsupported, invalid and repeated values in known shares.
 * Every row says by construction what should be pushed for it, so the expected uploads are known
 * exactly without running any validator. Row `i` depends only on the seed and `i`: rows can be
 * produced lazily, a million of them, without holding them.
 */
import { decayOrigin, lastSeenSeconds } from '../decay/indicator-lifetime.js';
import { isDecayedScore, polynomialScore } from '../decay/polynomial.js';
import type { DemoAttribute, DemoEventState, MispAttributeRow, MispEventRef } from './misp-events.js';

/** Sekoia.io observable paths the pushed values belong to. */
export type Observable =
  | 'ipv4-addr.value'
  | 'ipv6-addr.value'
  | 'domain-name.value'
  | 'url.value'
  | 'file.hashes.MD5'
  | 'file.hashes.SHA-1'
  | 'file.hashes.SHA-256';

/** What the trigger must do with a row, known by construction. */
export type ExpectedOutcome =
  | { kind: 'push'; value: string; observable: Observable }
  | { kind: 'invalid' }
  | { kind: 'not-ids' }
  | { kind: 'deleted' }
  | { kind: 'unsupported' };

export interface SyntheticAttribute extends DemoAttribute {
  expected: ExpectedOutcome;
}

export interface SyntheticOptions {
  count: number;
  seed?: number;
  /**
   * Reference time, Unix seconds: events are published within the 6 hours before it. Fixed by
   * default so that output never depends on the day; pass the server's clock when serving rows.
   */
  now?: number;
  attributesPerEvent?: number;
  /** Shares of all rows (0..1). */
  deletedShare?: number;
  unsupportedShare?: number;
  /** Shares of the supported-type rows. */
  nonIdsShare?: number;
  invalidShare?: number;
  /** Share of valid rows that reuse a value from a small hot pool. */
  repeatShare?: number;
  /**
   * Attach MISP's `decay_score` under SYNTHETIC_DECAYING_MODEL to the rows of supported types, as a
   * search with `includeDecayScore` gets them: tagged rows have other base scores than the
   * default, origins follow the rows' timestamps and last_seen, and a share was sighted lately.
   * Drawn from their own random stream: the rows are otherwise the same as without.
   */
  decayScores?: boolean;
}

/** Counts and values the trigger should end up with after fetching every to_ids, non-deleted row. */
export interface ExpectedPushes {
  /** Distinct normalised values to push. */
  values: Set<string>;
  byObservable: Map<Observable, Set<string>>;
  rows: { total: number; push: number; invalid: number; notIds: number; deleted: number; unsupported: number };
}

const DEFAULTS = {
  seed: 1,
  now: 1_767_225_600, // 2026-01-01T00:00:00Z
  attributesPerEvent: 250,
  deletedShare: 0.01,
  unsupportedShare: 0.06,
  nonIdsShare: 0.15,
  invalidShare: 0.03,
  repeatShare: 0.15,
};

const HOT_POOL = 200;
const FRESH_BASE = 1_000;

// --- deterministic randomness ------------------------------------------------------------------

/** MurmurHash3's 32-bit finaliser: a bijection, so distinct inputs give distinct outputs. */
function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export function hex(random: Random, digits: number): string {
  let out = '';
  while (out.length < digits) {
    const n = (random() * 4_294_967_296) >>> 0;
    out += (BYTE_HEX[n >>> 24] as string) + BYTE_HEX[(n >>> 16) & 255] + BYTE_HEX[(n >>> 8) & 255] + BYTE_HEX[n & 255];
  }
  return out.length === digits ? out : out.slice(0, digits);
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

function salt(name: string): number {
  let h = 0x811c9dc5;
  for (const char of name) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

// --- values, built so that their validity is known ---------------------------------------------

const PUBLIC_FIRST_OCTETS: number[] = [];
for (let octet = 11; octet <= 223; octet++) {
  // Private, loopback, link-local, CGNAT and documentation ranges live under these first octets.
  if (![100, 127, 169, 172, 192, 198, 203].includes(octet)) PUBLIC_FIRST_OCTETS.push(octet);
}
export const WORDS = ['secure', 'update', 'login', 'cdn', 'mail', 'portal', 'invoice', 'cloud', 'auth', 'docs', 'static', 'billing', 'vpn', 'support', 'files', 'sync'];
const TLDS = ['com', 'net', 'org', 'info', 'xyz', 'top', 'ru', 'biz', 'io'];
const EXTENSIONS = ['exe', 'dll', 'doc', 'js', 'ps1', 'bin', 'zip'];

/** One value per (kind, number): equal numbers give equal values, different numbers different ones. */
export function ipFor(v: number): { value: string; observable: Observable } {
  const x = Math.imul(v, 0x9e3779b1) & 0x3fffff; // bijective on 22 bits
  const h = fmix32(v ^ salt('ip'));
  if (h % 10 === 0) {
    const random = mulberry32(h);
    const a = (0x1000 + (x >>> 11)).toString(16);
    const b = (0x1000 + (x & 0x7ff)).toString(16);
    const c = (1 + Math.floor(random() * 0xfffe)).toString(16);
    const e = (1 + Math.floor(random() * 0xfffe)).toString(16);
    // Canonical (RFC 5952) form: lower case, no leading zeros, the zero run compressed.
    return { value: `2a01:${a}:${b}:${c}::${e}`, observable: 'ipv6-addr.value' };
  }
  const first = PUBLIC_FIRST_OCTETS[h % PUBLIC_FIRST_OCTETS.length] as number;
  return { value: `${first}.${(x >>> 14) & 0xff}.${(x >>> 6) & 0xff}.${1 + (x & 0x3f)}`, observable: 'ipv4-addr.value' };
}

export function domainFor(v: number): string {
  const h = fmix32(v ^ salt('domain'));
  return `${WORDS[h % WORDS.length]}-${v.toString(36)}.${TLDS[(h >>> 8) % TLDS.length]}`;
}

export function hashFor(v: number, algorithm: 'md5' | 'sha1' | 'sha256'): string {
  const digits = { md5: 32, sha1: 40, sha256: 64 }[algorithm];
  const h = fmix32(v ^ salt(algorithm));
  // The first eight digits are a bijection of v, so distinct numbers never share a hash.
  return hex8(h) + hex(mulberry32(h), digits - 8);
}

export function filenameFor(v: number): string {
  const h = fmix32(v ^ salt('filename'));
  return `${WORDS[h % WORDS.length]}_${v.toString(36)}.${EXTENSIONS[(h >>> 8) % EXTENSIONS.length]}`;
}

export function urlFor(v: number): string {
  const h = fmix32(v ^ salt('url'));
  const random = mulberry32(h);
  const scheme = h % 3 === 0 ? 'http' : 'https';
  const port = h % 7 === 0 ? `:${8000 + (h % 1000)}` : '';
  const token = hex(random, 12).toUpperCase().slice(0, 6) + hex(random, 6);
  return `${scheme}://${domainFor(v)}${port}/${pick(random, WORDS)}/${token}.${pick(random, ['php', 'html', 'js', 'bin'])}?id=${v}`;
}

/** Upper-cases some letters: valid once normalised to lower case. */
function shout(value: string, random: Random): string {
  return random() < 0.5 ? value.toUpperCase() : value.replace(/^./, (c) => c.toUpperCase());
}

interface TypeSpec {
  type: string;
  weight: number;
  category: string;
  relation: string;
  /** The row's value and what to push for it. */
  valid(v: number, random: Random): { value: string; pushed: string; observable: Observable };
  /** A value that no correct validator accepts: line breaks, control characters, defanging, bad hashes. */
  invalid(v: number, random: Random): string;
}

function badHash(random: Random, digits: number): string {
  const good = hex(random, digits);
  return pick(random, [good.slice(1), `${good}a`, `${good.slice(0, -1)}z`, `${good}\n`, `${good.slice(0, 10)} ${good.slice(11)}`]);
}

function badIp(v: number, random: Random): string {
  const ip = ipFor(v).value;
  return pick(random, [`${ip.includes(':') ? `[${ip}]` : ip}:${1 + Math.floor(random() * 65_000)}`, `${ip}\n`, `${300 + (v % 200)}.${v % 250}.1.2`, `${ip}\r\n${ipFor(v + 1).value}`]);
}

function badDomain(v: number, random: Random): string {
  const domain = domainFor(v);
  const dot = domain.lastIndexOf('.');
  return pick(random, [
    `${domain.slice(0, dot)}[.]${domain.slice(dot + 1)}`,
    `${domain}\n${domainFor(v + 1)}`,
    `${domain.slice(0, dot)}..${domain.slice(dot + 1)}`,
    `${domain.slice(0, 3)} ${domain.slice(3)}`,
    `${domain}\t`,
  ]);
}

function hashType(type: 'md5' | 'sha1' | 'sha256', weight: number): TypeSpec {
  const observable: Observable = type === 'md5' ? 'file.hashes.MD5' : type === 'sha1' ? 'file.hashes.SHA-1' : 'file.hashes.SHA-256';
  const digits = { md5: 32, sha1: 40, sha256: 64 }[type];
  return {
    type,
    weight,
    category: 'Payload delivery',
    relation: type,
    valid: (v, random) => {
      const hash = hashFor(v, type);
      return { value: random() < 0.1 ? hash.toUpperCase() : hash, pushed: hash, observable };
    },
    invalid: (_v, random) => badHash(random, digits),
  };
}

function filenameHashType(type: 'md5' | 'sha1' | 'sha256', weight: number): TypeSpec {
  const plain = hashType(type, weight);
  return {
    ...plain,
    type: `filename|${type}`,
    relation: `filename|${type}`,
    valid: (v, random) => {
      const hash = plain.valid(v, random);
      return { ...hash, value: `${filenameFor(v)}|${hash.value}` };
    },
    invalid: (v, random) => `${filenameFor(v)}|${plain.invalid(v, random)}`,
  };
}

const SUPPORTED: TypeSpec[] = [
  {
    type: 'ip-dst',
    weight: 16,
    category: 'Network activity',
    relation: 'ip',
    valid: (v) => {
      const ip = ipFor(v);
      return { value: ip.value, pushed: ip.value, observable: ip.observable };
    },
    invalid: badIp,
  },
  {
    type: 'ip-dst|port',
    weight: 5,
    category: 'Network activity',
    relation: 'ip-dst|port',
    valid: (v, random) => {
      const ip = ipFor(v);
      return { value: `${ip.value}|${1 + Math.floor(random() * 65_535)}`, pushed: ip.value, observable: ip.observable };
    },
    invalid: (v, random) => `${badIp(v, random)}|${pick(random, ['80', '443', '8080'])}`,
  },
  {
    type: 'domain',
    weight: 20,
    category: 'Network activity',
    relation: 'domain',
    valid: (v, random) => {
      const domain = domainFor(v);
      return { value: random() < 0.1 ? shout(domain, random) : domain, pushed: domain, observable: 'domain-name.value' };
    },
    invalid: badDomain,
  },
  {
    type: 'domain|ip',
    weight: 4,
    category: 'Network activity',
    relation: 'domain|ip',
    valid: (v) => ({ value: `${domainFor(v)}|${ipFor(v).value}`, pushed: domainFor(v), observable: 'domain-name.value' }),
    invalid: (v, random) => `${badDomain(v, random)}|${ipFor(v).value}`,
  },
  {
    type: 'url',
    weight: 15,
    category: 'Network activity',
    relation: 'url',
    valid: (v) => ({ value: urlFor(v), pushed: urlFor(v), observable: 'url.value' }),
    invalid: (v, random) => {
      const url = urlFor(v);
      return pick(random, [`${url}\n`, url.replace('/', '/\t'), `${url}\r\n${urlFor(v + 1)}`, url.replace('?', '\u0000?')]);
    },
  },
  hashType('md5', 10),
  hashType('sha1', 7),
  hashType('sha256', 10),
  filenameHashType('md5', 3),
  filenameHashType('sha1', 2),
  filenameHashType('sha256', 3),
];

/** IDS-flagged types outside the trigger's table: fetched, never pushed. */
const UNSUPPORTED: Array<{ type: string; category: string; value: (v: number) => string }> = [
  { type: 'ip-src', category: 'Network activity', value: (v) => ipFor(v).value },
  { type: 'hostname', category: 'Network activity', value: (v) => `www.${domainFor(v)}` },
  { type: 'email-src', category: 'Payload delivery', value: (v) => `${WORDS[v % WORDS.length]}.${v}@${domainFor(v)}` },
  { type: 'filename', category: 'Artifacts dropped', value: filenameFor },
  { type: 'ssdeep', category: 'Payload delivery', value: (v) => `3072:${hashFor(v, 'sha256').slice(0, 40)}:${hashFor(v, 'md5').slice(0, 20)}` },
  { type: 'regkey', category: 'Persistence mechanism', value: (v) => `HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\${filenameFor(v)}` },
];

const TOTAL_WEIGHT = SUPPORTED.reduce((sum, spec) => sum + spec.weight, 0);

const COMMENTS = [
  '',
  '',
  'Imported via the freetext import.',
  'C2 server observed in the second stage of the infection chain.',
  'Dropper delivered as an attachment of the phishing e-mail; hash provided by the partner CERT.',
  'Seen in sandbox detonation, contacted after the persistence mechanism was installed.',
  'Payload hosting infrastructure reported by an open-source intelligence blog post, not yet confirmed by our own telemetry.',
  'Beacon destination; traffic over TLS with a self-signed certificate.',
];
const CAMPAIGNS = ['Emotet', 'Qakbot', 'IcedID', 'AgentTesla', 'Cobalt Strike', 'Lazarus', 'APT28', 'FIN7', 'Dridex', 'AsyncRAT'];
const SECTORS = ['healthcare', 'finance', 'energy', 'government', 'manufacturing', 'telecommunications', 'education'];
const TAGS = [
  { id: '1', name: 'tlp:white', colour: '#ffffff' },
  { id: '2', name: 'osint:source-type="blog-post"', colour: '#00223b' },
  { id: '3', name: 'kill-chain:Command and Control', colour: '#0088cc' },
  { id: '4', name: 'misp-galaxy:threat-actor="Sofacy"', colour: '#0088cc' },
];

export function uuidFrom(random: Random, unique: number): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${pick(random, ['8', '9', 'a', 'b'])}${hex(random, 3)}-${unique.toString(16).padStart(12, '0')}`;
}

interface Resolved {
  decayScores: boolean;
  seed: number;
  now: number;
  attributesPerEvent: number;
  deletedShare: number;
  unsupportedShare: number;
  nonIdsShare: number;
  invalidShare: number;
  repeatShare: number;
}

function resolve(options: SyntheticOptions): Resolved {
  if (!Number.isInteger(options.count) || options.count < 0) {
    throw new RangeError(`count must be a whole number of rows, not ${options.count}.`);
  }
  return {
    decayScores: options.decayScores ?? false,
    seed: options.seed ?? DEFAULTS.seed,
    now: options.now ?? DEFAULTS.now,
    attributesPerEvent: Math.max(1, options.attributesPerEvent ?? DEFAULTS.attributesPerEvent),
    deletedShare: options.deletedShare ?? DEFAULTS.deletedShare,
    unsupportedShare: options.unsupportedShare ?? DEFAULTS.unsupportedShare,
    nonIdsShare: options.nonIdsShare ?? DEFAULTS.nonIdsShare,
    invalidShare: options.invalidShare ?? DEFAULTS.invalidShare,
    repeatShare: options.repeatShare ?? DEFAULTS.repeatShare,
  };
}

function eventParts(settings: Resolved, eventNumber: number): { ref: MispEventRef; state: DemoEventState } {
  const random = mulberry32(fmix32(settings.seed ^ salt('event')) ^ fmix32(eventNumber));
  const publishTimestamp = settings.now - 600 - Math.floor(random() * 6 * 3_600);
  const ref: MispEventRef = {
    org_id: '1',
    distribution: pick(random, ['1', '2', '3']),
    id: String(eventNumber),
    info: `OSINT - ${pick(random, CAMPAIGNS)} campaign targeting the ${pick(random, SECTORS)} sector, indicators shared by partner CERTs (synthetic event ${eventNumber})`,
    orgc_id: String(2 + Math.floor(random() * 12)),
    uuid: uuidFrom(random, 0x10_0000_0000 + eventNumber),
  };
  return { ref, state: { published: true, publishTimestamp, timestamp: publishTimestamp - Math.floor(random() * 600) } };
}

function buildRow(settings: Resolved, index: number, event: { ref: MispEventRef; state: DemoEventState }): SyntheticAttribute {
  const random = mulberry32(fmix32(settings.seed) ^ fmix32(index ^ 0x5bd1e995));
  let expected: ExpectedOutcome;
  let type: string;
  let category: string;
  let relation: string;
  let value: string;
  let toIds = true;
  let deleted = false;

  const v = random() < settings.repeatShare ? Math.floor(random() * HOT_POOL) : FRESH_BASE + index;
  if (random() < settings.deletedShare) deleted = true;
  if (random() < settings.unsupportedShare) {
    const spec = pick(random, UNSUPPORTED);
    ({ type, category } = spec);
    relation = type;
    value = spec.value(v);
    expected = { kind: 'unsupported' };
  } else {
    let roll = random() * TOTAL_WEIGHT;
    const spec = SUPPORTED.find((candidate) => (roll -= candidate.weight) < 0) ?? (SUPPORTED[0] as TypeSpec);
    ({ type, category, relation } = spec);
    if (random() < settings.nonIdsShare) {
      toIds = false;
      value = spec.valid(v, random).value;
      expected = { kind: 'not-ids' };
    } else if (random() < settings.invalidShare) {
      value = spec.invalid(v, random);
      expected = { kind: 'invalid' };
    } else {
      const made = spec.valid(v, random);
      value = made.value;
      expected = { kind: 'push', value: made.pushed, observable: made.observable };
    }
  }
  // Deleted rows never reach the trigger (restSearch hides them), whatever else they are.
  if (deleted) expected = { kind: 'deleted' };

  const inObject = random() < 0.2;
  const objectId = inObject ? String(1_000_000 + Number(event.ref.id) * 10 + Math.floor(random() * 5)) : '0';
  const timestamp = event.state.publishTimestamp - Math.floor(random() * 30 * 86_400);
  const seen = random() < 0.15 ? new Date((timestamp - 86_400) * 1000).toISOString().replace(/\.\d+Z$/, '.000000+00:00') : null;
  const row: MispAttributeRow = {
    id: String(index + 1),
    event_id: event.ref.id,
    object_id: objectId,
    object_relation: inObject ? relation : null,
    category,
    type,
    to_ids: toIds,
    uuid: uuidFrom(random, index + 1),
    timestamp: String(timestamp),
    distribution: '5',
    sharing_group_id: '0',
    comment: pick(random, COMMENTS),
    deleted,
    disable_correlation: false,
    first_seen: seen,
    last_seen: seen,
    value,
    Event: event.ref,
  };
  if (inObject) row.Object = { id: objectId, distribution: '5', sharing_group_id: '0' };
  if (random() < 0.25) {
    const tag = pick(random, TAGS);
    row.Tag = [{ ...tag, numerical_value: null, local: false }];
  }
  if (settings.decayScores && expected.kind !== 'unsupported') row.decay_score = syntheticDecayScore(settings, index, row);
  return { row, event: event.state, expected };
}

/** Row `index` (0-based) of the data set; the same arguments always give the same row. */
export function syntheticAttributeAt(options: SyntheticOptions, index: number): SyntheticAttribute {
  const settings = resolve(options);
  return buildRow(settings, index, eventParts(settings, Math.floor(index / settings.attributesPerEvent) + 1));
}

/**
 * The rows, one at a time. Rows of the same event share their `Event` block and event state,
 * as they would on a MISP instance.
 */
export function* syntheticAttributes(options: SyntheticOptions): Generator<SyntheticAttribute> {
  const settings = resolve(options);
  let eventNumber = 0;
  let event = eventParts(settings, 1);
  for (let index = 0; index < options.count; index++) {
    const number = Math.floor(index / settings.attributesPerEvent) + 1;
    if (number !== eventNumber) {
      eventNumber = number;
      event = eventParts(settings, number);
    }
    yield buildRow(settings, index, event);
  }
}

/**
 * The rows as a read-only source for the demo MISP server, built on demand: serves a million
 * rows without holding them. Ids ascend with the index, as the server expects.
 */
export function syntheticAttributeSource(options: SyntheticOptions): { readonly length: number; at(index: number): SyntheticAttribute | undefined } {
  const settings = resolve(options);
  let cached = { number: 0, event: eventParts(settings, 1) };
  return {
    length: options.count,
    at(index: number) {
      if (!Number.isInteger(index) || index < 0 || index >= options.count) return undefined;
      const number = Math.floor(index / settings.attributesPerEvent) + 1;
      if (number !== cached.number) cached = { number, event: eventParts(settings, number) };
      return buildRow(settings, index, cached.event);
    },
  };
}

/** What must be pushed for these rows, from their construction labels. */
export function expectedPushes(rows: Iterable<SyntheticAttribute>): ExpectedPushes {
  const expected: ExpectedPushes = {
    values: new Set(),
    byObservable: new Map(),
    rows: { total: 0, push: 0, invalid: 0, notIds: 0, deleted: 0, unsupported: 0 },
  };
  for (const { expected: outcome } of rows) {
    expected.rows.total++;
    switch (outcome.kind) {
      case 'push': {
        expected.rows.push++;
        expected.values.add(outcome.value);
        let set = expected.byObservable.get(outcome.observable);
        if (!set) {
          set = new Set();
          expected.byObservable.set(outcome.observable, set);
        }
        set.add(outcome.value);
        break;
      }
      case 'invalid':
        expected.rows.invalid++;
        break;
      case 'not-ids':
        expected.rows.notIds++;
        break;
      case 'deleted':
        expected.rows.deleted++;
        break;
      case 'unsupported':
        expected.rows.unsupported++;
        break;
    }
  }
  return expected;
}

/**
 * Regroups the expected values by upload format, given how the trigger maps an observable to the
 * `format` it sends (e.g. every observable to `one_per_line`).
 */
export function expectedByFormat(expected: ExpectedPushes, formatOf: (observable: Observable) => string): Map<string, Set<string>> {
  const byFormat = new Map<string, Set<string>>();
  for (const [observable, values] of expected.byObservable) {
    const format = formatOf(observable);
    const set = byFormat.get(format) ?? new Set<string>();
    for (const value of values) set.add(value);
    byFormat.set(format, set);
  }
  return byFormat;
}

// --- decay scores ------------------------------------------------------------------------------

/**
 * The model the synthetic scores are computed with: 30 days, decay speed 2, threshold 30, so that
 * rows of the last 30 days spread from decayed to lapsing in about two weeks.
 */
export const SYNTHETIC_DECAYING_MODEL = { id: '1', name: 'Synthetic decay', lifetime: 30, decaySpeed: 2, threshold: 30, defaultBaseScore: 80 } as const;

/** SYNTHETIC_DECAYING_MODEL as `decayingModel/index` lists it. */
export function syntheticDecayingModels(): Record<string, unknown>[] {
  const model = SYNTHETIC_DECAYING_MODEL;
  return [
    {
      DecayingModel: {
        id: model.id,
        name: model.name,
        formula: 'Polynomial',
        enabled: true,
        attribute_types: [],
        parameters: { lifetime: model.lifetime, decay_speed: model.decaySpeed, threshold: model.threshold, default_base_score: model.defaultBaseScore, base_score_config: [] },
      },
    },
  ];
}

/** Base scores of the tagged rows, as a taxonomy weighting would give them. */
const TAG_BASE_SCORES: Record<string, number> = { 'tlp:white': 50, 'osint:source-type="blog-post"': 65, 'kill-chain:Command and Control': 90, 'misp-galaxy:threat-actor="Sofacy"': 100 };
const SIGHTED_SHARE = 0.2;
const SIGHTED_WITHIN_SECONDS = 5 * 86_400;

function syntheticDecayScore(settings: Resolved, index: number, row: MispAttributeRow): NonNullable<MispAttributeRow['decay_score']> {
  const random = mulberry32(fmix32(settings.seed ^ salt('decay')) ^ fmix32(index));
  const model = SYNTHETIC_DECAYING_MODEL;
  const baseScore = row.Tag === undefined ? model.defaultBaseScore : (TAG_BASE_SCORES[row.Tag[0]?.name ?? ''] ?? model.defaultBaseScore);
  const lastSighting = random() < SIGHTED_SHARE ? settings.now - Math.floor(random() * SIGHTED_WITHIN_SECONDS) : undefined;
  const origin = decayOrigin({ timestamp: Number(row.timestamp), lastSeen: lastSeenSeconds(row.last_seen), lastSighting });
  const score = polynomialScore(baseScore, settings.now - origin, model);
  return [{ score, base_score: baseScore, decayed: isDecayedScore(score, model.threshold), DecayingModel: { id: model.id, name: model.name } }];
}
