import { FatalTriggerError, StateWriteError, Trigger } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { argumentDefault } from '../configuration/module-root.js';
import { lookbackDays, type ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import { maintainExpiry } from '../expiry/cycle-expiry.js';
import { cycleTiming, type ExpiryMode } from '../expiry/expiry-timing.js';
import { isoSeconds } from '../expiry/indicator-expiry.js';
import { createAttributeNormaliser, selectIocTypeRows, type AttributeNormaliser } from '../iocs/normalise-attribute.js';
import { runSyncCycle } from '../pipeline/sync-cycle.js';
import { FatalIocCollectionError } from '../sekoia/errors/fatal-ioc-collection-error.js';
import { IocCollectionClient } from '../sekoia/ioc-collection-client.js';
import type { AttributeSource, SourceCycle } from '../sources/attribute-source.js';
import { filterSettingsOf, sourceKindOf } from '../sources/source-kinds.js';
import { SyncState } from '../state/sync-state.js';
import { cycleEvent, IOCS_PUSHED_EVENT } from './cycle-event.js';
import { triggerConfigurationProblems } from './configuration-checks.js';
import { CycleProgress } from './cycle-progress.js';
import { describeCycle, describeExpiry, describeInvalid } from './cycle-summary.js';
import { recordCycle, registerTriggerMetrics, type TriggerMetrics } from './trigger-metrics.js';

/** Published events are asked again over this margin, against clock skew between MISP and us; dedup absorbs the repeats. */
const SAFETY_OVERLAP_MS = 15 * 60_000;
/** Attributes remembered as delivered: twice the 500,000-indicator limit of a collection, since several attributes share values. */
const DELIVERED_CAPACITY = 1_000_000;
/** During a long cycle the delivered memory is saved at this pace, so a crash costs little re-pushing. */
const DELIVERED_SAVE_INTERVAL_MS = 30_000;
const MS_PER_DAY = 86_400_000;
/** A long cycle says what it did so far at this pace, so that a first sync of minutes is not silent. */
const PROGRESS_INTERVAL_SECONDS = 30;

/** What every cycle of one run shares. */
interface CycleContext {
  state: SyncState;
  source: AttributeSource;
  collection: IocCollectionClient;
  metrics: TriggerMetrics;
  normaliser: AttributeNormaliser;
  /** With `valid_for` or decaying models: the schedule of what was submitted with an expiry, saved with the delivered memory. */
  expiry: ExpiryMode | undefined;
  windowDays: number;
  sleepSeconds: number;
}

/**
 * "MISP IDS Attributes to IOC Collection": every `sleep_time` seconds, reads the IDS attributes that
 * the source (the `source` argument's kind, from the table in sources/) published since the last
 * complete cycle, pushes each new valid value to the IOC collection, and with `valid_for` keeps
 * their expiry: source → pipeline → push → expiry.
 */
export class MispIdsAttributesToIocCollectionTrigger extends Trigger<MispModuleConfiguration, ValidatedTriggerConfiguration> {
  /** How long /health tolerates silence: a page or a pause always heartbeats well within it. */
  static override heartbeatTimeoutSeconds = 3_600;

  private metricsSeries: TriggerMetrics | undefined;
  private collection: IocCollectionClient | undefined;

  /** The rules JSON Schema cannot state, the source kind's own among them: one sentence per problem. */
  static checkConfiguration(account: Record<string, unknown>, configuration: Record<string, unknown>): string[] {
    return triggerConfigurationProblems(account, configuration);
  }

  override async run(): Promise<void> {
    const configuration = this.configuration;
    const account = this.moduleConfiguration;
    const metrics = (this.metricsSeries ??= registerTriggerMetrics(this.metrics, () => this.collection?.paceSnapshot));
    metrics.cycles.labels('success').inc(0);
    metrics.cycles.labels('failure').inc(0);

    const kind = sourceKindOf(configuration.source);
    // The schema lets through only the names of the table: this is a table and schema out of step.
    if (kind === undefined) throw new FatalTriggerError(`The source ${JSON.stringify(configuration.source)} names no kind of source the trigger can read.`);
    const windowDays = lookbackDays(configuration, String(argumentDefault('publish_timestamp')));
    const sleepSeconds = this.pauseBetweenCycles(configuration.sleep_time);
    const proxies = { httpProxy: account.http_proxy, httpsProxy: account.https_proxy, verifySsl: configuration.verify_ssl };
    const filters = filterSettingsOf(configuration, kind);
    const validForSeconds = configuration.valid_for === undefined ? undefined : configuration.valid_for * 86_400;
    const decay = configuration.expiry === 'decaying_model';
    const state = await SyncState.load(this.dataPath, DELIVERED_CAPACITY, this, { schedule: validForSeconds !== undefined || decay, fileSystem: this.stateFileSystem });
    const expiry = state.schedule === undefined ? undefined : { validForSeconds, decay, live: state.schedule, sleepSeconds };
    const source = await kind.open({ account, configuration, filters, proxies, clock: this.clock, logger: this, dataPath: this.dataPath, stateFileSystem: this.stateFileSystem, followsWithdrawals: expiry !== undefined });
    const collection = (this.collection = new IocCollectionClient({
      serverUrl: configuration.ioc_collection_server,
      collectionUuid: configuration.ioc_collection_uuid,
      // The account's key wins; configurations of the Python module carry it among the arguments.
      apiKey: (account.sekoia_api_key ?? configuration.sekoia_api_key) as string,
      requestsPerSecond: configuration.push_rate_per_second,
      clock: this.clock,
      logger: this,
      ...proxies,
    }));
    const normaliser = createAttributeNormaliser(selectIocTypeRows(filters.types).rows);
    const context: CycleContext = { state, source, collection, metrics, normaliser, expiry, windowDays, sleepSeconds };

    this.log(
      `Starting: ${source.describe} → ${configuration.ioc_collection_uuid}, look-back ${windowDays} day(s), a cycle every ${sleepSeconds} s, ${state.delivered.size} attributes remembered as delivered.`,
    );
    try {
      for (let cycle = 1; this.running; cycle++) {
        const failure = await this.runCycle(cycle, context);
        if (!this.running) break;
        // The runtime counts failed cycles in a row: from the fifth, one critical log and /health 500.
        if (failure === undefined) this.cycleSucceeded();
        else this.cycleFailed(failure);
        await this.sleep(sleepSeconds);
      }
    } finally {
      // Every stop path (signal, fatal error) ends here: the schedule and the delivered memory are saved together.
      await this.saveOrWarn(state);
      await source.close();
      await collection.close();
    }
  }

  /**
   * One cycle: read the source from the cursor (less the overlap) or the window, push, then keep the
   * expiry schedule. Returns undefined when everything was delivered (which alone moves the cursor),
   * else why not. A fatal IOC-collection error stops the trigger; any other failure is logged and the
   * next cycle retries.
   */
  private async runCycle(cycle: number, context: CycleContext): Promise<string | undefined> {
    const { state, source, collection, metrics, expiry } = context;
    const configuration = this.configuration;
    const startedAt = this.clock.now();
    const windowStart = startedAt - context.windowDays * MS_PER_DAY;
    const previous = state.lastCompleteCycleStartMs;
    const since = previous === undefined ? windowStart : Math.max(windowStart, previous - SAFETY_OVERLAP_MS);
    const forgotten = state.delivered.expire(windowStart - MS_PER_DAY);
    if (forgotten > 0) this.log(`Forgot ${forgotten} delivered attributes older than the look-back window.`, 'debug');
    collection.resetRetryBudget();
    let lastSave = startedAt;
    const progress = new CycleProgress({
      cycle,
      startedAt,
      intervalMs: this.progressIntervalSeconds() * 1000,
      clock: this.clock,
      log: (line) => this.log(line),
      pace: () => collection.paceSnapshot.requestsPerSecond,
    });
    let sourceCycle: SourceCycle | undefined;
    let complete = false;
    try {
      sourceCycle = await source.startCycle({ sinceMs: since, windowStartMs: windowStart, pageSize: configuration.misp_page_size }, this.signal);
      const timing = expiry === undefined ? undefined : cycleTiming(expiry, () => this.nowSeconds(), configuration.batch_size, sourceCycle.eventOf?.bind(sourceCycle));
      const report = await runSyncCycle({
        pages: sourceCycle.pages,
        normalise: context.normaliser.normalise,
        push: async (batch) => {
          const until = 'validUntil' in batch ? batch.validUntil : timing?.validUntil();
          const result = await collection.push({ format: batch.format, values: batch.values, ...(until === undefined ? {} : { validUntil: isoSeconds(until) }) }, this.signal);
          progress.prompt();
          return result;
        },
        ...(timing === undefined ? {} : { onAccepted: timing.onAccepted }),
        ...(timing?.lifetimes === undefined ? {} : { lifetimes: timing.lifetimes }),
        delivered: state.delivered,
        batchSize: configuration.batch_size,
        maxBatchesInFlight: 4,
        now: () => this.clock.now(),
        onPage: async (report) => {
          progress.update(report);
          this.heartbeat();
          if (this.clock.now() - lastSave >= DELIVERED_SAVE_INTERVAL_MS) {
            lastSave = this.clock.now();
            // Not awaited: the cycle keeps reading while the image is written; saves queue up.
            void state.save().catch((error: unknown) => {
              this.log(`The memory of delivered attributes could not be saved (${(error as Error).message}); it is saved again at the end of the cycle.`, 'warning');
            });
          }
        },
      });
      const expiryOutcome =
        expiry === undefined
          ? undefined
          : await maintainExpiry(
              sourceCycle,
              { live: expiry.live, delivered: state.delivered, push: (batch) => collection.push(batch, this.signal), signal: this.signal },
              { nowSeconds: this.nowSeconds(), validForSeconds: expiry.validForSeconds, decay: expiry.decay, sleepSeconds: context.sleepSeconds, batchSize: configuration.batch_size },
            );
      const durationSeconds = (this.clock.now() - startedAt) / 1000;
      recordCycle(metrics, report, durationSeconds, sourceCycle.warninglisted?.(), expiryOutcome?.sightingRefreshes);
      complete = report.iocsFailed === 0 && (expiryOutcome?.failed ?? 0) === 0 && this.running;
      if (complete) await state.completeCycle(startedAt);
      else await state.save();
      // The source's own memory (a feed's), here so that a write that fails fails the cycle.
      const finishing = sourceCycle;
      sourceCycle = undefined;
      await finishing.commit(complete);
      metrics.cycles.labels(complete ? 'success' : 'failure').inc();
      this.log(describeCycle(cycle, report, durationSeconds, finishing.warninglisted?.()));
      if (report.iocsInvalid > 0) this.log(describeInvalid(cycle, report), 'warning');
      if (report.iocsFailed > 0) {
        this.log(`Cycle ${cycle}: ${report.iocsFailed} indicators were not accepted by the IOC collection; they will be pushed again next cycle.`, 'error');
      }
      const expiryLine = describeExpiry(cycle, expiryOutcome);
      if (expiryLine !== undefined) this.log(expiryLine);
      if (report.iocsSubmitted > 0 || (expiryOutcome?.refreshed ?? 0) + (expiryOutcome?.withdrawn ?? 0) > 0) {
        await this.sendCycleEvent(cycleEvent(report, durationSeconds, finishing.filtered(), expiryOutcome, finishing.warninglisted?.()));
      }
      if (complete) return undefined;
      const failed = report.iocsFailed + (expiryOutcome?.failed ?? 0);
      return `cycle ${cycle}: ${failed} indicators were not accepted by the IOC collection`;
    } catch (error) {
      if (error instanceof FatalIocCollectionError) throw new FatalTriggerError(error.message);
      if (error instanceof FatalTriggerError) throw error; // A configuration the source cannot honour.
      if (!this.running) return 'stopped';
      metrics.cycles.labels('failure').inc();
      metrics.cycleDuration.observe((this.clock.now() - startedAt) / 1000);
      if (!(error instanceof StateWriteError)) await this.saveOrWarn(state);
      this.log(`Cycle ${cycle} failed: ${(error as Error).message} Nothing is lost: the next cycle starts again from the last complete one.`, 'error');
      return `cycle ${cycle}: ${(error as Error).message}`;
    } finally {
      progress.stop();
      await sourceCycle?.commit(complete).catch((error: unknown) => this.log(`${(error as Error).message} The next cycle writes it again.`, 'warning'));
    }
  }

  /** Saves the state; a failure (a full disk) is logged, not thrown, since this save only tries ahead of the next. */
  private async saveOrWarn(state: SyncState): Promise<void> {
    try {
      await state.save();
    } catch (error) {
      this.log(`${(error as Error).message} What was not recorded is pushed again later.`, 'warning');
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /**
   * Seconds between two cycles. The schema keeps production at 60 s or more; only the development
   * runner overrides this, in a subclass that no configuration can select.
   */
  protected pauseBetweenCycles(sleepTime: number): number {
    return sleepTime;
  }

  /** Seconds between two progress lines of a running cycle; the development runner shows them live. */
  protected progressIntervalSeconds(): number {
    return PROGRESS_INTERVAL_SECONDS;
  }

  private async sendCycleEvent(event: ReturnType<typeof cycleEvent>): Promise<void> {
    try {
      await this.sendEvent(IOCS_PUSHED_EVENT, { ...event });
    } catch (error) {
      this.log(`The "${IOCS_PUSHED_EVENT}" event could not be sent: ${(error as Error).message}`, 'error');
    }
  }
}
