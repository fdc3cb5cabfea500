import { createHash } from 'node:crypto';
import { checkDomainName } from './domain-name.js';
import { checkIpv4, checkIpv6 } from './ip-address.js';
import { makeIndicator, type Indicator, type ObservableType } from './observables.js';
import { rejection, type Rejection } from './rejection.js';
import { checkEmailAddress } from './email-address.js';
import { checkUrl } from './url-value.js';

/**
 * A kind of indicator: how a value of that kind is validated and normalised, and which Sekoia.io
 * observable it becomes. A kind knows nothing of MISP types; the type table maps types to kinds.
 */
export interface IocKind {
  readonly description: string;
  /** Every observable `check` may give. */
  readonly observables: readonly ObservableType[];
  /** The normalised indicator, or why the value is not a valid instance of this kind. */
  readonly check: (value: string) => Indicator | Rejection;
}

function simpleKind(
  description: string,
  observable: ObservableType,
  check: (value: string) => string | Rejection,
): IocKind {
  return {
    description,
    observables: [observable],
    check: (value) => {
      const checked = check(value);
      return typeof checked === 'string' ? makeIndicator(checked, observable) : checked;
    },
  };
}

const ipKind: IocKind = {
  description: 'a single IPv4 or IPv6 address (IPv6 in canonical RFC 5952 form)',
  observables: ['ipv4-addr.value', 'ipv6-addr.value'],
  check: (value) => {
    // Only IPv6 text holds ':'; each family then gets its own strict parser and reasons.
    const isV6 = value.includes(':');
    const checked = isV6 ? checkIpv6(value) : checkIpv4(value);
    if (typeof checked !== 'string') return checked;
    return makeIndicator(checked, isV6 ? 'ipv6-addr.value' : 'ipv4-addr.value');
  },
};

/**
 * A hex digest of a fixed length. The digest of the empty input is refused: it matches every
 * empty file, a guaranteed false alert. Length and empty digest come from node's own hash.
 */
function hashKind(algorithm: string, label: string, observable: ObservableType): IocKind {
  const emptyDigest = createHash(algorithm).update('').digest('hex');
  const length = emptyDigest.length;
  const wrongShape = rejection(`is not ${length} hexadecimal characters (the length of ${label})`);
  const emptyInput = rejection(`is the ${label} of empty input, which matches every empty file`);
  return simpleKind(`${label} digest (${length} hex characters)`, observable, (value) => {
    if (value.length !== length) return wrongShape;
    let upper = false;
    for (let i = 0; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) continue;
      if (c >= 0x61 && c <= 0x66) continue;
      if (c >= 0x41 && c <= 0x46) {
        upper = true;
        continue;
      }
      return wrongShape;
    }
    const digest = upper ? value.toLowerCase() : value;
    return digest === emptyDigest ? emptyInput : digest;
  });
}

/** The kinds of indicator the type table can name. A new kind is one entry here. */
export const IOC_KINDS = {
  ip: ipKind,
  domain: simpleKind(
    'a domain or host name (lower case, punycode, no trailing dot)',
    'domain-name.value',
    checkDomainName,
  ),
  url: simpleKind('a URL, pushed exactly as written', 'url.value', checkUrl),
  md5: hashKind('md5', 'MD5', 'file.hashes.MD5'),
  sha1: hashKind('sha1', 'SHA-1', 'file.hashes.SHA-1'),
  sha256: hashKind('sha256', 'SHA-256', 'file.hashes.SHA-256'),
  sha512: hashKind('sha512', 'SHA-512', 'file.hashes.SHA-512'),
  email: simpleKind('an e-mail address (domain part lower case, punycode)', 'email-addr.value', checkEmailAddress),
} as const satisfies Record<string, IocKind>;

export type IocKindName = keyof typeof IOC_KINDS;
