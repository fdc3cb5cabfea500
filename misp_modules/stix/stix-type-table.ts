/**
 * MISP attribute types → STIX 2.1: for each type, which cyber observable property each part of the
 * value fills (written from MISP's type list and the STIX 2.1 observable definitions). The code that
 * reads it knows no particular type: supporting one more MISP type is adding a row here.
 */

/** `ip-addr` stands for `ipv4-addr` or `ipv6-addr`, decided by the value. */
export type StixObjectTypeName = string;

/** Where one part of a MISP value goes. */
export interface StixValueField {
  /** The observable that holds the value (`ip-addr`: v4 or v6 by the value). */
  readonly object: StixObjectTypeName;
  /** Property path inside that observable; `*` is a list of one element. */
  readonly property: readonly string[];
  /** How the value is written; `integer` values must be whole numbers (an `AS` prefix is dropped). */
  readonly literal?: 'string' | 'integer';
  /** The observable that points at this one, and through which reference property. */
  readonly via?: { readonly object: StixObjectTypeName; readonly reference: string };
}

export interface StixTypeRow {
  readonly mispType: string;
  /** One field per part of the value: composite types (`a|b`) have two. */
  readonly fields: readonly StixValueField[];
  /** Composite values are split at the first `|`, or at the last one where the first part may hold `|` (file names). */
  readonly splitAt?: 'first-pipe' | 'last-pipe';
  /** Whether the value can stand as an observable in observed-data (false: pattern only, as when STIX requires properties MISP does not give). */
  readonly observable?: boolean;
}

/** A MISP attribute whose value is a detection rule in another language: an indicator of that `pattern_type`. */
export interface RuleTypeRow {
  readonly mispType: string;
  readonly patternType: string;
}

const field = (object: string, ...property: string[]): StixValueField => ({ object, property });
const integerField = (object: string, ...property: string[]): StixValueField => ({ object, property, literal: 'integer' });
const fileName = field('file', 'name');

/** MISP hash types and their STIX hash names (hash-algorithm-ov where it has one, else MISP's name in capitals). */
const HASHES: ReadonlyArray<readonly [string, string]> = [
  ['md5', 'MD5'],
  ['sha1', 'SHA-1'],
  ['sha224', 'SHA-224'],
  ['sha256', 'SHA-256'],
  ['sha384', 'SHA-384'],
  ['sha512', 'SHA-512'],
  ['sha512/224', 'SHA-512/224'],
  ['sha512/256', 'SHA-512/256'],
  ['sha3-224', 'SHA3-224'],
  ['sha3-256', 'SHA3-256'],
  ['sha3-384', 'SHA3-384'],
  ['sha3-512', 'SHA3-512'],
  ['ssdeep', 'SSDEEP'],
  ['tlsh', 'TLSH'],
  ['authentihash', 'AUTHENTIHASH'],
  ['vhash', 'VHASH'],
  ['pehash', 'PEHASH'],
  ['impfuzzy', 'IMPFUZZY'],
];
/** Hashes MISP has no `filename|` composite for. */
const LONE_HASHES: ReadonlyArray<readonly [string, string]> = [
  ['telfhash', 'TELFHASH'],
  ['cdhash', 'CDHASH'],
];

const hashRows: StixTypeRow[] = [
  ...HASHES.flatMap(([mispType, algorithm]) => [
    { mispType, fields: [field('file', 'hashes', algorithm)] },
    { mispType: `filename|${mispType}`, fields: [fileName, field('file', 'hashes', algorithm)], splitAt: 'last-pipe' as const },
  ]),
  ...LONE_HASHES.map(([mispType, algorithm]) => ({ mispType, fields: [field('file', 'hashes', algorithm)] })),
];

const imphash = field('file', 'extensions', 'windows-pebinary-ext', 'imphash');
const x509 = (algorithm: string): StixValueField => field('x509-certificate', 'hashes', algorithm);
const networkTraffic = (object: string, reference: 'src_ref' | 'dst_ref'): StixValueField => ({
  object,
  property: ['value'],
  via: { object: 'network-traffic', reference },
});
/** Fingerprints STIX has no property for: custom properties of network-traffic, pattern only. */
const trafficFingerprint = (mispType: string): StixTypeRow => ({
  mispType,
  fields: [field('network-traffic', `x_misp_${mispType.replaceAll('-', '_')}`)],
  observable: false,
});
const emailAddress = field('email-addr', 'value');

