import { createHash } from 'node:crypto';

/** Namespace of the uuids this module derives (a fixed, random v4 uuid). */
export const FEED_UUID_NAMESPACE = '3f3d0a8e-6f1b-4c55-9a0e-6d2b8a1c9e47';

/**
 * A name-based (version 5, SHA-1) uuid, RFC 4122 §4.3: the same namespace and name always give the
 * same uuid, which is what keeps one daily event per organisation and day across runs.
 */
export function uuidV5(name: string, namespace: string = FEED_UUID_NAMESPACE): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (namespaceBytes.length !== 16) throw new RangeError('The uuid namespace must be a uuid.');
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
