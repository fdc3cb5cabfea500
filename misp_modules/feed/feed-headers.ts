import { InvalidFeedOptionsError } from './errors/invalid-feed-options-error.js';

/** RFC 9110 token: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Names the transport sets itself: a value given for them would break the exchange. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'if-none-match']);

/**
 * Checks extra feed headers and returns them with lower-case names. Refuses a name that is not a
 * token, a reserved name, or a value holding a line break or control character (which could forge
 * another header). Messages name the header, never its value.
 */
export function checkFeedHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!HEADER_NAME.test(name)) {
      throw new InvalidFeedOptionsError('feed header', `The feed header name "${name.replace(/[^\x20-\x7e]/g, '?').slice(0, 60)}" is not a valid HTTP header name.`);
    }
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) throw new InvalidFeedOptionsError('feed header', `The feed header ${name} is set by the trigger itself; remove it from the feed headers.`);
    if (typeof value !== 'string' || /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
      throw new InvalidFeedOptionsError('feed header', `The value of the feed header ${name} holds a line break or a control character; give it on one line.`);
    }
    checked[lower] = value.trim();
  }
  return checked;
}

/**
 * Reads headers written one per line as `Name: value` (the form an account field takes). Blank
 * lines are ignored. The message of an error names the line number, never its content.
 */
export function parseFeedHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (text === undefined) return headers;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new InvalidFeedOptionsError('feed header', `Line ${index + 1} of the feed headers is not of the form "Name: value".`);
    }
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return checkFeedHeaders(headers);
}
