/**
 * The bench's decay case: the real trigger's first cycle, at the defaults, over N IDS attributes
 * with MISP's decay scores and `expiry: decaying_model`, side by side with the same N without
 * scores and with the default expiry. Each runs the built trigger in its own process (its peak RSS
 * its own) against the loopback MISP and IOC collection.
 */
import { startDemoIocCollectionServer } from '../misp_modules/dev/demo-ioc-collection-server.js';
import { DemoDecay } from '../misp_modules/dev/demo-decay.js';
import { startDemoMispServer } from '../misp_modules/dev/demo-misp-server.js';
import { startRuntimeEndpointsServer } from '../misp_modules/dev/runtime-endpoints-server.js';
import { syntheticDecayingModels } from '../misp_modules/dev/synthetic-attributes.js';
import { COLLECTION, MISP_KEY, runCycle, SEKOIA_KEY, TOKEN } from './bench-case.js';
import { prepareDataSet } from './bench-data.js';
import { temporaryDataPath } from './trigger-process.js';

export interface DecayCycleFigures {
  variant: 'plain' | 'scored';
  /** The cycle's duration as the trigger reports it. */
  seconds: number;
  peakRssBytes: number;
  attributesFetched: number;
}

export interface DecaySideBySide {
  idsAttributes: number;
  plain: DecayCycleFigures;
  scored: DecayCycleFigures;
  /** scored / plain. */
  timeRatio: number;
  rssRatio: number;
}

async function measure(idsAttributes: number, variant: 'plain' | 'scored', now: number): Promise<DecayCycleFigures> {
  const data = prepareDataSet(idsAttributes, { now, seed: 7, decayScores: variant === 'scored' });
  const misp = await startDemoMispServer({ apiKey: MISP_KEY, attributes: data.source, decay: new DemoDecay(syntheticDecayingModels()) });
  const collection = await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION] });
  const runtime = await startRuntimeEndpointsServer({ token: TOKEN, secrets: { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY } });
  try {
    const cycle = await runCycle({ misp, collection, runtime }, temporaryDataPath(), variant === 'scored' ? { expiry: 'decaying_model' } : {}, 600_000);
    return { variant, seconds: cycle.seconds, peakRssBytes: cycle.peak, attributesFetched: cycle.fetched };
  } finally {
    await Promise.all([misp.close(), collection.close(), runtime.close()]);
  }
}

export async function runDecaySideBySide(idsAttributes: number): Promise<DecaySideBySide> {
  const now = Math.floor(Date.now() / 1000);
  const plain = await measure(idsAttributes, 'plain', now);
  const scored = await measure(idsAttributes, 'scored', now);
  return { idsAttributes, plain, scored, timeRatio: scored.seconds / plain.seconds, rssRatio: scored.peakRssBytes / plain.peakRssBytes };
}
