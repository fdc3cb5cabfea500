/**
 * The MISP → STIX type table: every row gives a valid pattern and, where it says so, observables;
 * checked against MISP's own type list (`describeTypes.json` of the fixtures) for coverage.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldValues } from '../../misp_modules/stix/field-values.js';
import { buildObservables, unmetRequirement } from '../../misp_modules/stix/observable-builder.js';
import { checkStixPattern } from '../../misp_modules/stix/pattern-validator.js';
import { quoteStixString, writePattern } from '../../misp_modules/stix/pattern-writer.js';
import { CONTEXT_TYPE_TABLE, RULE_TYPE_TABLE, STIX_TYPE_TABLE } from '../../misp_modules/stix/stix-type-table.js';
import { IOC_TYPE_TABLE } from '../../misp_modules/iocs/ioc-types.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';

/** A plausible value for a row: digits for whole numbers, an IP where the field takes an address. */
function sampleValue(mispType: string): string {
  const row = STIX_TYPE_TABLE.find((candidate) => candidate.mispType === mispType)!;
  return row.fields
    .map((field) => (field.literal === 'integer' ? '443' : field.object === 'ip-addr' ? '192.0.2.1' : `sample-${field.property.join('-')}`))
    .join('|');
}

describe('STIX_TYPE_TABLE', () => {
  it('has one row per MISP type, none shared with the rule or context tables', () => {
    const types = [...STIX_TYPE_TABLE.map((row) => row.mispType), ...RULE_TYPE_TABLE.map((row) => row.mispType), ...Object.keys(CONTEXT_TYPE_TABLE)];
    expect(new Set(types).size).toBe(types.length);
  });

  it('covers every type the IOC collection trigger pushes, and common types beyond them', () => {
    const mapped = new Set(STIX_TYPE_TABLE.map((row) => row.mispType));
    const wanted = [
      ...IOC_TYPE_TABLE.map((row) => row.mispType),
      'email', 'email-subject', 'email-attachment', 'hostname', 'filename', 'regkey', 'regkey|value', 'mutex', 'AS',
      'mac-address', 'user-agent', 'x509-fingerprint-md5', 'x509-fingerprint-sha1', 'x509-fingerprint-sha256',
      'ja3-fingerprint-md5', 'ssdeep', 'imphash', 'uri', 'link', 'size-in-bytes',
    ];
    expect(wanted.filter((type) => !mapped.has(type))).toEqual([]);
  });

  it.each(STIX_TYPE_TABLE.map((row) => [row.mispType]))('%s gives a valid pattern', (mispType) => {
    const row = STIX_TYPE_TABLE.find((candidate) => candidate.mispType === mispType)!;
    const values = fieldValues(row, sampleValue(mispType));
    if (!values.ok) throw new Error(values.reason);
    const pattern = writePattern(values.values);
    expect(checkStixPattern(pattern)).toEqual({ valid: true });
    expect(pattern).toContain(row.fields[0]!.via?.object ?? (row.fields[0]!.object === 'ip-addr' ? 'ipv4-addr' : row.fields[0]!.object));
    if (row.observable !== false) {
      const observables = buildObservables(values.values);
      expect(observables.length).toBeGreaterThan(0);
      for (const observable of observables) expect(observable.id.startsWith(`${observable.type}--`)).toBe(true);
      // A file's size or media type is an observable only beside its name or a hash (in an object).
      const fileDetail = ['size-in-bytes', 'mime-type'].includes(mispType);
      expect(unmetRequirement(observables)).toBe(fileDetail ? 'a file observable needs one of hashes, name' : undefined);
    }
  });

  it('writes the literal patterns of the common types', () => {
    const patternOf = (mispType: string, value: string): string => {
      const row = STIX_TYPE_TABLE.find((candidate) => candidate.mispType === mispType)!;
      const values = fieldValues(row, value);
      if (!values.ok) throw new Error(values.reason);
      return writePattern(values.values);
    };
    expect(patternOf('sha256', 'ab')).toBe("[file:hashes.'SHA-256' = 'ab']");
    expect(patternOf('md5', 'ab')).toBe("[file:hashes.MD5 = 'ab']");
    expect(patternOf('filename|md5', 'a|b.exe|ab')).toBe("[file:name = 'a|b.exe' AND file:hashes.MD5 = 'ab']");
    expect(patternOf('domain|ip', 'example.com|2001:db8::1')).toBe(
      "[domain-name:value = 'example.com' AND domain-name:resolves_to_refs[*].value = '2001:db8::1']",
    );
    expect(patternOf('ip-src|port', '192.0.2.1|53')).toBe("[network-traffic:src_ref.value = '192.0.2.1' AND network-traffic:src_port = 53]");
    expect(patternOf('hostname|port', 'example.com|8080')).toBe("[network-traffic:dst_ref.value = 'example.com' AND network-traffic:dst_port = 8080]");
    expect(patternOf('AS', 'as64500')).toBe('[autonomous-system:number = 64500]');
    expect(patternOf('regkey|value', 'HKLM\\Run|evil.exe')).toBe(
      "[windows-registry-key:key = 'HKLM\\\\Run' AND windows-registry-key:values[*].data = 'evil.exe']",
    );
    expect(patternOf('user-agent', 'Mozilla/5.0')).toBe(
      "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla/5.0']",
    );
    expect(patternOf('x509-fingerprint-sha1', 'ab')).toBe("[x509-certificate:hashes.'SHA-1' = 'ab']");
    expect(patternOf('ja3-fingerprint-md5', 'ab')).toBe("[network-traffic:x_misp_ja3_fingerprint_md5 = 'ab']");
    expect(patternOf('email-attachment', 'a.pdf')).toBe("[email-message:body_multipart[*].body_raw_ref.name = 'a.pdf']");
    expect(patternOf('email-x-mailer', 'Mailer 1.0')).toBe("[email-message:additional_header_fields.'X-Mailer'[*] = 'Mailer 1.0']");
  });
});

