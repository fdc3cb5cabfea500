import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MispAttributeSearch } from '../../misp_modules/misp/attribute-search.js';
import type { MispApi } from '../../misp_modules/misp/misp-api.js';
import { MispTlsError } from '../../misp_modules/misp/errors/misp-tls-error.js';
import { MispUnreachableError } from '../../misp_modules/misp/errors/misp-unreachable-error.js';
import { allPages, API_KEY, openSearch, RecordingClock, RecordingLogger, searchError, visibleText, type SearchOptions } from './misp-test-kit.js';
import { listenerLeakWarnings } from '../support/listener-leak-warnings.js';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: Record<string, unknown>) => void;

const NO_JITTER = { baseMs: 1_000, maxMs: 60_000, jitter: 0 };
const answer = (response: http.ServerResponse, rows: unknown[]): void => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ response: { Attribute: rows } }));
};
const rows = (from: number, count: number): unknown[] =>
  Array.from({ length: count }, (_, index) => ({ id: String(from + index), uuid: `uuid-${from + index}`, type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e', timestamp: '1' }));

let clock: RecordingClock;
let logger: RecordingLogger;
let clients: MispApi[];
let servers: (http.Server | https.Server)[];

beforeEach(() => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) vi.stubEnv(name, '');
  clock = new RecordingClock();
  logger = new RecordingLogger();
  clients = [];
  servers = [];
});
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const client of clients) client.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Starts `server` on 127.0.0.1, reading each JSON body before calling `handler`. */
async function listen(server: http.Server | https.Server, handler: Handler): Promise<number> {
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, response, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function makeClient(baseUrl: string, overrides: Partial<SearchOptions> = {}): MispAttributeSearch {
  const { search, api } = openSearch({ baseUrl, apiKey: API_KEY, verifySsl: true, clock, logger, backoff: NO_JITTER, ...overrides });
  clients.push(api);
  return search;
}

describe('TLS', () => {
  let directory: string;
  let tls: { key: Buffer; cert: Buffer };

  beforeAll(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'misp-tls-'));
    // A throw-away self-signed certificate for 127.0.0.1.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(directory, 'key.pem'), '-out', path.join(directory, 'cert.pem'),
    ], { stdio: 'ignore' });
    tls = { key: readFileSync(path.join(directory, 'key.pem')), cert: readFileSync(path.join(directory, 'cert.pem')) };
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('rejects a self-signed certificate when verify_ssl is on, says what to do, and does not retry', async () => {
    let requests = 0;
    const port = await listen(https.createServer(tls), (_request, response) => {
      requests++;
      answer(response, []);
    });
    const error = await searchError(makeClient(`https://127.0.0.1:${port}`));
    expect(error).toBeInstanceOf(MispTlsError);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(error.message).toMatch(/certificate authority/);
    expect(error.message).toContain('verify_ssl');
    expect(requests).toBe(0);
    expect(clock.sleeps).toEqual([]);
    expect(visibleText(error, logger)).not.toContain(API_KEY);
  });

  it('accepts it when verify_ssl is false', async () => {
    const port = await listen(https.createServer(tls), (request, response) => {
      expect(request.headers.authorization).toBe(API_KEY);
      answer(response, rows(1, 3));
    });
    const pages = await allPages(makeClient(`https://127.0.0.1:${port}/`, { verifySsl: false }).searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages.flatMap((page) => page.attributes.map((attribute) => attribute.id))).toEqual(['1', '2', '3']);
  });

  it('reports https:// towards a plain-HTTP port as a handshake failure', async () => {
    const port = await listen(http.createServer(), (_request, response) => answer(response, []));
    const error = await searchError(makeClient(`https://127.0.0.1:${port}`));
    expect(error).toBeInstanceOf(MispTlsError);
    expect(error.message).toMatch(/handshake.*https:\/\//);
  });
});

