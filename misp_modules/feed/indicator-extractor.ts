import { isIP, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { isTopLevelDomain } from '../iocs/top-level-domains.js';

/**
 * Recognises indicators in text the way MISP's free-text import (its ComplexTypeTool) does, so that
 * a CSV or free-text feed gives the values and types a MISP would have made of it. Recognition only:
 * the values then go through the same validation as any MISP attribute (`misp_modules/iocs/`).
 */

/** A value as MISP's free-text import would file it: its default type, and the value of that type. */
export interface ExtractedIndicator {
  readonly type: string;
  readonly value: string;
}

/** Hex digests by length, and the MISP type MISP picks first for each (alone, and after `filename|`). */
const HEX_HASH_TYPES: ReadonlyMap<number, { single: string; composite: string }> = new Map([
  [32, { single: 'md5', composite: 'filename|md5' }],
  [40, { single: 'sha1', composite: 'filename|sha1' }],
  [56, { single: 'sha224', composite: 'filename|sha224' }],
  [64, { single: 'sha256', composite: 'filename|sha256' }],
  [96, { single: 'sha384', composite: 'filename|sha384' }],
  [128, { single: 'sha512', composite: 'filename|sha512' }],
]);

/** MISP's refanging table, applied in this order. */
const REFANG_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(hxxp|hxtp|htxp|meow|h\[tt\]p)/i, 'http'],
  [/(\[\.\]|\[dot\]|\(dot\))/g, '.'],
  [/\[hxxp:\/\/\]/g, 'http://'],
  [/\[@\]|\[at\]/g, '@'],
  [/\[:\]/g, ':'],
];

const HEX = /^[0-9a-f]+$/i;
const SSDEEP = /^[0-9]+:[0-9a-zA-Z/+]+:[0-9a-zA-Z/+]+$/;
const NOT_SSDEEP = /^[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}$/;
const TRAILING_PORT = /:([0-9]{2,5})$/;
const DOMAIN_SHAPE = /^([-\p{L}\p{N}]+\.)+[-\p{L}\p{N}]+$/u;
const URL_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9._~%!$&'()*+,;=:@[\]-]+(?:[/?#][\x21-\x7e]*)?$/i;
const EMAIL_SHAPE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const CVE = /^cve-[0-9]{4}-[0-9]{4,9}$/i;
const PHONE = /^(\+)?([0-9]{1,3}(\(0\))?)?[0-9/-]{5,}[0-9]$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const AUTONOMOUS_SYSTEM = /^as[0-9]+$/i;
const BITCOIN = /^(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|(?:bc|tb)1[023456789acdefghjklmnpqrstuvwxyz]{11,71})$/i;
/** Domains of security vendors whose URLs MISP files as links to analyses, not as indicators. */
const SECURITY_VENDOR_DOMAINS: readonly string[] = ['virustotal.com', 'hybrid-analysis.com'];

/** Characters MISP trims off a free-text token: quotes, brackets and punctuation around it. */
const FREE_TEXT_TRIM = `'".,() \t\n\r\0\x0B`;
/** Characters MISP trims off a CSV cell. */
const CSV_TRIM = ` \t\n\r\0\x0B"'`;
/** Where MISP splits free text into tokens. */
const TOKEN_SEPARATORS = /\s+|,|<|>|;/;
/** Invisible and control characters (Unicode "other") and no-break spaces: separators to MISP. */
const INVISIBLE = /[\p{C}\u00a0]+/gu;
const QUOTED = /"([^"]+)"/g;

/**
 * The indicator a single token is, by MISP's rules and in MISP's order: an IP address as written,
 * hashes (alone or `filename|hash`) and ssdeep, then, on the refanged token, e-mail addresses, IP
 * addresses with or without a port or as a CIDR block, domains and host names (by their top-level
 * domain), URLs (with or without a scheme), and last the types this module does not push (file
 * names, CVEs, phone numbers, AS numbers, bitcoin addresses), so that they are counted rather than
 * mistaken for something else. Undefined when MISP would not recognise the token.
 */
