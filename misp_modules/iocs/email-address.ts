import { checkDomainName } from './domain-name.js';
import { rejection, type Rejection } from './rejection.js';

// The dot-atom local part of RFC 5322 (no quoted strings, no comments): what mail systems and
// detection rules actually match. Dots may not lead, trail or repeat.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const NO_AT = rejection("is not an e-mail address (one '@' between a local part and a domain)");
const BAD_LOCAL = rejection('has a local part (before the @) that is not a plain address of at most 64 characters');

/**
 * A single e-mail address, its domain normalised as a domain indicator is (lower case, punycode);
 * the local part is kept as written, since mail systems may treat its case as significant.
 */
export function checkEmailAddress(value: string): string | Rejection {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@') || at === value.length - 1) return NO_AT;
  const local = value.slice(0, at);
  if (local.length > 64 || !LOCAL_PART.test(local)) return BAD_LOCAL;
  const domain = checkDomainName(value.slice(at + 1));
  if (typeof domain !== 'string') return rejection(`has a domain part that ${domain.reason}`);
  return `${local}@${domain}`;
}
