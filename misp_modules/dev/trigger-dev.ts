#!/usr/bin/env node
/**
 * `npm run trigger:dev`: the real trigger, run through the real runtime and configured through the
 * configuration lookup as in a container, against an embedded demo MISP, IOC collection and runtime
 * endpoints, or against real services. `--help` lists the options.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FatalTriggerError, Module, type TriggerContext } from '@sekoia/automation-sdk-shim';
import type { Registry } from 'prom-client';
import type { MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { moduleRoot, TRIGGER_COMMAND } from '../configuration/module-root.js';
import type { ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import { MispIdsAttributesToIocCollectionTrigger } from '../trigger/misp-ids-attributes-to-ioc-collection.js';
import { summariseAccepted, summaryDetails, summaryLine } from './collection-summary.js';
import { startDemoIocCollectionServer, type DemoIocCollectionServer } from './demo-ioc-collection-server.js';
import { startDemoMispServer, type DemoMispServer } from './demo-misp-server.js';
import { editAttribute, loadDemoAttributes, publishEvent, type DemoAttribute } from './misp-events.js';
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const secret = (): string => randomBytes(16).toString('hex');
const note = (line: string): void => {
  process.stdout.write(`trigger:dev  ${line}\n`);
};

/**
 * The runtime's printed lines, shortened to the time of day; debug lines only with --verbose.
 * The runtime prints `<ISO date> <LEVEL padded to 8> <message>`.
 */
function printer(verbose: boolean): (line: string) => void {
  return (line) => {
    const match = /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2})\.\d+Z (.*)$/s.exec(line);
    if (!match) {
      process.stdout.write(`${line}\n`);
      return;
    }
    const rest = match[2] as string;
    if (rest.startsWith('DEBUG ') && !verbose) return;
    process.stdout.write(`${match[1]} ${rest}\n`);
  };
}

