import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';

/**
 * The top-level domains of the root zone (IANA's list, from the `tlds` package), in their ASCII
 * form. Only used where a value is ambiguous: a "URL" written without a scheme and ending in
 * `.exe` is a file name, not a host.
 */
const TOP_LEVEL_DOMAINS: ReadonlySet<string> = new Set(
  (createRequire(import.meta.url)('tlds') as string[]).map((tld) => domainToASCII(tld) || tld.toLowerCase()),
);

export function isTopLevelDomain(label: string): boolean {
  return TOP_LEVEL_DOMAINS.has(label.toLowerCase());
}

/**
 * Top-level domains set aside for testing and documentation (RFC 2606, RFC 6761): no name under
 * them resolves on the Internet, so a value under one is never a real indicator. `.onion`
 * (RFC 7686) is special-use too, but real: it names Tor services.
 */
export const RESERVED_TOP_LEVEL_DOMAINS: readonly string[] = ['test', 'example', 'invalid', 'localhost'];
