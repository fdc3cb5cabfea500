import { beforeAll, describe, expect, it } from 'vitest';
import {
  normaliseAttribute,
  supportedMispTypes,
  type NormaliseResult,
} from '../../misp_modules/iocs/normalise-attribute.js';
import { describeWithFixtures } from '../support/fixtures.js';
import { certFrValuesOfType, restSearchAttributes, type FixtureAttribute } from './misp-fixture.js';

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** A valid value of every supported type: [before the pushed part, pushed part, after it]. */
const VALID: Record<string, readonly [string, string, string]> = {
  'ip-dst': ['', '103.240.203.232', ''],
  'ip-dst|port': ['', '185.208.211.17', '|2127'],
  domain: ['', 'defenceiq.us', ''],
  'domain|ip': ['', 'defenceiq.us', '|103.240.203.232'],
  url: ['', 'http://defenceiq.us/2rfKZL_BGwEQ', ''],
  md5: ['', 'df895e6479abf85c4c65d7d3a2451ddb', ''],
  sha1: ['', '86092636e7ffa22481ca89ac1b023c32c56b24cf', ''],
  sha256: ['', '6ffaa374cfa9504b061b52a353913c6c120bd4fe43e1a79f69fba7f964e30a4e', ''],
  'filename|md5': ['uhfx.dll|', '6db7ad23186f445c410f59a41e7f8ac5', ''],
  'filename|sha1': ['uhfx.dll|', '86092636e7ffa22481ca89ac1b023c32c56b24cf', ''],
  'filename|sha256': ['uhfx.dll|', 'a46905252567ed2fe17a407d8ae14036fde180f0a42756304109f34d1e8ad872', ''],
};

/** Characters that add or split a line: refused anywhere in the attribute value. */
const LINE_BREAKERS = ['\n', '\r', '\r\n', '\v', '\f', '\0', '\t', '\x1b', '\x7f', '\u0085', '\u2028', '\u2029'];

/**
 * Blanks and invisible characters: refused in the pushed part (the filename of filename|sha256
 * may hold spaces; its hash may not).
 */
const BLANKS = [' ', '\u00a0', '\u1680', '\u2003', '\u3000', '\u200b', '\u200e', '\u202e', '\u00ad', '\ufeff', '\ud800'];

function insertions(text: string, bad: string): string[] {
  const middle = Math.floor(text.length / 2);
  return [bad + text, text.slice(0, middle) + bad + text.slice(middle), text + bad];
}

describe('values that try to add or alter a line', () => {
  it.each([
    ['ip-dst', '1.2.3.4\n5.6.7.8'],
    ['ip-dst', '1.2.3.4\n'],
    ['domain', 'evil.com\r\n'],
    ['domain', 'evil.com\n'],
    ['domain', 'bücher.de\n'],
    ['url', 'http://a.com/\u2028x'],
    ['url', 'http://a.com/\r\nhttp://b.com/'],
    ['md5', 'df895e6479abf85c4c65d7d3a2451ddb\n'],
    ['ip-dst|port', '1.2.3.4|80\n5.6.7.8'],
    ['domain|ip', 'evil.com|1.2.3.4\nevil2.com'],
    ['filename|sha256', 'a.exe\n|6ffaa374cfa9504b061b52a353913c6c120bd4fe43e1a79f69fba7f964e30a4e'],
  ])('%s %j is invalid', (type, value) => {
    const result = normaliseAttribute(type, value);
    expect(result.status).toBe('invalid');
  });

  it('refuses a line-breaking or control character anywhere in the value, for every type', () => {
    let checked = 0;
    for (const type of supportedMispTypes()) {
      const [before, pushed, after] = VALID[type]!;
      const valid = before + pushed + after;
      expect(normaliseAttribute(type, valid).status).toBe('ok');
      for (const bad of LINE_BREAKERS) {
        for (const value of insertions(valid, bad)) {
          expect(normaliseAttribute(type, value).status, `${type} ${JSON.stringify(value)}`).toBe('invalid');
          checked++;
        }
      }
    }
    expect(checked).toBe(supportedMispTypes().length * LINE_BREAKERS.length * 3);
  });

  it('refuses whitespace or an invisible character anywhere in the pushed part, for every type', () => {
    let checked = 0;
    for (const type of supportedMispTypes()) {
      const [before, pushed, after] = VALID[type]!;
      for (const bad of BLANKS) {
        for (const part of insertions(pushed, bad)) {
          const value = before + part + after;
          expect(normaliseAttribute(type, value).status, `${type} ${JSON.stringify(value)}`).toBe('invalid');
          checked++;
        }
      }
    }
    expect(checked).toBe(supportedMispTypes().length * BLANKS.length * 3);
  });

  it('gives a reason that says why, without repeating the value', () => {
    const result = normaliseAttribute('domain', 'evil.com\r\n');
    expect(result).toEqual({ status: 'invalid', reason: 'holds a line break or a control character' });
    expect(normaliseAttribute('ip-dst', '1.2.3.4 ')).toEqual({
      status: 'invalid',
      reason: 'holds whitespace or a control character',
    });
  });

  it('refuses a value that is not a string or is empty', () => {
    expect(normaliseAttribute('ip-dst', 1234 as unknown as string)).toEqual({ status: 'invalid', reason: 'is not a string' });
    expect(normaliseAttribute('ip-dst', null as unknown as string).status).toBe('invalid');
    expect(normaliseAttribute('domain', '')).toEqual({ status: 'invalid', reason: 'is empty' });
  });
});

