import type { MispIocsPushedEvent } from '../configuration/configuration.generated.js';
import type { ExpiryOutcome } from '../expiry/indicator-expiry.js';
import type { CycleReport } from '../pipeline/sync-cycle.js';

export const IOCS_PUSHED_EVENT = 'MISP IOCs pushed';

/** The "MISP IOCs pushed" event of a cycle, as the trigger JSON's `results` describes it. */
export function cycleEvent(
  report: CycleReport,
  durationSeconds: number,
  filtered: number,
  expired: ExpiryOutcome | undefined,
  warninglisted: ReadonlyMap<string, number> = new Map(),
): MispIocsPushedEvent {
  return {
    iocs_skipped_filtered: filtered,
    iocs_skipped_warninglist: [...warninglisted.values()].reduce((sum, count) => sum + count, 0),
    iocs_refreshed: expired?.refreshed ?? 0,
    iocs_withdrawn: expired?.withdrawn ?? 0,
    attributes_processed: report.attributesFetched,
    iocs_submitted: report.iocsSubmitted,
    iocs_skipped_invalid: report.iocsInvalid,
    iocs_skipped_unsupported: report.unsupported,
    iocs_skipped_already_delivered: report.alreadyDelivered,
    iocs_failed: report.iocsFailed,
    batches_submitted: report.batchesSubmitted,
    duration_seconds: Math.round(durationSeconds * 1000) / 1000,
  };
}