/** A directory name safe on every file system, from the MISP host and the collection. */
function stateDirectoryName(mispUrl: string, collectionUuid: string): string {
  return `${new URL(mispUrl).host}--${collectionUuid}`.replace(/[^A-Za-z0-9._-]/g, '_');
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
 * Between two cycles of the continuous demo, an analyst edits a domain of the synthetic event and
 * publishes it again, so that the next cycle shows the cursor and the dedup at work: the event
 * comes back, one value is new, the rest was already delivered. Returns what it did.
 */
function demoAnalyst(attributes: DemoAttribute[]): (cycle: number) => string | undefined {
  const target = attributes.find(
    (attribute) => attribute.row.Event.info.startsWith('SYNTHETIC') && attribute.row.type === 'domain' && attribute.row.to_ids && !attribute.row.deleted && attribute.row.object_id !== '0',
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

interface Services {
  runtime: RuntimeEndpointsServer;
  /** The demo MISP's data, when it runs. */
  demoAttributes: DemoAttribute[] | undefined;
  misp: DemoMispServer | undefined;
  collection: DemoIocCollectionServer | undefined;
  mispUrl: string;
  collectionServer: string;
  collectionUuid: string;
}

async function startServices(options: TriggerDevOptions, token: string): Promise<Services> {
  const mispKey = options.misp?.apiKey ?? secret();
  const sekoiaKey = options.collection?.apiKey ?? secret();
  const collectionUuid = options.collection?.uuid ?? options.dryRunCollectionUuid ?? DEMO_COLLECTION_UUID;
  const runtime = await startRuntimeEndpointsServer({ token, secrets: { misp_api_key: mispKey, sekoia_api_key: sekoiaKey } });
  let misp: DemoMispServer | undefined;
  let collection: DemoIocCollectionServer | undefined;
  let demoAttributes: DemoAttribute[] | undefined;
  try {
    if (!options.misp) {
      const attributes = loadDemoAttributes({ publishedAt: Math.floor(Date.now() / 1000) - DEMO_PUBLISHED_AGO_SECONDS });
      demoAttributes = attributes;
      misp = await startDemoMispServer({ apiKey: mispKey, attributes });
      const events = new Set(attributes.map((attribute) => attribute.row.Event.uuid)).size;
      const ids = attributes.filter((attribute) => attribute.row.to_ids && !attribute.row.deleted).length;
      note(`demo MISP          ${misp.url}  ${events} bundled events (misp_modules/dev/demo-data), ${attributes.length} attributes, ${ids} IDS-flagged, published 3 hours ago`);
    } else {
      note(`MISP               ${new URL(options.misp.url).origin}${options.verifySsl ? '' : '  (TLS certificates not verified)'}`);
    }
    if (!options.collection) {
      collection = await startDemoIocCollectionServer({ apiKey: sekoiaKey, collections: [collectionUuid] });
      note(`IOC collection     ${collection.url}  ${collectionUuid}  (embedded${options.dryRun ? ', dry run: nothing goes to Sekoia.io' : ''})`);
    } else {
      note(`IOC collection     ${new URL(options.collection.server).origin}  ${collectionUuid}  (Sekoia.io: IOCs WILL be pushed)`);
    }
    note(`runtime endpoints  ${runtime.url}  (/callback, /logs, /secrets)`);
  } catch (error) {
    await Promise.allSettled([runtime.close(), misp?.close(), collection?.close()]);
    throw error;
  }
  return {
    runtime,
    demoAttributes,
    misp,
    collection,
    mispUrl: options.misp?.url ?? (misp as DemoMispServer).url,
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

  const root = moduleRoot();
  const workDirectory = path.join(root, '.trigger-dev');
  mkdirSync(workDirectory, { recursive: true });
  bypassProxyForLoopback();
  const token = secret();
  const services = await startServices(options, token);
  const { runtime, collection } = services;

  // The trigger's memory: fresh for the demo, throw-away for a dry run, kept against real services.
  let dataPath: string;
  let throwAwayDataPath = false;
  if (options.dryRun) {
    dataPath = mkdtempSync(path.join(workDirectory, 'dry-run-'));
    throwAwayDataPath = true;
  } else if (options.dataPath !== undefined) {
    dataPath = path.resolve(options.dataPath);
  } else if (options.misp && options.collection) {
    dataPath = path.join(workDirectory, stateDirectoryName(options.misp.url, options.collection.uuid));
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
  const env: NodeJS.ProcessEnv = {
    // The secrets stay out: the runtime fetches them from url_secrets, as on the platform.
    MODULE_CONFIGURATION: JSON.stringify({ misp_url: services.mispUrl }),
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
  note(
    options.once
      ? 'one cycle (--once), then a summary'
      : `a cycle every ${options.intervalSeconds ?? 'sleep_time'}${options.intervalSeconds === undefined ? '' : ' s'} until Ctrl-C, then a summary`,
  );

  let registry: Registry | undefined;
  let anyCycleEnded = false;
  const analyst = services.demoAttributes && !options.once ? demoAnalyst(services.demoAttributes) : undefined;
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
    await Promise.allSettled([runtime.close(), services.misp?.close(), collection?.close()]);
    rmSync(volumePath, { recursive: true, force: true });
    if (throwAwayDataPath) rmSync(dataPath, { recursive: true, force: true });
  }

  const cycles = await cycleCounts(registry);
  const cycleLines = runtime.logs.filter((entry) => /^Cycle \d+(: .* attributes fetched,| failed: )/.test(entry.message)).length;
  process.stdout.write('\n');
  note(
    `cycles: ${cycles.success} completed, ${cycles.failure} failed. The runtime endpoints received ${runtime.events.length} "MISP IOCs pushed" ` +
      `events and ${runtime.logs.length} log lines (${cycleLines} cycle summaries).`,
  );
  if (collection) {
    const summary = summariseAccepted(collection.accepted(services.collectionUuid).byFormat);
    process.stdout.write(`${summaryLine(summary, options.dryRun ? 'would be pushed' : 'in the collection')}\n`);
    for (const line of summaryDetails(summary)) process.stdout.write(`${line}\n`);
    if (options.dryRun) note('dry run: nothing was sent to Sekoia.io, and the throw-away data path was removed.');
  } else {
    const pushed = await counterValue(registry, 'misp_trigger_iocs_pushed_total');
    process.stdout.write(`Summary: ${pushed} IOCs accepted by ${services.collectionUuid} at ${new URL(services.collectionServer).origin}, as counted by the trigger.\n`);
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
