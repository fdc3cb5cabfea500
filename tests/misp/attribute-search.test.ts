import { http, HttpResponse, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MispAttributeSearch, MispPage } from '../../misp_modules/misp/attribute-search.js';
import type { MispApi } from '../../misp_modules/misp/misp-api.js';
import { MispAuthenticationError } from '../../misp_modules/misp/errors/misp-authentication-error.js';
import { MispEndpointNotFoundError } from '../../misp_modules/misp/errors/misp-endpoint-not-found-error.js';
import { MispMalformedAnswerError } from '../../misp_modules/misp/errors/misp-malformed-answer-error.js';
import { MispNotJsonError } from '../../misp_modules/misp/errors/misp-not-json-error.js';
import { MispPagingIgnoredError } from '../../misp_modules/misp/errors/misp-paging-ignored-error.js';
import { MispRateLimitedError } from '../../misp_modules/misp/errors/misp-rate-limited-error.js';
import { MispRequestRejectedError } from '../../misp_modules/misp/errors/misp-request-rejected-error.js';
import { MispServerError } from '../../misp_modules/misp/errors/misp-server-error.js';
import { MispTooManyPagesError } from '../../misp_modules/misp/errors/misp-too-many-pages-error.js';
import { itWithFixtures } from '../support/fixtures.js';
import { allPages, API_KEY, openSearch, RecordingClock, readJsonFixture, RecordingLogger, searchError, visibleText, type SearchOptions } from './misp-test-kit.js';

const BASE = 'http://127.0.0.1:9';
const SEARCH_URL = `${BASE}/attributes/restSearch`;
const NO_JITTER = { baseMs: 1_000, maxMs: 60_000, jitter: 0 };

interface ErrorCase {
  id: string;
  http_status: number;
  body: { name: string; message: string; url: string };
}
/** MISP's own error answers, from the fixtures: read only by the tests that use them. */
const errorCase = (id: string): ErrorCase => {
  const found = readJsonFixture<{ cases: ErrorCase[] }>('misp-api/error-responses.json').cases.find((entry) => entry.id === id);
  if (!found) throw new Error(`no error fixture ${id}`);
  return found;
};

type Row = Record<string, unknown>;
const circlSample = (): Row[] => readJsonFixture<{ response: { Attribute: Row[] } }>('misp-api/derived/restsearch-circl-sample-to_ids.json').response.Attribute;

interface SeenRequest {
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

// A current MISP unless a test says otherwise.
const server = setupServer(http.get(`${BASE}/servers/getVersion`, () => HttpResponse.json({ version: '2.4.196' })));
let seen: SeenRequest[];
let clock: RecordingClock;
let logger: RecordingLogger;
let clients: MispApi[];

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  // Never let an ambient proxy setting send test traffic elsewhere.
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) vi.stubEnv(name, '');
  seen = [];
  clock = new RecordingClock();
  logger = new RecordingLogger();
  clients = [];
});
afterEach(() => {
  server.resetHandlers();
  vi.unstubAllEnvs();
  for (const client of clients) client.close();
});

function makeClient(overrides: Partial<SearchOptions> = {}): MispAttributeSearch {
  const { search, api } = openSearch({ baseUrl: BASE, apiKey: API_KEY, verifySsl: true, clock, logger, backoff: NO_JITTER, ...overrides });
  clients.push(api);
  return search;
}

/** Serves restSearch with `answer`, recording every request. */
function serve(answer: (body: Record<string, unknown>, index: number) => Response | Promise<Response>, url = SEARCH_URL): void {
  server.use(
    http.post(url, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      seen.push({ headers: Object.fromEntries(request.headers), body });
      return answer(body, seen.length - 1);
    }),
  );
}

const page = (rows: unknown[], headers: Record<string, string> = {}): Response =>
  HttpResponse.json({ response: { Attribute: rows } } as JsonBodyType, { headers });