export const STIX_TYPE_TABLE: readonly StixTypeRow[] = Object.freeze([
  ...hashRows,
  { mispType: 'filename', fields: [fileName] },
  { mispType: 'attachment', fields: [fileName] },
  { mispType: 'malware-sample', fields: [fileName, field('file', 'hashes', 'MD5')], splitAt: 'last-pipe' },
  { mispType: 'imphash', fields: [imphash], observable: false },
  { mispType: 'filename|imphash', fields: [fileName, imphash], splitAt: 'last-pipe', observable: false },
  { mispType: 'size-in-bytes', fields: [integerField('file', 'size')] },
  { mispType: 'mime-type', fields: [field('file', 'mime_type')] },
  { mispType: 'ip-src', fields: [field('ip-addr', 'value')] },
  { mispType: 'ip-dst', fields: [field('ip-addr', 'value')] },
  { mispType: 'ip-src|port', fields: [networkTraffic('ip-addr', 'src_ref'), integerField('network-traffic', 'src_port')] },
  { mispType: 'ip-dst|port', fields: [networkTraffic('ip-addr', 'dst_ref'), integerField('network-traffic', 'dst_port')] },
  { mispType: 'hostname|port', fields: [networkTraffic('domain-name', 'dst_ref'), integerField('network-traffic', 'dst_port')] },
  { mispType: 'port', fields: [integerField('network-traffic', 'dst_port')], observable: false },
  { mispType: 'domain', fields: [field('domain-name', 'value')] },
  { mispType: 'hostname', fields: [field('domain-name', 'value')] },
  { mispType: 'onion-address', fields: [field('domain-name', 'value')] },
  {
    mispType: 'domain|ip',
    fields: [field('domain-name', 'value'), { object: 'ip-addr', property: ['value'], via: { object: 'domain-name', reference: 'resolves_to_refs' } }],
  },
  { mispType: 'url', fields: [field('url', 'value')] },
  { mispType: 'uri', fields: [field('url', 'value')] },
  { mispType: 'link', fields: [field('url', 'value')] },
  { mispType: 'mac-address', fields: [field('mac-addr', 'value')] },
  { mispType: 'AS', fields: [integerField('autonomous-system', 'number')] },
  {
    mispType: 'user-agent',
    fields: [field('network-traffic', 'extensions', 'http-request-ext', 'request_header', 'User-Agent')],
    observable: false,
  },
  trafficFingerprint('ja3-fingerprint-md5'),
  trafficFingerprint('jarm-fingerprint'),
  trafficFingerprint('hassh-md5'),
  trafficFingerprint('hasshserver-md5'),
  { mispType: 'email', fields: [emailAddress] },
  { mispType: 'email-src', fields: [emailAddress] },
  { mispType: 'email-dst', fields: [emailAddress] },
  { mispType: 'email-reply-to', fields: [emailAddress] },
  { mispType: 'whois-registrant-email', fields: [emailAddress] },
  { mispType: 'dns-soa-email', fields: [emailAddress] },
  { mispType: 'email-src-display-name', fields: [field('email-addr', 'display_name')], observable: false },
  { mispType: 'email-dst-display-name', fields: [field('email-addr', 'display_name')], observable: false },
  { mispType: 'email-subject', fields: [field('email-message', 'subject')] },
  { mispType: 'email-body', fields: [field('email-message', 'body')] },
  { mispType: 'email-message-id', fields: [field('email-message', 'message_id')] },
  // Header values are lists in STIX (a header may be repeated).
  { mispType: 'email-x-mailer', fields: [field('email-message', 'additional_header_fields', 'X-Mailer', '*')] },
  {
    mispType: 'email-attachment',
    fields: [field('email-message', 'body_multipart', '*', 'body_raw_ref', 'name')],
    observable: false,
  },
  { mispType: 'regkey', fields: [field('windows-registry-key', 'key')] },
  { mispType: 'regkey|value', fields: [field('windows-registry-key', 'key'), field('windows-registry-key', 'values', '*', 'data')] },
  { mispType: 'mutex', fields: [field('mutex', 'name')] },
  { mispType: 'windows-service-name', fields: [field('process', 'extensions', 'windows-service-ext', 'service_name')], observable: false },
  { mispType: 'x509-fingerprint-md5', fields: [x509('MD5')] },
  { mispType: 'x509-fingerprint-sha1', fields: [x509('SHA-1')] },
  { mispType: 'x509-fingerprint-sha256', fields: [x509('SHA-256')] },
  { mispType: 'github-username', fields: [field('user-account', 'account_login')] },
  { mispType: 'cpe', fields: [field('software', 'cpe')], observable: false },
] as const satisfies readonly StixTypeRow[]);

