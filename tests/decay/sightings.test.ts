import { describe, expect, it } from 'vitest';
import { SightingsAnswerError } from '../../misp_modules/decay/errors/index.js';
import {
  EXPIRATION,
  FALSE_POSITIVE,
  parseSightings,
  SIGHTING,
  sightingsByAttribute,
  sightingsSearchFilters,
} from '../../misp_modules/decay/sightings.js';
import { thrown } from '../support/thrown.js';

const ATTRIBUTE_A = '5f0c3b52-1111-4d2a-9a51-0a0000000001';
const ATTRIBUTE_B = '5f0c3b52-2222-4d2a-9a51-0a0000000002';

/** One sighting as `sightings/restSearch` with includeUuid writes it: every integer as a string. */
function sighting(attributeUuid: string, type: string, date: string, id: string): Record<string, unknown> {
  return {
    Sighting: {
      id,
      attribute_id: '881',
      event_id: '12',
      org_id: '1',
      date_sighting: date,
      uuid: `0b7a3b2e-0000-4000-8000-00000000000${id}`,
      source: '',
      type,
      value: '198.51.100.7',
      attribute_uuid: attributeUuid,
      event_uuid: '6a1e0f9c-0000-4000-8000-000000000012',
      Organisation: { id: '1', uuid: '55f6ea5e-0000-4000-8000-000000000001', name: 'ORGNAME' },
    },
  };
}

describe('sightings from sightings/restSearch', () => {
  it('reads the attribute, the type and the date of each sighting', () => {
    const answer = { response: [sighting(ATTRIBUTE_A, '0', '1714636800', '1'), sighting(ATTRIBUTE_B, '1', '1714640400', '2')] };
    expect(parseSightings(answer)).toEqual([
      { attributeUuid: ATTRIBUTE_A, type: SIGHTING, dateSighting: 1_714_636_800 },
      { attributeUuid: ATTRIBUTE_B, type: FALSE_POSITIVE, dateSighting: 1_714_640_400 },
    ]);
    expect(parseSightings({ response: [] })).toEqual([]);
  });

  it.each([
    [{ response: { Sighting: [] } }, /the answer is an object with keys "response", not \{"response": \[...\]\}/],
    [{ response: [{ id: '1' }] }, /sighting 1 is an object with keys "id", not \{"Sighting": \{...\}\}/],
    [{ response: [{ Sighting: { uuid: 'abc', type: '0', date_sighting: '1' } }] }, /sighting 1 \(abc\) has no attribute_uuid \(the search must ask for includeUuid\)/],
    [{ response: [sighting(ATTRIBUTE_A, '3', '1714636800', '1')] }, /has a type that is the text "3", not 0, 1 or 2/],
    [{ response: [sighting(ATTRIBUTE_A, '0', '2024-05-02 08:00:00', '1')] }, /has a date_sighting that is the text "2024-05-02 08:00:00", not epoch seconds/],
  ])('names what is wrong in a malformed answer (%#)', (answer, message) => {
    const error = thrown(() => parseSightings(answer), SightingsAnswerError);
    expect(error.message).toMatch(/^MISP's sightings search \(sightings\/restSearch\) answer cannot be read: /);
    expect(error.message).toMatch(message);
  });

  it('keeps the latest sighting of each attribute and the attributes reported as false positives', () => {
    const folded = sightingsByAttribute([
      { attributeUuid: ATTRIBUTE_A, type: SIGHTING, dateSighting: 200 },
      { attributeUuid: ATTRIBUTE_A, type: SIGHTING, dateSighting: 500 },
      { attributeUuid: ATTRIBUTE_A, type: SIGHTING, dateSighting: 300 },
      // An expiration does not move the origin of MISP's decay, nor does a false positive.
      { attributeUuid: ATTRIBUTE_A, type: EXPIRATION, dateSighting: 900 },
      { attributeUuid: ATTRIBUTE_B, type: FALSE_POSITIVE, dateSighting: 700 },
    ]);
    expect(folded.lastSighting).toEqual(new Map([[ATTRIBUTE_A, 500]]));
    expect(folded.falsePositive).toEqual(new Set([ATTRIBUTE_B]));
  });

  it('asks for the sightings of the given attributes within a window, with their uuids', () => {
    expect(sightingsSearchFilters([ATTRIBUTE_A], 100, 400)).toEqual({
      returnFormat: 'json',
      context: 'attribute',
      uuid: [ATTRIBUTE_A],
      from: 100,
      to: 400,
      includeUuid: true,
    });
  });
});