/** Serves a list of rows the way MISP pages it: slice by page and limit. */
function serveRows(rows: unknown[], skippedPerPage: (pageNumber: number) => number = () => 0): void {
  serve((body) => {
    const pageNumber = Number(body['page']);
    const limit = Number(body['limit']);
    const skipped = skippedPerPage(pageNumber);
    return page(rows.slice((pageNumber - 1) * limit, pageNumber * limit), skipped > 0 ? { 'X-Skipped-Elements-Count': String(skipped) } : {});
  });
}

const row = (id: number, extra: Row = {}): Row => ({
  id: String(id),
  event_id: '7',
  uuid: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  type: 'domain',
  value: `host${id}.example`,
  to_ids: true,
  deleted: false,
  timestamp: '1700000000',
  ...extra,
});
const rows = (from: number, count: number): Row[] => Array.from({ length: count }, (_, index) => row(from + index));

describe('the request', () => {
  it('posts the IDS search with the key, JSON headers, the time filter and paging', async () => {
    serveRows([]);
    await allPages(makeClient({ baseUrl: `${BASE}/` }).searchAttributes({ publishedSince: 1_736_899_200, pageSize: 500 }));

    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.headers['authorization']).toBe(API_KEY);
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toMatch(/misp.*ioc-collection/i);
    expect(request?.body).toEqual({
      returnFormat: 'json',
      to_ids: 1,
      published: 1,
      publish_timestamp: 1_736_899_200,
      page: 1,
      limit: 500,
      order: 'Attribute.id',
    });
  });

  it('sends a publish_timestamp range and merges extra filters, but never lets them break paging', async () => {
    serveRows([]);
    const filters = { tags: ['tlp:white', '!false-positive'], org: 'CIRCL', enforceWarninglist: 1, page: 99, limit: 1, returnFormat: 'csv' };
    await allPages(makeClient().searchAttributes({ publishedSince: 100, publishedUntil: 200, pageSize: 50, filters }));

    expect(seen[0]?.body).toEqual({
      returnFormat: 'json',
      to_ids: 1,
      published: 1,
      publish_timestamp: [100, 200],
      order: 'Attribute.id',
      tags: ['tlp:white', '!false-positive'],
      org: 'CIRCL',
      enforceWarninglist: 1,
      page: 1,
      limit: 50,
    });
  });

  it('keeps the path of a base URL served under a prefix, with or without a trailing slash', async () => {
    serve(() => page([]), `${BASE}/misp/attributes/restSearch`);
    await allPages(makeClient({ baseUrl: `${BASE}/misp/` }).searchAttributes({ publishedSince: 1, pageSize: 10 }));
    await allPages(makeClient({ baseUrl: `${BASE}/misp` }).searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(seen).toHaveLength(2);
  });

  it('refuses a page size that cannot page', async () => {
    await expect(allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 0 }))).rejects.toThrow(/page size/);
  });
});

