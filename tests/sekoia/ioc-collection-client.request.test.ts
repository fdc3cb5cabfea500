import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FatalIocCollectionError } from '../../misp_modules/sekoia/errors/fatal-ioc-collection-error.js';
import { InvalidIocCollectionClientOptionsError } from '../../misp_modules/sekoia/errors/invalid-ioc-collection-client-options-error.js';
import { IocCollectionClientClosedError } from '../../misp_modules/sekoia/errors/ioc-collection-client-closed-error.js';
import { IocCollectionNotFoundError } from '../../misp_modules/sekoia/errors/ioc-collection-not-found-error.js';
import { SekoiaAuthenticationError } from '../../misp_modules/sekoia/errors/sekoia-authentication-error.js';
import { SekoiaPermissionError } from '../../misp_modules/sekoia/errors/sekoia-permission-error.js';
import { IocCollectionClient, type IocCollectionClientOptions } from '../../misp_modules/sekoia/ioc-collection-client.js';
import { ManualClock, RecordingClock } from './support/clocks.js';
import { withoutProxyEnvironment } from './support/ioc-collection-server.js';
import { RecordingLogger } from '../support/recording.js';
import { waitUntil } from './support/wait-until.js';

const API_KEY = 'sk-live-7f3a9c1e5b2d4f60-SECRET';
const COLLECTION = 'ioc-collection--0b0a2c6e-3d0e-4f2b-9a57-6f1b8d3c2e41';
const PATH = `/v2/inthreat/ioc-collections/${COLLECTION}/indicators/text`;

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const captured: Captured[] = [];
let answer: (body: Record<string, unknown>, index: number) => Response | Promise<Response> = () => HttpResponse.json({ task_id: 't-1' }, { status: 202 });

// Any host: the prefix in front of /v2 is what the URL tests vary. Unhandled requests fail the test
// instead of going out.
const server = setupServer(
  http.post('*/v2/inthreat/ioc-collections/:uuid/indicators/text', async ({ request }) => {
    const body = (await request.json()) as Record<string, unknown>;
    captured.push({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers.entries()), body });
    return answer(body, captured.length - 1);
  }),
);

beforeAll(() => {
  withoutProxyEnvironment();
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  server.resetHandlers();
  captured.length = 0;
  answer = () => HttpResponse.json({ task_id: 't-1' }, { status: 202 });
});
afterAll(() => server.close());

const clients: IocCollectionClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function makeClient(overrides: Partial<IocCollectionClientOptions> = {}): { client: IocCollectionClient; logger: RecordingLogger; clock: RecordingClock } {
  const logger = new RecordingLogger();
  const clock = new RecordingClock();
  const client = new IocCollectionClient({
    serverUrl: 'https://api.sekoia.io',
    collectionUuid: COLLECTION,
    apiKey: API_KEY,
    verifySsl: true,
    clock,
    logger,
    requestsPerSecond: 1_000,
    backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
    ...overrides,
  });
  clients.push(client);
  return { client, logger, clock };
}

