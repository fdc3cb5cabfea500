import { isIPv4, isIPv6 } from 'node:net';
import { rejection, type Rejection } from './rejection.js';

/**
 * Address ranges that can never be an indicator: a sensor never sees them as a remote peer, so
 * pushing them only raises false alerts. Data, compiled once at load.
 */
export const NEVER_AN_INDICATOR: readonly { readonly cidr: string; readonly reason: string }[] = [
  { cidr: '0.0.0.0/8', reason: 'is an unspecified address (0.0.0.0/8), never an indicator' },
  { cidr: '127.0.0.0/8', reason: 'is a loopback address (127.0.0.0/8), never an indicator' },
  { cidr: '224.0.0.0/4', reason: 'is a multicast address (224.0.0.0/4), never an indicator' },
  { cidr: '255.255.255.255/32', reason: 'is the limited broadcast address, never an indicator' },
  { cidr: '240.0.0.0/4', reason: 'is a reserved address (240.0.0.0/4), never routed' },
  { cidr: '::/128', reason: 'is the unspecified IPv6 address (::), never an indicator' },
  { cidr: '::1/128', reason: 'is the IPv6 loopback address (::1), never an indicator' },
  { cidr: 'ff00::/8', reason: 'is an IPv6 multicast address (ff00::/8), never an indicator' },
];

const NOT_AN_ADDRESS = rejection('is not an IPv4 or IPv6 address');
const CIDR_RANGE = rejection('is a CIDR range, not a single address');
const LEADING_ZERO = rejection('has an IPv4 octet with a leading zero (octal or decimal is ambiguous)');
const ZONE_ID = rejection('holds an IPv6 zone identifier (%...), which only has meaning on one host');
const NOT_IPV6 = rejection('is not an IPv6 address');
const WITH_PORT = rejection('is an address with a port, which only the ip-dst|port type carries');
const IPV4_WITH_PORT = /^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/;

const DOTTED_DIGITS = /^\d+\.\d+\.\d+\.\d+$/;
const LEADING_ZERO_OCTET = /(?:^|\.)0\d/;

interface Ipv4Range {
  readonly base: number;
  readonly mask: number;
  readonly reason: Rejection;
}
interface Ipv6Range {
  readonly hextets: Uint16Array;
  readonly prefix: number;
  readonly reason: Rejection;
}

/** The 32-bit value of a valid dotted-quad IPv4 address. */
function ipv4ToNumber(text: string): number {
  let value = 0;
  let octet = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      value = value * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + (c - 0x30);
    }
  }
  return (value * 256 + octet) >>> 0;
}

function ipv4RangeReason(value: number): Rejection | undefined {
  for (const range of IPV4_RANGES) {
    if (((value & range.mask) >>> 0) === range.base) return range.reason;
  }
  return undefined;
}

function explainNotIpv4(text: string): Rejection {
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const address = text.slice(0, slash);
    if (isIPv4(address) || isIPv6(address)) return CIDR_RANGE;
  }
  if (DOTTED_DIGITS.test(text) && LEADING_ZERO_OCTET.test(text)) return LEADING_ZERO;
  return NOT_AN_ADDRESS;
}

/**
 * A single, usable IPv4 address in strict dotted-decimal form (which is already canonical), or why
 * it is not one. Leading zeros, shortened forms (`1.2.3`) and hex octets are refused by node's
 * parser.
 */
export function checkIpv4(text: string): string | Rejection {
  if (!isIPv4(text)) return explainNotIpv4(text);
  return ipv4RangeReason(ipv4ToNumber(text)) ?? text;
}

// Scratch buffer: the functions stay pure from the outside because they run synchronously.
const scratch = new Uint16Array(8);

function hexDigit(c: number): number {
  if (c <= 0x39) return c - 0x30;
  return (c | 0x20) - 0x57;
}

const tailScratch = new Uint16Array(8);

/** Fills `out` with the 8 hextets of an address that node's `isIPv6` accepted (no zone id). */
function parseIpv6(text: string, out: Uint16Array): Uint16Array {
  out.fill(0);
  const gap = text.indexOf('::');
  if (gap === -1) {
    readGroups(text, out);
    return out;
  }
  readGroups(text.slice(0, gap), out);
  // The tail goes to the end of the buffer; the zeros the gap stands for stay in between.
  const tailCount = readGroups(text.slice(gap + 2), tailScratch);
  out.set(tailScratch.subarray(0, tailCount), 8 - tailCount);
  return out;
}

/** Reads colon-separated hex groups (the last may be dotted IPv4) into `out`; returns their count. */
function readGroups(text: string, out: Uint16Array): number {
  if (text.length === 0) return 0;
  let index = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(':', start);
    if (end === -1) end = text.length;
    const group = text.slice(start, end);
    if (group.includes('.')) {
      const v4 = ipv4ToNumber(group);
      out[index++] = v4 >>> 16;
      out[index++] = v4 & 0xffff;
    } else {
      let value = 0;
      for (let i = 0; i < group.length; i++) value = value * 16 + hexDigit(group.charCodeAt(i));
      out[index++] = value;
    }
    start = end + 1;
  }
  return index;
}

const IPV4_RANGES: Ipv4Range[] = [];
const IPV6_RANGES: Ipv6Range[] = [];
for (const { cidr, reason } of NEVER_AN_INDICATOR) {
  const [address = '', bits = ''] = cidr.split('/');
  const prefix = Number(bits);
  if (isIPv4(address)) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    IPV4_RANGES.push({ base: (ipv4ToNumber(address) & mask) >>> 0, mask, reason: rejection(reason) });
  } else {
    IPV6_RANGES.push({ hextets: parseIpv6(address, new Uint16Array(8)), prefix, reason: rejection(reason) });
  }
}

function ipv6RangeReason(hextets: Uint16Array): Rejection | undefined {
  for (const range of IPV6_RANGES) {
    let bits = range.prefix;
    let matches = true;
    for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
      const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
      if ((hextets[i]! & mask) !== (range.hextets[i]! & mask)) {
        matches = false;
        break;
      }
    }
    if (matches) return range.reason;
  }
  // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address it carries.
  if (isIpv4Mapped(hextets)) return ipv4RangeReason(((hextets[6]! << 16) | hextets[7]!) >>> 0);
  return undefined;
}

function isIpv4Mapped(h: Uint16Array): boolean {
  return h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff;
}

/**
 * RFC 5952 text: lower-case hex without leading zeros, the longest run (first on a tie) of two or
 * more zero groups shortened to `::`, IPv4-mapped addresses in mixed notation (`::ffff:1.2.3.4`).
 */
export function formatIpv6(h: Uint16Array): string {
  if (isIpv4Mapped(h)) {
    return `::ffff:${h[6]! >>> 8}.${h[6]! & 0xff}.${h[7]! >>> 8}.${h[7]! & 0xff}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text.length > 0 && !text.endsWith(':')) text += ':';
    text += h[i]!.toString(16);
  }
  return text;
}

/**
 * A single, usable IPv6 address in canonical RFC 5952 form, or why it is not one. Zone ids
 * (`fe80::1%eth0`) and prefixes (`2001:db8::/32`) are refused.
 */
export function checkIpv6(text: string): string | Rejection {
  if (text.includes('%')) return isIPv6(text) ? ZONE_ID : NOT_IPV6;
  if (!isIPv6(text)) {
    if (IPV4_WITH_PORT.test(text)) return WITH_PORT;
    return text.includes('/') ? explainNotIpv4(text) : NOT_IPV6;
  }
  const hextets = parseIpv6(text, scratch);
  return ipv6RangeReason(hextets) ?? formatIpv6(hextets);
}
