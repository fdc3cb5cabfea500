import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { IOC_KINDS, type IocKind } from '../../misp_modules/iocs/ioc-kinds.js';
import { checkIpv6 } from '../../misp_modules/iocs/ip-address.js';
import type { Indicator } from '../../misp_modules/iocs/observables.js';
import type { Rejection } from '../../misp_modules/iocs/rejection.js';
import { itWithFixtures } from '../support/fixtures.js';
import { certFrValuesOfType, valuesOfType } from './misp-fixture.js';

function accepted(kind: IocKind, value: string): Indicator {
  const result = kind.check(value);
  if ('reason' in result) throw new Error(`expected ${JSON.stringify(value)} to be accepted, got: ${result.reason}`);
  expect(kind.observables).toContain(result.observable);
  return result;
}

function refused(kind: IocKind, value: string): string {
  const result: Indicator | Rejection = kind.check(value);
  if (!('reason' in result)) throw new Error(`expected ${JSON.stringify(value)} to be refused, got ${result.value}`);
  expect(result.reason.length).toBeGreaterThan(0);
  return result.reason;
}

describe('ip kind', () => {
  const ip = IOC_KINDS.ip;

  itWithFixtures('accepts the real IPv4 addresses of the fixture as they are', () => {
    const values = valuesOfType('ip-dst');
    expect(values.length).toBeGreaterThan(100);
    for (const value of values) {
      const indicator = accepted(ip, value);
      expect(indicator).toEqual({ value, observable: 'ipv4-addr.value', format: 'ipv4-addr.value' });
    }
  });

  it.each([
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['2001:db8::', '2001:db8::'],
    ['FE80::0001', 'fe80::1'],
    ['::FFFF:8.8.8.8', '::ffff:8.8.8.8'],
    ['::ffff:0808:0808', '::ffff:8.8.8.8'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['2a00:1450:4007:80e::200e', '2a00:1450:4007:80e::200e'],
  ])('canonicalises IPv6 %s to %s', (input, canonical) => {
    expect(accepted(ip, input)).toEqual({ value: canonical, observable: 'ipv6-addr.value', format: 'ipv6-addr.value' });
  });

  it('explains that an address with a port belongs in ip-dst|port', () => {
    expect(refused(ip, '198.51.100.77:8080')).toMatch(/with a port.*ip-dst\|port/);
  });

  it('writes IPv6 as the system inet_ntop does (RFC 5952) on many generated addresses', () => {
    // Deterministic generator biased towards zero groups, where compression rules matter.
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    let compared = 0;
    for (let n = 0; n < 3000; n++) {
      const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? 0x1000 + (next() % 0xe000) : 0));
      groups[0] = 0x2001;
      const written = groups.map((g) => g.toString(16).padStart(4, '0').toUpperCase()).join(':');
      const expected = new SocketAddress({ address: written, family: 'ipv6' }).address;
      expect(checkIpv6(written)).toBe(expected);
      compared++;
    }
    expect(compared).toBe(3000);
  });

  it.each([
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['::', /unspecified/],
    ['0:0:0:0:0:0:0:0', /unspecified/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['ff02::1', /multicast/],
    ['FF05::1:3', /multicast/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:224.0.0.251', /multicast/],
  ])('refuses %s, which can never be an indicator', (value, reason) => {
    expect(refused(ip, value)).toMatch(reason);
  });

  it.each(['1.0.0.0', '126.255.255.255', '128.0.0.0', '223.255.255.255', '10.0.0.1', '192.168.1.1', 'fe80::1', 'feff::1', '::2'])(
    'accepts %s at the edge of a refused range',
    (value) => {
      accepted(ip, value);
    },
  );

  it.each([
    ['01.2.3.4', /leading zero/],
    ['1.2.3.04', /leading zero/],
    ['1.2.3.4/32', /CIDR/],
    ['10.0.0.0/8', /CIDR/],
    ['2001:db8::/32', /CIDR/],
    ['fe80::1%eth0', /zone/],
    ['1.2.3', /not an IPv4 or IPv6/],
    ['256.1.1.1', /not an IPv4 or IPv6/],
    ['1.2.3.4.5', /not an IPv4 or IPv6/],
    ['0x7f.0.0.1', /not an IPv4 or IPv6/],
    ['1::2::3', /not an IPv6/],
    ['[2001:db8::1]', /not an IPv6/],
    ['example.com', /not an IPv4 or IPv6/],
    ['1.2.3.4\n', /not an IPv4 or IPv6/],
  ])('refuses %j', (value, reason) => {
    expect(refused(ip, value)).toMatch(reason);
  });
});

describe('domain kind', () => {
  const domain = IOC_KINDS.domain;

  itWithFixtures('accepts the real domains of the fixture, lower-cased', () => {
    const values = valuesOfType('domain');
    expect(values.length).toBeGreaterThan(500);
    for (const value of values) {
      expect(accepted(domain, value)).toEqual({
        value: value.toLowerCase(),
        observable: 'domain-name.value',
        format: 'domain-name.value',
      });
    }
  });

  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['_dmarc.example.com', '_dmarc.example.com'],
    ['a.b.c.example.co.uk', 'a.b.c.example.co.uk'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['BÜCHER.de.', 'xn--bcher-kva.de'],
    ['XN--BCHER-KVA.DE', 'xn--bcher-kva.de'],
    ['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
    ['ｅｘａｍｐｌｅ.com', 'example.com'],
    [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
    [`${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(61)}.com`, `${'a'.repeat(61)}.${'b'.repeat(61)}.${'c'.repeat(61)}.${'d'.repeat(61)}.com`],
  ])('normalises %s to %s', (input, expected) => {
    expect(accepted(domain, input).value).toBe(expected);
  });

  it.each([
    ['localhost', /single label/],
    ['example..com', /empty label/],
    ['example.com..', /empty label/],
    ['.example.com', /empty label/],
    ['-evil.com', /'-'/],
    ['evil-.com', /'-'/],
    [`${'a'.repeat(64)}.com`, /longer than 63/],
    [`${'a'.repeat(62)}.${'b'.repeat(62)}.${'c'.repeat(62)}.${'d'.repeat(62)}.com`, /longer than 253/],
    ['example.c0m', /top-level domain/],
    ['example.c', /top-level domain/],
    ['example.co_', /top-level domain/],
    ['1.2.3.4', /IP address/],
    ['107.183.86', /malformed IP/],
    ['example[.]com', /defanged/],
    ['example(.)com', /defanged/],
    ['exa mple.com', /character outside/],
    ['exa*mple.com', /character outside/],
    ['example.com/path', /character outside/],
    ['example.com\n', /character outside/],
    ['xn--zz.com', /punycode/],
    ['ex\u00adample.com', /whitespace or a control/],
    ['a\u200bb.com', /whitespace or a control/],
    ['bücher.de\n', /whitespace or a control/],
    ['bücher.de\u2028', /whitespace or a control/],
  ])('refuses %j', (value, reason) => {
    expect(refused(domain, value)).toMatch(reason);
  });
});

describe('url kind', () => {
  const url = IOC_KINDS.url;

  it('takes a value without a scheme for a file name when it does not end in a top-level domain', () => {
    expect(refused(url, 'igfxtray.exe')).toMatch(/file name/);
    expect(refused(url, 'Data/payload.dat')).toBeDefined();
    for (const value of ['evil.example.com/gate.php', 'cdn.evil.zip/a', 'shop.example.xn--p1ai/x', '198.51.100.7/x.exe', '[2001:db8::7]:8080/x', 'http://igfxtray.exe/']) {
      expect(accepted(url, value).value).toBe(value);
    }
  });

  itWithFixtures('pushes the real URLs of the fixture exactly as written', () => {
    const values = valuesOfType('url').filter((value) => value.startsWith('http'));
    expect(values.length).toBeGreaterThan(300);
    let accepted_ = 0;
    for (const value of values) {
      const result = url.check(value);
      if ('reason' in result) continue;
      expect(result).toEqual({ value, observable: 'url.value', format: 'url.value' });
      accepted_++;
    }
    expect(accepted_).toBeGreaterThan(values.length - 5);
  });

  it.each([
    'http://defenceiq.us/2rfKZL_BGwEQ',
    'HTTPS://Example.COM/Path?Q=1#Frag',
    'example.com/path',
    'commail.co:5453/qqqzqa',
    '192.119.111.117/cx',
    'http://1.2.3.4:8080/x',
    'http://[2001:DB8::1]:8080/x',
    'tcp://evil.example.net:4444',
    'http://user:secret@evil.example.net/',
    'http://xn--bcher-kva.de/',
    'https://evil.example.net',
  ])('accepts %s as written', (value) => {
    expect(accepted(url, value).value).toBe(value);
  });

  it.each([
    ['hxxp://evil.com/', /defanged/],
    ['hXXps://evil.com/', /defanged/],
    ['hxxps[:]//evil.com/', /defanged/],
    ['http://evil[.]com/x', /defanged/],
    ['http://bücher.de/', /non-ASCII/],
    ['http://a.com/\u2028x', /whitespace or a control/],
    ['http://a.com/ x', /whitespace or a control/],
    ['http://a.com/\tx', /whitespace or a control/],
    ['http://127.0.0.1/x', /host .*loopback/],
    ['http://[::1]/x', /host .*loopback/],
    ['Data/dtl.dat', /host .*single label/],
    ['107.183.86', /host .*malformed IP/],
    ['http://1.2.3/x', /host .*malformed IP/],
    ['http://01.2.3.4/x', /host/],
    ['file:///etc/passwd', /no host/],
    ['http://evil.com:99999/', /port|valid URL/],
    ['http://[::1/', /valid URL|unclosed/],
    ['http://', /valid URL|no host/],
    ['http://exa_mple..com/', /host .*empty label/],
    ['http://[fe80::1%25eth0]/', /zone|valid URL/],
  ])('refuses %j', (value, reason) => {
    expect(refused(url, value)).toMatch(reason);
  });
});

describe('hash kinds', () => {
  itWithFixtures.each([
    ['md5', 'file.hashes.MD5', 32],
    ['sha1', 'file.hashes.SHA-1', 40],
    ['sha256', 'file.hashes.SHA-256', 64],
  ] as const)('%s accepts the real hashes of the fixture, lower-cased', (name, observable, length) => {
    const values = valuesOfType(name).filter((value) => !/^(d41d8cd9|da39a3ee|e3b0c442)/.test(value));
    expect(values.length).toBeGreaterThan(300);
    for (const value of values) {
      expect(value).toHaveLength(length);
      expect(accepted(IOC_KINDS[name], value)).toEqual({ value: value.toLowerCase(), observable, format: 'file.hashes' });
    }
    const upper = values[0]!.toUpperCase();
    expect(accepted(IOC_KINDS[name], upper).value).toBe(values[0]!.toLowerCase());
  });

  it.each([
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['sha512', 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
  ] as const)('%s refuses the hash of the empty input, in any case', (name, emptyDigest) => {
    expect(refused(IOC_KINDS[name], emptyDigest)).toMatch(/empty input/);
    expect(refused(IOC_KINDS[name], emptyDigest.toUpperCase())).toMatch(/empty input/);
  });

  it.each([
    ['md5', 'df895e6479abf85c4c65d7d3a2451dd'],
    ['md5', 'df895e6479abf85c4c65d7d3a2451ddbb'],
    ['md5', 'gf895e6479abf85c4c65d7d3a2451ddb'],
    ['md5', '86092636e7ffa22481ca89ac1b023c32c56b24cf'],
    ['sha1', 'df895e6479abf85c4c65d7d3a2451ddb'],
    ['sha256', '86092636e7ffa22481ca89ac1b023c32c56b24cf'],
    ['sha256', ''],
    ['sha512', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ] as const)('%s refuses %j by its shape', (name, value) => {
    expect(refused(IOC_KINDS[name], value)).toMatch(/hexadecimal characters/);
  });

  itWithFixtures('sha512 is ready for a row: the real SHA-512 hashes of the CERT-FR feed are accepted', () => {
    const values = certFrValuesOfType('sha512');
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(accepted(IOC_KINDS.sha512, value.toUpperCase())).toEqual({
        value: value.toLowerCase(),
        observable: 'file.hashes.SHA-512',
        format: 'file.hashes',
      });
    }
  });
});
