#!/usr/bin/env node
/**
 * `npm run trigger:dev`: the real trigger, run through the real runtime and configured through the
 * configuration lookup as in a container, against an embedded demo MISP (or demo MISP feed), IOC
 * collection and runtime endpoints, or against real services. `--help` lists the options.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './loopback-http.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FatalTriggerError, Module, type TriggerContext } from '@sekoia/automation-sdk-shim';
import type { Registry } from 'prom-client';
import type { MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { moduleRoot, TRIGGER_COMMAND } from '../configuration/module-root.js';
import type { ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import { MispIdsAttributesToIocCollectionTrigger } from '../trigger/misp-ids-attributes-to-ioc-collection.js';
import { parseFeedLocation } from '../feed/feed-location.js';
import { isDocumentFormat } from '../feed/feed-reader.js';
import type { FeedFormat } from '../feed/feed-settings.js';
import { applyCatalogue } from './catalogue-choice.js';
import { summariseAccepted, summaryDetails, summaryLine } from './collection-summary.js';
import { decayCounts, decaySummaryLines, lapsesByModel, modelsByValue, type ModelDecayCounts } from './decay-summary.js';
import { DemoDecay, demoSightings } from './demo-decay.js';
import { DEMO_EDITED_EVENT_INFO, DEMO_SEED, loadDemoAttributes } from './demo-events.js';
import { buildDemoFeed, demoFeedAnalyst, startDemoFeedServer, type DemoFeed, type DemoFeedServer } from './demo-feed.js';
import { startDemoIocCollectionServer, type DemoIocCollectionServer } from './demo-ioc-collection-server.js';
import { startDemoMispServer, type DemoMispServer } from './demo-misp-server.js';
import { editAttribute, publishEvent, type DemoAttribute } from './misp-events.js';
import { startRuntimeEndpointsServer, type RuntimeEndpointsServer } from './runtime-endpoints-server.js';
import { DEMO_COLLECTION_UUID, parseTriggerDevOptions, TRIGGER_DEV_HELP, TriggerDevUsageError, type TriggerDevOptions } from './trigger-dev-options.js';

/** The demo events are marked published this long ago, inside the default one-day window. */
const DEMO_PUBLISHED_AGO_SECONDS = 3 * 3_600;
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'];

type Context = TriggerContext<MispModuleConfiguration, ValidatedTriggerConfiguration>;

/** What the runner learns from the trigger it registered. */
interface DevTriggerHooks {
  intervalSeconds: number | undefined;
  once: boolean;
  created(registry: Registry): void;
  /** A cycle ended (completed or failed), its logs and event sent; with --once, the trigger stops instead of pausing. */
  cycleEnded(cycle: number): void;
}

/**
 * The production trigger with the two things only development may change: the pause between
 * cycles (below the schema's 60 s minimum) and stopping after one cycle. It is defined here and
 * registered only by this runner, so no configuration can select it.
 */
function developmentTrigger(hooks: DevTriggerHooks) {
  return class DevelopmentMispIdsTrigger extends MispIdsAttributesToIocCollectionTrigger {
    private cyclesEnded = 0;

    constructor(context: Context) {
      super(context);
      hooks.created(this.metrics);
    }

    protected override pauseBetweenCycles(sleepTime: number): number {
      return hooks.intervalSeconds ?? super.pauseBetweenCycles(sleepTime);
    }

    // On a terminal the progress line is redrawn in place, so it can come every second.
    protected override progressIntervalSeconds(): number {
      return LIVE_PROGRESS ? 1 : super.progressIntervalSeconds();
    }

    // The trigger pauses only between cycles: reaching here means a cycle, its logs and event are done.
    override async sleep(seconds: number): Promise<boolean> {
      hooks.cycleEnded(++this.cyclesEnded);
      if (hooks.once) {
        this.stop();
        return false;
      }
      return super.sleep(seconds);
    }

    override async run(): Promise<void> {
      try {
        await super.run();
      } catch (error) {
        if (!hooks.once || error instanceof FatalTriggerError || !this.running) throw error;
        // The runtime would start run() again after a backoff; one cycle was asked for, so stop here.
        this.log(`The trigger failed before its first cycle ended: ${(error as Error).message}`, 'error');
        this.stop();
      }
    }
  };
}


