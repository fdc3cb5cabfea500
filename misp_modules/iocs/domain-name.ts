import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { rejection, type Rejection } from './rejection.js';
import { holdsBlankOrControl, holdsDefangMarker, isAscii } from './text-guards.js';
import { RESERVED_TOP_LEVEL_DOMAINS } from './top-level-domains.js';

const MAX_NAME = 253;
const MAX_LABEL = 63;

/**
 * Two or more labels of 1-63 [a-z0-9_-] not starting or ending with '-', a TLD of 2-63 letters or
 * xn--, 253 characters at most. One pass over the characters: this is the hot path.
 */
function hasDomainShape(name: string): boolean {
  const length = name.length;
  if (length === 0 || length > MAX_NAME) return false;
  let labelStart = 0;
  let dots = 0;
  let lettersOnly = true;
  let underscore = false;
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) continue;
    if (c === 0x2e) {
      const labelLength = i - labelStart;
      if (labelLength === 0 || labelLength > MAX_LABEL || name.charCodeAt(i - 1) === 0x2d) return false;
      dots++;
      labelStart = i + 1;
      lettersOnly = true;
      underscore = false;
      continue;
    }
    lettersOnly = false;
    if (c === 0x2d) {
      if (i === labelStart) return false;
    } else if (c === 0x5f) {
      underscore = true;
    } else if (c < 0x30 || c > 0x39) {
      return false;
    }
  }
  const tldLength = length - labelStart;
  if (dots === 0 || tldLength > MAX_LABEL || name.charCodeAt(length - 1) === 0x2d) return false;
  if (lettersOnly) return tldLength >= 2;
  return !underscore && tldLength > 4 && name.startsWith('xn--', labelStart);
}

const LABEL_CHARACTERS = /^[a-z0-9_-]*$/;
const TLD_SHAPE = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const ALL_DIGITS_AND_DOTS = /^[\d.]+$/;

const BLANK_OR_CONTROL = rejection('holds whitespace or a control character');
const NOT_IDNA = rejection('is not a valid internationalised domain name');
const BAD_PUNYCODE = rejection('holds an xn-- label that is not valid punycode');
const IP_ADDRESS = rejection('is an IP address, not a domain');
const NUMERIC = rejection('is all digits and dots: a malformed IP address, not a domain');
const DEFANGED = rejection('is defanged (e.g. "[.]"); only the live form can be matched');
const TOO_LONG = rejection('is longer than 253 characters');
const ONE_LABEL = rejection('has a single label; a domain needs at least two');
const EMPTY_LABEL = rejection('has an empty label (two dots in a row, or a leading dot)');
const LONG_LABEL = rejection('has a label longer than 63 characters');
const BAD_CHARACTER = rejection("holds a character outside a-z, 0-9, '-' and '_'");
const BAD_HYPHEN = rejection("has a label that starts or ends with '-'");
const BAD_TLD = rejection('has a top-level domain that is neither 2-63 letters nor xn--');
const NOT_A_DOMAIN = rejection('is not a valid domain name');
const RESERVED: ReadonlyMap<string, Rejection> = new Map(
  RESERVED_TOP_LEVEL_DOMAINS.map((tld) => [tld, rejection(`is under the reserved top-level domain ".${tld}" (RFC 2606/6761), which never resolves`)]),
);

/** Why a name failed the shape test; runs only for refused names, so clarity beats speed. */
function explain(name: string): Rejection {
  if (isIP(name) !== 0) return IP_ADDRESS;
  if (ALL_DIGITS_AND_DOTS.test(name)) return NUMERIC;
  if (holdsDefangMarker(name)) return DEFANGED;
  if (name.length > MAX_NAME) return TOO_LONG;
  const labels = name.split('.');
  if (labels.length < 2) return ONE_LABEL;
  for (const label of labels) {
    if (label.length === 0) return EMPTY_LABEL;
    if (label.length > MAX_LABEL) return LONG_LABEL;
    if (!LABEL_CHARACTERS.test(label)) return BAD_CHARACTER;
    if (label.startsWith('-') || label.endsWith('-')) return BAD_HYPHEN;
  }
  if (!TLD_SHAPE.test(labels[labels.length - 1]!)) return BAD_TLD;
  return NOT_A_DOMAIN;
}

/**
 * The domain in the form Sekoia.io matches (lower case, ASCII/punycode, no trailing dot), or why
 * the text is not a domain.
 */
export function checkDomainName(text: string): string | Rejection {
  let name: string;
  if (isAscii(text)) {
    name = text.toLowerCase();
  } else {
    // domainToASCII silently drops some characters (e.g. a trailing "\n"): refuse them first.
    if (holdsBlankOrControl(text)) return BLANK_OR_CONTROL;
    name = domainToASCII(text);
    if (name.length === 0) return NOT_IDNA;
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (!hasDomainShape(name)) return explain(name);
  const reserved = RESERVED.get(name.slice(name.lastIndexOf('.') + 1));
  if (reserved !== undefined) return reserved;
  // Punycode written by hand is decoded and re-encoded to prove it is well formed.
  if (name.includes('xn--') && domainToASCII(name) !== name) return BAD_PUNYCODE;
  return name;
}