describe('paging', () => {
  itWithFixtures('reads a realistic search over several pages, in order, with MISP strings parsed', async () => {
    const circlRows = circlSample();
    serveRows(circlRows);
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 1_000 }));

    expect(pages.map((p) => [p.page, p.attributes.length])).toEqual([
      [1, 1_000],
      [2, 1_000],
      [3, circlRows.length - 2_000],
    ]);
    expect(seen.map((request) => request.body['page'])).toEqual([1, 2, 3]);
    const attributes = pages.flatMap((p) => p.attributes);
    expect(attributes.map((a) => a.uuid)).toEqual(circlRows.map((r) => r['uuid']));
    const first = circlRows[0] as Row & { Event: Row };
    expect(attributes[0]).toEqual({
      id: first['id'],
      uuid: first['uuid'],
      type: first['type'],
      value: first['value'],
      timestamp: Number(first['timestamp']),
      toIds: true,
      deleted: false,
      eventId: first['event_id'],
      eventUuid: first.Event['uuid'],
    });
    expect(pages.every((p) => p.malformed === 0 && p.skipped === 0)).toBe(true);
    expect(pages[0]?.bytes).toBeGreaterThan(100_000);
  });

  it('asks one more page when the rows fill the last page exactly, and stops on the empty one', async () => {
    serveRows(rows(1, 20));
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages.map((p) => p.attributes.length)).toEqual([10, 10, 0]);
    expect(seen).toHaveLength(3);
  });

  it('continues after a short page whose missing rows MISP skipped, and stops on a true last page', async () => {
    // Page 1: 7 rows + 3 skipped by a warninglist = a full page of 10; page 2: 4 rows + 1 skipped < 10 = the end.
    serve((body) =>
      body['page'] === 1 ? page(rows(1, 7), { 'X-Skipped-Elements-Count': '3' }) : page(rows(11, 4), { 'X-Skipped-Elements-Count': '1' }),
    );
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10, filters: { enforceWarninglist: 1 } }));
    expect(pages.map((p) => [p.page, p.attributes.length, p.skipped])).toEqual([
      [1, 7, 3],
      [2, 4, 1],
    ]);
    expect(seen).toHaveLength(2);
  });

  it('does not take an empty page with skipped rows for the end', async () => {
    serve((body) => {
      if (body['page'] === 1) return page(rows(1, 10));
      if (body['page'] === 2) return page([], { 'X-Skipped-Elements-Count': '10' });
      return page(rows(21, 2));
    });
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages.map((p) => [p.attributes.length, p.skipped])).toEqual([
      [10, 0],
      [0, 10],
      [2, 0],
    ]);
  });

  it('stops with a clear error when the server ignores paging', async () => {
    serve(() => page(rows(1, 10)));
    const pages: MispPage[] = [];
    let failure: unknown;
    try {
      for await (const p of makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 })) pages.push(p);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(MispPagingIgnoredError);
    expect((failure as Error).message).toMatch(/same first attribute \(id 1\).*pages 1 and 2/);
    expect(pages).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it('stops at the maximum page count', async () => {
    serve((body) => page(rows(Number(body['page']) * 10, 10)));
    const error = await searchError(makeClient({ maxPages: 3 }), 10);
    expect(error).toBeInstanceOf(MispTooManyPagesError);
    expect(error.message).toMatch(/3 pages of 10 attributes/);
    expect(seen).toHaveLength(3);
  });
});

describe('rows', () => {
  it('reads numbers sent as strings or numbers, and every spelling of to_ids', async () => {
    serveRows([
      row(1, { id: '1', timestamp: '1617875568', to_ids: '1', deleted: '0', event_id: '12' }),
      row(2, { id: 2, timestamp: 1617875569, to_ids: 0, deleted: 1, event_id: 12 }),
      row(3, { to_ids: false, deleted: true }),
      row(4, { to_ids: '0' }),
      row(5, { to_ids: 1 }),
    ]);
    const [only] = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(only?.attributes.map((a) => [a.id, a.timestamp, a.toIds, a.deleted, a.eventId])).toEqual([
      ['1', 1617875568, true, false, '12'],
      ['2', 1617875569, false, true, '12'],
      ['3', 1700000000, false, true, '7'],
      ['4', 1700000000, false, false, '7'],
      ['5', 1700000000, true, false, '7'],
    ]);
  });

  it('drops and counts rows without uuid, type or value, and keeps the rest of the page', async () => {
    const { uuid: _uuid, ...noUuid } = row(2);
    const { value: _value, ...noValue } = row(4);
    serveRows([row(1), noUuid, row(3, { type: '' }), noValue, null, 'text', row(7)]);
    const [only] = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(only?.attributes.map((a) => a.id)).toEqual(['1', '7']);
    expect(only?.malformed).toBe(5);
  });

  it('carries last_seen and decay_score only where the row has them', async () => {
    const scored = [{ score: 54.2, base_score: '80', decayed: false, DecayingModel: { id: '1', name: 'Demo decay' } }];
    serveRows([
      row(1, { last_seen: null, first_seen: null }),
      row(2, { last_seen: '2024-05-02T08:00:00.000000+00:00', decay_score: scored }),
      row(3, { last_seen: '2024-05-02 08:00:00', decay_score: [] }),
      row(4, { last_seen: 'not a date', decay_score: null }),
    ]);
    const [only] = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    const [plain, withScore, empty, unreadable] = only?.attributes ?? [];
    expect(plain).not.toHaveProperty('lastSeen');
    expect(plain).not.toHaveProperty('decay');
    expect(withScore?.lastSeen).toBe(1_714_636_800);
    expect(withScore?.decay).toEqual([{ score: 54.2, baseScore: 80, decayed: false, modelId: '1', modelName: 'Demo decay' }]);
    expect([empty?.lastSeen, empty?.decay]).toEqual([1_714_636_800, []]);
    expect(unreadable).not.toHaveProperty('lastSeen');
    expect(unreadable?.decay).toEqual([]);
    expect(only?.malformed).toBe(0);
  });

  it('drops and counts a row whose decay_score is not a list of entries, and keeps the rest of the page', async () => {
    serveRows([
      row(1, { decay_score: [{ score: 10, base_score: 80, decayed: true, DecayingModel: { id: '1' } }] }),
      row(2, { decay_score: { score: 10 } }),
      row(3, { decay_score: [{ score: 'high', base_score: 80, decayed: false, DecayingModel: { id: '1' } }] }),
      row(4, { decay_score: [{ score: 10, base_score: 80, decayed: false }] }),
      row(5),
    ]);
    const [only] = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(only?.attributes.map((a) => a.id)).toEqual(['1', '5']);
    expect(only?.malformed).toBe(3);
  });

  it('counts malformed rows against the page limit, so paging does not stop early', async () => {
    serve((body) => (body['page'] === 1 ? page([...rows(1, 9), { id: '10' }]) : page(rows(11, 3))));
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages.map((p) => [p.attributes.length, p.malformed])).toEqual([
      [9, 1],
      [3, 0],
    ]);
  });
});

