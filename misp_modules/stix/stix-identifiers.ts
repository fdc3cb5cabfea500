/**
 * Deterministic STIX identifiers: the same MISP event always gives the same ids. Objects that
 * stand for a MISP element keep its uuid; objects MISP has no uuid for get a name-based UUIDv5
 * (RFC 9562 §5.5); cyber observables follow the specification's own recipe (STIX 2.1 §2.9:
 * UUIDv5 in the STIX namespace over the canonical JSON of their id contributing properties), so
 * that any producer derives the same id for the same observable.
 */
import { createHash } from 'node:crypto';

/** The namespace the STIX 2.1 specification fixes for observable ids. */
export const STIX_OBSERVABLE_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** Our own namespace, for the ids this module has to make up (bundles, notes). */
export const MISP_TO_STIX_NAMESPACE = '1a8312d8-ea98-4c6f-af43-bd6e28a0d962';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Name-based UUID, version 5 (SHA-1), of `name` in `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  if (!isUuid(namespace)) throw new TypeError(`${namespace} is not a UUID`);
  const digest = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * JSON with object keys sorted, no whitespace: RFC 8785 (JCS) for the values observables hold
 * (strings, safe integers, arrays, objects), whose string and number forms are JSON.stringify's.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// RFC 9562 UUIDs of versions 1 to 8 with the RFC variant, as STIX ids require.
const RFC_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The STIX id of an object that stands for a MISP element: `<type>--<its uuid>`, or, for the rare
 * MISP uuid that is not an RFC UUID (STIX refuses those), a UUIDv5 derived from it.
 */
export function stixIdOf(type: string, mispUuid: string): string {
  const uuid = mispUuid.toLowerCase();
  return `${type}--${RFC_UUID.test(uuid) ? uuid : uuidV5(MISP_TO_STIX_NAMESPACE, `misp/${uuid}`)}`;
}
