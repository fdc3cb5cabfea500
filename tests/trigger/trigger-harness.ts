import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StateFileSystem } from '@sekoia/automation-sdk-shim';
import { createTestRuntime, FakeClock, type TestRuntime } from '@sekoia/automation-sdk-shim/testing';
import { afterEach } from 'vitest';
import { moduleRoot, TRIGGER_COMMAND } from '../../misp_modules/configuration/module-root.js';
import { startDemoIocCollectionServer, type DemoIocCollectionServer } from '../../misp_modules/dev/demo-ioc-collection-server.js';
import { startDemoMispServer, type AttributeSource, type DemoMispServer } from '../../misp_modules/dev/demo-misp-server.js';
import type { DemoAttribute } from '../../misp_modules/dev/misp-events.js';
import { MispIdsAttributesToIocCollectionTrigger } from '../../misp_modules/trigger/misp-ids-attributes-to-ioc-collection.js';

export const MISP_KEY = 'misp-key-0123456789abcdef0123456789abcdef';
export const SEKOIA_KEY = 'sekoia-key-fedcba9876543210';
export const COLLECTION = 'ioc-collection--6a1e3c1e-9c1a-4f59-8e0e-5d3e2f6a7b01';
/** The fake clock's start: also the "now" of the MISP data the tests serve. */
export const START_MS = Date.UTC(2026, 10, 23, 12, 0, 0);

export interface World {
  misp: DemoMispServer;
  collection: DemoIocCollectionServer;
  close(): Promise<void>;
}

export async function startWorld(attributes: DemoAttribute[] | AttributeSource): Promise<World> {
  const misp = await startDemoMispServer({ apiKey: MISP_KEY, attributes, clock: { now: () => START_MS } });
  const collection = await startDemoIocCollectionServer({ apiKey: SEKOIA_KEY, collections: [COLLECTION] });
  return {
    misp,
    collection,
    close: async () => {
      await Promise.all([misp.close(), collection.close()]);
    },
  };
}

export interface Runtime {
  runtime: TestRuntime<MispIdsAttributesToIocCollectionTrigger>;
  clock: FakeClock;
  done: Promise<void>;
  /** Runs (advancing every pause and backoff) until `count` cycles have ended, then waits in the pause after it. */
  untilCycles(count: number): Promise<void>;
  /** Runs (advancing every pause, backoff and paced wait) until the trigger ends on its own. */
  untilDone(): Promise<void>;
  cycleLogs(): string[];
  stop(): Promise<void>;
}

interface RuntimeOptions {
  dataPath?: string;
  /** When the fake clock starts; START_MS by default. */
  startMs?: number;
  configuration?: Record<string, unknown>;
  account?: Record<string, unknown>;
  /** What state files are written through (a FailingFileSystem); the real disk by default. */
  stateFileSystem?: StateFileSystem;
  /** The module root whose manifest and trigger JSON validate the configurations; the repository's by default. */
  root?: string;
}

/** Starts the trigger on the test runtime, against the world's servers, with a fake clock. */
export function startTrigger(world: World, options: RuntimeOptions = {}): Runtime {
  const clock = new FakeClock(options.startMs ?? START_MS);
  const runtime = createTestRuntime(MispIdsAttributesToIocCollectionTrigger, {
    root: options.root ?? moduleRoot(),
    command: TRIGGER_COMMAND,
    clock,
    dataPath: options.dataPath ?? mkdtempSync(path.join(tmpdir(), 'misp-trigger-')),
    ...(options.stateFileSystem === undefined ? {} : { stateFileSystem: options.stateFileSystem }),
    moduleConfiguration: { misp_url: world.misp.url, misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY, ...options.account },
    configuration: {
      ioc_collection_server: world.collection.url,
      ioc_collection_uuid: COLLECTION,
      push_rate_per_second: 100,
      misp_page_size: 500,
      ...options.configuration,
    },
  });
  const done = runtime.run();
  const cycleLogs = (): string[] =>
    runtime.logs.map((entry) => entry.message).filter((message) => /^Cycle \d+(: [\d,]+ attributes fetched| failed:)/.test(message));
  return {
    runtime,
    clock,
    done,
    cycleLogs,
    async untilCycles(count) {
      const deadline = Date.now() + 15_000;
      let finished = false;
      void done.finally(() => {
        finished = true;
      });
      while (cycleLogs().length < count) {
        if (finished) throw new Error(`The trigger ended after ${cycleLogs().length} cycles: ${JSON.stringify(runtime.logs.slice(-5))}`);
        if (Date.now() > deadline) throw new Error(`Timed out waiting for cycle ${count}: ${JSON.stringify(runtime.logs.slice(-5))}`);
        if (clock.pendingSleeps > 0) await clock.advanceToNext();
        else await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await Promise.race([clock.whenSleeping(), done]);
    },
    async untilDone() {
      const deadline = Date.now() + 15_000;
      let finished = false;
      void done.finally(() => {
        finished = true;
      });
      while (!finished) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for the trigger to end: ${JSON.stringify(runtime.logs.slice(-5))}`);
        if (clock.pendingSleeps > 0) await clock.advanceToNext();
        else await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await done;
    },
    async stop() {
      await runtime.stop();
    },
  };
}

/** Every value the collection accepted, duplicates kept. */
export function acceptedValues(world: World): string[] {
  return world.collection.accepted(COLLECTION).all;
}

interface Closable {
  close?: () => Promise<void>;
  stop?: () => Promise<void>;
}

/**
 * For a test file: worlds and triggers that stop and close on their own after each test, the
 * last started first. `keep` does the same for any other server a test starts.
 */
export function closedAfterEachTest(): {
  world: (attributes?: Parameters<typeof startWorld>[0]) => Promise<World>;
  trigger: (...args: Parameters<typeof startTrigger>) => Runtime;
  keep: <T extends Closable>(item: T) => T;
} {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await (item.stop ?? item.close)?.call(item);
  });
  const keep = <T extends Closable>(item: T): T => {
    open.push(item);
    return item;
  };
  return {
    world: async (attributes = []) => keep(await startWorld(attributes)),
    trigger: (...args) => keep(startTrigger(...args)),
    keep,
  };
}
