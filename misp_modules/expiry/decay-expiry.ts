import { refreshValidUntil, ValidUntilGroups, type ValidUntilBatch } from '../decay/valid-until-groups.js';
import type { SourceLifetime } from '../pipeline/sync-cycle.js';
import type { DeliveredAttributes } from '../state/delivered-attributes.js';
import type { LiveIndicators, LiveValue } from '../state/live-indicators.js';
import type { SourceCycle } from '../sources/attribute-source.js';
import { isoSeconds, submitValues, withdrawAttributes, type ExpiryOutcome, type ExpiryPorts } from './indicator-expiry.js';

/** Groups of distinct `valid_until` open at once, per cycle: the requests a cycle's end may send together. */
export const VALID_UNTIL_OPEN_GROUPS = 64;
/** A value pushed early is brought to its moment once its `valid_until` comes this close, at the soonest. */
const MIN_HORIZON_SECONDS = 3_600;
/** Values asked again at most per cycle. */
const REFRESHES_PER_CYCLE = 5_000;

/** How far ahead the refresh looks: values whose `valid_until` comes this close are asked again. */
export function refreshHorizonSeconds(sleepSeconds: number): number {
  return Math.max(2 * sleepSeconds, MIN_HORIZON_SECONDS);
}

/**
 * The schedule's refresh as the grouping by `valid_until` needs it, at `now`: the next comes after
 * a pause and a cycle (two pauses, to be safe), and looks the horizon ahead.
 */
export function refreshBounds(now: number, sleepSeconds: number): { nextAt: number; dueUntil: number } {
  return { nextAt: now + 2 * sleepSeconds, dueUntil: now + refreshHorizonSeconds(sleepSeconds) };
}

export interface DecayExpiryPorts {
  live: LiveIndicators;
  delivered: Pick<DeliveredAttributes, 'forget'>;
  push: ExpiryPorts['push'];
  signal: AbortSignal;
}

export interface DecayExpirySettings {
  nowSeconds: number;
  sleepSeconds: number;
  batchSize: number;
  /** `valid_for`: the lifetime of values no model applies to; undefined, those are left as they are. */
  validForSeconds: number | undefined;
}

export interface DecayExpiryOutcome extends ExpiryOutcome {
  /** Values pushed again because one of their attributes was sighted. */
  sightingRefreshes: number;
}

/**
 * `expiry: decaying_model`, after a cycle's pages were pushed: withdraws what the source withdrew
 * (false positives among them); then, for the values whose `valid_until` comes near and those
 * sighted since the last cycle, asks the source once for their attributes' lifetimes: a value lives
 * as long as its longest-living attribute, lapses at once when all decayed, and is pushed again
 * with its new moment (grouped by `valid_until`, never later than the moment).
 */
