/**
 * Attribute uuids held as four 32-bit words rather than strings: the compact state tables key on
 * them. Parsing writes into one shared buffer, so that a lookup allocates nothing.
 */

/** The uuid last parsed, as four 32-bit words. */
export const uuidWords = new Uint32Array(4);

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUE[digit.toString(16).charCodeAt(0)] = digit;
  HEX_VALUE[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
}
const HYPHEN = 0x2d;

/** Reads 8 hex digits from `at`, skipping the hyphen at `skip` (or -1); -1 when one is not a hex digit. */
function hexWord(text: string, at: number, skip: number): number {
  let word = 0;
  for (let i = at, digits = 0; digits < 8; i++) {
    if (i === skip) continue;
    const code = text.charCodeAt(i);
    const value = code < 128 ? (HEX_VALUE[code] as number) : -1;
    if (value < 0) return -1;
    word = (word << 4) | value;
    digits++;
  }
  return word >>> 0;
}

/** Parses a canonical uuid (8-4-4-4-12 hex digits) into `uuidWords`; false when it is not one. */
export function parseUuid(uuid: string): boolean {
  if (uuid.length !== 36) return false;
  if (uuid.charCodeAt(8) !== HYPHEN || uuid.charCodeAt(13) !== HYPHEN || uuid.charCodeAt(18) !== HYPHEN || uuid.charCodeAt(23) !== HYPHEN) return false;
  const k0 = hexWord(uuid, 0, -1);
  const k1 = hexWord(uuid, 9, 13);
  const k2 = hexWord(uuid, 19, 23);
  const k3 = hexWord(uuid, 28, -1);
  if (k0 < 0 || k1 < 0 || k2 < 0 || k3 < 0) return false;
  uuidWords[0] = k0;
  uuidWords[1] = k1;
  uuidWords[2] = k2;
  uuidWords[3] = k3;
  return true;
}

function hex8(word: number): string {
  return word.toString(16).padStart(8, '0');
}

/** The uuid held in `words` from `at`, in lower case. */
export function formatUuid(words: Uint32Array, at: number): string {
  const a = hex8(words[at] as number);
  const b = hex8(words[at + 1] as number);
  const c = hex8(words[at + 2] as number);
  const d = hex8(words[at + 3] as number);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

/** MurmurHash3's finaliser over the words: uuids from sequences differ in few bits, and this spreads them. */
export function hashUuid(k0: number, k1: number, k2: number, k3: number): number {
  let h = k0 ^ Math.imul(k1, 0x9e3779b1) ^ Math.imul(k2, 0x85ebca6b) ^ Math.imul(k3, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
