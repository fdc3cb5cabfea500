/**
 * The entries of a `cidr` warninglist, indexed so that a lookup costs one hash probe per prefix
 * length the list uses (a list of 60,000 single resolvers uses one or two), whatever its size.
 * Behaves as MISP does for these lists:
 * - an entry without a mask is a single address (/32 or /128); entries that are not an address or
 *   a valid CIDR are ignored;
 * - an IPv4 entry whose address has host bits set (`10.1.2.3/8`) never matches (MISP compares the
 *   entry's text with the value's network), an IPv6 one matches its network;
 * - the value is an address, or a range `address/mask` that matches when a list entry holds the
 *   whole range (the entry's mask is not longer than the value's);
 * - anything else (a domain, a port, text) matches nothing.
 */
import { isIPv6 } from 'node:net';

const MASK = /^\d{1,3}$/;

export class CidrIndex {
  /** By prefix length (ascending): the networks of that length, as unsigned 32-bit numbers. */
  private readonly v4: Array<{ bits: number; networks: Set<number> }> = [];
  /** By prefix length (ascending): the networks of that length, as the address shifted right by 128 - bits. */
  private readonly v6: Array<{ bits: number; networks: Set<bigint> }> = [];
  /** Entries kept (valid ones). */
  readonly size: number;

  constructor(entries: Iterable<string>) {
    const v4 = new Map<number, Set<number>>();
    const v6 = new Map<number, Set<bigint>>();
    let size = 0;
    for (const raw of entries) {
      const entry = raw.trim();
      const slash = entry.indexOf('/');
      const address = slash < 0 ? entry : entry.slice(0, slash);
      const maskText = slash < 0 ? undefined : entry.slice(slash + 1);
      if (maskText !== undefined && !MASK.test(maskText)) continue;
      const ipv4 = ipv4Number(address);
      if (ipv4 !== undefined) {
        const bits = maskText === undefined ? 32 : Number(maskText);
        if (bits > 32) continue;
        // Unmasked on purpose: an entry with host bits set matches nothing, as in MISP.
        setOf(v4, bits).add(ipv4);
        size++;
      } else if (isPlainIPv6(address)) {
        const bits = maskText === undefined ? 128 : Number(maskText);
        if (bits > 128) continue;
        setOf(v6, bits).add(ipv6Number(address) >> BigInt(128 - bits));
        size++;
      }
    }
    for (const bits of [...v4.keys()].sort((a, b) => a - b)) this.v4.push({ bits, networks: v4.get(bits) as Set<number> });
    for (const bits of [...v6.keys()].sort((a, b) => a - b)) this.v6.push({ bits, networks: v6.get(bits) as Set<bigint> });
    this.size = size;
  }

  /** True when the value (an address, or `address/mask`) lies in an entry of the list. */
  contains(value: string): boolean {
    const slash = value.indexOf('/');
    const address = slash < 0 ? value : value.slice(0, slash);
    // MISP reads the value's mask only when it is a non-zero number; anything else is no mask.
    const maskText = slash < 0 ? '' : value.slice(slash + 1).split('/')[0] ?? '';
    const valueBits = /^\d+$/.test(maskText) && Number(maskText) > 0 ? Number(maskText) : undefined;
    const ipv4 = ipv4Number(address);
    const broadest = ipv4 !== undefined ? this.broadestV4(ipv4) : isPlainIPv6(address) ? this.broadestV6(ipv6Number(address)) : undefined;
    if (broadest === undefined) return false;
    // A range is on the list only when an entry holds all of it.
    return valueBits === undefined || valueBits >= broadest;
  }

  private broadestV4(address: number): number | undefined {
    for (const { bits, networks } of this.v4) {
      const network = bits === 0 ? 0 : (address & (~0 << (32 - bits))) >>> 0;
      if (networks.has(network)) return bits;
    }
    return undefined;
  }

  private broadestV6(address: bigint): number | undefined {
    for (const { bits, networks } of this.v6) {
      if (networks.has(address >> BigInt(128 - bits))) return bits;
    }
    return undefined;
  }
}

function setOf<T>(map: Map<number, Set<T>>, bits: number): Set<T> {
  let set = map.get(bits);
  if (set === undefined) map.set(bits, (set = new Set()));
  return set;
}

/** IPv6 as PHP's filter accepts it: no zone index (`fe80::1%eth0`). */
function isPlainIPv6(address: string): boolean {
  return !address.includes('%') && isIPv6(address);
}

/**
 * A dotted-quad IPv4 address as an unsigned 32-bit number, or undefined when it is not one (as
 * strict as PHP's filter: four decimal parts up to 255, no leading zero). Read by hand: this runs
 * once per value checked, and a regular expression with a split costs several times more.
 */
function ipv4Number(address: string): number | undefined {
  let number = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      number = number * 256 + part;
      part = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + (code - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return number * 256 + part;
}

/** A valid IPv6 address (`isIPv6`) as a 128-bit number, an embedded IPv4 tail included. */
function ipv6Number(address: string): bigint {
  let text = address;
  const tail = text.lastIndexOf(':');
  if (text.includes('.', tail)) {
    const v4 = ipv4Number(text.slice(tail + 1)) ?? 0;
    text = `${text.slice(0, tail + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  let number = 0n;
  for (const group of groups) number = (number << 16n) | BigInt(parseInt(group, 16));
  return number;
}
