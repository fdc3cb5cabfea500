import { ValidUntilGroups } from '../decay/valid-until-groups.js';
import type { SyncCycleInput, ValueTiming } from '../pipeline/sync-cycle.js';
import type { LiveIndicators } from '../state/live-indicators.js';
import { refreshBounds, VALID_UNTIL_OPEN_GROUPS } from './decay-expiry.js';

/** How indicators expire in one run: `valid_for`, MISP's decaying models, or both (valid_for for what no model covers). */
export interface ExpiryMode {
  live: LiveIndicators;
  validForSeconds: number | undefined;
  decay: boolean;
  /** `sleep_time`: sets how far ahead the refresh of decaying values looks. */
  sleepSeconds: number;
}

export interface CycleTiming {
  /** The `valid_until` of a value pushed without its own moment (epoch seconds), if any. */
  validUntil(): number | undefined;
  onAccepted: NonNullable<SyncCycleInput['onAccepted']>;
  lifetimes: SyncCycleInput['lifetimes'];
}

/**
 * What a cycle's pushes need of the expiry: the `valid_until` of values without a lifetime, the
 * schedule's bookkeeping of accepted values, and with decaying models the grouping by `valid_until`.
 */
export function cycleTiming(mode: ExpiryMode, nowSeconds: () => number, batchSize: number, eventOf?: (uuid: string) => string | undefined): CycleTiming {
  const { live, validForSeconds } = mode;
  if (mode.decay) live.beginCycle();
  const validUntil = (): number | undefined => (validForSeconds === undefined ? undefined : nowSeconds() + validForSeconds);
  return {
    validUntil,
    onAccepted: (format: string, value: string, keys: readonly string[], timing?: ValueTiming) => {
      if (timing?.pushed !== undefined) {
        live.accepted(format, value, keys, timing.pushed, eventOf, timing.target);
      } else if (timing !== undefined) {
        // A further carrier of a value accepted this cycle: it keeps the later moment.
        live.accepted(format, value, keys, 0, eventOf);
        live.raiseTarget(format, value, timing.target);
      } else {
        const until = validUntil();
        // Without valid_for, a value no model covers goes without valid_until: nothing to schedule.
        if (until !== undefined) live.accepted(format, value, keys, until, eventOf);
      }
    },
    lifetimes: mode.decay
      ? {
          // Nothing pushed now is keyed within the refresh horizon unless its moment is.
          grouping: new ValidUntilGroups({ batchSize, maxOpenGroups: VALID_UNTIL_OPEN_GROUPS, refresh: refreshBounds(nowSeconds(), mode.sleepSeconds) }),
          keeps: (format, value) => live.targetOf(format, value),
        }
      : undefined,
  };
}