describe('network failures', () => {
  it('retries a refused connection, then names the host and the system error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await searchError(makeClient(`http://127.0.0.1:${port}`, { maxAttempts: 3 }));
    expect(error).toBeInstanceOf(MispUnreachableError);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('3 attempts');
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(logger.at('warning')).toEqual([
      `MISP at 127.0.0.1:${port}, page 1: ECONNREFUSED (connection refused); attempt 2 of 3 in 1 s.`,
      `MISP at 127.0.0.1:${port}, page 1: ECONNREFUSED (connection refused); attempt 3 of 3 in 2 s.`,
    ]);
  });

  it('retries a reset connection and goes on', async () => {
    let requests = 0;
    const port = await listen(http.createServer(), (request, response) => {
      requests++;
      if (requests === 1) request.socket.destroy();
      else answer(response, rows(1, 2));
    });
    const pages = await allPages(makeClient(`http://127.0.0.1:${port}`).searchAttributes({ publishedSince: 1, pageSize: 10 }));
    expect(pages[0]?.attributes).toHaveLength(2);
    expect(requests).toBe(2);
    expect(clock.sleeps).toEqual([1_000]);
    expect(logger.at('warning')[0]).toContain('ECONNRESET');
  });

  it('gives up on a page that does not come within the response timeout, after the retries', async () => {
    let requests = 0;
    const port = await listen(http.createServer(), () => {
      requests++; // never answers
    });
    const client = makeClient(`http://127.0.0.1:${port}`, { maxAttempts: 2, timeouts: { connectMs: 1_000, responseMs: 150 } });
    const error = await searchError(client);
    expect(error).toBeInstanceOf(MispUnreachableError);
    expect(error.message).toMatch(/ETIMEDOUT: no complete answer within 0\.15 s\) after 2 attempts/);
    expect(requests).toBe(2);
    expect(clock.sleeps).toEqual([1_000]);
  });
});

describe('cancellation', () => {
  it('abandons a request in flight as soon as the signal aborts', async () => {
    const controller = new AbortController();
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => (closed = resolve));
    const port = await listen(http.createServer(), (request) => {
      request.socket.on('close', closed);
      controller.abort();
    });
    const started = Date.now();
    const error = await searchError(makeClient(`http://127.0.0.1:${port}`), 10, controller.signal);
    expect(error.name).toBe('AbortError');
    await requestClosed;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(clock.sleeps).toEqual([]);
  });

  it('cancels the page fetched ahead when the consumer stops early', async () => {
    let page3Received!: () => void;
    const page3 = new Promise<void>((resolve) => (page3Received = resolve));
    let page3Closed!: () => void;
    const page3Abandoned = new Promise<void>((resolve) => (page3Closed = resolve));
    const asked: unknown[] = [];
    const port = await listen(http.createServer(), (request, response, body) => {
      asked.push(body['page']);
      if (body['page'] === 3) {
        request.socket.on('close', page3Closed);
        page3Received();
        return; // held open: only the client can end it
      }
      answer(response, rows(Number(body['page']) * 10, 10));
    });
    for await (const page of makeClient(`http://127.0.0.1:${port}`).searchAttributes({ publishedSince: 1, pageSize: 10 })) {
      if (page.page === 2) {
        await page3;
        break;
      }
    }
    await page3Abandoned;
    expect(asked).toEqual([1, 2, 3]);
  });
});

describe('abort listeners', () => {
  it('leaves no abort listener behind per page: 30 pages, with a retried 429 among them, raise no leak warning', async () => {
    const warnings = await listenerLeakWarnings(async () => {
      let rateLimited = false;
      const server = http.createServer();
      let connections = 0;
      server.on('connection', () => connections++);
      const port = await listen(server, (_request, response, body) => {
        const page = Number(body['page']);
        if (page === 5 && !rateLimited) {
          rateLimited = true;
          response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          response.end(JSON.stringify({ message: 'Rate limit exceeded.' }));
          return;
        }
        answer(response, page <= 30 ? rows(page * 10, 10) : []);
      });
      const controller = new AbortController();
      const listenersSeen: number[] = [];
      for await (const page of makeClient(`http://127.0.0.1:${port}`).searchAttributes({ publishedSince: 1, pageSize: 10 }, controller.signal)) {
        listenersSeen.push(getEventListeners(controller.signal, 'abort').length);
        expect(page.attributes).toHaveLength(page.page <= 30 ? 10 : 0);
      }
      expect(listenersSeen).toHaveLength(31);
      expect(Math.max(...listenersSeen)).toBe(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      // Ending each answer's stream keeps the connections alive: the page fetched ahead needs a second one at most.
      expect(connections).toBeLessThanOrEqual(2);
    });
    expect(warnings).toEqual([]);
  });
});
