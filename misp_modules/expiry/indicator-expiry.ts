import type { LiveIndicators } from '../state/live-indicators.js';

export interface ExpiringBatch {
  format: string;
  values: string[];
  validUntil: string;
}

export interface ExpiryPorts {
  push(batch: ExpiringBatch): Promise<{ accepted: readonly string[]; failed: readonly string[] }>;
  /**
   * Which of these attributes the source still holds as IDS material in scope. Undefined when the
   * source cannot be asked (a feed): then a value is refreshed while an attribute carries it.
   */
  confirm?: ((uuids: string[]) => Promise<Set<string>>) | undefined;
  /**
   * What becomes of an attribute `confirm` leaves out: withdrawn at once when the source took it
   * back (MISP: IDS flag cleared, deleted, unpublished, out of the filters), or, when true, no longer
   * refreshed but left to lapse at the end of its validity (a feed event that aged out of the
   * look-back window while the feed still lists it: nobody withdrew it).
   */
  unconfirmedRunsOut?: boolean | undefined;
  /**
   * Called for each attribute withdrawn from the schedule, so that its delivery is forgotten too:
   * should the source bring it back unchanged (an event published or listed again), it is pushed again.
   */
  onWithdrawn?: ((uuid: string) => void) | undefined;
}

export interface ExpiryOutcome {
  refreshed: number;
  /** Values made to lapse at once because their last attribute was withdrawn. */
  withdrawn: number;
  /** Values that could not be submitted; a refresh is tried again next cycle, a lapse happens on its own. */
  failed: number;
}

export interface ExpirySettings {
  nowSeconds: number;
  validForSeconds: number;
  batchSize: number;
}

export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Submits again the values that lapse within `refreshWithinSeconds`, at most `limit` a cycle, the
 * soonest first, so that refreshes spread over cycles. With a source that can be asked, a value is
 * refreshed only while MISP still holds one of its attributes as IDS material; the others are
 * withdrawn.
 */
export async function refreshDue(
  live: LiveIndicators,
  ports: ExpiryPorts,
  settings: ExpirySettings & { refreshWithinSeconds: number; limit: number },
): Promise<ExpiryOutcome> {
  const due = live.due(settings.nowSeconds + settings.refreshWithinSeconds, settings.limit);
  const outcome: ExpiryOutcome = { refreshed: 0, withdrawn: 0, failed: 0 };
  if (due.length === 0) return outcome;
  const lapse: Array<{ format: string; value: string }> = [];
  if (ports.confirm !== undefined) {
    const carriers = due.flatMap((value) => [...value.carriers]);
    const confirmed = await ports.confirm(carriers);
    for (const uuid of carriers) {
      if (confirmed.has(uuid)) continue;
      const orphan = live.withdraw(uuid);
      ports.onWithdrawn?.(uuid);
      if (orphan !== undefined && ports.unconfirmedRunsOut !== true) lapse.push(orphan);
    }
  }
  const expiresAt = settings.nowSeconds + settings.validForSeconds;
  // `due` lists the carriers as they were: a value goes on if one of them was not withdrawn since.
  const refresh = due.filter((value) => [...value.carriers].some((uuid) => live.carries(uuid)));
  const refreshed = await submitValues(refresh, isoSeconds(expiresAt), ports, settings.batchSize, (format, value) => {
    live.accepted(format, value, [], expiresAt);
  });
  const withdrawn = await submitValues(lapse, isoSeconds(settings.nowSeconds), ports, settings.batchSize, (format, value) => live.forget(format, value));
  return { refreshed: refreshed.accepted, withdrawn: withdrawn.accepted, failed: refreshed.failed + withdrawn.failed };
}

/** Makes the values of withdrawn attributes lapse now, unless another attribute still carries them. */
export async function withdrawAttributes(live: LiveIndicators, uuids: Iterable<string>, ports: ExpiryPorts, settings: ExpirySettings): Promise<ExpiryOutcome> {
  const lapse: Array<{ format: string; value: string }> = [];
  for (const uuid of uuids) {
    const orphan = live.withdraw(uuid);
    ports.onWithdrawn?.(uuid);
    if (orphan !== undefined) lapse.push(orphan);
  }
  const result = await submitValues(lapse, isoSeconds(settings.nowSeconds), ports, settings.batchSize, (format, value) => live.forget(format, value));
  return { refreshed: 0, withdrawn: result.accepted, failed: result.failed };
}

/** Pushes values with one `valid_until`, by format in batches; `onAccepted` for each value accepted. */
export async function submitValues(
  values: ReadonlyArray<{ format: string; value: string }>,
  validUntil: string,
  ports: ExpiryPorts,
  batchSize: number,
  onAccepted: (format: string, value: string) => void,
): Promise<{ accepted: number; failed: number }> {
  const byFormat = new Map<string, string[]>();
  for (const { format, value } of values) {
    const list = byFormat.get(format) ?? [];
    list.push(value);
    byFormat.set(format, list);
  }
  let accepted = 0;
  let failed = 0;
  for (const [format, list] of byFormat) {
    for (let start = 0; start < list.length; start += batchSize) {
      const result = await ports.push({ format, values: list.slice(start, start + batchSize), validUntil });
      for (const value of result.accepted) onAccepted(format, value);
      accepted += result.accepted.length;
      failed += result.failed.length;
    }
  }
  return { accepted, failed };
}
