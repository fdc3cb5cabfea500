import type { DeliveredAttributes } from '../state/delivered-attributes.js';
import type { LiveIndicators } from '../state/live-indicators.js';
import type { SourceCycle } from '../sources/attribute-source.js';
import { maintainDecayExpiry, type DecayExpiryOutcome } from './decay-expiry.js';
import { refreshDue, withdrawAttributes, type ExpiryOutcome, type ExpiryPorts } from './indicator-expiry.js';

/** Refreshes submitted at most per cycle, so that a large collection's refresh spreads over cycles. */
const REFRESHES_PER_CYCLE = 5_000;

export interface CycleExpiryPorts {
  live: LiveIndicators;
  delivered: DeliveredAttributes;
  push: ExpiryPorts['push'];
  signal: AbortSignal;
}

export interface CycleExpirySettings {
  nowSeconds: number;
  validForSeconds: number | undefined;
  /** `expiry: decaying_model`: lifetimes come from the source's decaying models. */
  decay: boolean;
  sleepSeconds: number;
  batchSize: number;
}

/**
 * With `valid_for`, after a cycle's pages were pushed: withdraws what the source withdrew, then
 * refreshes what lapses soon and the source still vouches for, whatever the source.
 */
export async function maintainExpiry(source: SourceCycle, ports: CycleExpiryPorts, settings: CycleExpirySettings): Promise<ExpiryOutcome & Partial<DecayExpiryOutcome>> {
  if (settings.decay) return maintainDecayExpiry(source, ports, settings);
  if (settings.validForSeconds === undefined) return { refreshed: 0, withdrawn: 0, failed: 0 };
  const validForSeconds = settings.validForSeconds;
  const { live, signal } = ports;
  const confirm = source.confirm?.bind(source);
  const expiryPorts: ExpiryPorts = {
    push: ports.push,
    onWithdrawn: (uuid) => ports.delivered.forget(uuid),
    confirm: confirm === undefined ? undefined : (uuids) => confirm(uuids, live, signal),
    unconfirmedRunsOut: source.unconfirmedRunsOut,
  };
  const base = { nowSeconds: settings.nowSeconds, validForSeconds, batchSize: settings.batchSize };
  // Nothing alive, nothing to withdraw: the source is not asked.
  const withdrawnUuids = live.attributeCount === 0 ? [] : await source.withdrawn(live, signal);
  const withdrawn = await withdrawAttributes(live, withdrawnUuids, expiryPorts, base);
  // Refresh well before the lapse, and never later than two cycles before it.
  const refreshWithinSeconds = Math.max(Math.floor(validForSeconds / 3), 2 * settings.sleepSeconds);
  const refreshed = await refreshDue(live, expiryPorts, { ...base, refreshWithinSeconds, limit: REFRESHES_PER_CYCLE });
  live.prune(base.nowSeconds);
  return { refreshed: refreshed.refreshed, withdrawn: withdrawn.withdrawn + refreshed.withdrawn, failed: withdrawn.failed + refreshed.failed };
}
