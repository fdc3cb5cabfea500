/**
 * What the trigger must push for a MISP attribute, worked out without the module's code: small
 * rules written from the README's "Supported types", on Node's own address parsers. Tests build
 * their expectations with it, so that a bug of the module's validation is not mirrored in them.
 */
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

type Kind = 'ip' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256';
type Part = 'whole' | 'before-first-pipe' | 'host-before-port' | 'after-last-pipe';

/** The MISP types pushed by default, the part of the value pushed, and its kind. */
const SUPPORTED: Record<string, { part: Part; kind: Kind }> = {
  'ip-dst': { part: 'whole', kind: 'ip' },
  'ip-dst|port': { part: 'host-before-port', kind: 'ip' },
  domain: { part: 'whole', kind: 'domain' },
  'domain|ip': { part: 'before-first-pipe', kind: 'domain' },
  url: { part: 'whole', kind: 'url' },
  md5: { part: 'whole', kind: 'md5' },
  sha1: { part: 'whole', kind: 'sha1' },
  sha256: { part: 'whole', kind: 'sha256' },
  'filename|md5': { part: 'after-last-pipe', kind: 'md5' },
  'filename|sha1': { part: 'after-last-pipe', kind: 'sha1' },
  'filename|sha256': { part: 'after-last-pipe', kind: 'sha256' },
};

/** The MISP types synced by default. */
export const SUPPORTED_TYPES = Object.keys(SUPPORTED);

export const isSupportedType = (type: string): boolean => Object.hasOwn(SUPPORTED, type);

const HASH_LENGTH = { md5: 32, sha1: 40, sha256: 64 } as const;
const HASH_OBSERVABLE = { md5: 'file.hashes.MD5', sha1: 'file.hashes.SHA-1', sha256: 'file.hashes.SHA-256' } as const;
/** The digests of empty input: they match every empty file. */
const EMPTY_INPUT = new Set([
  'd41d8cd98f00b204e9800998ecf8427e',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
]);
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** Control characters and line separators, refused anywhere in a value. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Whitespace and invisible characters, refused in the part pushed. */
const BLANK = /[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/;
const DEFANGED = /^hxxps?:|^fxp:|\[\.\]|\[:\]|\[dot\]/i;
/** IANA's top-level domains: a URL written without a scheme must end in one (else it is a file name). */
const TLDS = new Set(createRequire(import.meta.url)('tlds') as string[]);

/** The part of a value pushed, or undefined when the value lacks the shape its type needs. */
function part(value: string, how: Part): string | undefined {
  if (how === 'whole') return value;
  if (how === 'before-first-pipe') return value.includes('|') ? value.slice(0, value.indexOf('|')) : undefined;
  if (how === 'after-last-pipe') return value.includes('|') ? value.slice(value.lastIndexOf('|') + 1) : undefined;
  // address|port, address:port, [IPv6]:port, [IPv6]|port; a bare IPv6 with :port is ambiguous.
  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(value);
  if (value.includes('|')) [host, port] = [value.slice(0, value.lastIndexOf('|')).replace(/^\[(.*)\]$/, '$1'), value.slice(value.lastIndexOf('|') + 1)];
  else if (bracketed) [host, port] = [bracketed[1] as string, bracketed[2] as string];
  else if (value.split(':').length === 2) [host, port] = value.split(':') as [string, string];
  else return undefined;
  return /^\d{1,5}$/.test(port) && Number(port) <= 65_535 ? host : undefined;
}

/** An IPv4 address that can be an indicator: not unspecified, loopback, multicast, reserved or broadcast. */
function usableIpv4(text: string): boolean {
  const first = Number(text.split('.')[0]);
  return isIPv4(text) && first !== 0 && first !== 127 && first < 224;
}

/** The canonical (RFC 5952) form of a usable IPv6 address, or undefined. */
function usableIpv6(text: string): string | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  if (canonical === '::' || canonical === '::1' || canonical.startsWith('ff')) return undefined;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const [high, low] = [parseInt(mapped[1] as string, 16), parseInt(mapped[2] as string, 16)];
    if (!usableIpv4(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`)) return undefined;
  }
  return canonical;
}

function domainName(text: string): string | undefined {
  if (/^[\d.]+$/.test(text)) return undefined;
  const ascii = /^[\x21-\x7e]*$/.test(text) ? text.toLowerCase() : domainToASCII(text.toLowerCase());
  return DOMAIN.test(ascii) ? ascii : undefined;
}

/** The value pushed and its observable, or undefined when the text is not a valid indicator of its kind. */
function judge(kind: Kind, text: string): { value: string; observable: string } | undefined {
  if (text === '' || BLANK.test(text)) return undefined;
  switch (kind) {
    case 'ip': {
      if (usableIpv4(text)) return { value: text, observable: 'ipv4-addr.value' };
      const ipv6 = usableIpv6(text);
      return ipv6 === undefined ? undefined : { value: ipv6, observable: 'ipv6-addr.value' };
    }
    case 'domain': {
      const domain = domainName(text);
      return domain === undefined ? undefined : { value: domain, observable: 'domain-name.value' };
    }
    case 'url': {
      if (DEFANGED.test(text)) return undefined;
      // The host: after an optional scheme://, before the path, without credentials or port.
      const rest = text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
      const authority = (rest.split(/[/?#\\]/)[0] ?? '').replace(/^.*@/, '');
      const ipv6 = /^\[([^\]]+)\](?::\d+)?$/.exec(authority);
      if (ipv6) return isIPv6(ipv6[1] as string) ? { value: text, observable: 'url.value' } : undefined;
      const host = authority.replace(/:\d+$/, '');
      if (isIPv4(host)) return { value: text, observable: 'url.value' };
      const domain = domainName(host);
      if (domain === undefined) return undefined;
      const schemeless = rest === text;
      return schemeless && !TLDS.has(domain.split('.').pop() ?? '') ? undefined : { value: text, observable: 'url.value' };
    }
    default: {
      const hash = text.toLowerCase();
      const valid = new RegExp(`^[0-9a-f]{${HASH_LENGTH[kind]}}$`).test(hash) && !EMPTY_INPUT.has(hash);
      return valid ? { value: hash, observable: HASH_OBSERVABLE[kind] } : undefined;
    }
  }
}

/** What the trigger makes of an attribute of a type it syncs by default. */
export type Verdict = { status: 'unsupported' } | { status: 'invalid' } | { status: 'ok'; value: string; observable: string; format: string };

export function expectedIndicator(type: string, value: string): Verdict {
  const row = SUPPORTED[type];
  if (!isSupportedType(type) || row === undefined) return { status: 'unsupported' };
  if (CONTROL.test(value)) return { status: 'invalid' };
  const text = part(value, row.part);
  const indicator = text === undefined ? undefined : judge(row.kind, text);
  if (indicator === undefined) return { status: 'invalid' };
  // The upload groups hashes under one format; every other observable is its own format.
  return { status: 'ok', ...indicator, format: indicator.observable.startsWith('file.hashes.') ? 'file.hashes' : indicator.observable };
}
