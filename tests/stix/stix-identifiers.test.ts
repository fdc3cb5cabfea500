import { describe, expect, it } from 'vitest';
import { canonicalJson, isUuid, STIX_OBSERVABLE_NAMESPACE, stixIdOf, uuidV5 } from '../../misp_modules/stix/stix-identifiers.js';
import { observableId } from '../../misp_modules/stix/observable-builder.js';

describe('uuidV5', () => {
  it('matches the published test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('namespace', 'x')).toThrow('namespace is not a UUID');
  });

  it('tells UUIDs from other text', () => {
    expect(isUuid('2ED6657D-E927-568B-95E1-2665A8AEA6A2')).toBe(true);
    expect(isUuid('2ed6657d-e927-568b-95e1-2665a8aea6a')).toBe(false);
    expect(isUuid('2ed6657d-e927-568b-95e1-2665a8aea6a2\n')).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 'x', y: true }], c: 'é' }, u: undefined })).toBe(
      '{"a":{"c":"é","d":[2,{"y":true,"z":"x"}]},"b":1}',
    );
  });
});

describe('observableId', () => {
  // Ids computed with Python: uuid.uuid5(UUID(namespace), json.dumps(props, sort_keys=True, separators=(',', ':'))).
  it('follows the STIX recipe: UUIDv5 in the STIX namespace over the contributing properties', () => {
    expect(STIX_OBSERVABLE_NAMESPACE).toBe('00abedb4-aa42-466c-9c01-fed23315a9b7');
    expect(observableId('ipv4-addr', { value: '203.0.113.9' })).toBe('ipv4-addr--39090fdc-366e-571f-ab5b-d05e2918f88f');
    expect(observableId('domain-name', { value: 'mail.example.net', resolves_to_refs: ['ipv4-addr--39090fdc-366e-571f-ab5b-d05e2918f88f'] })).toBe(
      'domain-name--bc14bc83-4e80-5e73-a9e6-02c908b6363f',
    );
  });

  it('uses one hash, the first of MD5, SHA-1, SHA-256, SHA-512 present', () => {
    const withSha1 = observableId('file', { hashes: { 'SHA-256': 'b', 'SHA-1': 'a' }, size: 3 });
    expect(withSha1).toBe(observableId('file', { hashes: { 'SHA-1': 'a' } }));
    expect(withSha1).toBe('file--63d7545d-b4cd-5556-8e85-ace45f598548');
  });
});

describe('stixIdOf', () => {
  it('keeps an RFC UUID of MISP, lower-cased', () => {
    expect(stixIdOf('indicator', '5E396A1E-68E4-4DB5-8810-CA350ABA047C')).toBe('indicator--5e396a1e-68e4-4db5-8810-ca350aba047c');
  });

  it('derives a UUIDv5 from a MISP uuid STIX would refuse (no version or variant bits)', () => {
    // Python: uuid.uuid5(UUID('1a8312d8-ea98-4c6f-af43-bd6e28a0d962'), 'misp/11111111-1111-1111-1111-111111111111')
    expect(stixIdOf('indicator', '11111111-1111-1111-1111-111111111111')).toBe('indicator--b600293d-a7d9-59fb-a6a0-e6e55e6ff283');
  });
});