export function resolveIndicator(token: string): ExtractedIndicator | undefined {
  if (token === '') return undefined;
  if (isIP(token) !== 0) return { type: 'ip-dst', value: token };
  const hash = resolveHashes(token);
  if (hash !== undefined) return hash;

  const refanged = refang(token);
  if (refanged.includes('@') && EMAIL_SHAPE.test(refanged)) return { type: 'email-src', value: refanged };

  const port = TRAILING_PORT.exec(refanged)?.[1];
  const noPort = port === undefined ? refanged : refanged.slice(0, -port.length - 1);
  const ip = resolveAddress(refanged, noPort, port);
  if (ip !== undefined) return ip;
  const named = resolveName(token, refanged, noPort);
  if (named !== undefined) return named;
  return resolveOther(token);
}

/** MISP's refanging: `hxxp` → `http`, `[.]`/`[dot]`/`(dot)` → `.`, `[@]`/`[at]` → `@`, `[:]` → `:`, then any other bracketed character unwrapped. */
export function refang(token: string): string {
  let text = token;
  for (const [pattern, replacement] of REFANG_RULES) text = text.replace(pattern, replacement);
  text = text.replace(/\.+$/, '');
  return text.replace(/\[(.)\]/gu, '$1');
}

/** The indicators of a free-text document, each value once, in the order met. */
export function* extractFromFreeText(text: string, exclude?: RegExp): Generator<ExtractedIndicator> {
  const seen = new Set<string>();
  for (const line of lines(text)) {
    for (const token of freeTextTokens(line)) {
      const indicator = resolveCell(trimChars(token, FREE_TEXT_TRIM), exclude);
      if (indicator === undefined || seen.has(indicator.value)) continue;
      seen.add(indicator.value);
      yield indicator;
    }
  }
}

/** The tokens MISP cuts a line of free text into: split on blanks, `,`, `;`, `<`, `>`, plus every "quoted" run. */
export function freeTextTokens(line: string): string[] {
  const text = line.replace(INVISIBLE, ' ');
  const tokens = text.split(TOKEN_SEPARATORS);
  for (const match of text.matchAll(QUOTED)) tokens.push(match[1] as string);
  return tokens;
}

/** A CSV cell as MISP reads it: quotes and blanks trimmed, left out when the exclusion matches, then resolved. */
export function resolveCsvCell(cell: string, exclude?: RegExp): ExtractedIndicator | undefined {
  return resolveCell(trimChars(cell, CSV_TRIM), exclude);
}

function resolveCell(cell: string, exclude: RegExp | undefined): ExtractedIndicator | undefined {
  if (cell === '') return undefined;
  if (exclude !== undefined) {
    exclude.lastIndex = 0;
    if (exclude.test(cell)) return undefined;
  }
  return resolveIndicator(cell);
}

/** The lines of a document, without their line breaks (CRLF, LF or CR). */
export function* lines(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) end++;
    yield text.slice(start, end);
    start = end + (text.charCodeAt(end) === 0x0d && text.charCodeAt(end + 1) === 0x0a ? 2 : 1);
  }
}

