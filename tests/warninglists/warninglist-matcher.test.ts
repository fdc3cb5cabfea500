import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CidrIndex } from '../../misp_modules/warninglists/cidr-index.js';
import { translatePcre } from '../../misp_modules/warninglists/pcre-pattern.js';
import { combineWarninglists, compileWarninglist, type WarninglistDefinition } from '../../misp_modules/warninglists/warninglist-matcher.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';

const list = (type: string, entries: string[], attributeTypes: string[] = ['ALL'], name = `${type} list`): WarninglistDefinition => ({ id: name, name, type, attributeTypes, entries });
const matcherOf = (...definitions: WarninglistDefinition[]) => combineWarninglists(definitions.map(compileWarninglist));

describe('warninglist types, matched as MISP matches them', () => {
  it('string: the whole value, case counting', () => {
    const matcher = matcherOf(list('string', ['d41d8cd98f00b204e9800998ecf8427e']));
    expect(matcher.listOf('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toBe('string list');
    expect(matcher.listOf('md5', 'D41D8CD98F00B204E9800998ECF8427E')).toBeUndefined();
    expect(matcher.listOf('md5', 'd41d8cd98f00b204e9800998ecf8427e0')).toBeUndefined();
  });

  it('substring: an entry anywhere in the value, case counting', () => {
    const matcher = matcherOf(list('substring', ['.amazonaws.com']));
    expect(matcher.listOf('domain', 's3.eu-west-1.amazonaws.com')).toBe('substring list');
    expect(matcher.listOf('url', 'https://bucket.amazonaws.com/x')).toBe('substring list');
    expect(matcher.listOf('domain', 'amazonaws.com')).toBeUndefined();
    expect(matcher.listOf('domain', 'X.AMAZONAWS.COM')).toBeUndefined();
  });

  it('hostname: the host and its parent domains, the host taken from a URL or a path', () => {
    const matcher = matcherOf(list('hostname', ['Bit.ly.', 'goo.gl']));
    expect(matcher.listOf('domain', 'bit.ly')).toBe('hostname list');
    expect(matcher.listOf('hostname', 'www.bit.ly')).toBe('hostname list');
    expect(matcher.listOf('domain', 'bit.ly.')).toBe('hostname list');
    expect(matcher.listOf('url', 'https://goo.gl/abc?x=1')).toBe('hostname list');
    expect(matcher.listOf('url', 'goo.gl/abc')).toBe('hostname list');
    expect(matcher.listOf('domain', 'notbit.ly')).toBeUndefined();
    expect(matcher.listOf('domain', 'bit.ly.example.com')).toBeUndefined();
    // MISP lowers the entries, not the value.
    expect(matcher.listOf('domain', 'BIT.LY')).toBeUndefined();
    // The port stays part of the host, as in MISP.
    expect(matcher.listOf('url', 'http://bit.ly:8080/x')).toBeUndefined();
  });

  it('cidr: IPv4 and IPv6 networks, single addresses, ranges held whole, and nothing else', () => {
    const matcher = matcherOf(list('cidr', ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '2606:4700:4700::1111', 'not an address', '1.2.3.4/33', '172.16.5.0/12']));
    for (const value of ['10.1.2.3', '10.0.0.0/16', '192.168.1.7', '2001:db8:1::5', '2001:DB8::1', '2606:4700:4700::1111', '2001:db8::/48']) {
      expect(matcher.listOf('ip-dst', value), value).toBe('cidr list');
    }
    for (const value of ['11.0.0.1', '10.0.0.0/4', '192.168.1.8', '2001:db9::1', '2001:db8::/16', 'example.com', '', '010.1.2.3', 'fe80::1%eth0']) {
      expect(matcher.listOf('ip-dst', value), value).toBeUndefined();
    }
    // An IPv4 entry with host bits set never matches in MISP.
    expect(matcher.listOf('ip-dst', '172.16.5.1')).toBeUndefined();
    expect(matcher.listOf('ip-dst', '::ffff:10.0.0.1')).toBeUndefined();
  });

  it('cidr: IPv6 with an embedded IPv4 tail, and a /0 that holds everything of its family', () => {
    expect(new CidrIndex(['::ffff:10.0.0.0/104']).contains('::ffff:10.9.8.7')).toBe(true);
    const everything = new CidrIndex(['0.0.0.0/0']);
    expect(everything.contains('203.0.113.9')).toBe(true);
    expect(everything.contains('2001:db8::1')).toBe(false);
  });

  it('regex: PCRE delimiters and modifiers', () => {
    const matcher = matcherOf(list('regex', ['/^evil\\.example$/i', '#^https?://intranet/#', '{^\\d{3}-\\d{4}$}']));
    expect(matcher.listOf('domain', 'EVIL.example')).toBe('regex list');
    expect(matcher.listOf('url', 'http://intranet/login')).toBe('regex list');
    expect(matcher.listOf('text', '555-1234')).toBe('regex list');
    expect(matcher.listOf('domain', 'evil.example.org')).toBeUndefined();
  });

  it('a list applies to the types it names, or to all with ALL', () => {
    const matcher = matcherOf(list('string', ['1.1.1.1'], ['ip-dst'], 'resolvers'), list('string', ['x'], ['ALL'], 'everything'));
    expect(matcher.listOf('ip-dst', '1.1.1.1')).toBe('resolvers');
    expect(matcher.listOf('ip-src', '1.1.1.1')).toBeUndefined();
    expect(matcher.listOf('comment', 'x')).toBe('everything');
    expect(matcherOf(list('string', ['x'], [])).listOf('comment', 'x')).toBeUndefined();
  });

  it('composite values: cut at the first |, either part may match', () => {
    const matcher = matcherOf(
      list('cidr', ['8.8.8.8'], ['ip-dst|port', 'domain|ip'], 'resolvers'),
      list('string', ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'], ['filename|sha256'], 'empty'),
      list('hostname', ['example.org'], ['domain|ip'], 'hosts'),
    );
    expect(matcher.listOf('ip-dst|port', '8.8.8.8|53')).toBe('resolvers');
    expect(matcher.listOf('domain|ip', 'dns.example.com|8.8.8.8')).toBe('resolvers');
    expect(matcher.listOf('domain|ip', 'www.example.org|203.0.113.1')).toBe('hosts');
    expect(matcher.listOf('filename|sha256', 'empty.txt|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe('empty');
    expect(matcher.listOf('ip-dst|port', '9.9.9.9|8.8.8.8')).toBe('resolvers');
    expect(matcher.listOf('ip-dst', '8.8.8.8|53')).toBeUndefined();
  });

  it('the first list that holds the value is the one counted', () => {
    const matcher = matcherOf(list('cidr', ['8.8.8.0/24'], ['ip-dst'], 'first'), list('cidr', ['8.8.8.8'], ['ip-dst'], 'second'));
    expect(matcher.listOf('ip-dst', '8.8.8.8')).toBe('first');
  });

  it('names what it cannot use: an unknown type, a pattern JavaScript cannot read', () => {
    expect(compileWarninglist(list('bloom', ['x'])).problems).toEqual(['its type "bloom" is unknown, so it matches nothing']);
    const regex = compileWarninglist(list('regex', ['/a(?>b)c/', '/^ok$/', 'nodelimiter']));
    expect(regex.problems).toHaveLength(2);
    expect(regex.problems[0]).toContain('atomic group');
    expect(regex.has('ok')).toBe(true);
    expect(regex.has('abc')).toBe(false);
  });
});

describe('PCRE patterns in JavaScript', () => {
  const translated = (pattern: string): RegExp => {
    const result = translatePcre(pattern);
    if (!result.ok) throw new Error(result.reason);
    return result.regexp;
  };

  it.each([
    ['/^a\\/b$/', 'a/b', 'a\\b'],
    ['~^x~i', 'X', 'y'],
    ['(^(a|b)$)', 'b', 'c'],
    ['/\\Aabc\\z/m', 'abc', 'x\nabc'],
    ['/^[[:digit:]]+$/', '123', '12a'],
    ['/^a b # comment\n c$/x', 'abc', 'a b c'],
    ['/(?i)^abc$/', 'ABC', 'abd'],
    ['/^(?P<word>a)(?P=word)$/', 'aa', 'ab'],
    ['/^\\Qa.b\\E$/', 'a.b', 'axb'],
    ['/^[]a]+$/', ']a', 'b'],
    ['/^a(?#note)b$/', 'ab', 'a(?#note)b'],
    ['/^\\x{41}$/', 'A', 'B'],
  ])('%s', (pattern, matching, other) => {
    const regexp = translated(pattern);
    expect(regexp.test(matching)).toBe(true);
    expect(regexp.test(other)).toBe(false);
  });

  it.each([
    ['/a++/', 'possessive'],
    ['/a(?R)?b/', 'recursion'],
    ['/a/U', 'modifier "U"'],
    ['/a\\Kb/', '\\K'],
    ['/a(?i)b/', 'inline flags'],
    ['/abc', 'no closing delimiter'],
    ['abc', 'delimiter'],
    ['/a(b/', 'JavaScript does not read it'],
  ])('refuses %s', (pattern, reason) => {
    const result = translatePcre(pattern);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

interface ListFile {
  name: string;
  type: string;
  matching_attributes: string[];
  list: string[];
}
const listFile = (file: string): WarninglistDefinition => {
  const read = JSON.parse(readFileSync(fixturePath(`misp-warninglists/${file}`), 'utf8')) as ListFile;
  return { id: file, name: read.name, type: read.type, attributeTypes: read.matching_attributes, entries: read.list };
};

describeWithFixtures('the real warninglists of misp-warninglists', () => {
  it('public DNS resolvers (IPv4, 62,745 entries): every entry matches, its neighbours of another network do not', () => {
    const definition = listFile('public-dns-v4.json');
    const matcher = matcherOf(definition);
    expect(definition.entries.length).toBeGreaterThan(60_000);
    for (const entry of definition.entries) expect(matcher.listOf('ip-dst', entry)).toBe(definition.name);
    expect(matcher.listOf('ip-dst', '8.8.8.8')).toBe(definition.name);
    expect(matcher.listOf('domain|ip', 'dns.google|8.8.4.4')).toBe(definition.name);
    expect(matcher.listOf('ip-dst', '203.0.113.77')).toBeUndefined();
    expect(matcher.listOf('domain', '8.8.8.8')).toBeUndefined();
  });

  it('public DNS resolvers (IPv6), RFC 1918, sinkholes', () => {
    const matcher = matcherOf(listFile('public-dns-v6.json'), listFile('rfc1918.json'), listFile('sinkholes.json'));
    expect(matcher.listOf('ip-dst', '2001:4860:4860::8888')).toBe('List of known IPv6 public DNS resolvers');
    expect(matcher.listOf('ip-src', '172.31.255.254')).toBe('List of RFC 1918 CIDR blocks');
    expect(matcher.listOf('ip-src', '172.32.0.1')).toBeUndefined();
    const sinkhole = listFile('sinkholes.json').entries.find((entry) => !entry.includes('/') && !entry.includes(':')) as string;
    expect(matcher.listOf('ip-dst', sinkhole)).toBe('List of known sinkholes');
  });

  it('URL shorteners (hostname) and the hashes of empty files (string)', () => {
    const matcher = matcherOf(listFile('url-shortener.json'), listFile('empty-hashes.json'));
    expect(matcher.listOf('domain', 'bit.ly')).toBe('List of known URL Shorteners domains');
    expect(matcher.listOf('hostname', 'www.bit.ly')).toBe('List of known URL Shorteners domains');
    expect(matcher.listOf('domain', 'example.com')).toBeUndefined();
    expect(matcher.listOf('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe('List of known hashes for empty files');
    expect(matcher.listOf('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toBe('List of known hashes for empty files');
  });
});