export async function maintainDecayExpiry(source: SourceCycle, ports: DecayExpiryPorts, settings: DecayExpirySettings): Promise<DecayExpiryOutcome> {
  const { live, signal } = ports;
  const now = settings.nowSeconds;
  const base = { nowSeconds: now, validForSeconds: 0, batchSize: settings.batchSize };
  const onWithdrawn = (uuid: string): void => {
    ports.delivered.forget(uuid);
  };
  const withdrawnUuids = live.attributeCount === 0 ? [] : await source.withdrawn(live, signal);
  const withdrawn = await withdrawAttributes(live, withdrawnUuids, { push: ports.push, onWithdrawn }, base);
  const outcome: DecayExpiryOutcome = { refreshed: 0, withdrawn: withdrawn.withdrawn, failed: withdrawn.failed, sightingRefreshes: 0 };
  const horizon = refreshHorizonSeconds(settings.sleepSeconds);
  const sighted = new Set(live.attributeCount === 0 ? [] : await (source.resighted?.(live, signal) ?? []));
  const values = new Map<string, LiveValue>();
  // What this cycle's pages pushed has the lifetime MISP just gave: it is not asked again until the next cycle.
  for (const value of live.due(now + horizon, REFRESHES_PER_CYCLE, true)) values.set(`${value.format}\n${value.value}`, value);
  const resightedValues = new Set<string>();
  for (const uuid of sighted) {
    const value = live.carriedBy(uuid);
    if (value === undefined) continue;
    const key = `${value.format}\n${value.value}`;
    resightedValues.add(key);
    if (!values.has(key)) values.set(key, value);
  }
  if (values.size > 0 && source.lifetimes !== undefined) {
    const carriers = [...values.values()].flatMap((value) => [...value.carriers]);
    const lifetimes = await source.lifetimes(carriers, live, signal);
    const lapse: Array<{ format: string; value: string }> = [];
    const groups = new ValidUntilGroups({ batchSize: settings.batchSize, maxOpenGroups: VALID_UNTIL_OPEN_GROUPS, refresh: refreshBounds(now, settings.sleepSeconds) });
    const sends: Array<Promise<void>> = [];
    const send = (batches: readonly ValidUntilBatch[]): void => {
      for (const batch of batches) {
        sends.push(
          ports.push({ format: batch.format, values: batch.values, validUntil: isoSeconds(batch.validUntil) }).then((result) => {
            const accepted = new Set(result.accepted);
            batch.values.forEach((value, index) => {
              if (!accepted.has(value)) return;
              live.accepted(batch.format, value, [], batch.validUntil, undefined, batch.moments[index]);
              outcome.refreshed++;
              if (resightedValues.has(`${batch.format}\n${value}`)) outcome.sightingRefreshes++;
            });
            outcome.failed += result.failed.length;
          }),
        );
      }
    };
    for (const [key, value] of values) {
      const alive: Array<SourceLifetime | undefined> = [];
      for (const uuid of value.carriers) {
        if (lifetimes.has(uuid)) {
          alive.push(lifetimes.get(uuid));
          continue;
        }
        // No longer vouched for (IDS flag cleared, deleted, unpublished): withdrawn.
        live.withdraw(uuid);
        onWithdrawn(uuid);
      }
      if (alive.length === 0) {
        lapse.push(value);
        continue;
      }
      const moment = momentOf(alive, now, settings.validForSeconds);
      if (moment === 'keep') continue;
      if (moment === 'decayed') {
        lapse.push(value);
        continue;
      }
      // The collection already holds this very moment (a sighting the cycle's own pages had counted): nothing to push.
      if (moment === value.expiresAt) {
        live.accepted(value.format, value.value, [], value.expiresAt, undefined, moment);
        continue;
      }
      // A moment earlier than the pushed valid_until goes out at once; a sighted value goes out with its new moment.
      const next = moment < value.expiresAt || resightedValues.has(key) ? moment : refreshValidUntil(value.expiresAt, moment, now, horizon);
      if (next === undefined) {
        live.accepted(value.format, value.value, [], value.expiresAt, undefined, moment);
        continue;
      }
      send(groups.add(value.format, value.value, next));
    }
    send(groups.drain());
    await Promise.all(sends);
    const ended = await submitValues(lapse, isoSeconds(now), ports, settings.batchSize, (format, value) => live.forget(format, value));
    outcome.withdrawn += ended.accepted;
    outcome.failed += ended.failed;
  }
  live.prune(now);
  return outcome;
}

/**
 * A value's moment from its attributes' lifetimes: the latest; `decayed` when all decayed; `keep`
 * when an attribute has no model and no `valid_for` gives one (the value stays as it was).
 */
function momentOf(lifetimes: ReadonlyArray<SourceLifetime | undefined>, now: number, validForSeconds: number | undefined): number | 'decayed' | 'keep' {
  let moment: number | undefined;
  for (const lifetime of lifetimes) {
    if (lifetime === undefined) {
      if (validForSeconds === undefined) return 'keep';
      moment = Math.max(moment ?? 0, now + validForSeconds);
    } else if (lifetime.kind === 'lapses') {
      moment = Math.max(moment ?? 0, lifetime.at);
    }
  }
  return moment === undefined ? 'decayed' : moment;
}