describe('the request', () => {
  it.each([
    ['https://api.sekoia.io', `https://api.sekoia.io${PATH}`],
    ['https://api.sekoia.io/', `https://api.sekoia.io${PATH}`],
    ['https://app.usa1.sekoia.io/api', `https://app.usa1.sekoia.io/api${PATH}`],
    ['https://app.usa1.sekoia.io/api/', `https://app.usa1.sekoia.io/api${PATH}`],
  ])('goes to the collection under %s', async (serverUrl, expectedUrl) => {
    const { client } = makeClient({ serverUrl });
    await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(captured.map((request) => request.url)).toEqual([expectedUrl]);
  });

  it('posts JSON with the bearer key, one value per line, and no valid_until unless given', async () => {
    const { client } = makeClient();
    const result = await client.push({ format: 'domain-name.value', values: ['example.com', 'evil.example.org'] });

    expect(result).toEqual({ accepted: ['example.com', 'evil.example.org'], failed: [], requests: 1 });
    expect(captured).toHaveLength(1);
    const [request] = captured;
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.body).toEqual({ indicators: 'example.com\nevil.example.org', format: 'domain-name.value' });
    expect(request?.body).not.toHaveProperty('valid_until');
  });

  it('sends valid_until when the batch has one', async () => {
    const { client } = makeClient();
    await client.push({ format: 'url.value', values: ['http://evil.example/x'], validUntil: '2030-02-01T00:00:00Z' });
    expect(captured[0]?.body).toEqual({ indicators: 'http://evil.example/x', format: 'url.value', valid_until: '2030-02-01T00:00:00Z' });
  });

  it('round-trips 1,000 values exactly, in order', async () => {
    const { client } = makeClient();
    const values = Array.from({ length: 1_000 }, (_, i) =>
      i % 3 === 0 ? `10.${(i >> 8) & 255}.${i & 255}.7` : i % 3 === 1 ? `https://xn--exmple-cua.example/p?q=${i}&r=é` : `${i.toString(16).padStart(64, 'a')}`,
    );
    const result = await client.push({ format: 'one_per_line', values });
    expect(result.accepted).toEqual(values);
    expect(result.requests).toBe(1);
    expect(String(captured[0]?.body.indicators).split('\n')).toEqual(values);
  });

  it('never sends a value that would add or split a line, and says so', async () => {
    const { client, logger } = makeClient();
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.1.1.1', '2.2.2.2\n3.3.3.3', '', '4.4.4.4\r'] });
    expect(result.accepted).toEqual(['1.1.1.1']);
    expect(result.failed).toEqual(['2.2.2.2\n3.3.3.3', '', '4.4.4.4\r']);
    expect(captured.map((request) => request.body.indicators)).toEqual(['1.1.1.1']);
    expect(logger.at('error').join('\n')).toMatch(/3 of 4 ipv4-addr\.value values were not sent/);
  });
});

