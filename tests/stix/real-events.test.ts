/**
 * The converter on real public MISP events (the two feeds of the fixtures): every event converts,
 * every STIX pattern passes the pattern check, and every IDS-flagged element of a mapped type is an
 * indicator (counted here from the raw JSON, independently of the converter).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { checkStixPattern, convertMispEvent, RULE_TYPE_TABLE, STIX_TYPE_TABLE } from '../../misp_modules/stix/index.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';

interface RawAttribute {
  type: string;
  to_ids: boolean | string;
  deleted?: boolean | string;
}
interface RawEvent {
  Event: { Attribute?: RawAttribute[]; Object?: Array<{ Attribute?: RawAttribute[]; deleted?: boolean }> };
}

const isTrue = (value: unknown): boolean => value === true || value === '1' || value === 1;

describeWithFixtures('STIX conversion of the real MISP feeds', () => {
  const files = ['misp-feeds/circl-osint-sample', 'misp-feeds/cert-fr-anssi'].flatMap((folder) =>
    readdirSync(fixturePath(folder))
      .filter((name) => name.endsWith('.json') && name !== 'manifest.json')
      .map((name) => path.join(fixturePath(folder), name)),
  );
  const patternTypes = new Set([...STIX_TYPE_TABLE, ...RULE_TYPE_TABLE].map((row) => row.mispType));
  const ruleTypes = new Set(RULE_TYPE_TABLE.map((row) => row.mispType));

  it('converts all 59 events with valid patterns and one indicator per IDS-flagged element of a mapped type', () => {
    expect(files).toHaveLength(59);
    let indicators = 0;
    let expectedIndicators = 0;
    for (const file of files) {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as RawEvent;
      const { bundle } = convertMispEvent(raw);
      for (const object of bundle.objects) {
        if (object.type !== 'indicator') continue;
        indicators += 1;
        if (object.pattern_type === 'stix') expect(checkStixPattern(object.pattern as string), `${file}: ${String(object.pattern)}`).toEqual({ valid: true });
      }
      const live = (attribute: RawAttribute): boolean => !isTrue(attribute.deleted);
      expectedIndicators += (raw.Event.Attribute ?? []).filter((a) => live(a) && isTrue(a.to_ids) && patternTypes.has(a.type)).length;
      for (const object of raw.Event.Object ?? []) {
        if (isTrue(object.deleted)) continue;
        const attributes = (object.Attribute ?? []).filter(live);
        // Rules stand alone; the object's other attributes make one indicator when one of them is flagged.
        expectedIndicators += attributes.filter((a) => ruleTypes.has(a.type) && isTrue(a.to_ids)).length;
        const others = attributes.filter((a) => !ruleTypes.has(a.type));
        if (others.some((a) => isTrue(a.to_ids)) && others.some((a) => patternTypes.has(a.type))) expectedIndicators += 1;
      }
    }
    expect(indicators).toBe(expectedIndicators);
    expect(indicators).toBeGreaterThan(3000);
  });
});
