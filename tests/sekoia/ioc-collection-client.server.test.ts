import { getEventListeners } from 'node:events';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FatalIocCollectionError } from '../../misp_modules/sekoia/errors/fatal-ioc-collection-error.js';
import { IocCollectionClient, type IocCollectionClientOptions } from '../../misp_modules/sekoia/ioc-collection-client.js';
import { systemClock, type Clock } from '@sekoia/automation-sdk-shim';
import { ManualClock, RecordingClock } from './support/clocks.js';
import { FakeIocCollectionServer, json, withoutProxyEnvironment, type Reply } from './support/ioc-collection-server.js';
import { RecordingLogger } from '../support/recording.js';
import { waitUntil } from './support/wait-until.js';
import { listenerLeakWarnings } from '../support/listener-leak-warnings.js';

const API_KEY = 'sk-live-1d2c3b4a59687f0e-SECRET';
const COLLECTION = 'ioc-collection--5a9e3a4c-8e0b-4c55-9d1e-2f7b6a1c0d93';

const accept: Reply = (_request, _index, response) => json(response, 202, { task_id: 'task' });

let servers: FakeIocCollectionServer[] = [];
const clients: IocCollectionClient[] = [];

beforeAll(() => withoutProxyEnvironment());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.map((server) => server.stop()));
  servers = [];
});

async function setUp(
  reply: Reply,
  overrides: Partial<IocCollectionClientOptions> & { clock?: Clock } = {},
): Promise<{ server: FakeIocCollectionServer; client: IocCollectionClient; logger: RecordingLogger }> {
  const server = new FakeIocCollectionServer(reply);
  servers.push(server);
  const serverUrl = await server.start();
  const logger = new RecordingLogger();
  const client = new IocCollectionClient({
    serverUrl,
    collectionUuid: COLLECTION,
    apiKey: API_KEY,
    verifySsl: true,
    clock: new RecordingClock(),
    logger,
    requestsPerSecond: 1_000,
    backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
    ...overrides,
  });
  clients.push(client);
  return { server, client, logger };
}

/** Answers the first `count` requests with `first`, the rest with a 202. */
function firstThen(count: number, first: Reply): Reply {
  return (request, index, response) => (index < count ? first(request, index, response) : accept(request, index, response));
}

describe('429', () => {
  it('waits the Retry-After seconds on the clock, then retries', async () => {
    const clock = new RecordingClock();
    const { server, client, logger } = await setUp(
      firstThen(1, (_request, _index, response) => json(response, 429, { message: 'slow down' }, { 'retry-after': '7' })),
      { clock },
    );
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result).toEqual({ accepted: ['1.2.3.4'], failed: [], requests: 2 });
    expect(clock.sleeps).toEqual([7_000]);
    expect(server.requests).toHaveLength(2);
    expect(client.stats).toEqual({ requests: 2, retries: 1, rateLimited: 1 });
    expect(logger.at('warning').join('\n')).toMatch(/rate limited \(HTTP 429\).*7 s/);
  });

  it('waits until a Retry-After HTTP date', async () => {
    const clock = new RecordingClock(Date.parse('2030-01-01T12:00:00Z'));
    const retryAt = new Date(clock.now() + 30_000).toUTCString();
    const { client } = await setUp(
      firstThen(1, (_request, _index, response) => json(response, 429, {}, { 'retry-after': retryAt })),
      { clock },
    );
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result.accepted).toEqual(['1.2.3.4']);
    expect(clock.sleeps).toEqual([30_000]);
  });

  it('caps an absurd Retry-After at the ten minutes every client obeys', async () => {
    const clock = new RecordingClock();
    const { client } = await setUp(
      firstThen(1, (_request, _index, response) => json(response, 429, {}, { 'retry-after': '86400' })),
      { clock },
    );
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result.accepted).toEqual(['1.2.3.4']);
    expect(clock.sleeps).toEqual([600_000]);
  });

  it('backs off exponentially without Retry-After, and keeps backing off on repeated 429s', async () => {
    const clock = new RecordingClock();
    const { client } = await setUp(firstThen(3, (_request, _index, response) => json(response, 429, {})), { clock });
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result).toEqual({ accepted: ['1.2.3.4'], failed: [], requests: 4 });
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(client.stats.rateLimited).toBe(3);
  });

  it('treats a repeated short Retry-After as a floor and still backs off', async () => {
    const clock = new RecordingClock();
    const { client } = await setUp(
      firstThen(2, (_request, _index, response) => json(response, 429, {}, { 'retry-after': '1' })),
      { clock },
    );
    await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(clock.sleeps).toEqual([1_000, 2_000]);
  });

  it('pauses every batch, including those queued during the pause', async () => {
    const clock = new ManualClock();
    const { server, client } = await setUp(
      firstThen(1, (_request, _index, response) => json(response, 429, {}, { 'retry-after': '5' })),
      { clock, maxConcurrent: 4 },
    );
    const first = client.push({ format: 'ipv4-addr.value', values: ['10.0.0.1'] });
    await waitUntil(() => clock.pending().includes(5_000));

    const others = [2, 3, 4].map((i) => client.push({ format: 'ipv4-addr.value', values: [`10.0.0.${i}`] }));
    // Real time passes, the fake clock does not: nothing may be sent while the pause lasts.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.requests).toHaveLength(1);

    clock.advance(5_000);
    // After the pause, the pace spaces the requests on the same clock: move it on until all are answered.
    let settled = false;
    const all = Promise.all([first, ...others]).finally(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      clock.advance(100);
    }
    const results = await all;
    expect(results.flatMap((result) => result.accepted).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    expect(server.requests).toHaveLength(5);
  });

  it('gives the values up as failed once the retry budget is spent, never accepted', async () => {
    const { client } = await setUp((_request, _index, response) => json(response, 429, {}, { 'retry-after': '1' }), { retryBudgetPerCycle: 3 });
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result).toEqual({ accepted: [], failed: ['1.2.3.4'], requests: 4 });
  });
});

