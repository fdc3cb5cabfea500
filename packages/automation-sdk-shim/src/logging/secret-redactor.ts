import { safeDecode } from './safe-decode.js';

/** What every secret is replaced with in a log line or a message: the one marker of the module. */
export const REDACTED = '[REDACTED]';

// The userinfo of any URL (`scheme://user:pass@host`): credentials we were never told about, such as a
// proxy URL read by a library, must not leak either. Greedy up to the last `@` before the path, so a
// raw `@` inside a password is covered too.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*(?:@[^\s/?#@]*)*@/gi;

// The userinfo as written in a proxy URL, whether or not it has a scheme (`user:pass@host:3128`).
const PROXY_USERINFO = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^\s/?#]*)@/i;

/**
 * Replaces every registered secret in a text by "[REDACTED]". A secret is also looked for in the forms
 * it takes once embedded in a URL, a form body or a JSON string, since that is how it usually reaches
 * an error message.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Registers a secret and its encoded forms. Empty and whitespace-only values are ignored. */
  addSecret(value: string | undefined): void {
    if (typeof value !== 'string' || value.trim() === '') return;
    // A secret made of header lines ("Name: value") or of an authorization scheme and its
    // credentials ("Bearer <token>") can reach a log piece by piece: each piece is a secret too.
    for (const part of secretParts(value)) if (part !== value) this.addSecret(part);
    const forms = [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)];
    const json = JSON.stringify(value).slice(1, -1);
    forms.push(json);
    for (const form of forms) {
      if (form !== '' && !this.secrets.has(form)) {
        this.secrets.add(form);
        this.pattern = undefined;
      }
    }
  }

  /**
   * Registers the credentials of a proxy URL: the password and the `user:password` pair, both as
   * written and percent-decoded. A proxy URL without credentials registers nothing.
   */
  addProxyUrl(url: string | undefined): void {
    if (typeof url !== 'string' || url.trim() === '') return;
    const written = PROXY_USERINFO.exec(url.trim())?.[1];
    if (written !== undefined) this.addUserinfo(written);
    try {
      const parsed = new URL(url.trim());
      if (parsed.username !== '' || parsed.password !== '') {
        this.addUserinfo(parsed.password === '' ? parsed.username : `${parsed.username}:${parsed.password}`);
      }
    } catch {
      // Not a parseable URL: the userinfo as written was registered above.
    }
  }

  /**
   * Registers the credentials a URL carries: its user and password (as written and decoded), and the
   * query values long enough to be a key (`?key=…`, `?token=…`); a short value such as `format=text`
   * is no credential, and redacting it would mangle ordinary words of the logs.
   */
  addUrlCredentials(url: URL): void {
    if (url.username !== '' || url.password !== '') this.addUserinfo(url.password === '' ? url.username : `${url.username}:${url.password}`);
    for (const value of url.searchParams.values()) {
      if (value.length >= SHORT_SECRET) this.addSecret(value);
    }
  }

  /** The text with every registered secret, longest first, and every URL userinfo replaced. */
  redact(text: string): string {
    if (typeof text !== 'string') text = String(text);
    const pattern = this.compiled();
    const redacted = pattern === undefined ? text : text.replace(pattern, REDACTED);
    return redacted.replace(URL_USERINFO, `$1${REDACTED}@`);
  }

  private addUserinfo(userinfo: string): void {
    if (userinfo === '') return;
    const separator = userinfo.indexOf(':');
    // A user name alone (`token@host`) is the credential itself.
    const password = separator === -1 ? userinfo : userinfo.slice(separator + 1);
    for (const form of [userinfo, password]) {
      this.addSecret(form);
      this.addSecret(safeDecode(form));
    }
  }

  private compiled(): RegExp | undefined {
    if (this.pattern === undefined && this.secrets.size > 0) {
      // Longest first: the alternation takes the first alternative that matches at a position, so a
      // `user:password` pair is replaced whole rather than leaving the user name around a marker.
      // A secret shorter than SHORT_SECRET is only replaced where it stands alone: inside a longer
      // word it is not that secret (a one-letter token must not turn every "t" into a marker).
      const alternatives = [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((secret) => (secret.length < SHORT_SECRET ? `(?<![A-Za-z0-9])${escapeRegExp(secret)}(?![A-Za-z0-9])` : escapeRegExp(secret)));
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this.pattern;
  }
}

const SHORT_SECRET = 8;

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

// Any scheme, not only the usual ones (Bearer, Basic, Token…): a feed may ask for its own.
const AUTHORIZATION_SCHEME = /^[!#$%&'*+.^_`|~0-9a-z-]+\s+(\S.*)$/i;
const HEADER_LINE = /^[!#$%&'*+.^_`|~0-9a-z-]+:\s*(\S.*)$/i;

/** The pieces of a composite secret that are secrets on their own (empty for a plain one). */
function secretParts(value: string): string[] {
  const parts: string[] = [];
  const lines = value.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  for (const line of lines) {
    if (lines.length > 1) parts.push(line);
    const header = HEADER_LINE.exec(line);
    const credential = header?.[1] ?? line;
    if (header !== null) parts.push(credential);
    const scheme = AUTHORIZATION_SCHEME.exec(credential);
    if (scheme?.[1] !== undefined) parts.push(scheme[1]);
  }
  return parts.filter((part) => part.length >= 4);
}