/** Progress lines are redrawn in place only on a terminal; elsewhere (a pipe, a file, CI) they are plain lines. */
const LIVE_PROGRESS = process.stdout.isTTY === true;
const PROGRESS_LINE = /^INFO +Cycle \d+ in progress /;

const secret = (): string => randomBytes(16).toString('hex');
const note = (line: string): void => {
  process.stdout.write(`trigger:dev  ${line}\n`);
};

/**
 * The runtime's printed lines, shortened to the time of day; debug lines only with --verbose.
 * The runtime prints `<ISO date> <LEVEL padded to 8> <message>`.
 */
function printer(verbose: boolean): (line: string) => void {
  // On a terminal, a cycle's progress is one line redrawn in place until the next line replaces it.
  let progressShown = false;
  const write = (text: string, progress: boolean): void => {
    if (!LIVE_PROGRESS) {
      process.stdout.write(`${text}\n`);
      return;
    }
    process.stdout.write(`${progressShown ? '\r\x1b[2K' : ''}${text}${progress ? '' : '\n'}`);
    progressShown = progress;
  };
  return (line) => {
    const match = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2})\.\d+Z (.*)$/s.exec(line);
    if (!match) {
      write(line, false);
      return;
    }
    const rest = match[2] as string;
    if (rest.startsWith('DEBUG ') && !verbose) return;
    write(`${match[1]} ${rest}`, PROGRESS_LINE.test(rest));
  };
}

