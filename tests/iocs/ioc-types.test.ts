import { describe, expect, it } from 'vitest';
import { EXTRACTIONS } from '../../misp_modules/iocs/extractions.js';
import { IocTableError } from '../../misp_modules/iocs/ioc-table-error.js';
import { IOC_KINDS } from '../../misp_modules/iocs/ioc-kinds.js';
import {
  createAttributeNormaliser,
  IOC_TYPE_TABLE,
  normaliseAttribute,
  selectIocTypeRows,
  supportedMispTypes,
  type IocTypeRow,
  type NormaliseResult,
} from '../../misp_modules/iocs/normalise-attribute.js';
import { itWithFixtures } from '../support/fixtures.js';
import { certFrValuesOfType, valuesOfType } from './misp-fixture.js';

/** The README's "Supported types" table, written out independently of the implementation. */
const SUPPORTED_TYPES_OBSERVABLES: Record<string, readonly string[]> = {
  'ip-dst': ['ipv4-addr.value', 'ipv6-addr.value'],
  'ip-dst|port': ['ipv4-addr.value', 'ipv6-addr.value'],
  domain: ['domain-name.value'],
  'domain|ip': ['domain-name.value'],
  url: ['url.value'],
  md5: ['file.hashes.MD5'],
  sha1: ['file.hashes.SHA-1'],
  sha256: ['file.hashes.SHA-256'],
  'filename|md5': ['file.hashes.MD5'],
  'filename|sha1': ['file.hashes.SHA-1'],
  'filename|sha256': ['file.hashes.SHA-256'],
};

const EMPTY_FILE_HASHES = new Set([
  'd41d8cd98f00b204e9800998ecf8427e',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
]);

function okValue(result: NormaliseResult): string {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.indicator.value;
}

