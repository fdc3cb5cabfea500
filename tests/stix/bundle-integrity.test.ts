/**
 * Structural rules of STIX 2.1 checked on whole bundles (the sample event and every event of the
 * real feeds): id forms, required properties, timestamp order, and every reference resolved
 * inside the bundle. The rules are written here from the specification, not taken from the code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mispEventToStixBundle, type StixBundle } from '../../misp_modules/stix/index.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';
import { PHISHING_CAMPAIGN_EVENT } from './misp-event-samples.js';

const ID = /^([a-z0-9-]{3,250})--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Properties each object type must have (STIX 2.1, each object's "Required Properties"). */
const REQUIRED: Record<string, string[]> = {
  identity: ['name'],
  'marking-definition': ['definition_type', 'definition', 'created'],
  report: ['name', 'published', 'object_refs'],
  indicator: ['pattern', 'pattern_type', 'valid_from'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed', 'object_refs'],
  note: ['content', 'object_refs'],
  vulnerability: ['name'],
  'attack-pattern': ['name'],
  malware: ['is_family'],
  'threat-actor': ['name'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
  'email-message': ['is_multipart'],
  'network-traffic': ['protocols'],
};
const OBSERVABLE_TYPES = new Set(['file', 'ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'email-addr', 'email-message', 'mac-addr', 'autonomous-system', 'mutex', 'windows-registry-key', 'network-traffic', 'x509-certificate', 'user-account', 'software']);

/** Every reference property of an object, top level and nested (`*_ref`, `*_refs`). */
function references(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) references(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.endsWith('_ref') && typeof item === 'string') found.push(item);
      else if (key.endsWith('_refs') && Array.isArray(item)) found.push(...(item as string[]));
      else references(item, found);
    }
  }
  return found;
}

function problemsOf(bundle: StixBundle): string[] {
  const problems: string[] = [];
  if (!ID.test(bundle.id) || !bundle.id.startsWith('bundle--')) problems.push(`bundle id ${bundle.id}`);
  const ids = new Set<string>();
  for (const object of bundle.objects) {
    const where = object.id;
    const match = ID.exec(object.id);
    if (!match || match[1] !== object.type) problems.push(`${where}: id does not match its type`);
    if (ids.has(object.id)) problems.push(`${where}: id used twice`);
    ids.add(object.id);
    if (object.spec_version !== '2.1') problems.push(`${where}: spec_version`);
    for (const property of REQUIRED[object.type] ?? []) if (object[property] === undefined) problems.push(`${where}: no ${property}`);
    if (OBSERVABLE_TYPES.has(object.type)) {
      if ('created' in object) problems.push(`${where}: an observable with created`);
      continue;
    }
    if (!TIMESTAMP.test(String(object.created))) problems.push(`${where}: created ${String(object.created)}`);
    if (object.type !== 'marking-definition' && !(String(object.modified) >= String(object.created))) problems.push(`${where}: modified before created`);
    if (object.type === 'indicator' && object.valid_until !== undefined && !(String(object.valid_until) > String(object.valid_from))) {
      problems.push(`${where}: valid_until not after valid_from`);
    }
    if (object.type === 'observed-data' && !(String(object.last_observed) >= String(object.first_observed))) problems.push(`${where}: last_observed before first_observed`);
    if (object.type === 'sighting' && !(String(object.last_seen) >= String(object.first_seen))) problems.push(`${where}: last_seen before first_seen`);
    if (Array.isArray(object.object_refs) && object.object_refs.length === 0) problems.push(`${where}: empty object_refs`);
    if (object.type === 'malware' && object.is_family === true && object.name === undefined) problems.push(`${where}: a family without a name`);
  }
  for (const object of bundle.objects) {
    for (const reference of references(object)) if (!ids.has(reference)) problems.push(`${object.id}: refers to ${reference}, not in the bundle`);
  }
  if (bundle.objects.filter((object) => object.type === 'report').length !== 1) problems.push('not exactly one report');
  return problems;
}

describe('bundle integrity', () => {
  it('holds for the sample event', () => {
    expect(problemsOf(mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT))).toEqual([]);
  });

  it('finds the problems it looks for', () => {
    const broken = structuredClone(mispEventToStixBundle(PHISHING_CAMPAIGN_EVENT)) as { objects: Array<Record<string, unknown>> } & StixBundle;
    const indicator = broken.objects.find((object) => object.type === 'indicator')!;
    delete indicator.pattern;
    indicator.created_by_ref = 'identity--00000000-0000-4000-8000-000000000000';
    expect(problemsOf(broken)).toEqual([
      `${String(indicator.id)}: no pattern`,
      `${String(indicator.id)}: refers to identity--00000000-0000-4000-8000-000000000000, not in the bundle`,
    ]);
  });
});

describeWithFixtures('bundle integrity on the real MISP feeds', () => {
  it('holds for every event', () => {
    for (const folder of ['misp-feeds/circl-osint-sample', 'misp-feeds/cert-fr-anssi']) {
      for (const name of readdirSync(fixturePath(folder)).filter((file) => file.endsWith('.json') && file !== 'manifest.json')) {
        const bundle = mispEventToStixBundle(JSON.parse(readFileSync(path.join(fixturePath(folder), name), 'utf8')));
        expect(problemsOf(bundle), name).toEqual([]);
      }
    }
  });
});