describe('answers', () => {
  it.each([200, 202])('counts a %i as accepted', async (status) => {
    answer = () => HttpResponse.json(status === 202 ? { task_id: 'abc' } : {}, { status });
    const { client } = makeClient();
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4', '5.6.7.8'] });
    expect(result).toEqual({ accepted: ['1.2.3.4', '5.6.7.8'], failed: [], requests: 1 });
  });

  it('retries a 5xx with backoff, then accepts', async () => {
    const statuses = [500, 503, 202];
    answer = (_body, index) => new HttpResponse('oops', { status: statuses[index] ?? 202 });
    const { client, clock } = makeClient();
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result).toEqual({ accepted: ['1.2.3.4'], failed: [], requests: 3 });
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(client.stats).toEqual({ requests: 3, retries: 2, rateLimited: 0 });
  });

  it('retries a network error', async () => {
    answer = (_body, index) => (index === 0 ? HttpResponse.error() : HttpResponse.json({ task_id: 'x' }, { status: 202 }));
    const { client } = makeClient();
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    expect(result).toEqual({ accepted: ['1.2.3.4'], failed: [], requests: 2 });
  });

  it('gives up after maxAttempts: the values end in failed, never accepted', async () => {
    answer = () => new HttpResponse('unavailable', { status: 503 });
    const { client, logger, clock } = makeClient({ maxAttempts: 3 });
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4', '5.6.7.8'] });
    expect(result).toEqual({ accepted: [], failed: ['1.2.3.4', '5.6.7.8'], requests: 3 });
    expect(captured).toHaveLength(3);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(logger.at('warning').join('\n')).toMatch(/2 ipv4-addr\.value values not delivered after 3 attempts \(last: HTTP 503\)/);
  });

  it('spends at most the per-cycle retry budget, until it is reset', async () => {
    answer = () => new HttpResponse(null, { status: 502 });
    const { client, logger } = makeClient({ maxAttempts: 5, retryBudgetPerCycle: 2 });

    const first = await client.push({ format: 'ipv4-addr.value', values: ['1.1.1.1'] });
    expect(first).toEqual({ accepted: [], failed: ['1.1.1.1'], requests: 3 });
    const second = await client.push({ format: 'ipv4-addr.value', values: ['2.2.2.2'] });
    expect(second).toEqual({ accepted: [], failed: ['2.2.2.2'], requests: 1 });
    expect(logger.at('warning').filter((line) => line.includes('retries allowed per cycle are spent'))).toHaveLength(1);

    client.resetRetryBudget();
    const third = await client.push({ format: 'ipv4-addr.value', values: ['3.3.3.3'] });
    expect(third.requests).toBe(3);
    expect(client.stats.retries).toBe(4);
  });

  it('splits a batch on 413 until every part fits', async () => {
    answer = (body) => {
      const lines = String(body.indicators).split('\n');
      return lines.length > 3 ? new HttpResponse('Request Entity Too Large', { status: 413 }) : HttpResponse.json({ task_id: 't' }, { status: 202 });
    };
    const { client } = makeClient();
    const values = Array.from({ length: 10 }, (_, i) => `192.0.2.${i + 1}`);
    const result = await client.push({ format: 'ipv4-addr.value', values });

    expect([...result.accepted].sort()).toEqual([...values].sort());
    expect(result.failed).toEqual([]);
    const sentLines = captured.map((request) => String(request.body.indicators).split('\n'));
    const acceptedLines = sentLines.filter((lines) => lines.length <= 3).flat();
    expect(acceptedLines.sort()).toEqual([...values].sort());
    // 10 → 5 + 5 → (3 + 2) + (3 + 2): three refusals, four accepted parts.
    expect(result.requests).toBe(7);
  });

  it('reports a single value that is still too large as failed, with an error log', async () => {
    answer = () => new HttpResponse(null, { status: 413 });
    const { client, logger } = makeClient();
    const result = await client.push({ format: 'url.value', values: ['http://a.example/', 'http://b.example/'] });
    expect(result).toEqual({ accepted: [], failed: ['http://a.example/', 'http://b.example/'], requests: 3 });
    expect(logger.at('error')).toHaveLength(2);
    expect(logger.at('error')[0]).toMatch(/single url\.value value is too large.*HTTP 413.*http:\/\/a\.example\//);
  });

  it('logs any other 4xx once with its status and the start of the body, on one line, and fails the values', async () => {
    const body = `{"message": "invalid format",\n"detail": "${'x'.repeat(500)}", "echo": "${API_KEY}"}`;
    answer = () => new HttpResponse(body, { status: 422, headers: { 'content-type': 'application/json' } });
    const { client, logger } = makeClient();
    const result = await client.push({ format: 'bogus.value', values: ['a', 'b'] });
    expect(result).toEqual({ accepted: [], failed: ['a', 'b'], requests: 1 });
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/HTTP 422/);
    expect(errors[0]).toContain('{"message": "invalid format", "detail": "xxx');
    expect(errors[0]).not.toMatch(/[\r\n]/);
    expect(errors[0]?.length).toBeLessThan(400);
  });
});

