/**
 * Reads an HTTP `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an HTTP date.
 * Returns the wait in milliseconds, or undefined when the header is absent or unreadable, so the
 * caller falls back to its own backoff instead of trusting a value it could not parse.
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  // A date in the past means "now": never a negative wait.
  return Math.max(0, date - nowMs);
}