function trimChars(text: string, characters: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && characters.includes(text.charAt(start))) start++;
  while (end > start && characters.includes(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

function resolveHashes(token: string): ExtractedIndicator | undefined {
  const parts = token.split('|');
  if (parts.length === 2 && isFileName(parts[0] as string)) {
    const digest = parts[1] as string;
    const hash = hexHash(digest);
    if (hash !== undefined) return { type: hash.composite, value: token };
    if (isSsdeep(digest)) return { type: 'filename|ssdeep', value: token };
  }
  const hash = hexHash(token);
  if (hash !== undefined) return { type: hash.single, value: token };
  if (isSsdeep(token)) return { type: 'ssdeep', value: token };
  return undefined;
}

function hexHash(value: string): { single: string; composite: string } | undefined {
  const types = HEX_HASH_TYPES.get(value.length);
  return types !== undefined && HEX.test(value) ? types : undefined;
}

function isSsdeep(value: string): boolean {
  return SSDEEP.test(value) && !NOT_SSDEEP.test(value);
}

function resolveAddress(refanged: string, noPort: string, port: string | undefined): ExtractedIndicator | undefined {
  if (isIP(noPort) !== 0) return port === undefined ? { type: 'ip-dst', value: noPort } : { type: 'ip-dst|port', value: `${noPort}|${port}` };
  // An IPv6 address whose last group looks like a port is an address all the same.
  if (isIPv6(refanged)) return { type: 'ip-dst', value: refanged };
  if (port !== undefined && noPort.startsWith('[') && noPort.endsWith(']') && isIPv6(noPort.slice(1, -1))) {
    return { type: 'ip-dst|port', value: `${noPort.slice(1, -1)}|${port}` };
  }
  const parts = noPort.split('/');
  if (parts.length === 2 && isIP(parts[0] as string) !== 0 && /^[0-9]+$/.test(parts[1] as string)) return { type: 'ip-dst', value: noPort };
  return undefined;
}

function resolveName(raw: string, refanged: string, noPort: string): ExtractedIndicator | undefined {
  if (noPort.includes('.')) {
    const labels = noPort.split('.');
    if (DOMAIN_SHAPE.test(noPort) && isTld(labels[labels.length - 1] as string)) {
      return { type: labels.length > 2 ? 'hostname' : 'domain', value: noPort };
    }
    if (labels.length > 1 && (URL_SHAPE.test(noPort) || URL_SHAPE.test(`http://${noPort}`))) {
      if (isSecurityVendorLink(noPort)) return { type: 'link', value: refanged };
      // The URL keeps its port: the port is part of what a detection matches.
      if (noPort.includes('/')) return { type: 'url', value: refanged };
    }
    if (isFileName(raw)) return { type: 'filename', value: raw };
  }
  if (raw.includes('\\')) {
    const parts = raw.split('\\');
    const last = parts[parts.length - 1] as string;
    if (last.includes('.') || /^.:/.test(parts[0] as string)) return isFileName(last) ? { type: 'filename', value: raw } : undefined;
    if (parts[0] !== '') return { type: 'regkey', value: raw };
  }
  return undefined;
}

function resolveOther(raw: string): ExtractedIndicator | undefined {
  if (CVE.test(raw)) return { type: 'vulnerability', value: raw.toUpperCase() };
  if ((raw.startsWith('+') || raw.indexOf('-') > 0) && !DATE.test(raw) && PHONE.test(raw)) return { type: 'phone-number', value: raw };
  if (AUTONOMOUS_SYSTEM.test(raw)) return { type: 'AS', value: raw.toUpperCase() };
  if (BITCOIN.test(raw)) return { type: 'btc', value: raw };
  return undefined;
}

/** A top-level domain of the root zone, written in ASCII or not. */
function isTld(label: string): boolean {
  return isTopLevelDomain(domainToASCII(label) || label);
}

/** MISP's file-name rule: a dot not in first place (or a drive letter), and an alphanumeric, non-numeric extension. */
function isFileName(value: string): boolean {
  if (!/^.:/.test(value) && value.indexOf('.') <= 0) return false;
  const extension = value.slice(value.lastIndexOf('.') + 1);
  return /^[a-z0-9]+$/i.test(extension) && !/^[0-9]+$/.test(extension);
}

function isSecurityVendorLink(value: string): boolean {
  const host = /^https:\/\/([^/]*)/i.exec(value)?.[1]?.toLowerCase();
  if (host === undefined) return false;
  return SECURITY_VENDOR_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}
