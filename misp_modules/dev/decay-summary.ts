/**
 * The lines `npm run trigger:dev -- --expiry decaying_model` prints after its summary, one per
 * decaying model: `Decay "Demo decay": 61 IOCs pushed, 59 skipped as decayed; next lapses
 * 2026-12-06 23:14:05Z (3 IOCs), then …`. The counts are the trigger's own (its metrics); the
 * moments are the `valid_until` the collection holds for the values of each model.
 */
import type { Registry } from 'prom-client';
import { normaliseAttribute } from '../iocs/normalise-attribute.js';
import type { DemoAttribute } from './misp-events.js';

export interface ModelDecayCounts {
  model: string;
  /** Values pushed with the moment this model gives (`misp_trigger_decay_values_pushed_total`). */
  pushed: number;
  /** Attributes not pushed because this model says they decayed (`misp_trigger_decay_skipped_total`). */
  skipped: number;
}

const PUSHED_METRIC = 'misp_trigger_decay_values_pushed_total';
const SKIPPED_METRIC = 'misp_trigger_decay_skipped_total';
/** The earliest moments a line names; the rest are counted. */
const MOMENTS_SHOWN = 3;

/** The trigger's decay counters, by model, in the order the models first counted. */
export async function decayCounts(registry: Registry | undefined): Promise<ModelDecayCounts[]> {
  const byModel = new Map<string, ModelDecayCounts>();
  for (const [name, field] of [[PUSHED_METRIC, 'pushed'], [SKIPPED_METRIC, 'skipped']] as const) {
    const metric = registry?.getSingleMetric(name);
    if (!metric) continue;
    for (const sample of (await metric.get()).values) {
      const model = String(sample.labels.model ?? '');
      let counts = byModel.get(model);
      if (!counts) {
        counts = { model, pushed: 0, skipped: 0 };
        byModel.set(model, counts);
      }
      counts[field] += sample.value;
    }
  }
  return [...byModel.values()];
}

/**
 * The `valid_until` moments (epoch milliseconds) of each model's values: `validUntil` is what the
 * collection holds (value → its last `valid_until`), `modelsOf` the models that scored a value.
 */
export function lapsesByModel(validUntil: ReadonlyMap<string, string>, modelsOf: (value: string) => readonly string[]): Map<string, number[]> {
  const lapses = new Map<string, number[]>();
  for (const [value, moment] of validUntil) {
    const at = Date.parse(moment);
    if (Number.isNaN(at)) continue;
    for (const model of modelsOf(value)) {
      let moments = lapses.get(model);
      if (!moments) {
        moments = [];
        lapses.set(model, moments);
      }
      moments.push(at);
    }
  }
  return lapses;
}

/**
 * Value (as the trigger pushes it) → the models whose `decay_score` the demo MISP served with an
 * attribute carrying it, from `scoredBy` (attribute uuid → model names).
 */
export function modelsByValue(attributes: readonly DemoAttribute[], scoredBy: ReadonlyMap<string, readonly string[]>): Map<string, Set<string>> {
  const byValue = new Map<string, Set<string>>();
  for (const { row } of attributes) {
    const names = scoredBy.get(row.uuid);
    if (names === undefined || names.length === 0) continue;
    const result = normaliseAttribute(row.type, row.value);
    if (result.status !== 'ok') continue;
    let models = byValue.get(result.indicator.value);
    if (!models) {
      models = new Set();
      byValue.set(result.indicator.value, models);
    }
    for (const name of names) models.add(name);
  }
  return byValue;
}

const iocs = (n: number): string => `${n} ${n === 1 ? 'IOC' : 'IOCs'}`;
/** `2026-12-06 23:14:05Z`: to the second, as an operator reads it. */
const moment = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

/**
 * One line per model: its counts, then its earliest lapses with how many IOCs lapse at each;
 * counts alone when the lapses are not known (a collection or a MISP outside the demo).
 */
export function decaySummaryLines(counts: readonly ModelDecayCounts[], lapses: ReadonlyMap<string, readonly number[]> | undefined): string[] {
  return counts.map(({ model, pushed, skipped }) => {
    const head = `Decay ${JSON.stringify(model)}: ${iocs(pushed)} pushed, ${skipped} skipped as decayed`;
    if (lapses === undefined) return `${head}.`;
    const moments = [...(lapses.get(model) ?? [])].sort((a, b) => a - b);
    if (moments.length === 0) return `${head}; none in the collection.`;
    const groups: { at: number; count: number }[] = [];
    for (const at of moments) {
      const last = groups.at(-1);
      if (last?.at === at) last.count++;
      else groups.push({ at, count: 1 });
    }
    const shown = groups.slice(0, MOMENTS_SHOWN).map((group) => `${moment(group.at)} (${iocs(group.count)})`);
    const rest = groups.slice(MOMENTS_SHOWN);
    const more = rest.length === 0 ? '' : `, then ${iocs(rest.reduce((sum, group) => sum + group.count, 0))} more until ${moment((rest.at(-1) as { at: number }).at)}`;
    return `${head}; next lapses ${shown.join(', then ')}${more}`;
  });
}
