import { FatalTriggerError, Trigger, type TriggerContext } from '@sekoia/automation-sdk-shim';
import type { MispIocsPushedEvent, MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { argumentDefault } from '../configuration/module-root.js';
import { lookbackDays, type ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import { checkFeedHeaders, FeedSyncState, parseFeedHeaders } from '../feed/index.js';
import { openFeedReader, feedReaderProblems, isDocumentFormat } from '../feed/feed-reader.js';
import { confirmedAttributes, withdrawnSince } from '../expiry/misp-withdrawals.js';
import { isoSeconds, refreshDue, withdrawAttributes, type ExpiryOutcome, type ExpiryPorts } from '../expiry/indicator-expiry.js';
import { createLocalFilter, restSearchFilters, type AttributeFilterSettings } from '../filters/attribute-filter.js';
import { createAttributeNormaliser, DEFAULT_IOC_TYPE_ROWS, selectIocTypeRows, type AttributeNormaliser } from '../iocs/normalise-attribute.js';
import { missingMispKeys } from '../misp/misp-account-api.js';
import { MispClient } from '../misp/misp-client.js';
import { attributeKey } from '../pipeline/attribute-key.js';
import { emptyCycleReport, runSyncCycle, type CycleReport, type SourcePage } from '../pipeline/sync-cycle.js';
import { FatalIocCollectionError } from '../sekoia/errors/fatal-ioc-collection-error.js';
import { IocCollectionClient } from '../sekoia/ioc-collection-client.js';
import type { DeliveredAttributes } from '../state/delivered-attributes.js';
import type { LiveIndicators } from '../state/live-indicators.js';
import { SyncState } from '../state/sync-state.js';
import { describeCycle, describeInvalid, describeProgress } from './cycle-summary.js';
import { registerTriggerMetrics, type TriggerMetrics } from './trigger-metrics.js';

/** Published events are asked again over this margin, against clock skew between MISP and us; dedup absorbs the repeats. */
const SAFETY_OVERLAP_MS = 15 * 60_000;
/** Attributes remembered as delivered: twice the 500,000-indicator limit of a collection, since several attributes share values. */
const DELIVERED_CAPACITY = 1_000_000;
/** During a long cycle the delivered memory is saved at this pace, so a crash costs little re-pushing. */
const DELIVERED_SAVE_INTERVAL_MS = 30_000;
const MS_PER_DAY = 86_400_000;
/** A long cycle says what it did so far at this pace, so that a first sync of minutes is not silent. */
const PROGRESS_INTERVAL_SECONDS = 30;
/** Refreshes submitted at most per cycle, so that a large collection's refresh spreads over cycles. */
const REFRESHES_PER_CYCLE = 5_000;

export const IOCS_PUSHED_EVENT = 'MISP IOCs pushed';
/** How a feed is named in logs, by format. */
const FEED_LABELS = { misp: 'MISP feed', csv: 'CSV feed', freetext: 'free-text feed' } as const;

/** What one cycle reads, whatever the source: its pages, and what to do once they were pushed. */
interface SourceCycle {
  pages: AsyncIterable<SourcePage>;
  /** Called once the pipeline ended; `complete` when every value it carried was accepted. */
  finish(complete: boolean): Promise<void>;
  /** IDS attributes the source itself left out for the filters (MISP filters server-side: 0). */
  filtered(): number;
  /** A feed: the events it lists in the window, those read whole in this cycle, and all it lists (undefined: unchanged manifest). */
  events?: { inScope(): ReadonlySet<string>; read(): ReadonlySet<string>; listed(): ReadonlySet<string> | undefined };
}

/** Which event each attribute of a feed cycle came from, and which attributes each event carried. */
interface FeedCycleEvents {
  eventOf: Map<string, string>;
  carried: Map<string, Set<string>>;
}

/** What every cycle of one run shares. */
interface CycleContext {
  state: SyncState;
  source: AttributeSource;
  collection: IocCollectionClient;
  metrics: TriggerMetrics;
  filters: AttributeFilterSettings;
  normaliser: AttributeNormaliser;
  /** With `valid_for`: the schedule of what was submitted with an expiry, saved with the delivered memory. */
  expiry: { validForSeconds: number; live: LiveIndicators } | undefined;
  windowDays: number;
  sleepSeconds: number;
}

interface AttributeSource {
  describe: string;
  /** The MISP API, to confirm and withdraw attributes by uuid; a feed cannot be asked. */
  misp?: MispClient;
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
  private collection: IocCollectionClient | undefined;

  constructor(context: TriggerContext<MispModuleConfiguration, ValidatedTriggerConfiguration>) {
    super(context);
  }

  /** The keys each source needs, which JSON Schema cannot tie to the choice of source: one sentence per problem. */
  static checkConfiguration(account: Record<string, unknown>, configuration: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const present = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';
    if (Array.isArray(configuration.attribute_types)) {
      const { unknown } = selectIocTypeRows(configuration.attribute_types.filter((type): type is string => typeof type === 'string'));
      if (unknown.length > 0) {
        problems.push(
          `In the trigger configuration, attribute_types names ${unknown.map((type) => JSON.stringify(type)).join(', ')}, which the trigger does not push; ` +
            `expected MISP types of the README's "Supported types", for example ["ip-dst", "domain", "sha256"].`,
        );
      }
    }
    // An empty key, in the account or among the arguments, is the schema's to report; this names a key given nowhere.
    if (account.sekoia_api_key === undefined && configuration.sekoia_api_key === undefined) {
      problems.push(
        'In the module configuration, sekoia_api_key is missing; expected the Sekoia.io API key allowed to write to the IOC collection, ' +
          'in the account (or among the trigger arguments, where configurations of the Python module keep it).',
      );
    }
    if (configuration.source === 'misp_feed') {
      if (!present(configuration.feed_location)) {
        problems.push('In the trigger configuration, feed_location is missing; it is required when source is misp_feed, for example "https://www.circl.lu/doc/misp/feed-osint".');
      }
      problems.push(...feedReaderProblems(configuration));
      try {
        feedHeadersOf(account);
      } catch (error) {
        problems.push(`In the module configuration, feed_headers cannot be used: ${(error as Error).message.replace(/\.?$/, '')}; expected one "Name: value" per line, for example "X-Api-Key: <key>".`);
      }
    } else {
      if (isDocumentFormat(configuration.feed_format)) {
        problems.push(`In the trigger configuration, feed_format is ${JSON.stringify(configuration.feed_format)}, which needs source misp_feed; expected source "misp_feed" with it, or feed_format left out.`);
      }
      problems.push(...missingMispKeys(account, 'to read the MISP API (source misp_api)', 'a MISP user that can read attributes'));
    }
    return problems;
  }

  override async run(): Promise<void> {
    const configuration = this.configuration;
    const account = this.moduleConfiguration;
    const metrics = (this.metricsSeries ??= registerTriggerMetrics(this.metrics, () => this.collection?.paceSnapshot));
    metrics.cycles.labels('success').inc(0);
    metrics.cycles.labels('failure').inc(0);

    const windowDays = lookbackDays(configuration, String(argumentDefault('publish_timestamp')));
    const sleepSeconds = this.pauseBetweenCycles(configuration.sleep_time);
    const proxies = { httpProxy: account.http_proxy, httpsProxy: account.https_proxy, verifySsl: configuration.verify_ssl };
    const filters = filterSettingsOf(configuration);
    const validForSeconds = configuration.valid_for === undefined ? undefined : configuration.valid_for * 86_400;
    const state = await SyncState.load(this.dataPath, DELIVERED_CAPACITY, this, { schedule: validForSeconds !== undefined });
    const expiry = validForSeconds === undefined || state.schedule === undefined ? undefined : { validForSeconds, live: state.schedule };
    const source = await this.openSource(proxies, filters);
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
    const context: CycleContext = {
      state,
      source,
      collection,
      metrics,
      filters,
      normaliser: createAttributeNormaliser(selectIocTypeRows(filters.types).rows),
      expiry,
      windowDays,
      sleepSeconds,
    };

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
      await state.save();
      source.close();
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
    const validUntil = (): number | undefined => (expiry === undefined ? undefined : this.nowSeconds() + expiry.validForSeconds);
    let lastSave = startedAt;
    // The cycle's report, live: the pipeline hands it to each page's callback.
    let progress: Readonly<CycleReport> = emptyCycleReport();
    let lastProgress = startedAt;
    const progressIntervalMs = this.progressIntervalSeconds() * 1000;
    const reportProgress = (minimumGapMs = progressIntervalMs): void => {
      const now = this.clock.now();
      if (now - lastProgress < minimumGapMs) return;
      lastProgress = now;
      this.log(describeProgress(cycle, (now - startedAt) / 1000, progress, collection.paceSnapshot.requestsPerSecond));
    };
    // A timer, so that a cycle held up in one long wait (a Retry-After, a slow page) still reports;
    // pages and pushes check too, for a clock without timers.
    const progressTimer = new AbortController();
    // A real timer may fire a hair before the wall clock shows a full period: half a period is no repeat.
    this.clock.every?.(progressIntervalMs, () => reportProgress(progressIntervalMs / 2), progressTimer.signal);
    let sourceCycle: SourceCycle | undefined;
    let complete = false;
    try {
      sourceCycle = await source.open({ sinceMs: since, windowStartMs: windowStart, pageSize: configuration.misp_page_size }, this.signal);
      const feedEvents: FeedCycleEvents | undefined = expiry !== undefined && sourceCycle.events !== undefined ? { eventOf: new Map(), carried: new Map() } : undefined;
      const report = await runSyncCycle({
        pages: feedEvents === undefined ? sourceCycle.pages : followEvents(sourceCycle.pages, feedEvents),
        normalise: context.normaliser.normalise,
        push: async (batch) => {
          const until = validUntil();
          const result = await collection.push(until === undefined ? batch : { ...batch, validUntil: isoSeconds(until) }, this.signal);
          reportProgress();
          return result;
        },
        ...(expiry === undefined
          ? {}
          : {
              onAccepted: (format: string, value: string, keys: readonly string[]) =>
                expiry.live.accepted(format, value, keys, validUntil() ?? 0, (key) => feedEvents?.eventOf.get(key)),
            }),
        delivered: state.delivered,
        batchSize: configuration.batch_size,
        maxBatchesInFlight: 4,
        now: () => this.clock.now(),
        onPage: async (report) => {
          progress = report;
          reportProgress();
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
          : await this.maintainExpiry(expiry.live, state.delivered, source, collection, {
              sinceMs: since,
              validForSeconds: expiry.validForSeconds,
              sleepSeconds: context.sleepSeconds,
              filters: context.filters,
              feed: sourceCycle.events === undefined || feedEvents === undefined ? undefined : { ...feedEvents, inScope: sourceCycle.events.inScope(), read: sourceCycle.events.read(), listed: sourceCycle.events.listed() },
            });
      const durationSeconds = (this.clock.now() - startedAt) / 1000;
      this.record(metrics, report, durationSeconds);
      complete = report.iocsFailed === 0 && (expiryOutcome?.failed ?? 0) === 0 && this.running;
      if (complete) await state.completeCycle(startedAt);
      else await state.save();
      metrics.cycles.labels(complete ? 'success' : 'failure').inc();
      this.log(describeCycle(cycle, report, durationSeconds));
      if (report.iocsInvalid > 0) this.log(describeInvalid(cycle, report), 'warning');
      if (report.iocsFailed > 0) {
        this.log(`Cycle ${cycle}: ${report.iocsFailed} indicators were not accepted by the IOC collection; they will be pushed again next cycle.`, 'error');
      }
      if (expiryOutcome !== undefined && expiryOutcome.refreshed + expiryOutcome.withdrawn + expiryOutcome.failed > 0) {
        this.log(`Cycle ${cycle}: ${expiryOutcome.refreshed} IOCs refreshed before they lapse, ${expiryOutcome.withdrawn} withdrawn from the collection, ${expiryOutcome.failed} not accepted.`);
      }
      if (report.iocsSubmitted > 0 || (expiryOutcome?.refreshed ?? 0) + (expiryOutcome?.withdrawn ?? 0) > 0) {
        await this.sendCycleEvent(report, durationSeconds, sourceCycle.filtered(), expiryOutcome);
      }
      if (complete) return undefined;
      const failed = report.iocsFailed + (expiryOutcome?.failed ?? 0);
      return `cycle ${cycle}: ${failed} indicators were not accepted by the IOC collection`;
    } catch (error) {
      if (error instanceof FatalIocCollectionError) throw new FatalTriggerError(error.message);
      if (!this.running) return 'stopped';
      metrics.cycles.labels('failure').inc();
      metrics.cycleDuration.observe((this.clock.now() - startedAt) / 1000);
      await state.save();
      this.log(`Cycle ${cycle} failed: ${(error as Error).message} Nothing is lost: the next cycle starts again from the last complete one.`, 'error');
      return `cycle ${cycle}: ${(error as Error).message}`;
    } finally {
      progressTimer.abort();
      await sourceCycle?.finish(complete);
    }
  }

  /** The MISP API (a cursor on event publication time) or a MISP feed (its own record of synced events). */
  private async openSource(
    proxies: { httpProxy?: string | undefined; httpsProxy?: string | undefined; verifySsl: boolean },
    filters: AttributeFilterSettings,
  ): Promise<AttributeSource> {
    const configuration = this.configuration;
    const account = this.moduleConfiguration;
    if (configuration.source === 'misp_feed') {
      const feed = openFeedReader(
        configuration,
        {
          location: configuration.feed_location ?? '',
          headers: feedHeadersOf({ ...account }),
          concurrency: configuration.feed_concurrency,
          filter: createLocalFilter(filters),
          s3: { endpoint: configuration.s3_endpoint, region: configuration.s3_region, accessKeyId: account.s3_access_key_id, secretAccessKey: account.s3_secret_access_key },
          clock: this.clock,
          logger: this,
          ...proxies,
        },
        await FeedSyncState.load(this.dataPath, this),
      );
      return {
        describe: `${FEED_LABELS[configuration.feed_format ?? 'misp']} ${feed.display}`,
        // A feed has no publication cursor: it reads the whole window and skips unchanged events itself.
        open: async ({ windowStartMs }, signal) => {
          const cycle = await feed.startCycle({ sinceMs: windowStartMs }, signal);
          return {
            pages: cycle.pages,
            finish: (complete) => cycle.commit(complete),
            filtered: () => cycle.stats.attributesFiltered,
            events: { inScope: () => cycle.eventsInScope, read: () => cycle.eventsRead, listed: () => cycle.eventsListed },
          };
        },
        close: () => feed.close(),
      };
    }
    const mispUrl = account.misp_url ?? '';
    const misp = new MispClient({ baseUrl: mispUrl, apiKey: account.misp_api_key ?? '', clock: this.clock, logger: this, ...proxies });
    const query = restSearchFilters(filters);
    return {
      describe: `MISP ${new URL(mispUrl).host}`,
      misp,
      open: async ({ sinceMs, pageSize }, signal) => ({
        pages: misp.searchAttributes({ publishedSince: Math.floor(sinceMs / 1000), pageSize, filters: query }, signal),
        finish: async () => undefined,
        filtered: () => 0,
      }),
      close: () => misp.close(),
    };
  }

  /**
   * With `valid_for`: withdraws what the source withdrew, then refreshes what lapses soon and the
   * source still confirms. MISP is asked: the attributes whose IDS flag was cleared or that were
   * deleted since the cursor, then the due ones by uuid. A feed cannot be asked: an event read again
   * withdraws the attributes it no longer carries, an event the manifest no longer lists withdraws
   * all of its attributes, and an attribute is refreshed while its event is listed in the window;
   * once its event ages out of the window, it is left to lapse at the end of its validity.
   */
  private async maintainExpiry(
    live: LiveIndicators,
    delivered: DeliveredAttributes,
    source: AttributeSource,
    collection: IocCollectionClient,
    settings: {
      sinceMs: number;
      validForSeconds: number;
      sleepSeconds: number;
      filters: AttributeFilterSettings;
      feed: (FeedCycleEvents & { inScope: ReadonlySet<string>; read: ReadonlySet<string>; listed: ReadonlySet<string> | undefined }) | undefined;
    },
  ): Promise<ExpiryOutcome> {
    const configuration = this.configuration;
    const { misp } = source;
    const { feed } = settings;
    const ports: ExpiryPorts = {
      push: (batch) => collection.push(batch, this.signal),
      onWithdrawn: (uuid) => delivered.forget(uuid),
      confirm:
        misp !== undefined
          ? (uuids) => confirmedAttributes(misp, uuids, restSearchFilters(settings.filters), configuration.misp_page_size, this.signal)
          : feed !== undefined
            ? async (uuids) =>
                new Set(
                  uuids.filter((uuid) => {
                    // Delivered before its event was known: kept, rather than lapsing a valid indicator.
                    const event = live.eventOf(uuid);
                    return event === undefined || feed.inScope.has(event);
                  }),
                )
            : undefined,
      // A feed event that aged out of the window is still listed: nobody withdrew it, it runs out.
      unconfirmedRunsOut: misp === undefined,
    };
    const base = { nowSeconds: this.nowSeconds(), validForSeconds: settings.validForSeconds, batchSize: configuration.batch_size };
    const withdrawnUuids = await this.withdrawnAttributes(live, misp, feed, settings);
    const withdrawn = await withdrawAttributes(live, withdrawnUuids, ports, base);
    // Refresh well before the lapse, and never later than two cycles before it.
    const refreshWithinSeconds = Math.max(Math.floor(settings.validForSeconds / 3), 2 * settings.sleepSeconds);
    const refreshed = await refreshDue(live, ports, { ...base, refreshWithinSeconds, limit: REFRESHES_PER_CYCLE });
    live.prune(base.nowSeconds);
    return { refreshed: refreshed.refreshed, withdrawn: withdrawn.withdrawn + refreshed.withdrawn, failed: withdrawn.failed + refreshed.failed };
  }

  /** The live attributes the source withdrew: MISP is asked since the cursor; a feed's manifest and re-read events tell. */
  private async withdrawnAttributes(
    live: LiveIndicators,
    misp: MispClient | undefined,
    feed: (FeedCycleEvents & { read: ReadonlySet<string>; listed: ReadonlySet<string> | undefined }) | undefined,
    settings: { sinceMs: number; filters: AttributeFilterSettings },
  ): Promise<Iterable<string>> {
    // Nothing alive, nothing to withdraw: MISP is not asked.
    if (live.attributeCount === 0) return [];
    if (misp !== undefined) {
      return withdrawnSince(misp, Math.floor(settings.sinceMs / 1000), settings.filters.types, this.configuration.misp_page_size, this.signal);
    }
    if (feed === undefined) return [];
    const dropped = feed.listed === undefined ? [] : live.attributesOutside(feed.listed);
    const edited = live.attributesOf(feed.read).filter((uuid) => {
      const event = live.eventOf(uuid);
      return event === undefined || !(feed.carried.get(event)?.has(uuid) ?? false);
    });
    return [...dropped, ...edited];
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

  private record(metrics: TriggerMetrics, report: CycleReport, durationSeconds: number): void {
    metrics.attributesFetched.inc(report.attributesFetched);
    metrics.iocsPushed.inc(report.iocsSubmitted);
    metrics.iocsInvalid.inc(report.iocsInvalid);
    metrics.cycleDuration.observe(durationSeconds);
  }

  private async sendCycleEvent(report: CycleReport, durationSeconds: number, filtered: number, expired: ExpiryOutcome | undefined): Promise<void> {
    const event: MispIocsPushedEvent = {
      iocs_skipped_filtered: filtered,
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

/** The pages as they are, noting for each attribute the event that carried it. */
async function* followEvents(pages: AsyncIterable<SourcePage>, events: FeedCycleEvents): AsyncGenerator<SourcePage> {
  for await (const page of pages) {
    for (const attribute of page.attributes) {
      if (attribute.eventUuid === undefined) continue;
      const key = attributeKey(attribute);
      events.eventOf.set(key, attribute.eventUuid);
      let carried = events.carried.get(attribute.eventUuid);
      if (carried === undefined) events.carried.set(attribute.eventUuid, (carried = new Set()));
      carried.add(key);
    }
    yield page;
  }
}

/** The trigger's filter arguments, with the documented types when it names none. */
function filterSettingsOf(configuration: ValidatedTriggerConfiguration): AttributeFilterSettings {
  return {
    tags: configuration.tags,
    organisations: configuration.organisations,
    // MISP files a name with more than two labels from a list as a host name: a list's names are synced by default.
    types: configuration.attribute_types ?? [...DEFAULT_IOC_TYPE_ROWS.map((row) => row.mispType), ...(configuration.source === 'misp_feed' && isDocumentFormat(configuration.feed_format) ? ['hostname'] : [])],
    enforceWarninglist: configuration.enforce_warninglist,
  };
}
