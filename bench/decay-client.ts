/**
 * The client side of the decay side by side (decay-side-by-side.ts), in its own process so that
 * its peak RSS is its own: `vite-node bench/decay-client.ts <misp url> plain|scored <now>`, the
 * MISP key in BENCH_MISP_KEY. Reads every page of the IDS search through the product's MISP
 * client, normalises each value and sends it once; with `scored`, also reads the decaying models,
 * finds each value's lapse from its decay scores and groups the values by valid_until. Prints one
 * line of JSON: the figures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '@sekoia/automation-sdk-shim';
import { moduleRoot } from '../misp_modules/configuration/module-root.js';
import { parseDecayingModels, type DecayingModel } from '../misp_modules/decay/decaying-model.js';
import { attributeLifetime } from '../misp_modules/decay/indicator-lifetime.js';
import { ValidUntilGroups } from '../misp_modules/decay/valid-until-groups.js';
import { normaliseAttribute } from '../misp_modules/iocs/normalise-attribute.js';
import { MispAttributeSearch } from '../misp_modules/misp/attribute-search.js';
import { MispApi } from '../misp_modules/misp/misp-api.js';

/** Open groups allowed: the requests one cycle's end may send at once. */
export const DECAY_BENCH_OPEN_GROUPS = 64;

export interface DecayClientFigures {
  variant: 'plain' | 'scored';
  seconds: number;
  peakRssBytes: number;
  attributes: number;
  /** Distinct values (by upload format) the cycle would send. */
  values: number;
  /** With scores: values that lapse at a known moment, values already decayed, requests the grouping makes, values pushed early. */
  lapsing: number;
  decayed: number;
  requests: number;
  early: number;
}

function triggerDefault(argument: string): number {
  const trigger = JSON.parse(readFileSync(path.join(moduleRoot(), 'trigger_misp_ids_attributes_to_ioc_collection.json'), 'utf8')) as {
    arguments: { properties: Record<string, { default?: number }> };
  };
  return trigger.arguments.properties[argument]?.default as number;
}

function peakRss(): number {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

async function run(url: string, variant: 'plain' | 'scored', now: number, apiKey: string): Promise<DecayClientFigures> {
  const client = new MispApi({ baseUrl: url, apiKey, verifySsl: true, clock: systemClock, logger: { log: () => undefined } });
  const figures: DecayClientFigures = { variant, seconds: 0, peakRssBytes: 0, attributes: 0, values: 0, lapsing: 0, decayed: 0, requests: 0, early: 0 };
  const started = performance.now();
  let models = new Map<string, DecayingModel>();
  if (variant === 'scored') {
    const answer = await fetch(`${url}/decayingModel/index`, { headers: { Authorization: apiKey, Accept: 'application/json' } });
    models = new Map(parseDecayingModels(await answer.json()).map((model) => [model.id, model]));
  }
  const groups = new ValidUntilGroups({ batchSize: triggerDefault('batch_size'), maxOpenGroups: DECAY_BENCH_OPEN_GROUPS });
  const count = (batches: readonly { validUntil: number; moments: number[] }[]): void => {
    for (const batch of batches) {
      figures.requests++;
      for (const moment of batch.moments) if (moment > batch.validUntil) figures.early++;
    }
  };
  const sent = new Set<string>();
  for await (const page of new MispAttributeSearch(client).searchAttributes({ publishedSince: now - 86_400, pageSize: triggerDefault('misp_page_size') })) {
    for (const attribute of page.attributes) {
      figures.attributes++;
      const normalised = normaliseAttribute(attribute.type, attribute.value);
      if (normalised.status !== 'ok') continue;
      const key = `${normalised.indicator.format} ${normalised.indicator.value}`;
      if (sent.has(key)) continue;
      sent.add(key);
      if (attribute.decay === undefined) continue;
      const lifetime = attributeLifetime({ decayScore: attribute.decay, clock: { timestamp: attribute.timestamp, lastSeen: attribute.lastSeen }, now }, models, {});
      if (lifetime?.kind === 'decayed') figures.decayed++;
      if (lifetime?.kind !== 'lapses') continue;
      figures.lapsing++;
      count(groups.add(normalised.indicator.format, normalised.indicator.value, lifetime.at));
    }
  }
  count(groups.drain());
  client.close();
  figures.values = sent.size;
  figures.seconds = (performance.now() - started) / 1000;
  figures.peakRssBytes = peakRss();
  return figures;
}

const [url, variant, now] = process.argv.slice(2);
if (url === undefined || (variant !== 'plain' && variant !== 'scored') || now === undefined) {
  console.error('Usage: vite-node bench/decay-client.ts <misp url> plain|scored <now, epoch seconds> (key in BENCH_MISP_KEY)');
  process.exitCode = 2;
} else {
  console.log(JSON.stringify(await run(url, variant, Number(now), process.env.BENCH_MISP_KEY ?? '')));
}
