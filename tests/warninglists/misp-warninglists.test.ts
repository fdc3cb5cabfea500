import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MispUnexpectedAnswerError } from '../../misp_modules/misp/errors/misp-unexpected-answer-error.js';
import { MispApi } from '../../misp_modules/misp/misp-api.js';
import { WarninglistCatalogue } from '../../misp_modules/warninglists/misp-warninglists.js';
import { WarninglistEnforcement } from '../../misp_modules/warninglists/warninglist-enforcement.js';
import { API_KEY, RecordingLogger } from '../misp/misp-test-kit.js';

const BASE = 'http://127.0.0.1:9';
const INDEX = `${BASE}/warninglists/index/enabled:1/limit:9999`;

/** An index row as MISP 2.4.1xx writes it: numbers and flags as strings, types joined by commas. */
const indexRow = (id: string, name: string, type: string, version: string, enabled: boolean | string, validAttributes: string) => ({
  Warninglist: { id, name, type, description: name, version, enabled, default: true, category: 'false_positive', warninglist_entry_count: '2', valid_attributes: validAttributes },
});

const server = setupServer();
let logger: RecordingLogger;
let requested: string[];
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) vi.stubEnv(name, '');
  logger = new RecordingLogger();
  requested = [];
  server.events.on('request:start', ({ request }) => {
    requested.push(new URL(request.url).pathname);
  });
});
afterEach(() => {
  server.resetHandlers();
  server.events.removeAllListeners();
  vi.unstubAllEnvs();
});

const catalogue = () => new WarninglistCatalogue(new MispApi({ baseUrl: BASE, apiKey: API_KEY, verifySsl: true }), logger);

describe('reading MISP warninglists', () => {
  it('reads the current shapes: entries and types inside Warninglist, disabled lists left alone', async () => {
    server.use(
      http.get(INDEX, () => HttpResponse.json({ Warninglists: [indexRow('7', 'Resolvers', 'cidr', '4', true, 'ip-dst, domain|ip'), indexRow('8', 'Off', 'string', '1', false, 'ALL')] })),
      http.get(`${BASE}/warninglists/view/7`, ({ request }) => {
        expect(request.headers.get('authorization')).toBe(API_KEY);
        return HttpResponse.json({
          Warninglist: { id: '7', name: 'Resolvers', type: 'cidr', version: '4', WarninglistEntry: [{ id: '1', value: '8.8.8.8', warninglist_id: '7', comment: null }, { id: '2', value: '1.1.1.0/24', warninglist_id: '7', comment: 'x' }], WarninglistType: [{ id: '1', type: 'ip-dst', warninglist_id: '7' }] },
        });
      }),
    );
    const matcher = await catalogue().refresh();
    expect(requested).toEqual(['/warninglists/index/enabled:1/limit:9999', '/warninglists/view/7']);
    expect(matcher.listOf('ip-dst', '1.1.1.9')).toBe('Resolvers');
    // The view's WarninglistType wins over the index's valid_attributes.
    expect(matcher.listOf('domain|ip', 'dns.google|8.8.8.8')).toBeUndefined();
  });

  it('reads the older view shape (arrays beside Warninglist) and the index types when the view has none', async () => {
    server.use(
      http.get(INDEX, () => HttpResponse.json({ Warninglists: [indexRow('3', 'Hashes', 'string', '2', '1', 'md5, sha1')] })),
      http.get(`${BASE}/warninglists/view/3`, () => HttpResponse.json({ Warninglist: { id: '3', name: 'Hashes', type: 'string' }, WarninglistEntry: [{ value: 'd41d8cd98f00b204e9800998ecf8427e' }], WarninglistType: [] })),
    );
    const matcher = await catalogue().refresh();
    expect(matcher.listOf('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toBe('Hashes');
    expect(matcher.listOf('sha256', 'd41d8cd98f00b204e9800998ecf8427e')).toBeUndefined();
  });

  it('says once, as a warning, which regex entries cannot be used, and keeps the others', async () => {
    server.use(
      http.get(INDEX, () => HttpResponse.json({ Warninglists: [indexRow('5', 'Patterns', 'regex', '1', true, 'ALL')] })),
      http.get(`${BASE}/warninglists/view/5`, () => HttpResponse.json({ Warninglist: { WarninglistEntry: [{ value: '/^a(?>b)$/' }, { value: '/^internal\\./i' }], WarninglistType: [{ type: 'ALL' }] } })),
    );
    const lists = catalogue();
    const matcher = await lists.refresh();
    await lists.refresh();
    expect(matcher.listOf('domain', 'Internal.example')).toBe('Patterns');
    const warnings = logger.lines.filter((line) => line.level === 'warning').map((line) => line.message);
    expect(warnings).toEqual(['Warninglist "Patterns" (version 1) of MISP at 127.0.0.1:9: its pattern "/^a(?>b)$/" is left out: it uses an atomic group, which JavaScript lacks.']);
  });

  it('refuses an answer that is not an index, naming the request', async () => {
    server.use(http.get(INDEX, () => HttpResponse.json({ response: [] })));
    const error = (await catalogue().refresh().catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(MispUnexpectedAnswerError);
    expect(error.message).toMatch(/^MISP at 127\.0\.0\.1:9 answered GET \/warninglists\/index\/enabled:1\/limit:9999 with JSON without a "Warninglists" array instead of the index of its warninglists\./);
  });

  it('does not apply them for a MISP that reports skipped rows, nor when enforce_warninglist is off', async () => {
    const enforcement = (version: number[] | undefined) =>
      new WarninglistEnforcement({ version: async () => version, catalogue: catalogue(), host: '127.0.0.1:9', logger });
    const on = { type: ['ip-dst'], enforceWarninglist: 1 };
    expect((await enforcement([2, 5, 0]).forCycle(on)).filters).toEqual(on);
    expect((await enforcement(undefined).forCycle({ type: ['ip-dst'] })).filters).toEqual({ type: ['ip-dst'] });
    expect(requested).toEqual([]);
  });
});