describe('transient failures on the wire', () => {
  it('retries after a request timeout', async () => {
    const { server, client } = await setUp(
      firstThen(1, () => {
        // Never answers: the client's timeout must end the request.
      }),
      { timeoutMs: 150 },
    );
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result).toEqual({ accepted: ['1.2.3.4'], failed: [], requests: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('retries after a connection reset', async () => {
    const { client, logger } = await setUp(firstThen(1, (_request, _index, response) => {
      response.socket?.destroy();
    }));
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result).toEqual({ accepted: ['1.2.3.4'], failed: [], requests: 2 });
    expect(logger.at('debug').join('\n')).toMatch(/attempt 1 of 5/);
  });
});

describe('the limiter', () => {
  it('spaces requests by the pace, never faster than the ceiling (20 per second → about 50 ms apart)', async () => {
    // Arrival times are real: so is the clock the pace waits on.
    const { server, client } = await setUp(accept, { requestsPerSecond: 20, maxConcurrent: 10, clock: systemClock });
    // The first four requests go at once (the pace's initial burst); they also warm the connection
    // and the code paths, whose one-off cost would blur the first gaps.
    for (const i of [251, 252, 253, 254]) await client.push({ format: 'ipv4-addr.value', values: [`10.0.0.${i}`] });
    await new Promise((resolve) => setTimeout(resolve, 60));
    server.requests.length = 0;
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.push({ format: 'ipv4-addr.value', values: [`10.0.1.${i}`] })));
    const times = server.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(10);
    const gaps = times.slice(1).map((time, i) => time - (times[i] ?? 0));
    // The arrival times also carry the jitter of both event loops on a busy machine (one late request
    // shortens the next gap): the median gap and the whole span say the pace, not the shortest gap.
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
    expect(median).toBeGreaterThanOrEqual(40);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(9 * 45 - 5);
  });

  it('never has more than maxConcurrent requests in flight', async () => {
    const slow: Reply = (request, index, response) => {
      setTimeout(() => accept(request, index, response), 40);
    };
    const { server, client } = await setUp(slow, { maxConcurrent: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => client.push({ format: 'ipv4-addr.value', values: [`10.0.2.${i}`] })));
    expect(results.every((result) => result.accepted.length === 1)).toBe(true);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBeGreaterThan(1);
  });

  it('has at most 4 requests in flight by default', async () => {
    const slow: Reply = (request, index, response) => {
      setTimeout(() => accept(request, index, response), 40);
    };
    const { server, client } = await setUp(slow);
    await Promise.all(Array.from({ length: 8 }, (_, i) => client.push({ format: 'ipv4-addr.value', values: [`10.0.3.${i}`] })));
    expect(server.requests).toHaveLength(8);
    expect(server.maxInFlight).toBe(4);
  });
});

describe('secrets', () => {
  it('never puts the API key in a log line or an error message', async () => {
    const echo: Reply = (request, index, response) => {
      const statuses = [429, 500, 400, 401];
      const status = statuses[index] ?? 401;
      json(response, status, { message: `bad request ${String(request.headers.authorization)}`, key: API_KEY }, status === 429 ? { 'retry-after': '1' } : {});
    };
    const { server, client, logger } = await setUp(echo);
    const first = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(first.failed).toEqual(['1.2.3.4']);
    const error = await client.push({ format: 'ipv4-addr.value', values: ['5.6.7.8'] }).then(
      () => undefined,
      (reason: unknown) => reason as FatalIocCollectionError,
    );
    expect(server.requests).toHaveLength(4);
    expect(error?.name).toBe('SekoiaAuthenticationError');
    expect(error?.message).not.toContain(API_KEY);
    expect(String(error?.stack)).not.toContain(API_KEY);
    expect(logger.lines.length).toBeGreaterThan(2);
    expect(logger.text).toContain('[REDACTED]');
    expect(logger.text).not.toContain(API_KEY);
  });
});

describe('abort listeners', () => {
  it('leaves none on the caller signal over 30 pushes, a retried 429 among them, and raises no leak warning', async () => {
    const warnings = await listenerLeakWarnings(async () => {
      const { client, server } = await setUp(firstThen(1, (_request, _index, response) => json(response, 429, {}, { 'retry-after': '1' })));
      const controller = new AbortController();
      for (let push = 0; push < 30; push++) {
        const result = await client.push({ format: 'ipv4-addr.value', values: [`10.0.0.${push}`] }, controller.signal);
        expect(result.accepted).toEqual([`10.0.0.${push}`]);
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      }
      expect(server.requests).toHaveLength(31);
    });
    expect(warnings).toEqual([]);
  });
});
