import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkStixPattern,
  convertMispEvent,
  mispEventToStixBundle,
  NotAMispEventError,
  summariseSkipped,
  type SkippedElement,
  type StixObject,
} from '../../misp_modules/stix/index.js';
import { EVENT_UUID, ORGANISATION_UUID, PHISHING_CAMPAIGN_EVENT } from './misp-event-samples.js';

/** The whole bundle expected for the sample event, written out and checked by hand (observable ids computed with Python's uuid5). */
const EXPECTED_BUNDLE = JSON.parse(readFileSync(new URL('./expected/phishing-campaign-bundle.json', import.meta.url), 'utf8')) as unknown;

function minimalEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Event: {
      uuid: EVENT_UUID,
      info: 'Minimal',
      date: '2024-03-01',
      timestamp: '1709485200',
      Orgc: { name: 'Example CERT', uuid: ORGANISATION_UUID },
      ...extra,
    },
  };
}

function objectsOfType(objects: readonly StixObject[], type: string): StixObject[] {
  return objects.filter((object) => object.type === type);
}

describe('mispEventToStixBundle', () => {
  it('converts a whole event into the expected bundle', () => {
    expect(mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT)).toStrictEqual(EXPECTED_BUNDLE);
  });

  it('lists what it leaves out, with the reason', () => {
    const { skipped } = convertMispEvent(PHISHING_CAMPAIGN_EVENT);
    expect(skipped).toStrictEqual([
      { element: 'attribute', reference: 'a000000c-0000-4000-8000-00000000000c', mispType: 'domain', reason: 'deleted in MISP' },
      {
        element: 'attribute',
        reference: 'a000000a-0000-4000-8000-00000000000a',
        mispType: 'stix2-pattern',
        reason:
          'its STIX pattern fails the pattern check at character 1: comparisons joined by AND must all test the same object type, found ipv4-addr, url',
      },
      {
        element: 'attribute',
        reference: 'a000000b-0000-4000-8000-00000000000b',
        mispType: 'btc',
        reason: 'STIX has no mapping for the MISP type btc in this module',
      },
      {
        element: 'galaxy cluster',
        reference: 'd0000002-0000-4000-8000-000000000002',
        reason: 'the galaxy type sector has no STIX mapping in this module',
      },
    ]);
    const reported: SkippedElement[] = [];
    mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT, { onSkipped: (item) => reported.push(item) });
    expect(reported).toStrictEqual(skipped);
  });

  it('gives the same bundle every time, whether MISP wrote numbers and flags as strings or not', () => {
    const typed = structuredClone(PHISHING_CAMPAIGN_EVENT) as { Event: { timestamp: unknown; publish_timestamp: unknown; Attribute: Array<Record<string, unknown>> } };
    typed.Event.timestamp = 1709485200;
    typed.Event.publish_timestamp = 1709488800;
    for (const attribute of typed.Event.Attribute) {
      attribute.timestamp = Number(attribute.timestamp);
      attribute.to_ids = attribute.to_ids === true || attribute.to_ids === '1';
    }
    expect(mispEventToStixBundle(typed)).toStrictEqual(EXPECTED_BUNDLE);
    expect(mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT)).toStrictEqual(mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT));
  });

  it('takes the bare event as well as {Event: ...}', () => {
    expect(mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT.Event)).toStrictEqual(EXPECTED_BUNDLE);
  });

  it('writes every pattern it emits so that the pattern check accepts it', () => {
    const stixIndicators = objectsOfType(mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT).objects, 'indicator').filter(
      (indicator) => indicator.pattern_type === 'stix',
    );
    expect(stixIndicators).toHaveLength(5);
    for (const indicator of stixIndicators) expect(checkStixPattern(indicator.pattern as string)).toEqual({ valid: true });
  });

  it('escapes quotes and backslashes of values in patterns', () => {
    const bundle = mispEventToStixBundle(
      minimalEvent({
        Attribute: [
          { uuid: 'a1000001-0000-4000-8000-000000000001', type: 'regkey', value: "HKLM\\Software\\It's", to_ids: '1', timestamp: '1709290000' },
          { uuid: 'a1000002-0000-4000-8000-000000000002', type: 'filename', value: "a'b\\'c\nd", to_ids: '1', timestamp: '1709290000' },
        ],
      }),
    );
    expect(objectsOfType(bundle.objects, 'indicator').map((indicator) => indicator.pattern)).toEqual([
      "[windows-registry-key:key = 'HKLM\\\\Software\\\\It\\'s']",
      "[file:name = 'a\\'b\\\\\\'c\nd']",
    ]);
  });

  it('joins several values of one property of an object by OR, and observables of different types as separate observations', () => {
    const bundle = mispEventToStixBundle(
      minimalEvent({
        Object: [
          {
            uuid: 'b3000001-0000-4000-8000-000000000001',
            name: 'domain-ip',
            timestamp: '1709290000',
            Attribute: [
              { uuid: 'b3100001-0000-4000-8000-000000000001', type: 'domain', value: 'cdn.example.org', to_ids: '1' },
              { uuid: 'b3100002-0000-4000-8000-000000000002', type: 'ip-dst', value: '192.0.2.10', to_ids: '1' },
              { uuid: 'b3100003-0000-4000-8000-000000000003', type: 'ip-dst', value: '192.0.2.11', to_ids: '0' },
              { uuid: 'b3100004-0000-4000-8000-000000000004', type: 'ip-dst', value: '2001:db8::5', to_ids: '0' },
            ],
          },
        ],
      }),
    );
    expect(objectsOfType(bundle.objects, 'indicator').map((indicator) => indicator.pattern)).toEqual([
      "[domain-name:value = 'cdn.example.org'] AND [(ipv4-addr:value = '192.0.2.10' OR ipv4-addr:value = '192.0.2.11')] AND [ipv6-addr:value = '2001:db8::5']",
    ]);
  });

  it('relates the galaxy clusters of an attribute to what the attribute became', () => {
    const malware = { uuid: 'd1000001-0000-4000-8000-000000000001', value: 'ExampleRAT', description: 'A remote access tool.' };
    const actor = { uuid: 'd1000002-0000-4000-8000-000000000002', value: 'Example Panda' };
    const mitigation = { uuid: 'd1000003-0000-4000-8000-000000000003', value: 'User Training - M1017', meta: { external_id: ['M1017'] } };
    const bundle = mispEventToStixBundle(
      minimalEvent({
        Attribute: [
          {
            uuid: 'a3000001-0000-4000-8000-000000000001',
            type: 'ip-dst',
            value: '198.51.100.20',
            to_ids: true,
            timestamp: '1709290000',
            Galaxy: [
              { type: 'mitre-malware', GalaxyCluster: [malware] },
              { type: 'mitre-course-of-action', GalaxyCluster: [mitigation] },
            ],
          },
          {
            uuid: 'a3000002-0000-4000-8000-000000000002',
            type: 'domain',
            value: 'panda.example.com',
            to_ids: false,
            timestamp: '1709290001',
            Galaxy: [{ type: 'threat-actor', GalaxyCluster: [actor] }, { type: 'mitre-malware', GalaxyCluster: [malware] }],
          },
        ],
      }),
    );
    const summary = bundle.objects
      .filter((object) => !['identity', 'report', 'domain-name'].includes(object.type))
      .map((object) => (object.type === 'relationship' ? `${object.source_ref as string} ${object.relationship_type as string} ${object.target_ref as string}` : object.id));
    expect(summary).toEqual([
      'indicator--a3000001-0000-4000-8000-000000000001',
      'observed-data--a3000002-0000-4000-8000-000000000002',
      'malware--d1000001-0000-4000-8000-000000000001',
      'indicator--a3000001-0000-4000-8000-000000000001 indicates malware--d1000001-0000-4000-8000-000000000001',
      'course-of-action--d1000003-0000-4000-8000-000000000003',
      'indicator--a3000001-0000-4000-8000-000000000001 related-to course-of-action--d1000003-0000-4000-8000-000000000003',
      'threat-actor--d1000002-0000-4000-8000-000000000002',
      'observed-data--a3000002-0000-4000-8000-000000000002 related-to threat-actor--d1000002-0000-4000-8000-000000000002',
      'observed-data--a3000002-0000-4000-8000-000000000002 related-to malware--d1000001-0000-4000-8000-000000000001',
    ]);
    expect(bundle.objects.find((object) => object.type === 'malware')).toStrictEqual({
      type: 'malware',
      spec_version: '2.1',
      id: 'malware--d1000001-0000-4000-8000-000000000001',
      created: '2024-03-03T17:00:00.000Z',
      modified: '2024-03-03T17:00:00.000Z',
      created_by_ref: `identity--${ORGANISATION_UUID}`,
      name: 'ExampleRAT',
      description: 'A remote access tool.',
      is_family: true,
    });
    expect(bundle.objects.find((object) => object.type === 'course-of-action')).toMatchObject({
      external_references: [{ source_name: 'mitre-attack', external_id: 'M1017' }],
    });
  });

  it('refers its report to the organisation when the event has nothing to convert', () => {
    const bundle = mispEventToStixBundle(minimalEvent());
    expect(bundle.objects.map((object) => object.id)).toEqual([
      `identity--${ORGANISATION_UUID}`,
      `report--${EVENT_UUID}`,
    ]);
    expect(bundle.objects[1]).toMatchObject({ object_refs: [`identity--${ORGANISATION_UUID}`], published: '2024-03-03T17:00:00.000Z' });
  });

  it('maps TLP 2.0 tags to the standard TLP markings', () => {
    const markingsOf = (tag: string): unknown[] =>
      objectsOfType(mispEventToStixBundle(minimalEvent({ Tag: [{ name: tag }] })).objects, 'marking-definition').map((marking) => marking.id);
    expect(markingsOf('tlp:clear')).toEqual(['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9']);
    expect(markingsOf('TLP:GREEN')).toEqual(['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da']);
    expect(markingsOf('tlp:amber+strict')).toEqual(['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82']);
    expect(markingsOf('tlp:ex:chr')).toEqual([]);
  });

  it('reports attribute values that do not fit their type, and keeps the rest', () => {
    const { bundle, skipped } = convertMispEvent(
      minimalEvent({
        Attribute: [
          { uuid: 'a2000001-0000-4000-8000-000000000001', type: 'ip-dst|port', value: '192.0.2.1', to_ids: true, timestamp: '1709290000' },
          { uuid: 'a2000002-0000-4000-8000-000000000002', type: 'AS', value: 'AS-BAD', to_ids: false, timestamp: '1709290000' },
          { uuid: 'a2000003-0000-4000-8000-000000000003', type: 'user-agent', value: 'Mozilla/5.0', to_ids: false, timestamp: '1709290000' },
          { uuid: 'a2000005-0000-4000-8000-000000000005', type: 'size-in-bytes', value: '1024', to_ids: false, timestamp: '1709290000' },
          { type: 'domain', value: 'no-uuid.example.com', to_ids: true },
          'not an attribute',
          { uuid: 'a2000004-0000-4000-8000-000000000004', type: 'domain', value: 'kept.example.com', to_ids: true, timestamp: '1709290000' },
        ],
      }),
    );
    expect(skipped).toStrictEqual([
      { element: 'attribute', reference: 'Attribute[4]', mispType: 'domain', reason: 'no valid uuid' },
      { element: 'attribute', reference: 'Attribute[5]', reason: 'not a JSON object' },
      { element: 'attribute', reference: 'a2000001-0000-4000-8000-000000000001', mispType: 'ip-dst|port', reason: 'ip-dst|port values need 2 parts separated by "|"' },
      { element: 'attribute', reference: 'a2000002-0000-4000-8000-000000000002', mispType: 'AS', reason: '"AS-BAD" is not a whole number, as AS needs' },
      {
        element: 'attribute',
        reference: 'a2000003-0000-4000-8000-000000000003',
        mispType: 'user-agent',
        reason: 'without the IDS flag it can only be observed-data, and user-agent values have no STIX observable form',
      },
      {
        element: 'attribute',
        reference: 'a2000005-0000-4000-8000-000000000005',
        mispType: 'size-in-bytes',
        reason: 'without the IDS flag it can only be observed-data, and a file observable needs one of hashes, name',
      },
    ]);
    expect(objectsOfType(bundle.objects, 'indicator').map((indicator) => indicator.pattern)).toEqual(["[domain-name:value = 'kept.example.com']"]);
  });

  it('keeps the first of two elements with one uuid, and emits only the markings it uses', () => {
    const { bundle, skipped } = convertMispEvent(
      minimalEvent({
        Attribute: [
          { uuid: 'a5000001-0000-4000-8000-000000000001', type: 'domain', value: 'first.example.com', to_ids: true, timestamp: '1709290000' },
          { uuid: 'a5000001-0000-4000-8000-000000000001', type: 'domain', value: 'second.example.com', to_ids: true, timestamp: '1709290000' },
          { uuid: 'a5000002-0000-4000-8000-000000000002', type: 'btc', value: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', to_ids: true, Tag: [{ name: 'tlp:red' }] },
        ],
      }),
    );
    expect(objectsOfType(bundle.objects, 'indicator').map((indicator) => indicator.pattern)).toEqual(["[domain-name:value = 'first.example.com']"]);
    expect(objectsOfType(bundle.objects, 'marking-definition')).toEqual([]);
    expect(skipped.map((item) => item.reason)).toEqual([
      'its STIX id indicator--a5000001-0000-4000-8000-000000000001 is already in the bundle (the same uuid twice in the event)',
      'STIX has no mapping for the MISP type btc in this module',
    ]);
  });

  it("counts an indicator's sightings, leaving out false positives and expirations", () => {
    const bundle = mispEventToStixBundle(
      minimalEvent({
        Tag: [{ name: 'tlp:green' }],
        Attribute: [
          {
            uuid: 'a6000001-0000-4000-8000-000000000001',
            type: 'domain',
            value: 'seen.example.com',
            to_ids: true,
            timestamp: '1709290000',
            Sighting: [
              { type: '0', date_sighting: '1709400000' },
              { type: '0', date_sighting: '1709300000' },
              { type: '1', date_sighting: '1709500000' },
              { type: '2', date_sighting: '1709600000' },
            ],
          },
          {
            uuid: 'a6000002-0000-4000-8000-000000000002',
            type: 'domain',
            value: 'observed.example.com',
            to_ids: false,
            timestamp: '1709290000',
            Sighting: [{ type: '0', date_sighting: '1709400000' }],
          },
        ],
      }),
    );
    expect(objectsOfType(bundle.objects, 'sighting')).toStrictEqual([
      {
        type: 'sighting',
        spec_version: '2.1',
        id: 'sighting--0ef4e269-d435-55df-b595-7ac02b2554f3',
        created: '2024-03-02T17:20:00.000Z',
        modified: '2024-03-02T17:20:00.000Z',
        created_by_ref: `identity--${ORGANISATION_UUID}`,
        object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
        sighting_of_ref: 'indicator--a6000001-0000-4000-8000-000000000001',
        first_seen: '2024-03-01T13:33:20.000Z',
        last_seen: '2024-03-02T17:20:00.000Z',
        count: 2,
      },
    ]);
  });

  it('reports element lists that are not lists', () => {
    const { skipped } = convertMispEvent(
      minimalEvent({ Attribute: { uuid: 'a4000001-0000-4000-8000-000000000001' }, Object: 'none', Galaxy: 3 }),
    );
    expect(skipped).toStrictEqual([
      { element: 'attribute', reference: 'Attribute', reason: 'Attribute is not a list' },
      { element: 'object', reference: 'Object', reason: 'Object is not a list' },
      { element: 'galaxy cluster', reference: 'Galaxy', reason: 'Galaxy is not a list' },
    ]);
  });

  it('summarises what it left out in one sentence', () => {
    const { skipped } = convertMispEvent(PHISHING_CAMPAIGN_EVENT);
    expect(summariseSkipped(EVENT_UUID, [])).toBeUndefined();
    expect(summariseSkipped(EVENT_UUID, skipped.slice(0, 1))).toBe(
      `MISP event ${EVENT_UUID}: 1 element left out of the STIX bundle: attribute a000000c-0000-4000-8000-00000000000c (domain): deleted in MISP.`,
    );
    expect(summariseSkipped(EVENT_UUID, skipped, 2)).toBe(
      `MISP event ${EVENT_UUID}: 4 elements left out of the STIX bundle: ` +
        'attribute a000000c-0000-4000-8000-00000000000c (domain): deleted in MISP; ' +
        'attribute a000000a-0000-4000-8000-00000000000a (stix2-pattern): its STIX pattern fails the pattern check at character 1: ' +
        'comparisons joined by AND must all test the same object type, found ipv4-addr, url; and 2 more.',
    );
  });

  it.each([
    [null, 'it is not a JSON object'],
    [[], 'it is not a JSON object'],
    ['{"Event": {}}', 'it is not a JSON object'],
    [{}, 'it has no Event object'],
    [{ Event: 'x' }, 'its Event is not a JSON object'],
    [{ Event: { info: 'x', timestamp: '1' } }, 'the event has no valid uuid'],
    [{ Event: { uuid: 'not-a-uuid', timestamp: '1' } }, 'the event has no valid uuid'],
    [{ Event: { uuid: EVENT_UUID, info: 'x' } }, `the event ${EVENT_UUID} has no timestamp`],
    [{ Event: { uuid: EVENT_UUID, timestamp: '1' } }, `the event ${EVENT_UUID} has neither a creating organisation nor any element to convert`],
  ])('refuses %j with a NotAMispEventError', (input, problem) => {
    let thrown: unknown;
    try {
      mispEventToStixBundle(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NotAMispEventError);
    expect((thrown as NotAMispEventError).problem).toBe(problem);
    expect((thrown as Error).message).toBe(
      `The input is not a MISP event: ${problem}. Give the event as MISP exports it ({"Event": {...}}).`,
    );
  });
});
