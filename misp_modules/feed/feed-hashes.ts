import { createHash } from 'node:crypto';

/** The attribute fields hashes.csv depends on. */
export interface HashedAttribute {
  type: string;
  value: string;
}

const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The text PyMISP hashes for a value. Only `datetime` differs from the value: PyMISP parses it and
 * hashes Python's `str(datetime)`, a space instead of the `T`, `+00:00` for `Z`, no zone when none.
 */
function hashedText(type: string, value: string): string {
  if (type !== 'datetime') return value;
  const match = ISO_DATETIME.exec(value);
  if (match === null) return value;
  const [, date, time, fraction, zone] = match;
  const micro = fraction === undefined ? '' : `.${fraction.slice(1).padEnd(6, '0')}`;
  const offset = zone === undefined ? '' : zone === 'Z' ? '+00:00' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return `${date} ${time}${micro}${offset}`;
}

/**
 * The hashes.csv lines of one event, as PyMISP's feed generator writes them: `md5(value),event_uuid`
 * for every attribute (IDS or not), event-level first then each object's, and one line per part
 * of a composite (`|`) type or a malware-sample.
 */
export function eventHashLines(eventUuid: string, attributes: Iterable<HashedAttribute>): string[] {
  const lines: string[] = [];
  for (const { type, value } of attributes) {
    const parts = type.includes('|') || type === 'malware-sample' ? value.split('|') : [hashedText(type, value)];
    for (const part of parts) lines.push(`${createHash('md5').update(part, 'utf8').digest('hex')},${eventUuid}`);
  }
  return lines;
}