describeWithFixtures('the real restSearch answer', () => {
  let attributes: readonly FixtureAttribute[];
  beforeAll(() => {
    attributes = restSearchAttributes();
  });
  const supported = new Set(supportedMispTypes());

  it('normalises every IDS-flagged attribute to ok, invalid with a reason, or unsupported', () => {
    expect(attributes.length).toBe(2611);
    const okPerType = new Map<string, number>();
    const lines: string[] = [];
    let invalid = 0;
    for (const attribute of attributes) {
      expect(attribute.to_ids).toBe(true);
      const result: NormaliseResult = normaliseAttribute(attribute.type, attribute.value);
      if (!supported.has(attribute.type)) {
        expect(result).toEqual({ status: 'unsupported' });
        continue;
      }
      if (result.status === 'invalid') {
        expect(result.reason).toMatch(/^[a-z].{5,}/);
        expect(result.reason).not.toContain(attribute.value);
        invalid++;
        continue;
      }
      expect(result.status).toBe('ok');
      if (result.status !== 'ok') continue;
      expect(result.indicator.value).toMatch(PRINTABLE_ASCII);
      lines.push(result.indicator.value);
      okPerType.set(attribute.type, (okPerType.get(attribute.type) ?? 0) + 1);
    }
    // The upload text splits back into exactly the values pushed.
    expect(lines.join('\n').split(/\r\n|[\n\r\u0085\u2028\u2029]/)).toEqual(lines);
    // Every supported type present in the data yields indicators; few values are refused.
    for (const type of new Set(attributes.map((attribute) => attribute.type))) {
      if (supported.has(type)) expect(okPerType.get(type), type).toBeGreaterThan(0);
    }
    expect(invalid).toBeGreaterThan(0);
    expect(invalid).toBeLessThan(20);
  });

  it('refuses the empty-file hashes and the malformed URLs it holds', () => {
    const refused = attributes
      .map((attribute) => ({ ...attribute, result: normaliseAttribute(attribute.type, attribute.value) }))
      .filter(({ result }) => result.status === 'invalid');
    const values = refused.map(({ value }) => value);
    expect(values).toContain('d41d8cd98f00b204e9800998ecf8427e');
    expect(values).toContain('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(values).toContain('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(values).toContain('Data/dtl.dat');
    expect(values).toContain('107.183.86');
    expect(values.filter((value) => value.includes('[base64 e-mail address]'))).toHaveLength(3);
  });

  it('accepts every IDS-flagged address and domain of the real CERT-FR feed', () => {
    for (const type of ['ip-dst', 'domain', 'url', 'md5', 'sha1', 'sha256']) {
      const values = certFrValuesOfType(type);
      expect(values.length, type).toBeGreaterThan(10);
      for (const value of values) {
        expect(normaliseAttribute(type, value).status, `${type} ${value}`).toBe('ok');
      }
    }
  });
});
