import type { DeliveredAttributes } from '../state/delivered-attributes.js';
import { formatUuid, parseUuid, uuidWords } from '../state/uuid-words.js';
import { attributeKey } from './attribute-key.js';
import { IndicatorBatcher, type IndicatorBatch } from './indicator-batcher.js';
import { ValueStates } from './value-states.js';

/**
 * One `decay_score` entry of MISP, as the source read it: structurally the entry of
 * misp/decay-fields.ts, which decay/ computes lifetimes from (the pipeline only carries it).
 */
export interface SourceDecayScore {
  score: number;
  baseScore: number;
  decayed: boolean;
  modelId: string;
  modelName: string;
}

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
  /** The event that carries it, where the source says (a feed): the expiry schedule follows events. */
  eventUuid?: string;
  /** MISP's `last_seen` (epoch seconds), where the source has one: where the decay starts. */
  lastSeen?: number;
  /** MISP's decay scores, when the source asked MISP for them. */
  decay?: readonly SourceDecayScore[];
  /**
   * How long the value lives, where the source computes it from a decaying model: undefined when
   * no model applies (the value then lives as any other).
   */
  lifetime?: SourceLifetime;
}

/**
 * An attribute's lifetime under its decaying model, as a source computed it: alive through `at`
 * (epoch seconds), or decayed already (not pushed). `model` names the model that decided.
 */
export type SourceLifetime = { kind: 'lapses'; at: number; model: string } | { kind: 'decayed'; model: string };

/** A batch whose values share a `valid_until` no later than any of their own moments. */
export interface TimedBatch extends IndicatorBatch {
  /** Epoch seconds. */
  validUntil: number;
  /** Each value's own moment, in the order of `values`. */
  moments: readonly number[];
}

/**
 * Groups values that each have their own moment into batches by (format, valid_until), a batch's
 * `valid_until` never later than its values' moments (decay/valid-until-groups.ts is one).
 */
export interface ValidUntilGrouping {
  add(format: string, value: string, moment: number): readonly TimedBatch[];
  drain(): TimedBatch[];
}

/** What the schedule is told of a value pushed with its own moment: the `valid_until` it went with, and the moment. */
export interface ValueTiming {
  /** Undefined for a carrier met once its value was accepted: the value's push is as it was. */
  pushed?: number;
  target: number;
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
  push: (batch: IndicatorBatch | TimedBatch) => Promise<BatchOutcome>;
  delivered: DeliveredAttributes;
  batchSize: number;
  /** Batches awaiting an answer at most; the source is not read further meanwhile (backpressure). */
  maxBatchesInFlight: number;
  now: () => number;
  /** Called after each page, for heartbeats and progress. */
  onPage?: (report: Readonly<CycleReport>) => void | Promise<void>;
  /** Told which attributes (keys) a value was accepted for (and, with lifetimes, when it lapses): the expiry bookkeeping follows them. */
  onAccepted?: (format: string, value: string, attributeKeys: readonly string[], timing?: ValueTiming) => void;
  /**
   * For attributes with a lifetime: the grouping of values by `valid_until`, and the moment a value
   * already alive keeps (so that a new carrier never shortens it).
   */
  lifetimes?: { grouping: ValidUntilGrouping; keeps?: (format: string, value: string) => number | undefined };
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
  /** With lifetimes: values accepted and attributes skipped as decayed, by the model that decided. */
  decay?: Record<string, { pushed: number; decayed: number }>;
}

/** A page is worked through in slices of this many attributes, between which I/O proceeds. */
const ATTRIBUTES_BETWEEN_YIELDS = 500;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const PENDING = 0;
const ACCEPTED = 1;
const FAILED = 2;
type ValueState = typeof PENDING | typeof ACCEPTED | typeof FAILED;

/** No further carrier (the end of a chain, or of the free list). */
const NO_SLOT = -1;

/**
 * The attributes waiting for values whose batch is unanswered, held compact: grouping by
 * `valid_until` keeps tens of thousands of values waiting at once. Each carrier is a slot of typed
 * arrays (its key's uuid as four words, its timestamp, the next carrier of the same value); the
 * keys are uuids (attributeKey gives one), any other key is kept as text beside its slot.
 */
class PendingCarriers {
  private words = new Uint32Array(1024 * 4);
  private stamps = new Float64Array(1024);
  private next = new Int32Array(1024);
  private free = NO_SLOT;
  private used = 0;
  private readonly otherKeys = new Map<number, string>();

  /** A new chain of one carrier; returns its slot. */
  start(key: string, timestamp: number): number {
    const slot = this.take();
    if (isLowerCaseUuid(key)) this.words.set(uuidWords, slot * 4);
    else this.otherKeys.set(slot, key);
    this.stamps[slot] = timestamp;
    this.next[slot] = NO_SLOT;
    return slot;
  }

