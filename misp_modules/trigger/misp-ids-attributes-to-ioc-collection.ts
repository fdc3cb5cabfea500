import { FatalTriggerError, Trigger, type TriggerContext } from '@sekoia/automation-sdk-shim';
import type { MispIocsPushedEvent, MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { argumentDefault } from '../configuration/module-root.js';
import { lookbackDays, type ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import { checkFeedHeaders, FeedSource, FeedSyncState, parseFeedHeaders } from '../feed/index.js';
import { normaliseAttribute } from '../iocs/normalise-attribute.js';
import { MispClient } from '../misp/misp-client.js';
import { runSyncCycle, type CycleReport, type SourcePage } from '../pipeline/sync-cycle.js';
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

/** What one cycle reads, whatever the source: its pages, and what to do once they were pushed. */
interface SourceCycle {
  pages: AsyncIterable<SourcePage>;
  /** Called once the pipeline ended; `complete` when every value it carried was accepted. */
  finish(complete: boolean): Promise<void>;
}

interface AttributeSource {
  describe: string;
  open(window: { sinceMs: number; windowStartMs: number; pageSize: number }, signal: AbortSignal): Promise<SourceCycle>;
  close(): void;
}

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

  /** The keys each source needs, which JSON Schema cannot tie to the choice of source. */
  static checkConfiguration(account: Record<string, unknown>, configuration: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const present = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
    if (configuration.source === 'misp_feed') {
      if (!present(configuration.feed_location)) problems.push('missing feed_location (required when source is misp_feed)');
      try {
        feedHeadersOf(account);
      } catch (error) {
        problems.push(`feed_headers: ${(error as Error).message}`);
      }
    } else {
      if (!present(account.misp_url)) problems.push('missing misp_url (required to read the MISP API)');
      if (!present(account.misp_api_key)) problems.push('missing misp_api_key (required to read the MISP API)');
    }
    return problems;
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
    const source = await this.openSource(proxies);
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
      `Starting: ${source.describe} → ${configuration.ioc_collection_uuid}, look-back ${windowDays} day(s), a cycle every ${sleepSeconds} s, ${state.delivered.size} attributes remembered as delivered.`,
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
        let sourceCycle: SourceCycle | undefined;
        let complete = false;
        try {
          sourceCycle = await source.open({ sinceMs: since, windowStartMs: windowStart, pageSize: configuration.misp_page_size }, this.signal);
          const report = await runSyncCycle({
            pages: sourceCycle.pages,
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
          complete = report.iocsFailed === 0 && this.running;
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
        } finally {
          await sourceCycle?.finish(complete);
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
      source.close();
      await collection.close();
    }
  }

  /** The MISP API (a cursor on event publication time) or a MISP feed (its own record of synced events). */
  private async openSource(proxies: { httpProxy?: string | undefined; httpsProxy?: string | undefined; verifySsl: boolean }): Promise<AttributeSource> {
    const configuration = this.configuration;
    const account = this.moduleConfiguration;
    if (configuration.source === 'misp_feed') {
      const feed = new FeedSource(
        {
          location: configuration.feed_location ?? '',
          headers: feedHeadersOf({ ...account }),
          concurrency: configuration.feed_concurrency,
          clock: this.clock,
          logger: this,
          ...proxies,
        },
        await FeedSyncState.load(this.dataPath, this),
      );
      return {
        describe: `MISP feed ${feed.display}`,
        // A feed has no publication cursor: it reads the whole window and skips unchanged events itself.
        open: async ({ windowStartMs }, signal) => {
          const cycle = await feed.startCycle({ sinceMs: windowStartMs }, signal);
          return { pages: cycle.pages, finish: (complete) => cycle.commit(complete) };
        },
        close: () => feed.close(),
      };
    }
    const mispUrl = account.misp_url ?? '';
    const misp = new MispClient({ baseUrl: mispUrl, apiKey: account.misp_api_key ?? '', clock: this.clock, logger: this, ...proxies });
    return {
      describe: `MISP ${new URL(mispUrl).host}`,
      open: async ({ sinceMs, pageSize }, signal) => ({
        pages: misp.searchAttributes({ publishedSince: Math.floor(sinceMs / 1000), pageSize }, signal),
        finish: async () => undefined,
      }),
      close: () => misp.close(),
    };
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

/** The feed's extra headers, from the account: `feed_headers` lines and `feed_authorization`. */
function feedHeadersOf(account: Record<string, unknown>): Record<string, string> {
  const text = typeof account.feed_headers === 'string' ? account.feed_headers : undefined;
  const authorization = typeof account.feed_authorization === 'string' && account.feed_authorization.trim() !== '' ? account.feed_authorization.trim() : undefined;
  return checkFeedHeaders({ ...parseFeedHeaders(text), ...(authorization === undefined ? {} : { authorization }) });
}