/** Rule languages MISP stores as attributes (pattern-type-ov where STIX names them). */
export const RULE_TYPE_TABLE: readonly RuleTypeRow[] = Object.freeze([
  { mispType: 'snort', patternType: 'snort' },
  { mispType: 'suricata', patternType: 'suricata' },
  { mispType: 'yara', patternType: 'yara' },
  { mispType: 'sigma', patternType: 'sigma' },
  { mispType: 'stix2-pattern', patternType: 'stix' },
] as const satisfies readonly RuleTypeRow[]);

const rowsByType = new Map(STIX_TYPE_TABLE.map((row) => [row.mispType, row]));
const rulesByType = new Map(RULE_TYPE_TABLE.map((row) => [row.mispType, row]));

export function stixTypeRow(mispType: string): StixTypeRow | undefined {
  return rowsByType.get(mispType);
}

export function ruleTypeRow(mispType: string): RuleTypeRow | undefined {
  return rulesByType.get(mispType);
}

/**
 * The properties that make up an observable's id (STIX 2.1, each observable's "ID Contributing
 * Properties"); `hashes` contributes one hash, the first present of MD5, SHA-1, SHA-256, SHA-512.
 * Types absent here get their id from all their properties.
 */
export const ID_CONTRIBUTING_PROPERTIES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'autonomous-system': ['number'],
  'domain-name': ['value'],
  'email-addr': ['value'],
  'email-message': ['from_ref', 'subject', 'body'],
  file: ['hashes', 'name', 'extensions', 'parent_directory_ref'],
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
  'mac-addr': ['value'],
  mutex: ['name'],
  'network-traffic': ['start', 'end', 'src_ref', 'dst_ref', 'src_port', 'dst_port', 'protocols', 'extensions'],
  url: ['value'],
  'user-account': ['account_type', 'user_id', 'account_login'],
  'windows-registry-key': ['key', 'values'],
  'x509-certificate': ['hashes', 'serial_number'],
});

/** Observables STIX accepts only with at least one of these properties (a file needs a name or a hash). */
export const OBSERVABLE_NEEDS_ONE_OF: Readonly<Record<string, readonly string[]>> = Object.freeze({
  file: ['hashes', 'name'],
  'network-traffic': ['src_ref', 'dst_ref'],
  software: ['name'],
  'email-addr': ['value'],
});

export const ID_HASH_PREFERENCE: readonly string[] = ['MD5', 'SHA-1', 'SHA-256', 'SHA-512'];

/** MISP types that carry context rather than observables, and the STIX object each becomes. */
export const CONTEXT_TYPE_TABLE: Readonly<Record<string, 'note' | 'vulnerability'>> = Object.freeze({
  text: 'note',
  comment: 'note',
  other: 'note',
  vulnerability: 'vulnerability',
});

/** MISP galaxy types → the STIX domain object their clusters become. */
export const GALAXY_TYPE_TABLE: Readonly<Record<string, string>> = Object.freeze({
  'mitre-attack-pattern': 'attack-pattern',
  'mitre-course-of-action': 'course-of-action',
  'mitre-intrusion-set': 'intrusion-set',
  'mitre-malware': 'malware',
  'mitre-tool': 'tool',
  'threat-actor': 'threat-actor',
  tool: 'tool',
  malpedia: 'malware',
  ransomware: 'malware',
  botnet: 'malware',
  backdoor: 'malware',
  banker: 'malware',
  rat: 'malware',
  stealer: 'malware',
  android: 'malware',
});