  /** Adds a carrier at the end of the chain that starts at `head`. */
  append(head: number, key: string, timestamp: number): void {
    // Taken first: taking a slot may replace the arrays.
    const slot = this.start(key, timestamp);
    let last = head;
    while ((this.next[last] as number) !== NO_SLOT) last = this.next[last] as number;
    this.next[last] = slot;
  }

  /** The chain's carriers as [key, timestamp, key, timestamp…], its slots freed. */
  release(head: number): Array<string | number> {
    const carriers: Array<string | number> = [];
    for (let slot = head; slot !== NO_SLOT; ) {
      const other = this.otherKeys.get(slot);
      if (other !== undefined) this.otherKeys.delete(slot);
      carriers.push(other ?? formatUuid(this.words, slot * 4), this.stamps[slot] as number);
      const following = this.next[slot] as number;
      this.next[slot] = this.free;
      this.free = slot;
      slot = following;
    }
    return carriers;
  }

  private take(): number {
    if (this.free !== NO_SLOT) {
      const slot = this.free;
      this.free = this.next[slot] as number;
      return slot;
    }
    if (this.used === this.stamps.length) {
      const length = this.stamps.length * 2;
      const words = new Uint32Array(length * 4);
      words.set(this.words);
      this.words = words;
      const stamps = new Float64Array(length);
      stamps.set(this.stamps);
      this.stamps = stamps;
      const next = new Int32Array(length);
      next.set(this.next);
      this.next = next;
    }
    return this.used++;
  }
}

/** Parses `key` into `uuidWords` when it is a uuid in lower case, which the words give back exactly. */
function isLowerCaseUuid(key: string): boolean {
  if (!parseUuid(key)) return false;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 0x41 && code <= 0x46) return false;
  }
  return true;
}

/**
 * What the cycle knows of each value it met: its state, per upload format, in a compact table
 * (a million values cost their bytes and a few integers, outside the JavaScript heap), and, while
 * its batch is unanswered, the attributes waiting for it (the first of their chain, by value).
 */
class SentValues {
  private readonly states = new Map<string, ValueStates>();
  private readonly carriers = new Map<string, Map<string, number>>();
  private readonly pending = new PendingCarriers();

  /**
   * An attribute carrying `value`: returns the value's state as it was met (undefined the first
   * time, when it becomes pending with this attribute as its first carrier). While the value is
   * pending, the attribute waits with it.
   */
  meet(format: string, value: string, key: string, timestamp: number): ValueState | undefined {
    let states = this.states.get(format);
    if (states === undefined) {
      states = new ValueStates();
      this.states.set(format, states);
      this.carriers.set(format, new Map());
    }
    const state = states.getOrAdd(value, PENDING) as ValueState | undefined;
    if (state === undefined) this.carriers.get(format)?.set(value, this.pending.start(key, timestamp));
    else if (state === PENDING) {
      const head = this.carriers.get(format)?.get(value);
      if (head !== undefined) this.pending.append(head, key, timestamp);
    }
    return state;
  }

  /** Marks a pending value answered and hands over its carriers, now released, as [key, timestamp, key, timestamp…]. */
  settle(format: string, value: string, state: typeof ACCEPTED | typeof FAILED): Array<string | number> | undefined {
    const states = this.states.get(format);
    if (states === undefined || states.get(value) !== PENDING) return undefined;
    states.set(value, state);
    const byValue = this.carriers.get(format);
    const head = byValue?.get(value);
    byValue?.delete(value);
    return head === undefined ? [] : this.pending.release(head);
  }
}

/** Models a cycle can tell apart in {@link TimedValues}: a moment and a model index share one number. */
const MODEL_SLOTS = 65_536;

/**
 * The moment and model of each value pushed with its own moment, while its batch is unanswered:
 * one number a value (moment × MODEL_SLOTS + model index; moments are whole seconds), by format,
 * so that tens of thousands of values waiting in their groups cost no object each.
 */
class TimedValues {
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly models: string[] = [];
  private readonly modelIds = new Map<string, number>();

  /** A carrier of the value with this moment: the latest moment is kept. */
  meet(format: string, value: string, moment: number, model: string): void {
    let byValue = this.pending.get(format);
    if (byValue === undefined) this.pending.set(format, (byValue = new Map()));
    const known = byValue.get(value);
    if (known === undefined || moment > Math.floor(known / MODEL_SLOTS)) byValue.set(value, moment * MODEL_SLOTS + this.modelId(model));
  }

  /** Forgets the value; returns what was kept of it (see {@link momentOf} and {@link modelOf}), or undefined. */
  settle(format: string, value: string): number | undefined {
    const byValue = this.pending.get(format);
    const known = byValue?.get(value);
    if (known !== undefined) byValue?.delete(value);
    return known;
  }

  momentOf(kept: number): number {
    return Math.floor(kept / MODEL_SLOTS);
  }

  modelOf(kept: number): string {
    return this.models[kept % MODEL_SLOTS] as string;
  }