describe('buildObservables', () => {
  it('fills lists of values and lists of objects', () => {
    const observablesOf = (mispType: string, value: string): unknown => {
      const row = STIX_TYPE_TABLE.find((candidate) => candidate.mispType === mispType)!;
      const values = fieldValues(row, value);
      if (!values.ok) throw new Error(values.reason);
      return buildObservables(values.values).map(({ id: _id, ...properties }) => properties);
    };
    expect(observablesOf('email-x-mailer', 'Mailer 1.0')).toEqual([
      { type: 'email-message', spec_version: '2.1', additional_header_fields: { 'X-Mailer': ['Mailer 1.0'] }, is_multipart: false },
    ]);
    expect(observablesOf('regkey|value', 'HKLM\\Run|evil.exe')).toEqual([
      { type: 'windows-registry-key', spec_version: '2.1', key: 'HKLM\\Run', values: [{ data: 'evil.exe' }] },
    ]);
    expect(observablesOf('ip-dst|port', '2001:db8::1|443')).toEqual([
      { type: 'network-traffic', spec_version: '2.1', dst_ref: 'ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26', dst_port: 443, protocols: ['ipv6'] },
      { type: 'ipv6-addr', spec_version: '2.1', value: '2001:db8::1' },
    ]);
  });
});

describe('quoteStixString', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['C:\\temp', "'C:\\\\temp'"],
    ["\\'", "'\\\\\\''"],
    ['', "''"],
    ['line\nbreak', "'line\nbreak'"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(quoteStixString(value)).toBe(quoted);
    expect(checkStixPattern(`[file:name = ${quoted}]`)).toEqual({ valid: true });
  });
});

describeWithFixtures("coverage of MISP's type list (describeTypes.json)", () => {
  const describeTypes = JSON.parse(readFileSync(fixturePath('misp-data/describeTypes.json'), 'utf8')) as {
    result: { types: string[]; sane_defaults: Record<string, { to_ids: number }> };
  };
  const mispTypes = new Set(describeTypes.result.types);
  const ourTypes = [...STIX_TYPE_TABLE.map((row) => row.mispType), ...RULE_TYPE_TABLE.map((row) => row.mispType), ...Object.keys(CONTEXT_TYPE_TABLE)];

  it('names only types MISP has', () => {
    expect(ourTypes.filter((type) => !mispTypes.has(type))).toEqual([]);
  });

  it('maps most of the types MISP flags for detection by default, and says which it does not', () => {
    const detectionTypes = describeTypes.result.types.filter((type) => describeTypes.result.sane_defaults[type]?.to_ids === 1);
    const ours = new Set(ourTypes);
    const unmapped = detectionTypes.filter((type) => !ours.has(type));
    const mappedShare = (detectionTypes.length - unmapped.length) / detectionTypes.length;
    console.info(
      `STIX mapping covers ${detectionTypes.length - unmapped.length} of the ${detectionTypes.length} MISP types flagged for detection by default ` +
        `(${ours.size} types in all); not mapped: ${unmapped.join(', ')}`,
    );
    expect(mappedShare).toBeGreaterThan(0.6);
  });
});