describe('fatal answers', () => {
  it.each([
    [401, SekoiaAuthenticationError, /sekoia_api_key/],
    [403, SekoiaPermissionError, /permission to write to IOC collections/],
    [404, IocCollectionNotFoundError, /ioc_collection_uuid.*ioc_collection_server.*region/],
  ] as const)('a %i rejects with a named error, and every later push rejects with it without a request', async (status, ErrorClass, hint) => {
    answer = () => HttpResponse.json({ message: `nope ${API_KEY}` }, { status });
    const { client, logger } = makeClient();

    const error = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(FatalIocCollectionError);
    const fatal = error as FatalIocCollectionError;
    expect(fatal.status).toBe(status);
    expect(fatal.message).toMatch(hint);
    expect(fatal.message).toContain(COLLECTION);
    expect(fatal.message).toContain('https://api.sekoia.io');
    expect(fatal.message).not.toContain(API_KEY);
    // Reported once by the caller that stops on it, not by the client.
    expect(logger.at('critical')).toEqual([]);

    await expect(client.push({ format: 'ipv4-addr.value', values: ['5.6.7.8'] })).rejects.toBe(fatal);
    await expect(client.push({ format: 'url.value', values: ['http://x.example/'] })).rejects.toBe(fatal);
    expect(captured).toHaveLength(1);
    expect(client.stats.requests).toBe(1);
    expect(logger.text).not.toContain(API_KEY);
  });

  it('rejects the pushes queued behind the fatal answer, without sending them', async () => {
    answer = () => new HttpResponse(null, { status: 401 });
    const { client } = makeClient({ requestsPerSecond: 50 });
    const pushes = [1, 2, 3].map((i) => client.push({ format: 'ipv4-addr.value', values: [`10.0.0.${i}`] }));
    const outcomes = await Promise.allSettled(pushes);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const reasons = outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : undefined));
    expect(reasons[1]).toBe(reasons[0]);
    expect(reasons[2]).toBe(reasons[0]);
    expect(captured).toHaveLength(1);
  });
});

describe('stopping', () => {
  it('reports every value failed when the signal is already aborted, and sends nothing', async () => {
    const { client } = makeClient();
    const controller = new AbortController();
    controller.abort();
    const result = await client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] }, controller.signal);
    expect(result).toEqual({ accepted: [], failed: ['1.2.3.4'], requests: 0 });
    expect(captured).toHaveLength(0);
  });

  it('resolves at once with the values failed when aborted during a backoff', async () => {
    answer = () => new HttpResponse(null, { status: 503 });
    const clock = new ManualClock();
    const { client } = makeClient({ clock });
    const controller = new AbortController();
    const pushing = client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] }, controller.signal);
    await waitUntil(() => clock.pending().length === 1);
    controller.abort();
    await expect(pushing).resolves.toEqual({ accepted: [], failed: ['1.2.3.4'], requests: 1 });
  });

  it('close() ends a push under way with its values failed; a push after close rejects', async () => {
    answer = () => new HttpResponse(null, { status: 500 });
    const clock = new ManualClock();
    const { client } = makeClient({ clock });
    const pushing = client.push({ format: 'ipv4-addr.value', values: ['1.2.3.4'] });
    await waitUntil(() => clock.pending().length === 1);
    await client.close();
    await expect(pushing).resolves.toEqual({ accepted: [], failed: ['1.2.3.4'], requests: 1 });
    await expect(client.push({ format: 'ipv4-addr.value', values: ['5.6.7.8'] })).rejects.toBeInstanceOf(IocCollectionClientClosedError);
  });
});

describe('options', () => {
  it('refuses unusable options, naming each problem and never the key', () => {
    const attempt = (): IocCollectionClient =>
      new IocCollectionClient({
        serverUrl: 'ftp://api.sekoia.io',
        collectionUuid: ' ',
        apiKey: API_KEY,
        verifySsl: true,
        clock: new RecordingClock(),
        logger: new RecordingLogger(),
        requestsPerSecond: 0,
        maxConcurrent: 1.5,
      });
    expect(attempt).toThrow(InvalidIocCollectionClientOptionsError);
    try {
      attempt();
    } catch (error) {
      const invalid = error as InvalidIocCollectionClientOptionsError;
      expect(invalid.problems).toHaveLength(4);
      expect(invalid.message).toMatch(/serverUrl.*collectionUuid.*requestsPerSecond.*maxConcurrent/);
      expect(invalid.message).not.toContain(API_KEY);
    }
  });
});
