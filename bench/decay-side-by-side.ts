/**
 * The bench's decay case: the real trigger's first cycle, at the defaults, over N IDS attributes
 * with MISP's decay scores and `expiry: decaying_model`, side by side with the same N without
 * scores, twice: at the defaults (expiry fixed, no valid_for: no expiry schedule at all), which is
 * what the target compares with, and with `valid_for`, whose schedule does the same expiry work
 * (kept, saved, withdrawals asked for) without the scores. Each cycle runs the built trigger in its
 * own process (its peak RSS its own) against the loopback MISP and IOC collection; the variants
 * take turns, round after round, so that a shared machine's load weighs on each alike, and each
 * variant's figure is its median.
 */
import { startDemoIocCollectionServer } from '../misp_modules/dev/demo-ioc-collection-server.js';
import { DemoDecay } from '../misp_modules/dev/demo-decay.js';
import { startDemoMispServer, type DemoMispServer } from '../misp_modules/dev/demo-misp-server.js';
import { startRuntimeEndpointsServer } from '../misp_modules/dev/runtime-endpoints-server.js';
import { SYNTHETIC_DECAYING_MODEL, syntheticDecayingModels } from '../misp_modules/dev/synthetic-attributes.js';
import { COLLECTION, MISP_KEY, runCycle, SEKOIA_KEY, TOKEN } from './bench-case.js';
import { prepareDataSet } from './bench-data.js';
import { temporaryDataPath } from './trigger-process.js';

/** `plain`: the defaults; `valid-for`: expiry fixed with valid_for; `scored`: scores and expiry decaying_model. */
export type DecayVariant = 'plain' | 'valid-for' | 'scored';

/** The valid_for of the `valid-for` variant: the synthetic model's lifetime. */
export const DECAY_VALID_FOR_DAYS = SYNTHETIC_DECAYING_MODEL.lifetime;

const CONFIGURATIONS: Record<DecayVariant, Record<string, unknown>> = {
  plain: {},
  'valid-for': { valid_for: DECAY_VALID_FOR_DAYS },
  scored: { expiry: 'decaying_model' },
};

export interface DecayRun {
  /** The cycle's duration as the trigger reports it. */
  seconds: number;
  peakRssBytes: number;
}

export interface DecayCycleFigures extends DecayRun {
  variant: DecayVariant;
  attributesFetched: number;
  /** Each round's figures, in order; `seconds` and `peakRssBytes` above are their medians. */
  runs: DecayRun[];
}

export interface DecaySideBySide {
  idsAttributes: number;
  rounds: number;
  plain: DecayCycleFigures;
  validFor: DecayCycleFigures;
  scored: DecayCycleFigures;
  /** scored / plain: what the target is checked against. */
  timeRatio: number;
  rssRatio: number;
  /** scored / valid-for: the cost of the scores over the same expiry work. */
  validForTimeRatio: number;
  validForRssRatio: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function measure(misp: DemoMispServer, variant: DecayVariant): Promise<DecayRun & { fetched: number }> {
  const collection = await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION] });
  const runtime = await startRuntimeEndpointsServer({ token: TOKEN, secrets: { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY } });
  try {
    const cycle = await runCycle({ misp, collection, runtime }, temporaryDataPath(), CONFIGURATIONS[variant], 600_000);
    return { seconds: cycle.seconds, peakRssBytes: cycle.peak, fetched: cycle.fetched };
  } finally {
    await Promise.all([collection.close(), runtime.close()]);
  }
}

export async function runDecaySideBySide(idsAttributes: number, rounds: number, onRun?: (variant: DecayVariant, run: DecayRun) => void): Promise<DecaySideBySide> {
  const now = Math.floor(Date.now() / 1000);
  const decay = new DemoDecay(syntheticDecayingModels(), [], { recordScoredBy: false });
  const plainData = prepareDataSet(idsAttributes, { now, seed: 7, decayScores: false });
  const scoredData = prepareDataSet(idsAttributes, { now, seed: 7, decayScores: true });
  const servers = {
    plain: await startDemoMispServer({ apiKey: MISP_KEY, attributes: plainData.source, decay }),
    scored: await startDemoMispServer({ apiKey: MISP_KEY, attributes: scoredData.source, decay }),
  };
  const runs: Record<DecayVariant, DecayRun[]> = { plain: [], 'valid-for': [], scored: [] };
  const fetched: Record<DecayVariant, number> = { plain: 0, 'valid-for': 0, scored: 0 };
  try {
    for (let round = 0; round < rounds; round++) {
      // Each round in another order, so that no variant always follows the same one.
      const order: DecayVariant[] = (['plain', 'valid-for', 'scored'] as const).map((_, index, all) => all[(index + round) % all.length] as DecayVariant);
      for (const variant of order) {
        const run = await measure(variant === 'scored' ? servers.scored : servers.plain, variant);
        runs[variant].push({ seconds: run.seconds, peakRssBytes: run.peakRssBytes });
        fetched[variant] = run.fetched;
        onRun?.(variant, run);
      }
    }
  } finally {
    await Promise.all([servers.plain.close(), servers.scored.close()]);
  }
  const figures = (variant: DecayVariant): DecayCycleFigures => ({
    variant,
    seconds: median(runs[variant].map((run) => run.seconds)),
    peakRssBytes: median(runs[variant].map((run) => run.peakRssBytes)),
    attributesFetched: fetched[variant],
    runs: runs[variant],
  });
  return sideBySide(idsAttributes, rounds, figures('plain'), figures('valid-for'), figures('scored'));
}

/** The three variants' figures with the ratios of the scored one to the others. */
export function sideBySide(idsAttributes: number, rounds: number, plain: DecayCycleFigures, validFor: DecayCycleFigures, scored: DecayCycleFigures): DecaySideBySide {
  return {
    idsAttributes,
    rounds,
    plain,
    validFor,
    scored,
    timeRatio: scored.seconds / plain.seconds,
    rssRatio: scored.peakRssBytes / plain.peakRssBytes,
    validForTimeRatio: scored.seconds / validFor.seconds,
    validForRssRatio: scored.peakRssBytes / validFor.peakRssBytes,
  };
}
