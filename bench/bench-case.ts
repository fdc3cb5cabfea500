/**
 * One benchmark case: the built trigger, through the real runtime, against the loopback MISP,
 * IOC collection and runtime servers (in this process), for N IDS attributes; then, in a restarted
 * process on the same data path, the steady-state cycle after 1% of the attributes were edited.
 */
import { writeFileSync } from 'node:fs';
import { startDemoIocCollectionServer, type DemoIocCollectionServer, type DemoIocCollectionServerOptions } from '../misp_modules/dev/demo-ioc-collection-server.js';
import { startDemoMispServer, type DemoMispServer } from '../misp_modules/dev/demo-misp-server.js';
import { startRuntimeEndpointsServer, type RuntimeEndpointsServer } from '../misp_modules/dev/runtime-endpoints-server.js';
import { expectedByFormat, type ExpectedPushes } from '../misp_modules/dev/synthetic-attributes.js';
import { editedSource, expectedAfterEdit, prepareDataSet, uploadFormat } from './bench-data.js';
import { startTriggerProcess, temporaryDataPath, waitFor, type TriggerProcess } from './trigger-process.js';

export const MISP_KEY = 'bench-misp-key-4f1e9c7a2d5b';
export const SEKOIA_KEY = 'bench-sekoia-key-8a3c6e1f0b9d';
export const TOKEN = 'bench-runtime-token-2b7d9f4e6a1c';
export const COLLECTION = 'ioc-collection--7d0c2f4e-9a1b-4c3d-8e5f-6a7b8c9d0e1f';

/** Tuning arguments a case may set; the benchmark's headline sets none: the defaults are the product. */
export type BenchTuning = Partial<Record<'batch_size' | 'push_rate_per_second' | 'misp_page_size', number>>;

export interface BenchCaseOptions {
  /** N: IDS attributes MISP serves. */
  idsAttributes: number;
  seed?: number;
  /** Trigger arguments set on top of the defaults (none by default). */
  tuning?: BenchTuning;
  /** How the loopback collection behaves: a rate limit, a latency curve (default: neither). */
  collection?: Pick<DemoIocCollectionServerOptions, 'rateLimitPerSecond' | 'latencyMs'>;
  /** Skip the steady-state cycle. */
  firstCycleOnly?: boolean;
  /** Per cycle. */
  timeoutMs?: number;
  /** Told what the collection answered and what the trigger printed, once the first cycle ended. */
  observeFirstCycle?: (collection: DemoIocCollectionServer, triggerOutput: string) => void;
}

export interface CycleFigures {
  /** `first`: the window's first cycle; `steady`: the next one, after 1% of the attributes changed. */
  cycle: 'first' | 'steady';
  idsAttributes: number;
  /** The cycle's own duration, as the trigger reports it (event `duration_seconds`, else its summary line). */
  wallSeconds: number;
  /** IDS attributes in the window (N) per second of cycle. */
  attributesPerSecond: number;
  /** Rows MISP sent (the trigger asks only for the types it pushes, so MISP leaves the others out). */
  attributesFetched: number;
  /** VmHWM of the trigger process: the kernel's peak of its resident memory, start to stop. */
  peakRssBytes: number;
  mispRequests: number;
  mispBytes: number;
  sekoiaRequests: number;
  iocsDelivered: number;
  iocsExpected: number;
  /** Exactly the expected values arrived, each once. */
  correct: boolean;
  /** Problems found when checking what arrived (empty when correct). */
  problems: string[];
  /** IDS attributes edited before the steady-state cycle. */
  editedAttributes?: number;
}

export interface BenchCaseResult {
  idsAttributes: number;
  rows: number;
  first: CycleFigures;
  steady?: CycleFigures;
  tuning: Record<string, number>;
}

export interface Servers {
  misp: DemoMispServer;
  collection: DemoIocCollectionServer;
  runtime: RuntimeEndpointsServer;
}

const CYCLE_LINE = /Cycle 1: ([\d,]+) attributes fetched, ([\d,]+) new IOCs pushed.*\(([\d.]+) s\)/;

function summaryOf(trigger: TriggerProcess): { fetched: number; pushed: number; seconds: number } | undefined {
  const match = CYCLE_LINE.exec(trigger.output());
  if (!match) return undefined;
  const number = (text: string | undefined): number => Number((text ?? '').replaceAll(',', ''));
  return { fetched: number(match[1]), pushed: number(match[2]), seconds: Number(match[3]) };
}

interface CycleEvent {
  event?: { duration_seconds?: number };
}

export async function runCycle(servers: Servers, dataPath: string, tuning: Record<string, unknown>, timeoutMs: number): Promise<{ seconds: number; fetched: number; peak: number; output: string }> {
  const eventsBefore = servers.runtime.events.length;
  const trigger = await startTriggerProcess({
    mispUrl: servers.misp.url,
    runtimeCallbackUrl: servers.runtime.callbackUrl,
    token: TOKEN,
    dataPath,
    triggerConfiguration: { ioc_collection_server: servers.collection.url, ioc_collection_uuid: COLLECTION, sleep_time: 60, ...tuning },
  });
  try {
    await waitFor(() => summaryOf(trigger) !== undefined, 'the cycle summary', trigger.output, timeoutMs);
    const summary = summaryOf(trigger) as { fetched: number; pushed: number; seconds: number };
    if (summary.pushed > 0) await waitFor(() => servers.runtime.events.length > eventsBefore, 'the cycle event', trigger.output, 10_000);
    const event = servers.runtime.events[eventsBefore] as CycleEvent | undefined;
    const seconds = event?.event?.duration_seconds ?? summary.seconds;
    const code = await trigger.stop();
    if (process.env.BENCH_KEEP_OUTPUT) writeFileSync(`${process.env.BENCH_KEEP_OUTPUT}-${Date.now()}.log`, trigger.output());
    if (code !== 0) throw new Error(`The trigger exited with code ${String(code)}. Output:\n${trigger.output().slice(-3000)}`);
    return { seconds, fetched: summary.fetched, peak: trigger.peakRssBytes(), output: trigger.output() };
  } finally {
    if (trigger.child.exitCode === null) trigger.child.kill('SIGKILL');
  }
}