  private modelId(model: string): number {
    let id = this.modelIds.get(model);
    if (id === undefined) {
      if (this.models.length === MODEL_SLOTS) throw new RangeError(`A cycle tells apart at most ${MODEL_SLOTS} decaying models.`);
      id = this.models.push(model) - 1;
      this.modelIds.set(model, id);
    }
    return id;
  }
}

/** A cycle's report before its first page: a fresh object on every call, since a cycle counts in it. */
export function emptyCycleReport(): CycleReport {
  return {
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
}

/**
 * One synchronisation cycle: read pages → skip what was delivered → normalise and validate → send
 * each value once → remember an attribute only once the batch that carried it was accepted.
 *
 * Throws what the source or `push` throws (a fatal error); the attributes of batches accepted
 * before that stay remembered, so nothing is pushed twice and nothing is lost.
 */
export async function runSyncCycle(input: SyncCycleInput): Promise<CycleReport> {
  const report = emptyCycleReport();
  const exampleLimit = input.invalidExamples ?? 5;
  const values = new SentValues();
  const batcher = new IndicatorBatcher(input.batchSize);
  const timed = new TimedValues();
  const inFlight = new Set<Promise<void>>();
  let fatal: { error: unknown } | undefined;

  const settle = (batch: IndicatorBatch | TimedBatch, outcome: BatchOutcome): void => {
    const deliveredAt = input.now();
    if (outcome.accepted.length > 0) report.batchesSubmitted++;
    if (outcome.failed.length > 0) report.batchesFailed++;
    const pushed = 'validUntil' in batch ? batch.validUntil : undefined;
    for (const value of outcome.accepted) {
      const carriers = values.settle(batch.format, value, ACCEPTED);
      if (carriers === undefined) continue;
      for (let i = 0; i < carriers.length; i += 2) input.delivered.add(carriers[i] as string, carriers[i + 1] as number, deliveredAt);
      const life = pushed === undefined ? undefined : timed.settle(batch.format, value);
      if (life !== undefined) {
        const counts = ((report.decay ??= {})[timed.modelOf(life)] ??= { pushed: 0, decayed: 0 });
        counts.pushed++;
      }
      if (input.onAccepted !== undefined) {
        const keys = carriers.filter((_, i) => i % 2 === 0) as string[];
        input.onAccepted(batch.format, value, keys, life === undefined || pushed === undefined ? undefined : { pushed, target: timed.momentOf(life) });
      }
      report.iocsSubmitted++;
      report.submittedByFormat[batch.format] = (report.submittedByFormat[batch.format] ?? 0) + 1;
    }
    for (const value of outcome.failed) {
      if (values.settle(batch.format, value, FAILED) !== undefined) report.iocsFailed++;
      timed.settle(batch.format, value);
    }
  };

  const dispatch = async (batch: IndicatorBatch | TimedBatch): Promise<void> => {
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
      let sinceYield = 0;
      for (const attribute of page.attributes) {
        if (++sinceYield === ATTRIBUTES_BETWEEN_YIELDS) {
          sinceYield = 0;
          // Lets sockets move meanwhile: the next page keeps arriving and batches keep being answered.
          await yieldToEventLoop();
          if (fatal !== undefined) break;
        }
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
        const lifetime = input.lifetimes === undefined ? undefined : attribute.lifetime;
        if (lifetime?.kind === 'decayed') {
          const counts = ((report.decay ??= {})[lifetime.model] ??= { pushed: 0, decayed: 0 });
          counts.decayed++;
          continue;
        }
        const state = values.meet(format, value, key, attribute.timestamp);
        if (state === undefined) {
          if (lifetime !== undefined && input.lifetimes !== undefined) {
            // A value alive already keeps its later moment: a new carrier never shortens it.
            const moment = Math.max(lifetime.at, input.lifetimes.keeps?.(format, value) ?? lifetime.at);
            timed.meet(format, value, moment, lifetime.model);
            for (const batch of input.lifetimes.grouping.add(format, value, moment)) await dispatch(batch);
          } else {
            const batch = batcher.add(format, value);
            if (batch !== undefined) await dispatch(batch);
          }
          if (fatal !== undefined) break;
          continue;
        }
        report.alreadyDelivered++;
        // Several carriers in one cycle: the value lives as long as the longest of them.
        if (lifetime !== undefined && state === PENDING) timed.meet(format, value, lifetime.at, lifetime.model);
        if (state === ACCEPTED) {
          input.delivered.add(key, attribute.timestamp, input.now());
          input.onAccepted?.(format, value, [key], lifetime === undefined ? undefined : { target: lifetime.at });
        }
        // FAILED: the attribute stays undelivered and comes back next cycle.
      }
      if (fatal !== undefined) break;
      await input.onPage?.(report);
    }
    if (fatal === undefined) {
      for (const batch of [...batcher.drain(), ...(input.lifetimes?.grouping.drain() ?? [])]) {
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

