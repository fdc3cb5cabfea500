import { isIP } from 'node:net';

/**
 * The MISP type of a bare indicator, as an analyst would file it: an address is `ip-dst`, a hash
 * `md5`/`sha1`/`sha256` by its length, anything with a scheme a `url`, a dotted name a `domain`.
 * Undefined when it looks like none of these; validation proper is the IOC type rules' job.
 */
export function guessIndicatorType(value: string): string | undefined {
  if (isIP(value) !== 0) return 'ip-dst';
  if (/^[0-9a-f]+$/i.test(value)) {
    if (value.length === 32) return 'md5';
    if (value.length === 40) return 'sha1';
    if (value.length === 64) return 'sha256';
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'url';
  if (/^[^\s/:@]+\.[^\s/:@]+$/.test(value)) return 'domain';
  return undefined;
}

const CATEGORIES: Readonly<Record<string, string>> = {
  'ip-dst': 'Network activity',
  'ip-src': 'Network activity',
  'ip-dst|port': 'Network activity',
  'ip-src|port': 'Network activity',
  domain: 'Network activity',
  'domain|ip': 'Network activity',
  hostname: 'Network activity',
  url: 'Network activity',
  md5: 'Payload delivery',
  sha1: 'Payload delivery',
  sha256: 'Payload delivery',
  'filename|md5': 'Payload delivery',
  'filename|sha1': 'Payload delivery',
  'filename|sha256': 'Payload delivery',
};

/** MISP's default category for the types this module writes; `Other` for the rest. */
export function defaultCategory(type: string): string {
  return CATEGORIES[type] ?? 'Other';
}
