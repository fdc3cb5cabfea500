import { htmlTitle, safeExcerpt } from '../http/safe-text.js';

/** Longest reason quoted from MISP: field errors of an event can run long, but stay one readable line. */
const REASON_LENGTH = 400;

/**
 * MISP's reason in an error body, for a person: its `message` (or `name`), then each field error of
 * `errors` as `Event.info: Info cannot be empty.`; an HTML page by its title; anything else by its
 * start. Secrets are masked and the text kept to one line.
 */
export function mispRefusalReason(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const title = htmlTitle(body);
    if (title !== undefined) return `an HTML page titled "${title}"`;
    const start = safeExcerpt(body);
    return start === '' ? '' : `"${start}"`;
  }
  const parts: string[] = [];
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    const headline = [record.message, record.name].find((value): value is string => typeof value === 'string' && value.trim() !== '');
    if (headline !== undefined) parts.push(headline.trim().replace(/\.$/, ''));
    for (const detail of fieldErrors(record.errors, [])) if (!parts.includes(detail)) parts.push(detail);
  } else {
    parts.push(...fieldErrors(parsed, []));
  }
  return safeExcerpt(parts.join('; '), REASON_LENGTH);
}

/** `errors` as MISP nests it (`{Event: {info: ["..."]}}`, a string, or a list), flattened to `path: message`. */
function fieldErrors(value: unknown, path: string[]): string[] {
  if (typeof value === 'string') return value.trim() === '' ? [] : [path.length === 0 ? value.trim() : `${path.join('.')}: ${value.trim()}`];
  if (typeof value === 'number') return [path.length === 0 ? String(value) : `${path.join('.')}: ${value}`];
  if (Array.isArray(value)) return value.flatMap((item) => fieldErrors(item, path));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => fieldErrors(item, [...path, key]));
  return [];
}
