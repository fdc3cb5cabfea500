import type { Clock, Logger, StateFileSystem } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration } from '../configuration/configuration.generated.js';
import type { ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import type { AttributeFilterSettings } from '../filters/attribute-filter.js';
import type { SourceLifetime, SourcePage } from '../pipeline/sync-cycle.js';
import type { LiveIndicators } from '../state/live-indicators.js';

/**
 * One kind of source the IDS trigger can read, named by the trigger's `source` argument: its own
 * configuration checks beside the way to open it. The table in `source-kinds.ts` lists them.
 */
export interface SourceKind {
  /** The value of the `source` argument that selects this kind. */
  readonly source: string;
  /**
   * The keys this kind needs, which JSON Schema cannot tie to the choice of source: one sentence per
   * problem, in the words of the configuration error. Called only when `source` names this kind.
   */
  checkConfiguration(account: Record<string, unknown>, configuration: Record<string, unknown>): string[];
  /**
   * True when the kind reads MISP's decaying models (`expiry: decaying_model`): its pages carry each
   * attribute's lifetime, and its cycles tell lifetimes again (`lifetimes`) and sightings (`resighted`).
   */
  readonly lifetimes?: boolean;
  /** MISP types this kind syncs by default beside the documented ones, when `attribute_types` names none. */
  defaultTypes?(configuration: ValidatedTriggerConfiguration): readonly string[];
  open(context: SourceOpenContext): Promise<AttributeSource>;
}

/** What a source may use when it opens: the configurations, and what the trigger shares with it. */
export interface SourceOpenContext {
  account: MispModuleConfiguration;
  configuration: ValidatedTriggerConfiguration;
  /** The tag, organisation and type filters, with the default types filled in. */
  filters: AttributeFilterSettings;
  proxies: { httpProxy?: string | undefined; httpsProxy?: string | undefined; verifySsl: boolean };
  clock: Clock;
  logger: Logger;
  /** The trigger's persistent directory, where a source may keep its own state. */
  dataPath: string;
  /** What the source's state files are written through: the runtime's, which tests may make fail. */
  stateFileSystem: StateFileSystem;
  /** With `valid_for`, withdrawals are asked after every cycle: a source may skip keeping track of them otherwise. */
  followsWithdrawals: boolean;
}

/** What a cycle reads: the window of publication times it covers. */
export interface CycleWindow {
  /** The cursor (the last complete cycle's start less an overlap), never before the window. */
  sinceMs: number;
  /** The start of the look-back window. */
  windowStartMs: number;
  pageSize: number;
}

/** An open source: one cycle after another until the trigger stops. */
export interface AttributeSource {
  /** How the source is named in logs, e.g. `MISP misp.example.org`. */
  readonly describe: string;
  startCycle(window: CycleWindow, signal: AbortSignal): Promise<SourceCycle>;
  close(): Promise<void> | void;
}

/** The expiry schedule as a source may read it, to tell what it withdrew. */
export type LiveSchedule = Pick<LiveIndicators, 'attributeCount' | 'eventOf' | 'attributesOf' | 'attributesOutside' | 'carries'>;

/** One cycle of a source: its pages, then what it withdrew and still vouches for, then its commit. */
export interface SourceCycle {
  pages: AsyncIterable<SourcePage>;
  /** IDS attributes the source itself left out for the filters (a server that filters: 0). */
  filtered(): number;
  /** Values the source itself left out for being on a warninglist, by list (a MISP that does not report them). */
  warninglisted?(): ReadonlyMap<string, number>;
  /** The event that carried an attribute of this cycle, where the source tells: kept in the expiry schedule. */
  eventOf?(attributeKey: string): string | undefined;
  /** Once the pages were pushed (with `valid_for`): the live attributes the source withdrew. */
  withdrawn(live: LiveSchedule, signal: AbortSignal): Promise<Iterable<string>>;
  /**
   * Which of these live attributes the source still vouches for, so that their values are refreshed.
   * Left out when the source cannot be asked: a value is then refreshed while an attribute carries it.
   */
  confirm?(uuids: string[], live: LiveSchedule, signal: AbortSignal): Promise<Set<string>>;
  /**
   * With `expiry: decaying_model`: the lifetime of each of these live attributes the source still
   * vouches for (undefined: no model applies to it); the ones it leaves out were taken back. Stands
   * for `confirm` then.
   */
  lifetimes?(uuids: string[], live: LiveSchedule, signal: AbortSignal): Promise<Map<string, SourceLifetime | undefined>>;
  /**
   * With `expiry: decaying_model`: the live attributes sighted since the last cycle, whose values
   * are refreshed now. (False positives are among `withdrawn`.)
   */
  resighted?(live: LiveSchedule, signal: AbortSignal): Promise<Iterable<string>>;
  /**
   * True when an attribute `confirm` leaves out was not withdrawn but left the source's reach (a
   * feed event older than the window): its value is no longer refreshed and lapses on its own.
   */
  readonly unconfirmedRunsOut?: boolean;
  /** Called once the cycle ended, whatever happened; `complete` when every value it carried was accepted. */
  commit(complete: boolean): Promise<void>;
}
