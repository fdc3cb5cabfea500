/** A Retry-After beyond this is not obeyed as such: a misconfigured header must not stall a trigger for hours. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;
/** An HTTP date opens with the day's name (IMF-fixdate, RFC 850 and asctime alike); Date.parse alone would take "-5" or "1.5" for dates. */
const HTTP_DATE_START = /^[A-Za-z]{3,9},? /;

/**
 * Reads an HTTP `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an HTTP date.
 * Returns the wait in milliseconds, at most MAX_RETRY_AFTER_MS, or undefined when the header is
 * absent or unreadable, so that the caller keeps to its backoff rather than trust a value it could
 * not parse.
 */
export function readRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  let waitMs: number;
  if (/^\d+$/.test(text)) {
    waitMs = Number(text) * 1000;
  } else {
    const date = HTTP_DATE_START.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(date)) return undefined;
    // A date in the past means "now": never a negative wait.
    waitMs = Math.max(0, date - nowMs);
  }
  return Math.min(waitMs, MAX_RETRY_AFTER_MS);
}
