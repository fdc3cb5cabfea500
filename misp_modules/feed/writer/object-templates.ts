/**
 * The MISP object templates a producer can use with the live generator, as data: for each, the
 * template's uuid and version (MISP files an object under them), its meta-category, and every
 * object relation with the MISP attribute type it takes. Written from MISP's object definitions
 * (misp-objects); only the relations a producer is likely to fill are listed.
 */
export interface ObjectRelation {
  /** MISP attribute type of the values of this relation. */
  type: string;
  /** More than one value allowed. */
  multiple?: true;
  /** MISP does not correlate these values (timestamps, session ids, ports). */
  disableCorrelation?: true;
  /** Values of this relation are detection material by default. */
  toIds?: true;
}

export interface ObjectTemplate {
  uuid: string;
  version: number;
  metaCategory: string;
  description: string;
  relations: Readonly<Record<string, ObjectRelation>>;
  /** Every one of these relations must have a value. */
  required?: readonly string[];
  /** At least one of these relations must have a value. */
  requiredOneOf?: readonly string[];
}

const text: ObjectRelation = { type: 'text' };
const quiet = (type: string, extra: Partial<ObjectRelation> = {}): ObjectRelation => ({ type, disableCorrelation: true, ...extra });
const ids = (type: string, extra: Partial<ObjectRelation> = {}): ObjectRelation => ({ type, toIds: true, ...extra });

export const OBJECT_TEMPLATES: Readonly<Record<string, ObjectTemplate>> = {
  cowrie: {
    uuid: 'ae085d32-6534-4d52-b3eb-063fccb753e7',
    version: 3,
    metaCategory: 'network',
    description: 'Cowrie honeypot object template',
    relations: {
      eventid: quiet('text'),
      system: quiet('text'),
      username: text,
      password: { type: 'text', multiple: true },
      session: text,
      timestamp: quiet('datetime'),
      message: quiet('text'),
      protocol: quiet('text'),
      sensor: quiet('text'),
      src_ip: ids('ip-src'),
      dst_ip: quiet('ip-dst'),
      src_port: quiet('port'),
      dst_port: quiet('port'),
      isError: quiet('text'),
      input: text,
      macCS: quiet('text', { multiple: true }),
      keyAlgs: quiet('text', { multiple: true }),
      encCS: quiet('text', { multiple: true }),
      compCS: quiet('text', { multiple: true }),
      hassh: { type: 'hassh-md5' },
    },
    requiredOneOf: ['session'],
  },
  file: {
    uuid: '688c46fb-5edb-40a3-8273-1af7923e2215',
    version: 24,
    metaCategory: 'file',
    description: 'File object describing a file with meta-information',
    relations: {
      filename: quiet('filename', { multiple: true }),
      md5: ids('md5'),
      sha1: ids('sha1'),
      sha256: ids('sha256'),
      sha512: ids('sha512'),
      ssdeep: { type: 'ssdeep' },
      tlsh: { type: 'tlsh' },
      imphash: { type: 'imphash' },
      'size-in-bytes': quiet('size-in-bytes'),
      mimetype: quiet('mime-type'),
      path: quiet('text', { multiple: true }),
      fullpath: { type: 'text', multiple: true },
      entropy: quiet('float'),
      state: quiet('text', { multiple: true }),
      text: quiet('text', { multiple: true }),
    },
    requiredOneOf: ['filename', 'size-in-bytes', 'ssdeep', 'md5', 'sha1', 'sha256', 'sha512', 'tlsh', 'imphash', 'path', 'fullpath'],
  },
  'domain-ip': {
    uuid: '43b3b146-77eb-4931-b4cc-b66c60f28734',
    version: 9,
    metaCategory: 'network',
    description: 'A domain/hostname and IP address seen as a tuple in a specific time frame.',
    relations: {
      domain: ids('domain', { multiple: true }),
      hostname: ids('hostname'),
      ip: ids('ip-dst', { multiple: true }),
      port: { type: 'port', multiple: true },
      'registration-date': { type: 'datetime' },
      'first-seen': quiet('datetime'),
      'last-seen': quiet('datetime'),
      text: quiet('text'),
    },
    requiredOneOf: ['ip', 'domain', 'hostname'],
  },
  url: {
    uuid: '60efb77b-40b5-4c46-871b-ed1ed999fce5',
    version: 9,
    metaCategory: 'network',
    description: 'url object describes an url along with its normalized field and its metadata.',
    relations: {
      url: ids('url'),
      scheme: text,
      host: { type: 'hostname' },
      domain: { type: 'domain' },
      port: text,
      resource_path: text,
      query_string: text,
      fragment: text,
      'first-seen': quiet('datetime'),
      'last-seen': quiet('datetime'),
      text,
    },
    requiredOneOf: ['url', 'resource_path'],
  },
  'ip-port': {
    uuid: '9f8cea74-16fe-4968-a2b4-026676949ac6',
    version: 10,
    metaCategory: 'network',
    description: 'An IP address (or domain or hostname) and a port seen as a tuple (or as a triple) in a specific time frame.',
    relations: {
      ip: ids('ip-dst', { multiple: true }),
      'ip-dst': ids('ip-dst', { multiple: true }),
      'ip-src': ids('ip-src', { multiple: true }),
      domain: ids('domain', { multiple: true }),
      hostname: ids('hostname', { multiple: true }),
      'dst-port': quiet('port', { multiple: true }),
      'src-port': quiet('port', { multiple: true }),
      protocol: quiet('text'),
      'first-seen': quiet('datetime'),
      'last-seen': quiet('datetime'),
      text: quiet('text'),
    },
    requiredOneOf: ['dst-port', 'src-port', 'domain', 'hostname', 'ip', 'ip-src', 'ip-dst'],
  },
};
