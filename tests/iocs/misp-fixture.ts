import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturePath } from '../support/fixtures.js';

export interface FixtureAttribute {
  readonly type: string;
  readonly value: string;
  readonly to_ids: boolean;
}

/** Every attribute of the derived restSearch answer (all IDS-flagged). */
export function restSearchAttributes(): readonly FixtureAttribute[] {
  const body = JSON.parse(
    readFileSync(fixturePath('misp-api/derived/restsearch-circl-sample-to_ids.json'), 'utf8'),
  ) as { response: { Attribute: FixtureAttribute[] } };
  return body.response.Attribute;
}

/** The values of one MISP type in the derived restSearch answer. */
export function valuesOfType(type: string): string[] {
  return restSearchAttributes()
    .filter((attribute) => attribute.type === type)
    .map((attribute) => attribute.value);
}

/** IDS-flagged values of one MISP type in the real CERT-FR feed (event and object attributes). */
export function certFrValuesOfType(type: string): string[] {
  const directory = fixturePath('misp-feeds/cert-fr-anssi');
  const manifest = JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const values: string[] = [];
  for (const uuid of Object.keys(manifest)) {
    const { Event: event } = JSON.parse(readFileSync(path.join(directory, `${uuid}.json`), 'utf8')) as {
      Event: { Attribute?: FixtureAttribute[]; Object?: { Attribute?: FixtureAttribute[] }[] };
    };
    const attributes = [...(event.Attribute ?? []), ...(event.Object ?? []).flatMap((object) => object.Attribute ?? [])];
    for (const attribute of attributes) {
      if (attribute.to_ids && attribute.type === type) values.push(attribute.value);
    }
  }
  return values;
}
