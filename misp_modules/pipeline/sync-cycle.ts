import type { DeliveredAttributes } from '../state/delivered-attributes.js';
import { attributeKey } from './attribute-key.js';
import { IndicatorBatcher, type IndicatorBatch } from './indicator-batcher.js';

/** An attribute as the pipeline needs it: what the MISP client and the feed reader both produce. */
export interface SourceAttribute {
  id?: string;
  uuid?: string;
  type: string;
  value: string;
  /** The attribute's own last change (epoch seconds): an edit makes it new again. */
  timestamp: number;
  toIds: boolean;
  deleted: boolean;
}

export interface SourcePage {
  attributes: readonly SourceAttribute[];
}

export type Normalise = (
  mispType: string,
  value: string,
) => { status: 'ok'; indicator: { value: string; format: string } } | { status: 'unsupported' } | { status: 'invalid'; reason: string };

export interface BatchOutcome {
  accepted: readonly string[];
  failed: readonly string[];
}

export interface SyncCycleInput {
  pages: AsyncIterable<SourcePage>;
  normalise: Normalise;
  push: (batch: IndicatorBatch) => Promise<BatchOutcome>;
  delivered: DeliveredAttributes;
  batchSize: number;
  /** Batches awaiting an answer at most; the source is not read further meanwhile (backpressure). */
  maxBatchesInFlight: number;
  now: () => number;
  /** Called after each page, for heartbeats and progress. */
  onPage?: (report: Readonly<CycleReport>) => void | Promise<void>;
  /** How many invalid values to quote in the cycle's warning. */
  invalidExamples?: number;
}

export interface InvalidExample {
  type: string;
  value: string;
  reason: string;
}

export interface CycleReport {
  attributesFetched: number;
  /** Values accepted by the IOC collection. */
  iocsSubmitted: number;
  iocsInvalid: number;
  unsupported: number;
  /** Attributes delivered in an earlier cycle, or whose value was already sent in this one. */
  alreadyDelivered: number;
  /** Values whose batch was not accepted (they go again next cycle). */
  iocsFailed: number;
  batchesSubmitted: number;
  batchesFailed: number;
  invalidExamples: InvalidExample[];
  submittedByFormat: Record<string, number>;
}

const PENDING = 0;
const ACCEPTED = 1;
const FAILED = 2;

interface ValueEntry {
  state: typeof PENDING | typeof ACCEPTED | typeof FAILED;
  /** Attributes (key, timestamp) waiting for this value's batch; released once it is answered. */
  carriers: Array<[string, number]> | undefined;
}

/**
 * One synchronisation cycle: read pages → skip what was delivered → normalise and validate → send
 * each value once → remember an attribute only once the batch that carried it was accepted.
 *
 * Throws what the source or `push` throws (a fatal error); the attributes of batches accepted
 * before that stay remembered, so nothing is pushed twice and nothing is lost.
 */
export async function runSyncCycle(input: SyncCycleInput): Promise<CycleReport> {
  const report: CycleReport = {
    attributesFetched: 0,
    iocsSubmitted: 0,
    iocsInvalid: 0,
    unsupported: 0,
    alreadyDelivered: 0,
    iocsFailed: 0,
    batchesSubmitted: 0,
    batchesFailed: 0,
    invalidExamples: [],
    submittedByFormat: {},
  };
  const exampleLimit = input.invalidExamples ?? 5;
  const values = new Map<string, ValueEntry>();
  const batcher = new IndicatorBatcher(input.batchSize);
  const inFlight = new Set<Promise<void>>();
  let fatal: { error: unknown } | undefined;

  const settle = (batch: IndicatorBatch, outcome: BatchOutcome): void => {
    const deliveredAt = input.now();
    if (outcome.accepted.length > 0) report.batchesSubmitted++;
    if (outcome.failed.length > 0) report.batchesFailed++;
    for (const value of outcome.accepted) {
      const entry = values.get(valueKey(batch.format, value));
      if (entry === undefined || entry.state !== PENDING) continue;
      entry.state = ACCEPTED;
      for (const [key, timestamp] of entry.carriers ?? []) input.delivered.add(key, timestamp, deliveredAt);
      entry.carriers = undefined;
      report.iocsSubmitted++;
      report.submittedByFormat[batch.format] = (report.submittedByFormat[batch.format] ?? 0) + 1;
    }
    for (const value of outcome.failed) {
      const entry = values.get(valueKey(batch.format, value));
      if (entry === undefined || entry.state !== PENDING) continue;
      entry.state = FAILED;
      entry.carriers = undefined;
      report.iocsFailed++;
    }
  };

  const dispatch = async (batch: IndicatorBatch): Promise<void> => {
    const task = input.push(batch).then(
      (outcome) => settle(batch, outcome),
      (error: unknown) => {
        fatal ??= { error };
      },
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    while (inFlight.size >= input.maxBatchesInFlight) await Promise.race(inFlight);
  };

  try {
    for await (const page of input.pages) {
      for (const attribute of page.attributes) {
        report.attributesFetched++;
        // The query asks for IDS, non-deleted attributes; a row that says otherwise is not pushed.
        if (!attribute.toIds || attribute.deleted) {
          report.unsupported++;
          continue;
        }
        const key = attributeKey(attribute);
        if (input.delivered.has(key, attribute.timestamp)) {
          report.alreadyDelivered++;
          continue;
        }
        const result = input.normalise(attribute.type, attribute.value);
        if (result.status === 'unsupported') {
          report.unsupported++;
          continue;
        }
        if (result.status === 'invalid') {
          report.iocsInvalid++;
          if (report.invalidExamples.length < exampleLimit) {
            report.invalidExamples.push({ type: attribute.type, value: attribute.value, reason: result.reason });
          }
          continue;
        }
        const { value, format } = result.indicator;
        const vkey = valueKey(format, value);
        const entry = values.get(vkey);
        if (entry === undefined) {
          values.set(vkey, { state: PENDING, carriers: [[key, attribute.timestamp]] });
          const batch = batcher.add(format, value);
          if (batch !== undefined) await dispatch(batch);
          if (fatal !== undefined) break;
          continue;
        }
        report.alreadyDelivered++;
        if (entry.state === PENDING) entry.carriers?.push([key, attribute.timestamp]);
        else if (entry.state === ACCEPTED) input.delivered.add(key, attribute.timestamp, input.now());
        // FAILED: the attribute stays undelivered and comes back next cycle.
      }
      if (fatal !== undefined) break;
      await input.onPage?.(report);
    }
    if (fatal === undefined) {
      for (const batch of batcher.drain()) {
        await dispatch(batch);
        if (fatal !== undefined) break;
      }
    }
  } finally {
    // Whatever happens to the source, the answers to batches already sent are still recorded.
    await Promise.all(inFlight);
  }
  if (fatal !== undefined) throw fatal.error;
  return report;
}

function valueKey(format: string, value: string): string {
  return `${format}\u0000${value}`;
}