/** A directory name safe on every file system, from the source (MISP host, or feed) and the collection. */
function stateDirectoryName(source: string, collectionUuid: string): string {
  return `${source.slice(0, 100)}--${collectionUuid}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Lets `127.0.0.1` bypass any proxy of the environment: the embedded services are local. */
function bypassProxyForLoopback(): void {
  const proxied = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'].some((name) => process.env[name]);
  if (!proxied) return;
  const current = process.env.NO_PROXY ?? process.env.no_proxy ?? '';
  const list = [...current.split(',').map((entry) => entry.trim()).filter(Boolean), '127.0.0.1', 'localhost'];
  process.env.NO_PROXY = process.env.no_proxy = [...new Set(list)].join(',');
}

/**
 * Between two cycles of the continuous demo, an analyst edits a domain in an object of the event of
 * refusals and publishes it again, so that the next cycle shows the cursor and the dedup at work: the event
 * comes back, one value is new, the rest was already delivered. Returns what it did.
 */
function demoAnalyst(attributes: DemoAttribute[]): (cycle: number) => string | undefined {
  const target = attributes.find(
    (attribute) => attribute.row.Event.info.startsWith(DEMO_EDITED_EVENT_INFO) && attribute.row.type === 'domain' && attribute.row.to_ids && !attribute.row.deleted && attribute.row.object_id !== '0',
  );
  if (!target) return () => undefined;
  const [label, ...parent] = target.row.value.split('.');
  return (cycle) => {
    const now = Math.floor(Date.now() / 1000);
    const value = `${label}-${cycle}.${parent.join('.')}`;
    editAttribute(target, { value }, now);
    publishEvent(attributes, target.row.Event.uuid, now);
    return `demo MISP: an analyst changed a domain of "${target.row.Event.info.slice(0, 40)}…" to ${value} and published the event again.`;
  };
}

/** What the demo feed server answered, so that the ETag and the incremental reads can be seen. */
function describeFeedRequests(server: DemoFeedServer): string {
  const requests = server.requests;
  const manifest = requests.filter((request) => request.path.endsWith('/manifest.json'));
  const events = requests.filter((request) => /\/[0-9a-f-]{36}\.json$/i.test(request.path) && request.status === 200);
  const notModified = manifest.filter((request) => request.status === 304).length;
  const refused = requests.filter((request) => request.status === 401).length;
  return (
    `The demo MISP feed answered ${requests.length} requests: ${manifest.length} for manifest.json (${notModified} answered 304 Not Modified), ` +
    `${events.length} event files sent, ${refused} refused (no or wrong Authorization header).`
  );
}

async function cycleCounts(registry: Registry | undefined): Promise<{ success: number; failure: number }> {
  const counts = { success: 0, failure: 0 };
  const metric = registry?.getSingleMetric('misp_trigger_cycles_total');
  if (!metric) return counts;
  for (const sample of (await metric.get()).values) {
    if (sample.labels.outcome === 'success') counts.success += sample.value;
    if (sample.labels.outcome === 'failure') counts.failure += sample.value;
  }
  return counts;
}

async function counterValue(registry: Registry | undefined, name: string): Promise<number> {
  const metric = registry?.getSingleMetric(name);
  if (!metric) return 0;
  return (await metric.get()).values.reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * The `valid_until` moments the embedded collection holds, by model. Each value goes to the models
 * the demo MISP scored its attributes with; against another MISP, to the one model that pushed
 * (undefined when several did: which value is whose is not known).
 */
function decayLapses(counts: readonly ModelDecayCounts[], services: Services, collection: DemoIocCollectionServer): Map<string, number[]> | undefined {
  const pushing = counts.filter((entry) => entry.pushed > 0).map((entry) => entry.model);
  const validUntil = collection.accepted(services.collectionUuid).validUntil;
  if (services.misp && services.demoAttributes) {
    const byValue = modelsByValue(services.demoAttributes, services.misp.decay.scoredBy);
    return lapsesByModel(validUntil, (value) => pushing.filter((model) => byValue.get(value)?.has(model)));
  }
  if (pushing.length > 1) return undefined;
  return lapsesByModel(validUntil, () => pushing);
}

/** Where the trigger reads: a MISP instance, or a MISP feed. */
type Source = { kind: 'misp'; url: string } | { kind: 'feed'; location: string; format?: FeedFormat | undefined; settings?: string | undefined };

interface Services {
  runtime: RuntimeEndpointsServer;
  /** The demo MISP's data, when it runs. */
  demoAttributes: DemoAttribute[] | undefined;
  misp: DemoMispServer | undefined;
  /** The demo feed and its server, with --feed. */
  demoFeed: DemoFeed | undefined;
  feedServer: DemoFeedServer | undefined;
  collection: DemoIocCollectionServer | undefined;
  source: Source;
  collectionServer: string;
  collectionUuid: string;
}

/** Builds the demo feed under the work directory and serves it, requiring `authorization`. */
async function startDemoFeed(workDirectory: string, authorization: string): Promise<{ feed: DemoFeed; server: DemoFeedServer }> {
  const feed = buildDemoFeed(mkdtempSync(path.join(workDirectory, 'demo-feed-')), { changedAt: Math.floor(Date.now() / 1000) - DEMO_PUBLISHED_AGO_SECONDS });
  let server: DemoFeedServer;
  try {
    server = await startDemoFeedServer({ directory: feed.directory, authorization });
  } catch (error) {
    rmSync(feed.directory, { recursive: true, force: true });
    throw error;
  }
  const attributes = feed.events.reduce((sum, event) => sum + event.attributes, 0);
  const ids = feed.events.reduce((sum, event) => sum + event.idsAttributes, 0);
  const shown = path.relative(process.cwd(), feed.directory);
  note(
    `demo MISP feed     ${server.feedUrl}  ${feed.events.length} generated demo events (seed ${DEMO_SEED}), ${attributes} attributes, ${ids} IDS-flagged, changed 3 hours ago`,
  );
  note(`                   served from ${shown.startsWith('..') ? feed.directory : shown} (manifest.json, hashes.csv, one file per event); it requires an Authorization header, given as feed_authorization`);
  return { feed, server };
}

async function startServices(options: TriggerDevOptions, token: string, workDirectory: string): Promise<Services> {
  const sekoiaKey = options.collection?.apiKey ?? secret();
  const collectionUuid = options.collection?.uuid ?? options.dryRunCollectionUuid ?? DEMO_COLLECTION_UUID;
  const feedAuthorization = options.feed?.kind === 'demo' ? (options.feed.authorization ?? `Bearer ${secret()}`) : options.feed?.authorization;
  // Served by /secrets as on the platform: the keys of the source read, and the collection's.
  const secrets: Record<string, string> = { sekoia_api_key: sekoiaKey };
  if (options.feed === undefined) secrets.misp_api_key = options.misp?.apiKey ?? secret();
  else if (feedAuthorization !== undefined) secrets.feed_authorization = feedAuthorization;
  const runtime = await startRuntimeEndpointsServer({ token, secrets });
  let misp: DemoMispServer | undefined;
  let collection: DemoIocCollectionServer | undefined;
  let demoAttributes: DemoAttribute[] | undefined;
  let demoFeed: DemoFeed | undefined;
  let feedServer: DemoFeedServer | undefined;
  let source: Source;
  try {
    if (options.feed?.kind === 'demo') {
      ({ feed: demoFeed, server: feedServer } = await startDemoFeed(workDirectory, feedAuthorization as string));
      source = { kind: 'feed', location: feedServer.feedUrl };
    } else if (options.feed?.kind === 'location') {
      const format = options.feed.format ?? 'misp';
      const location = parseFeedLocation(options.feed.location, { document: isDocumentFormat(format) });
      const how = location.kind === 's3' ? `S3${options.s3Endpoint === undefined ? '' : ` at ${new URL(options.s3Endpoint).host}`}` : location.kind !== 'http' ? `a ${format === 'misp' ? 'feed directory' : 'file'}` : feedAuthorization === undefined ? 'no Authorization header' : 'with the Authorization header of FEED_AUTHORIZATION';
      note(`${(format === 'misp' ? 'MISP feed' : `${format} feed`).padEnd(18)} ${location.display}  (${how}${options.verifySsl || location.kind === 'directory' ? '' : ', TLS certificates not verified'})`);
      source = { kind: 'feed', location: options.feed.location, format: options.feed.format, settings: options.feed.settings };
    } else if (!options.misp) {
      const attributes = loadDemoAttributes({ publishedAt: Math.floor(Date.now() / 1000) - DEMO_PUBLISHED_AGO_SECONDS });
      demoAttributes = attributes;
      // Sightings relative to now give the demo's 2025 attributes a mix of decayed and lapsing values.
      const decay = new DemoDecay(undefined, demoSightings(attributes, Math.floor(Date.now() / 1000)));
      misp = await startDemoMispServer({ apiKey: secrets.misp_api_key as string, attributes, decay });
      const events = new Set(attributes.map((attribute) => attribute.row.Event.uuid)).size;
      const ids = attributes.filter((attribute) => attribute.row.to_ids && !attribute.row.deleted).length;
      note(`demo MISP          ${misp.url}  ${events} generated demo events (seed ${DEMO_SEED}), ${attributes.length} attributes, ${ids} IDS-flagged, published 3 hours ago`);
      source = { kind: 'misp', url: misp.url };
    } else {
      note(`MISP               ${new URL(options.misp.url).origin}${options.verifySsl ? '' : '  (TLS certificates not verified)'}`);
      source = { kind: 'misp', url: options.misp.url };
    }
    if (!options.collection) {
      collection = await startDemoIocCollectionServer({ apiKey: sekoiaKey, collections: [collectionUuid] });
      note(`IOC collection     ${collection.url}  ${collectionUuid}  (embedded${options.dryRun ? ', dry run: nothing goes to Sekoia.io' : ''})`);
    } else {
      note(`IOC collection     ${new URL(options.collection.server).origin}  ${collectionUuid}  (Sekoia.io: IOCs WILL be pushed)`);
    }
    note(`runtime endpoints  ${runtime.url}  (/callback, /logs, /secrets)`);
  } catch (error) {
    await Promise.allSettled([runtime.close(), misp?.close(), feedServer?.close(), collection?.close()]);
    if (demoFeed) rmSync(demoFeed.directory, { recursive: true, force: true });
    throw error;
  }
  return {
    runtime,
    demoAttributes,
    misp,
    demoFeed,
    feedServer,
    collection,
    source,
    collectionServer: options.collection?.server ?? (collection as DemoIocCollectionServer).url,
    collectionUuid,
  };
}

/** Runs the trigger as `trigger:dev` was asked to; resolves with the exit code. */
async function runTriggerDev(argv: readonly string[]): Promise<number> {
  let options: TriggerDevOptions;
  try {
    options = parseTriggerDevOptions(argv, process.env);
  } catch (error) {
    if (!(error instanceof TriggerDevUsageError)) throw error;
    process.stderr.write(`trigger:dev: ${error.message}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(TRIGGER_DEV_HELP);
    return 0;
  }
  try {
    const applied = await applyCatalogue(options, (line) => process.stdout.write(`${line}\n`));
    if ('exitCode' in applied) return applied.exitCode;
    options = applied.options;
  } catch (error) {
    if (!(error instanceof TriggerDevUsageError)) throw error;
    process.stderr.write(`trigger:dev: ${error.message}\n`);
    return 2;
  }

  const root = moduleRoot();
  const workDirectory = path.join(root, '.trigger-dev');
  mkdirSync(workDirectory, { recursive: true });
  bypassProxyForLoopback();
  const token = secret();
  const services = await startServices(options, token, workDirectory);
  const { runtime, collection } = services;

  // The trigger's memory: fresh for the demo, throw-away for a dry run, kept against real services.
  let dataPath: string;
  let throwAwayDataPath = false;
  if (options.dryRun) {
    dataPath = mkdtempSync(path.join(workDirectory, 'dry-run-'));
    throwAwayDataPath = true;
  } else if (options.dataPath !== undefined) {
    dataPath = path.resolve(options.dataPath);
  } else if (options.collection && services.source.kind === 'misp') {
    dataPath = path.join(workDirectory, stateDirectoryName(new URL(services.source.url).host, options.collection.uuid));
  } else if (options.collection && services.source.kind === 'feed') {
    dataPath = path.join(workDirectory, stateDirectoryName(`feed-${parseFeedLocation(services.source.location, { document: isDocumentFormat(services.source.format) }).display}`, options.collection.uuid));
  } else {
    dataPath = mkdtempSync(path.join(workDirectory, 'demo-'));
  }
  const volumePath = mkdtempSync(path.join(tmpdir(), 'trigger-dev-volume-'));
  const [livenessPort, metricsPort] = [await freePort(), await freePort()];

  const triggerConfiguration: Record<string, unknown> = {
    ioc_collection_server: services.collectionServer,
    ioc_collection_uuid: services.collectionUuid,
    verify_ssl: options.verifySsl,
  };
  if (options.lookbackDays !== undefined) triggerConfiguration.publish_timestamp = options.lookbackDays;
  if (options.expiry !== undefined) triggerConfiguration.expiry = options.expiry.kind;
  if (options.expiry?.kind === 'decaying_model') {
    if (options.expiry.models.length > 0) triggerConfiguration.decaying_model = options.expiry.models;
    if (options.expiry.threshold !== undefined) triggerConfiguration.decay_threshold = options.expiry.threshold;
  }
  if (services.source.kind === 'feed') {
    triggerConfiguration.source = 'misp_feed';
    triggerConfiguration.feed_location = services.source.location;
    if (services.source.format !== undefined) triggerConfiguration.feed_format = services.source.format;
    if (services.source.settings !== undefined) triggerConfiguration.feed_settings = services.source.settings;
    if (options.s3Endpoint !== undefined) triggerConfiguration.s3_endpoint = options.s3Endpoint;
  }
  const env: NodeJS.ProcessEnv = {
    // The secrets stay out: the runtime fetches them from url_secrets, as on the platform.
    MODULE_CONFIGURATION: JSON.stringify(services.source.kind === 'misp' ? { misp_url: services.source.url } : {}),
    TRIGGER_CONFIGURATION: JSON.stringify(triggerConfiguration),
    TOKEN: token,
    URL_CALLBACK: runtime.callbackUrl,
    LIVENESS_PORT: String(livenessPort),
    METRICS_PORT: String(metricsPort),
    SYMPHONY_DATA_PATH: dataPath,
    SYMPHONY_VOLUME_PATH: volumePath,
  };
  // Known to the runtime so that proxy credentials are redacted from its logs.
  for (const name of PROXY_VARIABLES) if (process.env[name]) env[name] = process.env[name];

  const shownDataPath = path.relative(process.cwd(), dataPath);
  note(`data path          ${shownDataPath.startsWith('..') ? dataPath : shownDataPath || '.'}${throwAwayDataPath ? '  (throw-away)' : ''}`);
  note(`health, metrics    http://127.0.0.1:${livenessPort}/health  http://127.0.0.1:${metricsPort}/metrics`);
  if (options.expiry?.kind === 'decaying_model') {
    const models = options.expiry.models.length > 0 ? options.expiry.models.map((model) => JSON.stringify(model)).join(', ') : "MISP's enabled models for each type";
    note(`expiry             decaying_model: ${models}${options.expiry.threshold === undefined ? '' : `, threshold ${options.expiry.threshold}`}`);
  }
  note(
    options.once
      ? 'one cycle (--once), then a summary'
      : `a cycle every ${options.intervalSeconds ?? 'sleep_time'}${options.intervalSeconds === undefined ? '' : ' s'} until Ctrl-C, then a summary`,
  );

  let registry: Registry | undefined;
  let anyCycleEnded = false;
  const analyst = options.once
    ? undefined
    : services.demoAttributes
      ? demoAnalyst(services.demoAttributes)
      : services.demoFeed
        ? demoFeedAnalyst(services.demoFeed)
        : undefined;
  const triggerClass = developmentTrigger({
    intervalSeconds: options.intervalSeconds,
    once: options.once,
    created: (metrics) => {
      registry = metrics;
    },
    cycleEnded: (cycle) => {
      anyCycleEnded = true;
      const change = analyst?.(cycle);
      if (change) note(change);
    },
  });
  const module = new Module({ root, env, write: printer(options.verbose) });
  module.register(triggerClass, TRIGGER_COMMAND);
  let runtimeCode: number;
  try {
    runtimeCode = await module.run([TRIGGER_COMMAND]);
  } finally {
    await Promise.allSettled([runtime.close(), services.misp?.close(), services.feedServer?.close(), collection?.close()]);
    rmSync(volumePath, { recursive: true, force: true });
    if (services.demoFeed) rmSync(services.demoFeed.directory, { recursive: true, force: true });
    if (throwAwayDataPath) rmSync(dataPath, { recursive: true, force: true });
  }

  const cycles = await cycleCounts(registry);
  const cycleLines = runtime.logs.filter((entry) => /^Cycle \d+(: .* attributes fetched,| failed: )/.test(entry.message)).length;
  process.stdout.write('\n');
  note(
    `cycles: ${cycles.success} completed, ${cycles.failure} failed. The runtime endpoints received ${runtime.events.length} "MISP IOCs pushed" ` +
      `events and ${runtime.logs.length} log lines (${cycleLines} cycle summaries).`,
  );
  if (services.feedServer) note(describeFeedRequests(services.feedServer));
  if (collection) {
    const summary = summariseAccepted(collection.accepted(services.collectionUuid).byFormat);
    process.stdout.write(`${summaryLine(summary, options.dryRun ? 'would be pushed' : 'in the collection')}\n`);
    for (const line of summaryDetails(summary)) process.stdout.write(`${line}\n`);
    if (options.expiry?.kind === 'decaying_model') {
      const counts = await decayCounts(registry);
      for (const line of decaySummaryLines(counts, decayLapses(counts, services, collection))) process.stdout.write(`${line}\n`);
    }
    if (options.dryRun) note('dry run: nothing was sent to Sekoia.io, and the throw-away data path was removed.');
  } else {
    const pushed = await counterValue(registry, 'misp_trigger_iocs_pushed_total');
    process.stdout.write(`Summary: ${pushed} IOCs accepted by ${services.collectionUuid} at ${new URL(services.collectionServer).origin}, as counted by the trigger.\n`);
    if (options.expiry?.kind === 'decaying_model') for (const line of decaySummaryLines(await decayCounts(registry), undefined)) process.stdout.write(`${line}\n`);
  }

  if (runtimeCode !== 0) return runtimeCode;
  if (!options.once) return 0;
  if (!anyCycleEnded || cycles.success !== 1) {
    note(anyCycleEnded ? 'the cycle did not complete: see the errors above.' : 'the trigger stopped before its first cycle ended.');
    return 1;
  }
  return 0;
}

process.exit(await runTriggerDev(process.argv.slice(2)));
