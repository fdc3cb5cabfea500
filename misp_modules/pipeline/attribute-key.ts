import { createHash } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The key under which an attribute's delivery is remembered: its uuid, lower-cased. MISP gives every
 * attribute one; for a row without a usable uuid, a uuid-shaped digest of its id, type and value
 * keeps the key stable across cycles (never the value alone: a sanitised deleted attribute has the
 * value "deleted").
 */
export function attributeKey(attribute: { uuid?: string; id?: string; type: string; value: string }): string {
  const uuid = attribute.uuid?.toLowerCase();
  if (uuid !== undefined && UUID_PATTERN.test(uuid)) return uuid;
  const hex = createHash('sha1').update(`${attribute.id ?? ''}\u0000${attribute.type}\u0000${attribute.value}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
