import { isIPv4 } from 'node:net';
import { checkDomainName } from './domain-name.js';
import { checkIpv4, checkIpv6 } from './ip-address.js';
import { rejection, type Rejection } from './rejection.js';
import { isTopLevelDomain } from './top-level-domains.js';
import { holdsBlankOrControl, holdsDefangMarker, isPrintableAscii } from './text-guards.js';

const BLANK_OR_CONTROL = rejection('holds whitespace or a control character');
const NON_ASCII = rejection('holds non-ASCII characters; it cannot be pushed as written');
const DEFANGED = rejection('is defanged (e.g. "hxxp", "[.]"); only the live form can be matched');
const UNPARSABLE = rejection('is not a valid URL');
const NO_HOST = rejection('has no host');
const BAD_BRACKETS = rejection('has an unclosed "[" in its host');
const BAD_PORT = rejection('has a port that is not a number from 0 to 65535');
const FILE_NAME = rejection('is written without a scheme and ends in what is not a top-level domain: a file name, not a URL');

// Schemes that say the URL was made unclickable: hxxp, hXXps, h**p, fxp...
const DEFANGED_SCHEME = /^(?:h[x*]{2}ps?|fxps?|hxxxps?)[:[]/i;
const PORT = /^\d{1,5}$/;

/** Host reasons are prefixed once per distinct reason, not once per call. */
const hostReasons = new Map<Rejection, Rejection>();
function hostRejection(inner: Rejection): Rejection {
  let outer = hostReasons.get(inner);
  if (outer === undefined) {
    outer = rejection(`has a host that ${inner.reason}`);
    hostReasons.set(inner, outer);
  }
  return outer;
}

function isSchemeCharacter(c: number, first: boolean): boolean {
  const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
  if (first) return letter;
  return letter || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** Index where the authority starts (after `scheme://`), or -1 when the text has no scheme. */
function authorityStart(text: string): number {
  let i = 0;
  while (i < text.length && isSchemeCharacter(text.charCodeAt(i), i === 0)) i++;
  return i > 0 && text.startsWith('://', i) ? i + 3 : -1;
}

function isAuthorityEnd(c: number): boolean {
  return c === 0x2f || c === 0x3f || c === 0x23 || c === 0x5c; // / ? # and \ (a slash to WHATWG)
}

function checkPort(port: string): boolean {
  return PORT.test(port) && Number(port) <= 65535;
}

/** Checks the host exactly as written: the WHATWG parser would rewrite `1.2.3` as `1.2.0.3`. */
function checkHost(authority: string): Rejection | undefined {
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  let port: string | undefined;
  if (hostAndPort.startsWith('[')) {
    const close = hostAndPort.indexOf(']');
    if (close === -1) return BAD_BRACKETS;
    const rest = hostAndPort.slice(close + 1);
    if (rest.length > 0 && !rest.startsWith(':')) return UNPARSABLE;
    port = rest.length > 0 ? rest.slice(1) : undefined;
    const checked = checkIpv6(hostAndPort.slice(1, close));
    if (typeof checked !== 'string') return hostRejection(checked);
  } else {
    const colon = hostAndPort.lastIndexOf(':');
    const host = colon === -1 ? hostAndPort : hostAndPort.slice(0, colon);
    port = colon === -1 ? undefined : hostAndPort.slice(colon + 1);
    if (host.length === 0) return NO_HOST;
    const checked = isIPv4(host) ? checkIpv4(host) : checkDomainName(host);
    if (typeof checked !== 'string') return hostRejection(checked);
  }
  if (port !== undefined && !checkPort(port)) return BAD_PORT;
  return undefined;
}

/**
 * The URL exactly as written, or why it cannot be pushed. A URL without a scheme (MISP often holds
 * `example.com/path`) is checked as `http://` + the text. Nothing is normalised: Sekoia.io
 * matches the text itself.
 */
export function checkUrl(text: string): string | Rejection {
  if (!isPrintableAscii(text)) return holdsBlankOrControl(text) ? BLANK_OR_CONTROL : NON_ASCII;
  if (DEFANGED_SCHEME.test(text) || holdsDefangMarker(text)) return DEFANGED;
  let start = authorityStart(text);
  const schemeless = start === -1;
  let candidate = text;
  if (schemeless) {
    candidate = `http://${text}`;
    start = 7;
  }
  if (!URL.canParse(candidate)) return UNPARSABLE;
  let end = start;
  while (end < candidate.length && !isAuthorityEnd(candidate.charCodeAt(end))) end++;
  const authority = candidate.slice(start, end);
  const rejected = checkHost(authority);
  if (rejected !== undefined) return rejected;
  // Without a scheme, `igfxtray.exe` has the shape of a host; only a real top-level domain makes it one.
  if (schemeless) {
    const label = topLabel(authority);
    if (label !== undefined && !isTopLevelDomain(label)) return FILE_NAME;
  }
  return text;
}

/** The last label of a host written by name; undefined for an IP address, which has none. */
function topLabel(authority: string): string | undefined {
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostAndPort.startsWith('[')) return undefined;
  const colon = hostAndPort.lastIndexOf(':');
  const host = (colon === -1 ? hostAndPort : hostAndPort.slice(0, colon)).replace(/\.$/, '');
  if (isIPv4(host)) return undefined;
  return host.slice(host.lastIndexOf('.') + 1);
}
