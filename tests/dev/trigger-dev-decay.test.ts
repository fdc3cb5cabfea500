/**
 * `npm run trigger:dev -- --once --expiry decaying_model`: the real trigger, configured with
 * `expiry: decaying_model`, against the demo MISP's model "Demo decay" and sightings. Its summary
 * ends with one line per model, which must agree with the demo data worked out here without the
 * module's code: each IDS attribute of the model's types was sighted 60 hours ago, 2 hours ago, or
 * never (decayed: its 2025 origin is weeks past the model's 7 days); a value lives as long as its
 * latest-sighted attribute (without valid_for, a value also carried by an attribute of a type no model
 * maps, such as ip-dst|port, gets no valid_until), and lapses when "Demo decay" (base score 80, lifetime 7 days, decay
 * speed 2, threshold 30) crosses its threshold: 7 × (1 − 30/80)² days = 236,250 s after the sighting.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { demoDecayingModels, demoSightings } from '../../misp_modules/dev/demo-decay.js';
import { loadDemoAttributes } from '../../misp_modules/dev/demo-events.js';
import { expectedIndicator } from '../support/indicator-oracle.js';
import { runTriggerDev, type TriggerDevRun } from './trigger-dev-process.js';

const root = moduleRoot();
const HOUR = 3_600;
/** When "Demo decay" calls a value decayed, counted from its latest sighting. */
const DEMO_DECAY_LIFETIME = 236_250;
const REAL_SERVICE_VARIABLES = ['MISP_URL', 'MISP_API_KEY', 'SEKOIA_API_KEY', 'IOC_COLLECTION_UUID', 'IOC_COLLECTION_SERVER'];
const DECAY_LINE = /^Decay "([^"]+)": (\d+) IOCs? pushed, (\d+) skipped as decayed; next lapses (.*)$/;
const MOMENT = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})Z \((\d+) IOCs?\)/g;

interface Run extends TriggerDevRun {
  /** Epoch seconds around the run: the demo's sightings are dated from its start. */
  startedAt: number;
  endedAt: number;
}

async function runDemo(args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const name of REAL_SERVICE_VARIABLES) delete env[name];
  const startedAt = Math.floor(Date.now() / 1000);
  const run = await runTriggerDev(args, env);
  return { ...run, startedAt, endedAt: Math.ceil(Date.now() / 1000) };
}

/** The values "Demo decay" pushes, by hours since their latest sighting, and the attributes it finds decayed. */
function expectedFromDemoData(): { byHoursAgo: Map<number, number>; pushed: number; skipped: number } {
  const attributes = loadDemoAttributes();
  const modelTypes = (demoDecayingModels()[0]?.DecayingModel as { attribute_types: string[] }).attribute_types;
  // Sightings dated 0: only how long ago each was matters.
  const hoursAgo = new Map(demoSightings(attributes, 0).filter((sighting) => sighting.type === 0).map((sighting) => [sighting.attributeUuid, -sighting.dateSighting / HOUR]));
  const latest = new Map<string, number>();
  const unscored = new Set<string>();
  let skipped = 0;
  for (const { row } of attributes) {
    if (!row.to_ids || row.deleted) continue;
    const indicator = expectedIndicator(row.type, row.value);
    if (indicator.status !== 'ok') continue;
    if (!modelTypes.includes(row.type)) {
      unscored.add(indicator.value);
      continue;
    }
    const hours = hoursAgo.get(row.uuid);
    if (hours === undefined) {
      skipped++;
      continue;
    }
    latest.set(indicator.value, Math.min(hours, latest.get(indicator.value) ?? Number.POSITIVE_INFINITY));
  }
  // A value also carried by an attribute no model applies to lives as long as that one: no valid_until.
  for (const value of unscored) latest.delete(value);
  const byHoursAgo = new Map<number, number>();
  for (const hours of latest.values()) byHoursAgo.set(hours, (byHoursAgo.get(hours) ?? 0) + 1);
  return { byHoursAgo, pushed: latest.size, skipped };
}

let demo: Run;

beforeAll(async () => {
  demo = await runDemo(['--once', '--expiry', 'decaying_model']);
}, 120_000);

describe('npm run trigger:dev -- --once --expiry decaying_model', () => {
  it('exits 0 after one cycle, with the trigger configured for decaying models', () => {
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toContain("trigger:dev  expiry             decaying_model: MISP's enabled models for each type");
  });

  it('prints, after the summary, one line for the one enabled model, with the trigger’s own counts', () => {
    const lines = demo.output.split('\n');
    const summary = lines.findIndex((line) => line.startsWith('Summary: '));
    const decay = lines.filter((line) => line.startsWith('Decay '));
    expect(decay, demo.output).toHaveLength(1);
    expect(lines.indexOf(decay[0] as string)).toBeGreaterThan(summary);
    const [, model, pushed, skipped] = DECAY_LINE.exec(decay[0] as string) ?? [];
    expect(model).toBe('Demo decay');
    // The cycle line and the summary speak of the same numbers: both are the trigger's.
    expect(demo.output).toMatch(new RegExp(` INFO +Cycle 1: .*; ${skipped} decayed skipped \\("Demo decay" ${skipped}\\)$`, 'm'));
    const expected = expectedFromDemoData();
    expect(Number(pushed)).toBe(expected.pushed);
    expect(Number(skipped)).toBe(expected.skipped);
  });

  it('names the moments the embedded collection holds: 236,250 s after each sighting, with the values sighted then', () => {
    const line = demo.output.split('\n').find((candidate) => candidate.startsWith('Decay ')) as string;
    const moments = [...line.matchAll(MOMENT)].map((match) => ({ at: Date.parse(`${match[1]}T${match[2]}Z`) / 1000, count: Number(match[3]) }));
    const expected = expectedFromDemoData();
    // Sighted 60 hours ago lapses first, 2 hours ago next: no other moment, and every pushed value has one.
    expect(moments.map((moment) => moment.count)).toEqual([expected.byHoursAgo.get(60), expected.byHoursAgo.get(2)]);
    expect(line).not.toContain('more until');
    for (const [index, hours] of [60, 2].entries()) {
      const sightedAt = (moments[index]?.at as number) - DEMO_DECAY_LIFETIME;
      expect(sightedAt + hours * HOUR).toBeGreaterThanOrEqual(demo.startedAt - 1);
      expect(sightedAt + hours * HOUR).toBeLessThanOrEqual(demo.endedAt + 1);
    }
  });

  it('prints the counts the README quotes', () => {
    const line = demo.output.split('\n').find((candidate) => candidate.startsWith('Decay ')) as string;
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const quoted = /`(Decay "Demo decay": [^`]*)`/.exec(readme)?.[1] ?? '';
    const counts = (text: string) => [...text.matchAll(/(\d+) (?:IOCs?|skipped)/g)].map((match) => match[1]);
    expect(quoted).not.toBe('');
    expect(counts(quoted)).toEqual(counts(line));
  });
});
