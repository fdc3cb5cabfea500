/**
 * The adaptive pace against a loopback IOC collection over real HTTP, with the collection and the
 * client on one fake clock: a token bucket, bursts of refusals, answers that slow down. Minutes of
 * the collection's time pass in seconds of the test's.
 */
import { FakeClock } from '@sekoia/automation-sdk-shim/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoIocCollectionServer, type DemoIocCollectionServer, type DemoIocCollectionServerOptions } from '../../misp_modules/dev/demo-ioc-collection-server.js';
import { IocCollectionClient, type PushResult } from '../../misp_modules/sekoia/ioc-collection-client.js';
import { RecordingLogger } from '../support/recording.js';
import { withoutProxyEnvironment } from './support/ioc-collection-server.js';

const KEY = 'sekoia-pace-key-0a1b2c3d4e5f';
const COLLECTION = 'ioc-collection--0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
/** Batches in flight at most, as the synchronisation cycle keeps them. */
const PIPELINE_DEPTH = 4;

let open: Array<{ close(): Promise<void> }> = [];
beforeAll(() => withoutProxyEnvironment());
afterEach(async () => {
  for (const item of open.reverse()) await item.close();
  open = [];
});

interface Scenario {
  server: DemoIocCollectionServer;
  client: IocCollectionClient;
  clock: FakeClock;
  logger: RecordingLogger;
  startedAt: number;
  /** The pace after each answer. */
  paces: number[];
}

async function scenario(options: Partial<DemoIocCollectionServerOptions>): Promise<Scenario> {
  const clock = new FakeClock();
  const server = await startDemoIocCollectionServer({ apiKey: KEY, collections: [COLLECTION], clock, ...options });
  const logger = new RecordingLogger();
  const client = new IocCollectionClient({ serverUrl: server.url, collectionUuid: COLLECTION, apiKey: KEY, verifySsl: true, clock, logger, retryBudgetPerCycle: 1_000 });
  open.push(server, client);
  return { server, client, clock, logger, startedAt: clock.now(), paces: [] };
}

/**
 * Pushes `batches` one-value batches, `PIPELINE_DEPTH` at a time, until `stopAt` on the fake clock
 * (when given); moves the clock on to the next wake-up whenever the loopback has been quiet a moment.
 */
async function pushUntil(s: Scenario, batches: number, stopAt?: number): Promise<PushResult[]> {
  const results: PushResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches && (stopAt === undefined || s.clock.now() < stopAt)) {
      const index = next++;
      results.push(await s.client.push({ format: 'ipv4-addr.value', values: [`10.${index >> 16}.${(index >> 8) & 255}.${index & 255}`] }));
      s.paces.push(s.client.paceSnapshot.requestsPerSecond);
    }
  };
  let done = false;
  const all = Promise.all(Array.from({ length: PIPELINE_DEPTH }, worker)).finally(() => {
    done = true;
  });
  while (!done) {
    // Quiet on the loopback: the requests under way were answered; only the clock can move things.
    await new Promise((resolve) => setTimeout(resolve, 3));
    if (!done && s.clock.pendingSleeps > 0) await s.clock.advanceToNext();
  }
  await all;
  return results;
}

/** Accepted pushes per second between two moments of the collection's clock. */
function acceptedPerSecond(server: DemoIocCollectionServer, from: number, to: number): number {
  const accepted = server.answered.filter((answer) => answer.status === 202 && answer.at >= from && answer.at < to).length;
  return (accepted * 1000) / (to - from);
}

describe('the push pace against a loopback collection', () => {
  it('settles under a token bucket of 10 requests a second: at least 85% of it after 20 s, at most 5% refused', async () => {
    const s = await scenario({ rateLimitPerSecond: 10 });
    const results = await pushUntil(s, 10_000, s.startedAt + 60_000);
    expect(results.every((result) => result.failed.length === 0)).toBe(true);
    const refused = s.server.answered.filter((answer) => answer.status === 429).length;
    expect(refused / s.server.answered.length).toBeLessThanOrEqual(0.05);
    expect(acceptedPerSecond(s.server, s.startedAt + 20_000, s.startedAt + 60_000)).toBeGreaterThanOrEqual(8.5);
    expect(refused).toBeGreaterThan(0);
    expect(s.client.paceSnapshot.slowDowns.refused).toBeGreaterThan(0);
    expect(s.client.paceSnapshot.requestsPerSecond).toBeLessThan(14);
  });

  it('cuts at a burst of refusals, waits the Retry-After, and grows back', async () => {
    const s = await scenario({});
    await pushUntil(s, 40);
    const before = s.client.paceSnapshot.requestsPerSecond;
    s.server.faults.push({ status: 429, retryAfter: 2, times: 4 });
    const burstAt = s.clock.now();
    const fromAnswer = s.paces.length;
    const results = await pushUntil(s, 200);
    expect(results.every((result) => result.accepted.length === 1)).toBe(true);
    const acceptedAt = s.server.answered.filter((answer) => answer.status === 202 && answer.at > burstAt).map((answer) => answer.at);
    // Nothing accepted before the Retry-After of the burst had passed.
    expect(Math.min(...acceptedAt) - burstAt).toBeGreaterThanOrEqual(2_000);
    const { slowDowns, requestsPerSecond } = s.client.paceSnapshot;
    // One cut per round trip: at most one per refusal, never more.
    expect(slowDowns.refused).toBeGreaterThanOrEqual(1);
    expect(slowDowns.refused).toBeLessThanOrEqual(4);
    const lowest = Math.min(...s.paces.slice(fromAnswer));
    expect(lowest).toBeLessThanOrEqual(before * 0.5);
    expect(requestsPerSecond).toBeGreaterThan(lowest);
    expect(s.logger.at('warning').some((line) => /rate limited \(HTTP 429\), every request pauses for 2 s, then goes on at \d+ requests per second/.test(line))).toBe(true);
  });

  it('slows down when the answers do (10 ms rising to 2 s), and loses nothing', async () => {
    // Latency rises linearly over 30 s of the collection's time, then stays at 2 s.
    const s = await scenario({ latencyMs: (elapsed) => Math.min(2_000, 10 + (elapsed / 30_000) * 1_990) });
    const results = await pushUntil(s, 400);
    const peak = Math.max(...s.paces);
    expect(results.flatMap((result) => result.failed)).toEqual([]);
    expect(results.flatMap((result) => result.accepted)).toHaveLength(400);
    expect(s.client.paceSnapshot.slowDowns.slow).toBeGreaterThanOrEqual(1);
    expect(s.client.paceSnapshot.requestsPerSecond).toBeLessThan(peak);
    expect(s.client.stats.retries).toBe(0);
  });
});
