import { afterEach, describe, expect, it } from 'vitest';
import { startDemoIocCollectionServer, type DemoIocCollectionServer } from '../../misp_modules/dev/demo-ioc-collection-server.js';
import { call } from './http-client.js';

const KEY = 'sekoia-key-abcdef';
const READ_ONLY = 'sekoia-read-only-key';
const UUID = '6d1b3cbc-3c5f-4b0e-9d8c-2a4b6e8f0a1c';
const COLLECTION = `ioc-collection--${UUID}`;

let server: DemoIocCollectionServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: { maxLines?: number; formats?: string[] } = {}): Promise<DemoIocCollectionServer> {
  server = await startDemoIocCollectionServer({ apiKey: KEY, collections: [COLLECTION], readOnlyKeys: [READ_ONLY], ...options });
  return server;
}

/** `key: null` sends no Authorization header. */
function push(body: unknown, { collection = COLLECTION, key = KEY as string | null } = {}) {
  return call(`${server!.url}/v2/inthreat/ioc-collections/${collection}/indicators/text`, {
    body,
    headers: key === null ? {} : { Authorization: `Bearer ${key}` },
  });
}

describe('demo IOC collection server', () => {
  it('accepts a batch with 202 and a task id, and keeps values per format', async () => {
    await start();
    const answer = await push({ indicators: '203.0.113.5\n198.51.100.7\n', format: 'ipv4-addr.value' });
    expect(answer.status).toBe(202);
    expect((answer.json as { task_id: string }).task_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    await push({ indicators: 'evil.example.com', format: 'one_per_line', valid_until: '2030-01-01T00:00:00Z' });
    await push({ indicators: '203.0.113.5', format: 'ipv4-addr.value' }, { collection: UUID });

    const accepted = server!.accepted(COLLECTION);
    expect(accepted.byFormat.get('ipv4-addr.value')).toEqual(new Set(['203.0.113.5', '198.51.100.7']));
    expect(accepted.byFormat.get('one_per_line')).toEqual(new Set(['evil.example.com']));
    // The flat list keeps duplicates, so a value sent twice shows up.
    expect(accepted.all).toEqual(['203.0.113.5', '198.51.100.7', 'evil.example.com', '203.0.113.5']);
    expect(accepted.validUntil.get('evil.example.com')).toBe('2030-01-01T00:00:00Z');
    expect(server!.accepted(UUID)).toBe(accepted);
    expect(server!.acceptedRequests()).toBe(3);
  });

  it('answers 401 without or with a wrong key, 403 for a key without write permission', async () => {
    await start();
    const body = { indicators: 'a.example.com', format: 'one_per_line' };
    expect((await push(body, { key: null })).status).toBe(401);
    expect((await push(body, { key: 'nope' })).status).toBe(401);
    expect((await push(body, { key: READ_ONLY })).status).toBe(403);
    expect(server!.accepted(COLLECTION).all).toEqual([]);
  });

  it('answers 404 for an unknown collection and collections can be added', async () => {
    await start();
    const other = 'ioc-collection--00000000-0000-4000-8000-000000000000';
    const body = { indicators: 'a.example.com', format: 'one_per_line' };
    const missing = await push(body, { collection: other });
    expect(missing.status).toBe(404);
    expect((missing.json as { message: string }).message).toContain(other);
    server!.collections.add(other);
    expect((await push(body, { collection: other })).status).toBe(202);
    expect(server!.accepted(other).all).toEqual(['a.example.com']);
  });

  it('answers 400 for bodies that are not {indicators, format, valid_until?}', async () => {
    await start({ formats: ['one_per_line', 'url.value'] });
    const bad: unknown[] = [
      '[1, 2]',
      'not json',
      { indicators: ['a.example.com'], format: 'one_per_line' },
      { indicators: 'a.example.com' },
      { indicators: 'a.example.com', format: 'md5' },
      { indicators: 'a.example.com', format: 'one_per_line', valid_until: 'tomorrow' },
    ];
    for (const body of bad) {
      const answer = await push(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(typeof (answer.json as { message: string }).message).toBe('string');
    }
    expect(server!.accepted(COLLECTION).all).toEqual([]);
  });

  it('answers 413 above the line limit and keeps nothing of that batch', async () => {
    await start({ maxLines: 3 });
    expect((await push({ indicators: 'a\nb\nc\n', format: 'one_per_line' })).status).toBe(202);
    expect((await push({ indicators: 'a\nb\nc\nd', format: 'one_per_line' })).status).toBe(413);
    expect(server!.accepted(COLLECTION).all).toEqual(['a', 'b', 'c']);
  });

  it('keeps a value with a carriage return verbatim so that tests can see it', async () => {
    await start();
    await push({ indicators: 'a.example.com\r\nb.example.com', format: 'one_per_line' });
    expect(server!.accepted(COLLECTION).all).toEqual(['a.example.com\r', 'b.example.com']);
  });

  it('plays faults: 429 with Retry-After in seconds or as a date, 500, delay, connection reset', async () => {
    await start();
    const date = new Date(Date.UTC(2030, 0, 1));
    server!.faults.push(
      { status: 429, retryAfter: 7, body: { message: 'Too many requests' } },
      { status: 429, retryAfter: date },
      { status: 500, body: { message: 'Internal error' } },
      { delayMs: 40 },
      { reset: true },
    );
    const body = { indicators: 'a.example.com', format: 'one_per_line' };
    const first = await push(body);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    const second = await push(body);
    expect(second.headers.get('retry-after')).toBe('Tue, 01 Jan 2030 00:00:00 GMT');
    expect((await push(body)).status).toBe(500);
    const started = Date.now();
    expect((await push(body)).status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    await expect(push(body)).rejects.toThrow();
    expect((await push(body)).status).toBe(202);
    expect(server!.accepted(COLLECTION).all).toEqual(['a.example.com', 'a.example.com']);
    expect(server!.requests.map((request) => request.status)).toEqual([429, 429, 500, 202, 0, 202]);
  });

  it('applies a fault only to the path it names', async () => {
    await start();
    const other = 'ioc-collection--00000000-0000-4000-8000-000000000001';
    server!.collections.add(other);
    server!.faults.push({ status: 503, path: `/v2/inthreat/ioc-collections/${other}/indicators/text`, times: Infinity });
    const body = { indicators: 'a.example.com', format: 'one_per_line' };
    expect((await push(body)).status).toBe(202);
    expect((await push(body, { collection: other })).status).toBe(503);
    expect((await push(body, { collection: other })).status).toBe(503);
    expect(server!.faults).toHaveLength(1);
  });
});
