import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normaliseAttribute } from '../../../misp_modules/iocs/normalise-attribute.js';
import type { SourcePage } from '../../../misp_modules/pipeline/sync-cycle.js';
import { fixturePath } from '../../support/fixtures.js';
import { expectedIndicator } from '../../support/indicator-oracle.js';

export { RecordingClock, RecordingLogger } from '../../support/recording.js';

/** The real feeds of the fixtures (provenance in their README: CERT-FR mirror, CIRCL OSINT sample). */
export const feedFixture = (name: 'cert-fr-anssi' | 'circl-osint-sample'): string => fixturePath(`misp-feeds/${name}`);

export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Reads a whole cycle's pages. */
export async function readPages(pages: AsyncIterable<SourcePage>): Promise<SourcePage[]> {
  const seen: SourcePage[] = [];
  for await (const page of pages) seen.push(page);
  return seen;
}

/** What the module makes of some pages it read (its own validation), as `format value` strings: the side compared with expectedIndicators. */
export function indicatorsOf(pages: readonly SourcePage[]): Set<string> {
  const indicators = new Set<string>();
  for (const page of pages) {
    for (const attribute of page.attributes) {
      if (!attribute.toIds || attribute.deleted) continue;
      const result = normaliseAttribute(attribute.type, attribute.value);
      if (result.status === 'ok') indicators.add(`${result.indicator.format} ${result.indicator.value}`);
    }
  }
  return indicators;
}

type Json = Record<string, unknown>;

/**
 * What a feed directory should yield, computed straight from its files, independently of the
 * reader and of the module's validation: every attribute of every event file (event-level and in
 * objects) that is IDS-flagged and not deleted, judged by the independent indicator oracle.
 */
export function expectedIndicators(directory: string): { indicators: Set<string>; attributeUuids: Set<string> } {
  const indicators = new Set<string>();
  const attributeUuids = new Set<string>();
  for (const name of readdirSync(directory)) {
    if (!/^[0-9a-f-]{36}\.json$/.test(name)) continue;
    const event = (JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as { Event: Json }).Event;
    const attributes = [...((event.Attribute as Json[] | undefined) ?? [])];
    for (const object of (event.Object as Json[] | undefined) ?? []) {
      if (object.deleted === true) continue;
      attributes.push(...((object.Attribute as Json[] | undefined) ?? []));
    }
    for (const attribute of attributes) {
      if (attribute.to_ids !== true || attribute.deleted === true) continue;
      attributeUuids.add(attribute.uuid as string);
      const verdict = expectedIndicator(attribute.type as string, attribute.value as string);
      if (verdict.status === 'ok') indicators.add(`${verdict.format} ${verdict.value}`);
    }
  }
  return { indicators, attributeUuids };
}