describe('empty results', () => {
  itWithFixtures.each([
    ['MISP 2.4.95 and later', () => HttpResponse.json({ response: { Attribute: [] } })],
    ['MISP 2.4.71 to 2.4.94', () => HttpResponse.json({ response: [] })],
    ['MISP 2.4.70 and older', () => HttpResponse.json(errorCase('legacy-no-matches').body, { status: 404 })],
  ])('reads the empty answer of %s as no rows', async (_version, answer) => {
    serve(answer);
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.attributes).toEqual([]);
    expect(seen).toHaveLength(1);
  });
});

describe('errors', () => {
  itWithFixtures.each(['auth-failed-api-key', 'auth-failed-xhr', 'auth-failed-user-disabled'])('reports %s with MISP\'s own message, without retrying', async (id) => {
    const fixture = errorCase(id);
    serve(() => HttpResponse.json(fixture.body, { status: fixture.http_status }));
    const error = await searchError(makeClient());
    expect(error).toBeInstanceOf(MispAuthenticationError);
    expect(error.message).toContain(fixture.body.message);
    expect(error.message).toContain('misp_api_key');
    expect(error.message).toMatch(/API access/);
    expect(seen).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('reports a 401 as an authentication failure too', async () => {
    serve(() => new HttpResponse('Unauthorized', { status: 401 }));
    expect(await searchError(makeClient())).toBeInstanceOf(MispAuthenticationError);
  });

  it('explains an HTML login page answered with 200', async () => {
    const html = `<!DOCTYPE html>\n<html>\n<head>\n<title>Users - MISP</title>\n</head>\n<body><form action="/users/login" method="post">${'x'.repeat(5_000)}</form></body></html>`;
    serve(() => HttpResponse.html(html));
    const error = await searchError(makeClient());
    expect(error).toBeInstanceOf(MispNotJsonError);
    expect(error.message).toContain('text/html');
    expect(error.message).toContain('<!DOCTYPE html> <html> <head> <title>Users - MISP</title>');
    expect(error.message).toContain('page title "Users - MISP"');
    expect(error.message).toContain('misp_url');
    expect(error.message).toMatch(/proxy/);
    expect(error.message).not.toMatch(/\n/);
    expect(error.message.length).toBeLessThan(800);
    expect(seen).toHaveLength(1);
  });

  it('reports JSON that is not a restSearch answer', async () => {
    serve(() => HttpResponse.json({ Event: [], status: 'ok' }));
    const error = await searchError(makeClient());
    expect(error).toBeInstanceOf(MispMalformedAnswerError);
    expect(error.message).toContain('"Event", "status"');
  });

  it('reports a response without an Attribute list', async () => {
    serve(() => HttpResponse.json({ response: { Event: [] } }));
    expect(await searchError(makeClient())).toBeInstanceOf(MispMalformedAnswerError);
  });

  itWithFixtures('reports an unknown endpoint as a misp_url to check', async () => {
    const fixture = errorCase('not-found-unknown-endpoint');
    serve(() => HttpResponse.json(fixture.body, { status: 404 }));
    const error = await searchError(makeClient());
    expect(error).toBeInstanceOf(MispEndpointNotFoundError);
    expect(error.message).toContain('misp_url');
    expect(error.message).toContain('/attributes/restSearch');
    expect(seen).toHaveLength(1);
  });

  itWithFixtures.each(['invalid-json-body', 'bad-request-get-without-filters', 'method-not-allowed'])('reports %s as a rejected request, without retrying', async (id) => {
    const fixture = errorCase(id);
    serve(() => HttpResponse.json(fixture.body, { status: fixture.http_status }));
    const error = await searchError(makeClient());
    expect(error).toBeInstanceOf(MispRequestRejectedError);
    expect((error as MispRequestRejectedError).status).toBe(fixture.http_status);
    expect(error.message).toContain(`HTTP ${fixture.http_status}`);
    expect(error.message).toContain(fixture.body.message);
    expect(seen).toHaveLength(1);
  });

  itWithFixtures('retries a 5xx with exponential backoff, at most maxAttempts times, then reports MISP\'s message', async () => {
    const fixture = errorCase('internal-error');
    serve(() => HttpResponse.json(fixture.body, { status: 500 }));
    const error = await searchError(makeClient({ maxAttempts: 4 }));
    expect(error).toBeInstanceOf(MispServerError);
    expect(error.message).toContain('An Internal Error Has Occurred.');
    expect(error.message).toContain('4 attempts');
    expect(seen).toHaveLength(4);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(logger.at('warning')).toEqual([
      'MISP at 127.0.0.1:9, page 1: HTTP 500 (An Internal Error Has Occurred.); attempt 2 of 4 in 1 s.',
      'MISP at 127.0.0.1:9, page 1: HTTP 500 (An Internal Error Has Occurred.); attempt 3 of 4 in 2 s.',
      'MISP at 127.0.0.1:9, page 1: HTTP 500 (An Internal Error Has Occurred.); attempt 4 of 4 in 4 s.',
    ]);
  });

  it('goes on once a 5xx clears, on the page that failed', async () => {
    serve((body, index) => (index === 1 || index === 2 ? new HttpResponse('Bad gateway', { status: 502 }) : page(body['page'] === 1 ? rows(1, 10) : rows(11, 1))));
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages.map((p) => p.attributes.length)).toEqual([10, 1]);
    expect(seen.map((request) => request.body['page'])).toEqual([1, 2, 2, 2]);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(pages[1]?.durationMs).toBe(3_000);
  });
});

describe('rate limiting', () => {
  const rateLimited = (headers: Record<string, string>): Response => HttpResponse.json({ name: 'Rate limit exceeded.', message: 'Rate limit exceeded.', url: '/attributes/restSearch' }, { status: 429, headers });

  it('waits the seconds of Retry-After', async () => {
    serve((_body, index) => (index === 0 ? rateLimited({ 'Retry-After': '7' }) : page([])));
    await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(clock.sleeps).toEqual([7_000]);
    expect(seen).toHaveLength(2);
    expect(logger.at('warning')).toEqual(['MISP at 127.0.0.1:9, page 1: HTTP 429 (Rate limit exceeded.); attempt 2 of 5 in 7 s.']);
  });

  it('waits until the HTTP date of Retry-After', async () => {
    serve((_body, index) => (index === 0 ? rateLimited({ 'Retry-After': new Date(clock.now() + 42_000).toUTCString() }) : page([])));
    await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(clock.sleeps).toEqual([42_000]);
  });

  it('falls back to exponential backoff without Retry-After, and gives up after maxAttempts', async () => {
    serve(() => rateLimited({}));
    const error = await searchError(makeClient({ maxAttempts: 3 }));
    expect(error).toBeInstanceOf(MispRateLimitedError);
    expect(error.message).toMatch(/429.*3 attempts/);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(seen).toHaveLength(3);
  });

  it('caps an absurd Retry-After', async () => {
    serve((_body, index) => (index === 0 ? rateLimited({ 'Retry-After': '86400' }) : page([])));
    await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(clock.sleeps).toEqual([600_000]);
  });

  it('treats a repeated short Retry-After as a floor and still backs off, as every client does', async () => {
    serve((_body, index) => (index < 3 ? rateLimited({ 'Retry-After': '1' }) : page([])));
    await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it('retries a 408 like any transient answer', async () => {
    serve((_body, index) => (index === 0 ? new HttpResponse(null, { status: 408 }) : page([])));
    await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(seen).toHaveLength(2);
    expect(logger.at('warning')).toEqual(['MISP at 127.0.0.1:9, page 1: HTTP 408; attempt 2 of 5 in 1 s.']);
  });
});

describe('abort', () => {
  it('sends nothing when the signal is already aborted', async () => {
    serveRows(rows(1, 3));
    const controller = new AbortController();
    controller.abort();
    const error = await searchError(makeClient(), 10, controller.signal);
    expect(error.name).toBe('AbortError');
    expect(seen).toHaveLength(0);
  });

  it('stops during a backoff wait, with no further request', async () => {
    serve(() => new HttpResponse(null, { status: 503 }));
    const controller = new AbortController();
    clock.onSleep = () => controller.abort();
    const error = await searchError(makeClient(), 10, controller.signal);
    expect(error.name).toBe('AbortError');
    expect(seen).toHaveLength(1);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('stops between pages, cancelling the page fetched ahead', async () => {
    serveRows(rows(1, 100));
    const controller = new AbortController();
    const pages = makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }, controller.signal);
    const first = await pages.next();
    expect(first.value?.page).toBe(1);
    controller.abort();
    await expect(pages.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThanOrEqual(2);
  });
});

describe('prefetch', () => {
  it('has the next page on its way while the consumer works, and no more than one', async () => {
    const requested = new Map<number, () => void>();
    const started = (pageNumber: number): Promise<void> => new Promise((resolve) => requested.set(pageNumber, resolve));
    const page2Requested = started(2);
    serve((body) => {
      const pageNumber = Number(body['page']);
      requested.get(pageNumber)?.();
      return page(pageNumber <= 3 ? rows(pageNumber * 10, 10) : []);
    });
    const pages = makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 });

    const first = await pages.next();
    expect(first.value?.page).toBe(1);
    // The consumer has not asked for page 2, yet its request arrives.
    await page2Requested;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((request) => request.body['page'])).toEqual([1, 2]);

    const second = await pages.next();
    expect(second.value?.page).toBe(2);
    const rest = await allPages({ [Symbol.asyncIterator]: () => pages });
    expect(rest.map((p) => p.page)).toEqual([3, 4]);
    expect(seen.map((request) => request.body['page'])).toEqual([1, 2, 3, 4]);
  });
});

describe('secrets', () => {
  it('never shows the API key, even when the server echoes it', async () => {
    const echo = (text: string): string => `${text} (key ${API_KEY}, ${encodeURIComponent(API_KEY)})`;
    const answers: (() => Response)[] = [
      () => HttpResponse.json({ name: 'x', message: echo('Authentication failed.'), url: '/' }, { status: 403 }),
      () => HttpResponse.html(`<html><head><title>${echo('Login')}</title></head><body>${echo('Sign in')}</body></html>`),
      () => HttpResponse.json({ message: echo('Not Found') }, { status: 404 }),
      () => HttpResponse.json({ message: echo('Bad request') }, { status: 400 }),
      () => HttpResponse.json({ message: echo('Internal error') }, { status: 500 }),
      () => HttpResponse.json({ message: echo('Slow down') }, { status: 429 }),
      () => HttpResponse.json({ [echo('key')]: 1 }),
    ];
    for (const answer of answers) {
      server.resetHandlers();
      serve(answer);
      const error = await searchError(makeClient({ maxAttempts: 2 }));
      const visible = visibleText(error, logger);
      expect(visible).toContain('[REDACTED]');
      expect(visible).not.toContain(API_KEY);
      expect(visible).not.toContain(API_KEY.slice(0, 12));
    }
    expect(logger.at('warning').length).toBeGreaterThanOrEqual(2);
  });
});

describe('the MISP version, asked once where a search depends on it', () => {
  const VERSION_URL = `${BASE}/servers/getVersion`;
  let versionRequests: number;
  function serveVersion(answer: () => Response): void {
    versionRequests = 0;
    server.use(
      http.get(VERSION_URL, () => {
        versionRequests++;
        return answer();
      }),
    );
  }
  /** Page 1: 6 rows left of 10 after a warninglist, with no X-Skipped-Elements-Count; page 2: 4 rows; page 3: empty. */
  function serveShortenedPagesWithoutCount(): void {
    serve((body) => (body['page'] === 1 ? page(rows(1, 6)) : body['page'] === 2 ? page(rows(11, 4)) : page([])));
  }
  const warninglisted = { publishedSince: 1, pageSize: 10, filters: { enforceWarninglist: 1 } };

  it('on a MISP older than 2.4.196, reads past a short page until an empty one, and asks the version once', async () => {
    serveVersion(() => HttpResponse.json({ version: '2.4.180', perm_sync: false }));
    serveShortenedPagesWithoutCount();
    const client = makeClient();
    const pages = await allPages(client.searchAttributes(warninglisted));
    expect(pages.map((p) => p.attributes.length)).toEqual([6, 4, 0]);
    await allPages(client.searchAttributes(warninglisted));
    expect(versionRequests).toBe(1);
    expect(logger.lines.filter((line) => /2\.4\.180.*pages are read until an empty one/.test(line.message))).toHaveLength(1);
  });

  it('on 2.4.196 or later, trusts the count MISP reports and stops at a short page', async () => {
    serveVersion(() => HttpResponse.json({ version: '2.5.2' }));
    serveShortenedPagesWithoutCount();
    const pages = await allPages(makeClient().searchAttributes(warninglisted));
    expect(pages.map((p) => p.attributes.length)).toEqual([6]);
  });

  it('when MISP does not tell its version, pages the safe way and says why', async () => {
    serveVersion(() => HttpResponse.json({ name: 'Not Found', message: 'Not Found', url: '/servers/getVersion' }, { status: 404 }));
    serveShortenedPagesWithoutCount();
    const pages = await allPages(makeClient().searchAttributes(warninglisted));
    expect(pages.map((p) => p.attributes.length)).toEqual([6, 4, 0]);
    expect(logger.at('warning').join('\n')).toMatch(/did not tell its version at \/servers\/getVersion \(HTTP 404/);
  });

  it('does not ask the version for a search without post-filters, where a short page is the last', async () => {
    serveVersion(() => HttpResponse.json({ version: '2.4.100' }));
    serveShortenedPagesWithoutCount();
    const pages = await allPages(makeClient().searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages.map((p) => p.attributes.length)).toEqual([6]);
    expect(versionRequests).toBe(0);
  });

  it('says once that organisations given by uuid match nothing before MISP 2.4.143', async () => {
    serveVersion(() => HttpResponse.json({ version: '2.4.120' }));
    serve(() => page([]));
    const client = makeClient();
    const search = { publishedSince: 1, pageSize: 10, filters: { org: ['CIRCL', '55f6ea5e-2c60-40e5-964f-47a8950d210f'] } };
    await allPages(client.searchAttributes(search));
    await allPages(client.searchAttributes(search));
    expect(logger.at('warning').filter((message) => /organisations given by uuid/.test(message))).toEqual([
      'MISP at 127.0.0.1:9 is version 2.4.120: organisations given by uuid are understood from MISP 2.4.143 on, so they match nothing here. Give them by name, or upgrade MISP.',
    ]);
  });
});
