import { FatalTriggerError, Trigger, type TriggerContext } from '@sekoia/automation-sdk-shim';
import type { MispIocsPushedEvent, MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { argumentDefault } from '../configuration/module-root.js';
import { lookbackDays, type ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import { normaliseAttribute } from '../iocs/normalise-attribute.js';
import { MispClient } from '../misp/misp-client.js';
import { runSyncCycle, type CycleReport } from '../pipeline/sync-cycle.js';
import { FatalIocCollectionError } from '../sekoia/errors/fatal-ioc-collection-error.js';
import { IocCollectionClient } from '../sekoia/ioc-collection-client.js';
import { SyncState } from '../state/sync-state.js';
import { describeCycle, describeInvalid } from './cycle-summary.js';
import { registerTriggerMetrics, type TriggerMetrics } from './trigger-metrics.js';

/** Published events are asked again over this margin, against clock skew between MISP and us; dedup absorbs the repeats. */
const SAFETY_OVERLAP_MS = 15 * 60_000;
/** Attributes remembered as delivered: twice the 500,000-indicator limit of a collection, since several attributes share values. */
const DELIVERED_CAPACITY = 1_000_000;
/** During a long cycle the delivered memory is saved at this pace, so a crash costs little re-pushing. */
const DELIVERED_SAVE_INTERVAL_MS = 30_000;
/** Cycles failing in a row before one critical log. */
const FAILED_CYCLES_BEFORE_CRITICAL = 5;
const MS_PER_DAY = 86_400_000;

export const IOCS_PUSHED_EVENT = 'MISP IOCs pushed';

/**
 * "MISP IDS Attributes to IOC Collection": every `sleep_time` seconds, asks MISP for the IDS-flagged
 * attributes of events published since the last complete cycle, and pushes each new valid value to
 * the IOC collection.
 */
export class MispIdsAttributesToIocCollectionTrigger extends Trigger<MispModuleConfiguration, ValidatedTriggerConfiguration> {
  /** How long /health tolerates silence: a page or a pause always heartbeats well within it. */
  static override heartbeatTimeoutSeconds = 3_600;

  private metricsSeries: TriggerMetrics | undefined;

  constructor(context: TriggerContext<MispModuleConfiguration, ValidatedTriggerConfiguration>) {
    super(context);
  }

  override async run(): Promise<void> {
    const configuration = this.configuration;
    const account = this.moduleConfiguration;
    const metrics = (this.metricsSeries ??= registerTriggerMetrics(this.metrics));
    metrics.cycles.labels('success').inc(0);
    metrics.cycles.labels('failure').inc(0);

    const windowDays = lookbackDays(configuration, String(argumentDefault('publish_timestamp')));
    const sleepSeconds = this.pauseBetweenCycles(configuration.sleep_time);
    const state = await SyncState.load(this.dataPath, DELIVERED_CAPACITY, this);
    const proxies = { httpProxy: account.http_proxy, httpsProxy: account.https_proxy, verifySsl: configuration.verify_ssl };
    const misp = new MispClient({ baseUrl: account.misp_url, apiKey: account.misp_api_key, clock: this.clock, logger: this, ...proxies });
    const collection = new IocCollectionClient({
      serverUrl: configuration.ioc_collection_server,
      collectionUuid: configuration.ioc_collection_uuid,
      apiKey: account.sekoia_api_key,
      requestsPerSecond: configuration.push_rate_per_second,
      clock: this.clock,
      logger: this,
      ...proxies,
    });

    this.log(
      `Starting: MISP ${new URL(account.misp_url).host} → ${configuration.ioc_collection_uuid}, look-back ${windowDays} day(s), a cycle every ${sleepSeconds} s, ${state.delivered.size} attributes remembered as delivered.`,
    );
    let cycle = 0;
    let failuresInARow = 0;
    try {
      while (this.running) {
        cycle++;
        const startedAt = this.clock.now();
        const windowStart = startedAt - windowDays * MS_PER_DAY;
        const previous = state.lastCompleteCycleStartMs;
        const since = previous === undefined ? windowStart : Math.max(windowStart, previous - SAFETY_OVERLAP_MS);
        const expired = state.delivered.expire(windowStart - MS_PER_DAY);
        if (expired > 0) this.log(`Forgot ${expired} delivered attributes older than the look-back window.`, 'debug');
        collection.resetRetryBudget();
        let lastSave = startedAt;
        try {
          const report = await runSyncCycle({
            pages: misp.searchAttributes({ publishedSince: Math.floor(since / 1000), pageSize: configuration.misp_page_size }, this.signal),
            normalise: normaliseAttribute,
            push: (batch) => collection.push(batch, this.signal),
            delivered: state.delivered,
            batchSize: configuration.batch_size,
            maxBatchesInFlight: 4,
            now: () => this.clock.now(),
            onPage: async () => {
              this.heartbeat();
              if (this.clock.now() - lastSave >= DELIVERED_SAVE_INTERVAL_MS) {
                lastSave = this.clock.now();
                await state.saveDelivered();
              }
            },
          });
          const durationSeconds = (this.clock.now() - startedAt) / 1000;
          this.record(metrics, report, durationSeconds);
          const complete = report.iocsFailed === 0 && this.running;
          if (complete) await state.completeCycle(startedAt);
          else await state.saveDelivered();
          metrics.cycles.labels(complete ? 'success' : 'failure').inc();
          this.log(describeCycle(cycle, report, durationSeconds));
          if (report.iocsInvalid > 0) this.log(describeInvalid(cycle, report), 'warning');
          if (report.iocsFailed > 0) {
            this.log(`Cycle ${cycle}: ${report.iocsFailed} indicators were not accepted by the IOC collection; they will be pushed again next cycle.`, 'error');
          }
          failuresInARow = complete ? 0 : failuresInARow + 1;
          if (report.iocsSubmitted > 0) await this.sendCycleEvent(report, durationSeconds);
        } catch (error) {
          if (error instanceof FatalIocCollectionError) throw new FatalTriggerError(error.message);
          if (!this.running) break;
          failuresInARow++;
          metrics.cycles.labels('failure').inc();
          metrics.cycleDuration.observe((this.clock.now() - startedAt) / 1000);
          await state.saveDelivered();
          this.log(`Cycle ${cycle} failed: ${(error as Error).message} Nothing is lost: the next cycle starts again from the last complete one.`, 'error');
        }
        if (failuresInARow === FAILED_CYCLES_BEFORE_CRITICAL) {
          this.log(`${failuresInARow} cycles in a row did not complete: indicators are not reaching the IOC collection. See the previous errors.`, 'critical');
        }
        this.heartbeat();
        if (!this.running) break;
        await this.sleep(sleepSeconds);
      }
    } finally {
      await state.saveDelivered();
      misp.close();
      await collection.close();
    }
  }

  /**
   * Seconds between two cycles. The schema keeps production at 60 s or more; only the development
   * runner overrides this, in a subclass that no configuration can select.
   */
  protected pauseBetweenCycles(sleepTime: number): number {
    return sleepTime;
  }

  private record(metrics: TriggerMetrics, report: CycleReport, durationSeconds: number): void {
    metrics.attributesFetched.inc(report.attributesFetched);
    metrics.iocsPushed.inc(report.iocsSubmitted);
    metrics.iocsInvalid.inc(report.iocsInvalid);
    metrics.cycleDuration.observe(durationSeconds);
  }

  private async sendCycleEvent(report: CycleReport, durationSeconds: number): Promise<void> {
    const event: MispIocsPushedEvent = {
      attributes_processed: report.attributesFetched,
      iocs_submitted: report.iocsSubmitted,
      iocs_skipped_invalid: report.iocsInvalid,
      iocs_skipped_unsupported: report.unsupported,
      iocs_skipped_already_delivered: report.alreadyDelivered,
      iocs_failed: report.iocsFailed,
      batches_submitted: report.batchesSubmitted,
      duration_seconds: Math.round(durationSeconds * 1000) / 1000,
    };
    try {
      await this.sendEvent(IOCS_PUSHED_EVENT, { ...event });
    } catch (error) {
      this.log(`The "${IOCS_PUSHED_EVENT}" event could not be sent: ${(error as Error).message}`, 'error');
    }
  }
}