/** Compares what the collection received since `from` with what was expected. */
function check(servers: Servers, from: number, expected: ExpectedPushes): { delivered: number; problems: string[] } {
  const accepted = servers.collection.accepted(COLLECTION);
  const arrived = accepted.all.slice(from);
  const problems: string[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let unexpected = 0;
  for (const value of arrived) {
    if (seen.has(value)) duplicates++;
    seen.add(value);
    if (!expected.values.has(value)) unexpected++;
  }
  let missing = 0;
  for (const value of expected.values) if (!seen.has(value)) missing++;
  if (duplicates > 0) problems.push(`${duplicates} values arrived more than once`);
  if (unexpected > 0) problems.push(`${unexpected} values arrived that were not expected`);
  if (missing > 0) problems.push(`${missing} expected values did not arrive`);
  if (from === 0) {
    // The first cycle also checks that each value went in its own upload format.
    for (const [format, values] of expectedByFormat(expected, uploadFormat)) {
      const got = accepted.byFormat.get(format)?.size ?? 0;
      if (got !== values.size) problems.push(`format ${format}: ${got} values instead of ${values.size}`);
    }
  }
  return { delivered: arrived.length, problems };
}

function bytesOf(servers: Servers, fromRequest: number): number {
  return servers.misp.requests.slice(fromRequest).reduce((sum, request) => sum + request.responseBytes, 0);
}

export async function runBenchCase(options: BenchCaseOptions): Promise<BenchCaseResult> {
  const tuning: Record<string, number> = { ...options.tuning };
  const timeoutMs = options.timeoutMs ?? 180_000;
  const nowS = Math.floor(Date.now() / 1000);
  const data = prepareDataSet(options.idsAttributes, { now: nowS, seed: options.seed ?? 7 });
  const baseSource = data.source;
  const servers: Servers = {
    misp: await startDemoMispServer({ apiKey: MISP_KEY, attributes: baseSource }),
    collection: await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION], ...options.collection }),
    runtime: await startRuntimeEndpointsServer({ token: TOKEN, secrets: { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY } }),
  };
  const dataPath = temporaryDataPath();
  try {
    const cycle1 = await runCycle(servers, dataPath, tuning, timeoutMs);
    options.observeFirstCycle?.(servers.collection, cycle1.output);
    const checked1 = check(servers, 0, data.expected);
    const first: CycleFigures = {
      cycle: 'first',
      idsAttributes: options.idsAttributes,
      wallSeconds: cycle1.seconds,
      attributesPerSecond: options.idsAttributes / Math.max(cycle1.seconds, 0.001),
      attributesFetched: cycle1.fetched,
      peakRssBytes: cycle1.peak,
      mispRequests: servers.misp.requests.length,
      mispBytes: bytesOf(servers, 0),
      sekoiaRequests: servers.collection.requests.length,
      iocsDelivered: checked1.delivered,
      iocsExpected: data.expected.values.size,
      correct: checked1.problems.length === 0,
      problems: checked1.problems,
    };
    const result: BenchCaseResult = { idsAttributes: options.idsAttributes, rows: data.options.count, first, tuning };
    if (options.firstCycleOnly) return result;

    // MISP users edit 1% of the attributes and republish their events, after the first cycle began.
    const edit = { share: 0.01, count: data.options.count, at: Math.floor(Date.now() / 1000) };
    const after = expectedAfterEdit(data.options, baseSource, edit);
    servers.misp.attributes = editedSource(data.options, baseSource, edit);
    const mispFrom = servers.misp.requests.length;
    const sekoiaFrom = servers.collection.requests.length;
    const acceptedFrom = servers.collection.accepted(COLLECTION).all.length;
    const cycle2 = await runCycle(servers, dataPath, tuning, timeoutMs);
    const checked2 = check(servers, acceptedFrom, after.expected);
    result.steady = {
      cycle: 'steady',
      idsAttributes: options.idsAttributes,
      wallSeconds: cycle2.seconds,
      attributesPerSecond: cycle2.fetched / Math.max(cycle2.seconds, 0.001),
      attributesFetched: cycle2.fetched,
      peakRssBytes: cycle2.peak,
      mispRequests: servers.misp.requests.length - mispFrom,
      mispBytes: bytesOf(servers, mispFrom),
      sekoiaRequests: servers.collection.requests.length - sekoiaFrom,
      iocsDelivered: checked2.delivered,
      iocsExpected: after.expected.values.size,
      correct: checked2.problems.length === 0,
      problems: checked2.problems,
      editedAttributes: after.editedIds,
    };
    return result;
  } finally {
    await Promise.all([servers.misp.close(), servers.collection.close(), servers.runtime.close()]);
  }
}
