import { describe, expect, it } from 'vitest';
import { extractFromFreeText, refang } from '../../misp_modules/feed/indicator-extractor.js';
import { createAttributeNormaliser, IOC_TYPE_TABLE } from '../../misp_modules/iocs/normalise-attribute.js';

/** Every type the module can push, so that the table shows what validation makes of each extracted value. */
const normaliser = createAttributeNormaliser(IOC_TYPE_TABLE);

const MD5 = '44d88612fea8a8f36de82e1278abb02f';
const SHA1 = '3395856ce81f2b7382dee72602f798b642f14140';
const SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';
const SHA512 = 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';
const SHA512_ABC = 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';
const SHA224 = 'd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f';

/**
 * One line of free text → the indicators MISP's free-text import would find, each as
 * `type value => outcome`, where the outcome is the value pushed, `invalid` (refused by the
 * validation every MISP attribute goes through) or `unsupported` (a type the module does not push).
 */
const CASES: ReadonlyArray<readonly [line: string, expected: readonly string[]]> = [
  // IPv4, ports, CIDR
  ['203.0.113.7', ['ip-dst 203.0.113.7 => 203.0.113.7']],
  ['203.0.113.7:8080', ['ip-dst|port 203.0.113.7|8080 => 203.0.113.7']],
  ['203.0.113.7:8', []],
  ['198.51.100.0/24', ['ip-dst 198.51.100.0/24 => invalid']],
  ['(203.0.113.7)', ['ip-dst 203.0.113.7 => 203.0.113.7']],
  ['203.0.113.7.', ['ip-dst 203.0.113.7 => 203.0.113.7']],
  ['203[.]0[.]113[.]7', ['ip-dst 203.0.113.7 => 203.0.113.7']],
  ['203[.]0[.]113[.]7[:]443', ['ip-dst|port 203.0.113.7|443 => 203.0.113.7']],
  ['256.1.1.1', []],
  ['1.2.3', []],
  ['127.0.0.1', ['ip-dst 127.0.0.1 => invalid']],
  ['0.0.0.0', ['ip-dst 0.0.0.0 => invalid']],
  // IPv6
  ['2001:db8::1', ['ip-dst 2001:db8::1 => 2001:db8::1']],
  ['2001:DB8::A', ['ip-dst 2001:DB8::A => 2001:db8::a']],
  ['[2001:db8::1]:443', ['ip-dst|port 2001:db8::1|443 => 2001:db8::1']],
  ['2001:db8::1:80', ['ip-dst 2001:db8::1:80 => 2001:db8::1:80']],
  ['2001:db8::/32', ['ip-dst 2001:db8::/32 => invalid']],
  ['[2001:db8::1]', []],
  ['::1', ['ip-dst ::1 => invalid']],
  // Domains and host names
  ['evil-site.com', ['domain evil-site.com => evil-site.com']],
  ['www.evil-site.com', ['hostname www.evil-site.com => www.evil-site.com']],
  ['Evil-Site.COM', ['domain Evil-Site.COM => evil-site.com']],
  ['evil-site[.]com', ['domain evil-site.com => evil-site.com']],
  ['evil-site(dot)com', ['domain evil-site.com => evil-site.com']],
  ['evil-site[dot]com', ['domain evil-site.com => evil-site.com']],
  ['evil-site.com:8443', ['domain evil-site.com => evil-site.com']],
  ['www.evil-site.com:443', ['hostname www.evil-site.com => www.evil-site.com']],
  ['evil-site.com.', ['domain evil-site.com => evil-site.com']],
  ['"evil-site.com"', ['domain evil-site.com => evil-site.com']],
  ['evil-site.invalidtld', ['filename evil-site.invalidtld => unsupported']],
  ['münchen-beispiel.de', ['domain münchen-beispiel.de => xn--mnchen-beispiel-zvb.de']],
  ['пример.рф', ['domain пример.рф => xn--e1afmkfd.xn--p1ai']],
  ['xn--e1afmkfd.xn--p1ai', ['domain xn--e1afmkfd.xn--p1ai => xn--e1afmkfd.xn--p1ai']],
  ['config.zip', ['domain config.zip => config.zip']],
  ['malware.exe', ['filename malware.exe => unsupported']],
  ['evil-site.com\u200b', ['domain evil-site.com => evil-site.com']],
  // URLs
  ['http://evil-site.com/payload.exe', ['url http://evil-site.com/payload.exe => http://evil-site.com/payload.exe']],
  ['hxxp://evil-site[.]com/gate.php', ['url http://evil-site.com/gate.php => http://evil-site.com/gate.php']],
  ['hxxps://evil-site[.]com/a', ['url https://evil-site.com/a => https://evil-site.com/a']],
  ['h[tt]p://evil-site.com/x', ['url http://evil-site.com/x => http://evil-site.com/x']],
  ['meow://evil-site.com/x', ['url http://evil-site.com/x => http://evil-site.com/x']],
  ['[hxxp://]evil-site.com/x', ['url http://evil-site.com/x => http://evil-site.com/x']],
  ['evil-site.com/path/index.php', ['url evil-site.com/path/index.php => evil-site.com/path/index.php']],
  ['http://203.0.113.7:8080/bins/x86', ['url http://203.0.113.7:8080/bins/x86 => http://203.0.113.7:8080/bins/x86']],
  ['http://evil-site.com:8080', ['url http://evil-site.com:8080 => http://evil-site.com:8080']],
  ['https://www.virustotal.com/gui/file/abc', ['link https://www.virustotal.com/gui/file/abc => unsupported']],
  ['<http://evil-site.com/a>', ['url http://evil-site.com/a => http://evil-site.com/a']],
  ['see http://evil-site.com/a),', ['url http://evil-site.com/a => http://evil-site.com/a']],
  ['http://evil-site.com/a?q=1&r=2', ['url http://evil-site.com/a?q=1&r=2 => http://evil-site.com/a?q=1&r=2']],
  // E-mail addresses
  ['phisher@evil-site.com', ['email-src phisher@evil-site.com => phisher@evil-site.com']],
  ['phisher[@]evil-site[.]com', ['email-src phisher@evil-site.com => phisher@evil-site.com']],
  ['phisher[at]evil-site.com', ['email-src phisher@evil-site.com => phisher@evil-site.com']],
  ['not-an-email@', []],
  // Hashes
  [MD5, [`md5 ${MD5} => ${MD5}`]],
  [MD5.toUpperCase(), [`md5 ${MD5.toUpperCase()} => ${MD5}`]],
  [SHA1, [`sha1 ${SHA1} => ${SHA1}`]],
  [SHA256, [`sha256 ${SHA256} => ${SHA256}`]],
  [SHA512, [`sha512 ${SHA512} => invalid`]],
  [SHA512_ABC, [`sha512 ${SHA512_ABC} => ${SHA512_ABC}`]],
  [SHA224, [`sha224 ${SHA224} => unsupported`]],
  ['d41d8cd98f00b204e9800998ecf8427e', ['md5 d41d8cd98f00b204e9800998ecf8427e => invalid']],
  [`invoice.exe|${MD5}`, [`filename|md5 invoice.exe|${MD5} => ${MD5}`]],
  [`${MD5}0`, []],
  ['3072:abcDEF+/xyz:ghiJKL/+uvw', ['ssdeep 3072:abcDEF+/xyz:ghiJKL/+uvw => unsupported']],
  ['12:34:56', []],
  // What MISP recognises but the module does not push, and what only looks like an indicator
  ['CVE-2021-44228', ['vulnerability CVE-2021-44228 => unsupported']],
  ['as13335', ['AS AS13335 => unsupported']],
  ['2024-01-15', []],
  ['+33123456789', ['phone-number +33123456789 => unsupported']],
  ['C:\\Windows\\evil.dll', ['filename C:\\Windows\\evil.dll => unsupported']],
  ['HKLM\\Software\\Run', ['regkey HKLM\\Software\\Run => unsupported']],
  ['bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', ['btc bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq => unsupported']],
  ['word', []],
  ['http://', []],
  // Lines of several tokens
  ['C2 at 203.0.113.7 and evil-site.com; backup evil-site.com', ['ip-dst 203.0.113.7 => 203.0.113.7', 'domain evil-site.com => evil-site.com']],
  ['#comment evil-site.com', ['domain evil-site.com => evil-site.com']],
  ['evil-site.com\u00a0203.0.113.7', ['domain evil-site.com => evil-site.com', 'ip-dst 203.0.113.7 => 203.0.113.7']],
  ['203.0.113.7,198.51.100.9', ['ip-dst 203.0.113.7 => 203.0.113.7', 'ip-dst 198.51.100.9 => 198.51.100.9']],
];

function outcome(type: string, value: string): string {
  const result = normaliser.normalise(type, value);
  return result.status === 'ok' ? result.indicator.value : result.status;
}

describe('the free-text indicator extractor', () => {
  it('has at least 60 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES)('%j', (line, expected) => {
    const found = [...extractFromFreeText(line)].map(({ type, value }) => `${type} ${value} => ${outcome(type, value)}`);
    expect(found).toEqual(expected);
  });

  it('refangs as MISP does, and leaves a live value alone', () => {
    expect(refang('hXXp://a[.]b[dot]c(dot)d[:]80/x')).toBe('http://a.b.c.d:80/x');
    expect(refang('evil-site.com')).toBe('evil-site.com');
  });

  it('yields each value once, across lines, and leaves out what the exclusion matches', () => {
    const text = 'evil-site.com\r\nwww.evil-site.com\nevil-site.com\r203.0.113.7\n';
    expect([...extractFromFreeText(text)].map((indicator) => indicator.value)).toEqual(['evil-site.com', 'www.evil-site.com', '203.0.113.7']);
    expect([...extractFromFreeText(text, /^www\./)].map((indicator) => indicator.value)).toEqual(['evil-site.com', '203.0.113.7']);
  });
});