function invalidReason(result: NormaliseResult): string {
  if (result.status !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(result)}`);
  expect(result.reason.length).toBeGreaterThan(0);
  return result.reason;
}

/**
 * Real values for every row, each with the value expected once pushed. The fixtures hold no
 * domain|ip nor filename|sha1: those are built from real domains, addresses, filenames and hashes.
 */
function realSamples(): Record<string, { value: string; pushed: string }[]> {
  const ips = valuesOfType('ip-dst');
  const domains = valuesOfType('domain');
  const filenames = valuesOfType('filename');
  const notEmpty = (hash: string): boolean => !EMPTY_FILE_HASHES.has(hash.toLowerCase());
  const asIs = (value: string) => ({ value, pushed: value });
  const lower = (value: string) => ({ value, pushed: value.toLowerCase() });
  const hashAfterPipe = (value: string) => ({ value, pushed: value.slice(value.lastIndexOf('|') + 1).toLowerCase() });
  return {
    'ip-dst': valuesOfType('ip-dst').map(asIs),
    'ip-dst|port': valuesOfType('ip-dst|port').map((value) => ({ value, pushed: value.split('|')[0]! })),
    domain: domains.map(lower),
    'domain|ip': domains.slice(0, 50).map((domain, i) => ({ value: `${domain}|${ips[i]!}`, pushed: domain.toLowerCase() })),
    url: valuesOfType('url').filter((value) => value.startsWith('http') && !value.includes(' ')).map(asIs),
    md5: valuesOfType('md5').filter(notEmpty).map(lower),
    sha1: valuesOfType('sha1').filter(notEmpty).map(lower),
    sha256: valuesOfType('sha256').filter(notEmpty).map(lower),
    'filename|md5': valuesOfType('filename|md5').map(hashAfterPipe),
    'filename|sha1': valuesOfType('sha1')
      .filter(notEmpty)
      .slice(0, 50)
      .map((sha1, i) => hashAfterPipe(`${filenames[i % filenames.length]!}|${sha1}`)),
    'filename|sha256': valuesOfType('filename|sha256').map(hashAfterPipe),
  };
}

describe('the IOC type table', () => {
  it('syncs by default exactly the supported types of the README, and supportedMispTypes() is those rows', () => {
    const rowTypes = IOC_TYPE_TABLE.map((row) => row.mispType);
    expect(new Set(rowTypes).size).toBe(rowTypes.length);
    expect([...supportedMispTypes()]).toEqual(IOC_TYPE_TABLE.filter((row) => row.byDefault).map((row) => row.mispType));
    expect(new Set(supportedMispTypes())).toEqual(new Set(Object.keys(SUPPORTED_TYPES_OBSERVABLES)));
  });

  it('drives the code: a normaliser built from any rows supports exactly those rows', () => {
    const rows = IOC_TYPE_TABLE.filter((_, i) => i % 2 === 0);
    const normaliser = createAttributeNormaliser(rows);
    expect([...normaliser.supportedMispTypes()]).toEqual(rows.map((row) => row.mispType));
    for (const row of IOC_TYPE_TABLE) {
      const status = normaliser.normalise(row.mispType, 'x').status;
      expect(status === 'unsupported').toBe(!rows.includes(row));
    }
  });

  it('names only extractions and kinds that exist, and its kinds give the observables of "Supported types" in the README', () => {
    for (const row of IOC_TYPE_TABLE) {
      expect(Object.keys(EXTRACTIONS)).toContain(row.extraction);
      expect(Object.keys(IOC_KINDS)).toContain(row.kind);
      if (row.byDefault) expect(new Set(IOC_KINDS[row.kind].observables)).toEqual(new Set(SUPPORTED_TYPES_OBSERVABLES[row.mispType]));
    }
  });

  let samples: ReturnType<typeof realSamples> | undefined;
  itWithFixtures.each(IOC_TYPE_TABLE.filter((row) => row.byDefault).map((row) => [row.mispType]))('row %s: real values are pushed as "Supported types" in the README says', (type: string) => {
    samples ??= realSamples();
    const rows = samples[type]!;
    expect(rows.length).toBeGreaterThanOrEqual(30);
    for (const { value, pushed } of rows) {
      const result = normaliseAttribute(type, value);
      expect(okValue(result)).toBe(pushed);
      if (result.status !== 'ok') continue;
      expect(SUPPORTED_TYPES_OBSERVABLES[type]).toContain(result.indicator.observable);
      const expectedFormat = result.indicator.observable.startsWith('file.hashes.') ? 'file.hashes' : result.indicator.observable;
      expect(result.indicator.format).toBe(expectedFormat);
    }
  });

  it.each(['ip-src', 'filename', 'hostname', 'IP-DST', 'ip-dst ', '', 'constructor', '__proto__', 'toString'])(
    'reports %j as unsupported',
    (type) => {
      expect(normaliseAttribute(type, '1.2.3.4')).toEqual({ status: 'unsupported' });
    },
  );
});

describe('composite values', () => {
  it.each([
    ['1.2.3.4|80', '1.2.3.4', 'ipv4-addr.value'],
    ['1.2.3.4:80', '1.2.3.4', 'ipv4-addr.value'],
    ['1.2.3.4|0', '1.2.3.4', 'ipv4-addr.value'],
    ['1.2.3.4|65535', '1.2.3.4', 'ipv4-addr.value'],
    ['2001:db8::1|443', '2001:db8::1', 'ipv6-addr.value'],
    ['2001:DB8:0:0:0:0:0:1|443', '2001:db8::1', 'ipv6-addr.value'],
    ['[2001:db8::1]:443', '2001:db8::1', 'ipv6-addr.value'],
    ['[2001:db8::1]|443', '2001:db8::1', 'ipv6-addr.value'],
    ['[2001:0DB8::0001]:8443', '2001:db8::1', 'ipv6-addr.value'],
  ])('ip-dst|port %s pushes %s', (value, pushed, observable) => {
    const result = normaliseAttribute('ip-dst|port', value);
    expect(result).toEqual({ status: 'ok', indicator: { value: pushed, observable, format: observable } });
  });

  it.each([
    ['1.2.3.4', /no port separator/],
    ['2001:db8::1', /ambiguous/],
    ['2001:db8::1:443', /ambiguous/],
    ['[2001:db8::1]', /no ':port'/],
    ['[2001:db8::1', /without its closing/],
    ['1.2.3.4|', /port/],
    ['1.2.3.4|http', /port/],
    ['1.2.3.4|70000', /port/],
    ['1.2.3.4|-1', /port/],
    ['|80', /empty/],
    ['127.0.0.1|80', /loopback/],
    ['01.2.3.4|80', /leading zero/],
    ['1.2.3.4/24|80', /CIDR/],
    ['evil.example|80', /not an IPv4 or IPv6/],
  ])('ip-dst|port %j is invalid', (value, reason) => {
    expect(invalidReason(normaliseAttribute('ip-dst|port', value))).toMatch(reason);
  });

  it('domain|ip pushes the domain before the first separator, normalised', () => {
    expect(okValue(normaliseAttribute('domain|ip', 'Evil.Example.NET.|1.2.3.4'))).toBe('evil.example.net');
    expect(okValue(normaliseAttribute('domain|ip', 'bücher.de|2001:db8::1'))).toBe('xn--bcher-kva.de');
    expect(invalidReason(normaliseAttribute('domain|ip', 'evil.example'))).toMatch(/without its '\|' separator/);
    expect(invalidReason(normaliseAttribute('domain|ip', '|1.2.3.4'))).toMatch(/empty/);
    expect(invalidReason(normaliseAttribute('domain|ip', '1.2.3.4|evil.example'))).toMatch(/IP address/);
  });

  it.each(['filename|md5', 'filename|sha1', 'filename|sha256'])(
    '%s takes the hash after the last separator; the filename may hold spaces and "|"',
    (type) => {
      const hash = type === 'filename|md5' ? '835FEE42132FEEBE9B3231297E5E71A8' : type === 'filename|sha1' ? '86092636E7FFA22481CA89AC1B023C32C56B24CF' : '7A200C4DF99887991C638FE625D07A4A3FC2BDC887112437752B3DF5C8DA79B6';
      expect(okValue(normaliseAttribute(type, `brochure .doc|${hash}`))).toBe(hash.toLowerCase());
      expect(okValue(normaliseAttribute(type, `a|b c|d.exe|${hash}`))).toBe(hash.toLowerCase());
      expect(okValue(normaliseAttribute(type, `|${hash}`))).toBe(hash.toLowerCase());
      expect(invalidReason(normaliseAttribute(type, hash))).toMatch(/without its '\|' separator/);
      expect(invalidReason(normaliseAttribute(type, 'invoice.exe|'))).toMatch(/empty/);
      expect(invalidReason(normaliseAttribute(type, `${hash}|invoice.exe`))).toMatch(/hexadecimal/);
      expect(invalidReason(normaliseAttribute(type, `invoice\n.exe|${hash}`))).toMatch(/line break/);
      expect(invalidReason(normaliseAttribute(type, `invoice.exe|${hash} `))).toMatch(/whitespace/);
    },
  );
});

describe('growing and narrowing the table', () => {
  const EXTRA_TYPES = ['ip-src', 'ip-src|port', 'hostname', 'hostname|port', 'sha512', 'filename|sha512', 'email-src', 'email-dst'];
  const all = createAttributeNormaliser(selectIocTypeRows(IOC_TYPE_TABLE.map((row) => row.mispType)).rows);

  itWithFixtures('syncs the supported types of the README by default and the other IDS types only when chosen', () => {
    expect([...supportedMispTypes()].sort()).toEqual(Object.keys(SUPPORTED_TYPES_OBSERVABLES).sort());
    expect(IOC_TYPE_TABLE.filter((row) => !row.byDefault).map((row) => row.mispType)).toEqual(EXTRA_TYPES);
    const ipSources = valuesOfType('ip-src');
    const hostnames = valuesOfType('hostname');
    const sha512s = certFrValuesOfType('sha512');
    expect(ipSources.length * hostnames.length * sha512s.length).toBeGreaterThan(0);
    for (const value of ipSources) expect(okValue(all.normalise('ip-src', value))).toBe(value);
    for (const value of ipSources) expect(okValue(all.normalise('ip-src|port', `${value}:443`))).toBe(value);
    for (const value of hostnames) expect(okValue(all.normalise('hostname', value))).toBe(value.toLowerCase());
    for (const value of hostnames) expect(okValue(all.normalise('hostname|port', `${value}|8080`))).toBe(value.toLowerCase());
    for (const value of sha512s) expect(okValue(all.normalise('sha512', value))).toBe(value.toLowerCase());
    for (const value of sha512s) expect(okValue(all.normalise('filename|sha512', `x.bin|${value}`))).toBe(value.toLowerCase());
    for (const type of EXTRA_TYPES) expect(normaliseAttribute(type, ipSources[0]!)).toEqual({ status: 'unsupported' });
  });

  it.each([
    ['ip-src', ['10.0.0.256', '127.0.0.1', '198.51.100.0/24', '198.51.100.7\n']],
    ['ip-src|port', ['198.51.100.7', '198.51.100.7|99999', '0.0.0.0|80']],
    ['hostname', ['evil[.]example', 'single-label', 'bad_tld.example.123', 'host name.example']],
    ['hostname|port', ['c2.example', 'c2.example|port', '-lead.example|443']],
    ['sha512', ['ab'.repeat(63), 'zz'.repeat(64), 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e']],
    ['filename|sha512', ['x.bin', `x.bin|${'ab'.repeat(63)}`]],
  ] as const)('%s refuses what is not a valid indicator of its kind', (type, values) => {
    for (const value of values) expect(all.normalise(type, value).status, `${type} ${JSON.stringify(value)}`).toBe('invalid');
  });

  it.each(['email-src', 'email-dst'])('%s: a plain address, its domain normalised', (type) => {
    expect(all.normalise(type, 'Invoice.Desk+fr@Evil-Mail.EXAMPLE.NET')).toEqual({
      status: 'ok',
      indicator: { value: 'Invoice.Desk+fr@evil-mail.example.net', observable: 'email-addr.value', format: 'email-addr.value' },
    });
    for (const bad of ['no-at-sign.example', 'a@b', 'two@@evil.example', 'a@evil.example@x.example', '.lead@evil.example', 'dou..ble@evil.example', `${'x'.repeat(65)}@evil.example`, 'a@evil[.]example', 'user@', '@evil.example']) {
      expect(invalidReason(all.normalise(type, bad)), bad).toMatch(/e-mail|local part|domain part/);
    }
    expect(invalidReason(all.normalise(type, 'spaced name@evil.example'))).toMatch(/whitespace/);
    expect(invalidReason(all.normalise(type, 'a@evil.example\nb@evil.example'))).toMatch(/line break/);
  });

  it('supports a new type by adding its row', () => {
    const row: IocTypeRow = { mispType: 'x509-fingerprint-sha256', extraction: 'whole', kind: 'sha256', byDefault: false };
    const grown = createAttributeNormaliser([...IOC_TYPE_TABLE, row]);
    expect(grown.supportedMispTypes()).toEqual([...IOC_TYPE_TABLE.map((r) => r.mispType), row.mispType]);
    expect(okValue(grown.normalise(row.mispType, 'AB'.repeat(32)))).toBe('ab'.repeat(32));
  });

  it('selects a subset of the types and names the unknown ones', () => {
    const { rows, unknown } = selectIocTypeRows(['md5', 'domain', 'no-such-type', 'md5']);
    expect(rows.map((row) => row.mispType)).toEqual(['domain', 'md5']);
    expect(unknown).toEqual(['no-such-type']);
    const narrowed = createAttributeNormaliser(rows);
    expect(okValue(narrowed.normalise('domain', 'evil.example.net'))).toBe('evil.example.net');
    expect(narrowed.normalise('url', 'http://evil.example/')).toEqual({ status: 'unsupported' });
  });

  it('refuses a table with two rows for one type, or a row naming what does not exist', () => {
    expect(() => createAttributeNormaliser([...IOC_TYPE_TABLE, IOC_TYPE_TABLE[0]!])).toThrow(IocTableError);
    expect(() => createAttributeNormaliser([...IOC_TYPE_TABLE, IOC_TYPE_TABLE[0]!])).toThrow(/two rows for "ip-dst"/);
    const unknownKind = { mispType: 'phone-number', extraction: 'whole', kind: 'phone', byDefault: false } as unknown as IocTypeRow;
    expect(() => createAttributeNormaliser([unknownKind])).toThrow(/kind "phone", which does not exist/);
    const unknownExtraction = { mispType: 'x', extraction: 'middle', kind: 'ip' } as unknown as IocTypeRow;
    expect(() => createAttributeNormaliser([unknownExtraction])).toThrow(/extraction "middle"/);
    const inherited = { mispType: 'x', extraction: 'whole', kind: 'toString' } as unknown as IocTypeRow;
    expect(() => createAttributeNormaliser([inherited])).toThrow(IocTableError);
  });
});

describe('reserved top-level domains (RFC 2606, RFC 6761)', () => {
  it.each([
    ['domain', 'bad-example-c2.test', '.test'],
    ['domain', 'Login.Bank.EXAMPLE.', '.example'],
    ['domain', 'c2.invalid', '.invalid'],
    ['domain', 'admin.localhost', '.localhost'],
    ['domain|ip', 'bad-example-c2.test|203.0.113.9', '.test'],
    ['url', 'http://bad-example-c2.test/gate.php', '.test'],
    ['url', 'https://user@panel.example:8443/login', '.example'],
    ['url', 'c2.invalid/payload', '.invalid'],
  ])('%s %j is refused, naming the reserved top-level domain', (type, value, tld) => {
    const reason = invalidReason(normaliseAttribute(type, value));
    expect(reason).toContain(`"${tld}"`);
    expect(reason).toMatch(/reserved/);
  });

  it('keeps .onion and names that only contain a reserved word', () => {
    expect(okValue(normaliseAttribute('domain', 'expyuzz4wqqyqhjn.onion'))).toBe('expyuzz4wqqyqhjn.onion');
    expect(okValue(normaliseAttribute('domain', 'test.example.com'))).toBe('test.example.com');
    expect(okValue(normaliseAttribute('domain', 'localhost-panel.net'))).toBe('localhost-panel.net');
    expect(okValue(normaliseAttribute('url', 'http://invalid.testing.org/a'))).toBe('http://invalid.testing.org/a');
  });
});
