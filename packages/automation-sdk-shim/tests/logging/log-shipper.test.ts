import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogShipper, type LogShipperOptions } from '../../src/logging/log-shipper.js';
import { REDACTED, SecretRedactor } from '../../src/logging/secret-redactor.js';
import { LogEndpoint, TestClock, settle, waitFor } from './helpers.js';

const TOKEN = 'runtime-token-9f8e7d';

describe('LogShipper', () => {
  let endpoint: LogEndpoint;
  let clock: TestClock;
  let printed: string[];
  let shipper: LogShipper;

  beforeEach(async () => {
    endpoint = await new LogEndpoint().start();
    clock = new TestClock();
    printed = [];
  });

  afterEach(async () => {
    await shipper?.close();
    await endpoint.stop();
  });

  function create(options: Partial<LogShipperOptions> = {}): LogShipper {
    shipper = new LogShipper({
      url: endpoint.url,
      token: TOKEN,
      redactor: new SecretRedactor(),
      clock,
      write: (line) => printed.push(line),
      ...options,
    });
    return shipper;
  }

  describe('stdout', () => {
    it('prints one readable line per call, with the ISO date and the level', () => {
      create({ url: undefined });
      shipper.log('Cycle 1 done');
      shipper.log('two\nlines\r\u0007', 'warning');
      expect(printed).toEqual([
        '2024-05-01T12:00:00.000Z INFO     Cycle 1 done',
        '2024-05-01T12:00:00.000Z WARNING  two\\nlines\\r\\u0007',
      ]);
    });

    it('prints only, queues nothing, without a log URL', async () => {
      create({ url: undefined });
      shipper.log('boom', 'critical');
      expect(shipper.pendingCount).toBe(0);
      await shipper.flush();
      expect(endpoint.attempts).toBe(0);
      expect(printed).toHaveLength(1);
    });

    it('never throws, even when the writer does or the level is unknown', () => {
      create({
        write: () => {
          throw new Error('EPIPE');
        },
      });
      expect(() => shipper.log('hello', 'verbose' as never)).not.toThrow();
      expect(shipper.pendingCount).toBe(1);
    });
  });

  describe('batching', () => {
    it('sends a batch of 50 as soon as 50 entries are pending, in order, with the bearer token', async () => {
      create();
      for (let index = 1; index <= 49; index += 1) shipper.log(`line ${index}`);
      await settle();
      expect(shipper.pendingCount).toBe(49);
      expect(endpoint.attempts).toBe(0);

      shipper.log('line 50', 'debug');
      await waitFor(() => endpoint.received.length === 1);
      const [post] = endpoint.received;
      expect(post?.method).toBe('POST');
      expect(post?.path).toBe('/api/v1/logs');
      expect(post?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(post?.headers['content-type']).toMatch(/application\/json/);
      expect(post?.body.logs).toHaveLength(50);
      expect(post?.body.logs[0]).toEqual({ date: '2024-05-01T12:00:00.000Z', level: 'info', message: 'line 1' });
      expect(post?.body.logs[49]).toEqual({ date: '2024-05-01T12:00:00.000Z', level: 'debug', message: 'line 50' });
      expect(endpoint.messages).toEqual(Array.from({ length: 50 }, (_, index) => `line ${index + 1}`));
      expect(shipper.pendingCount).toBe(0);
    });

    it('sends what is pending 5 s after the first pending entry, not before', async () => {
      create();
      shipper.log('first');
      await clock.advance(2_000);
      shipper.log('second', 'warning');
      await clock.advance(2_999);
      expect(endpoint.attempts).toBe(0);
      expect(shipper.pendingCount).toBe(2);

      await clock.advance(1);
      await waitFor(() => endpoint.received.length === 1);
      expect(endpoint.received[0]?.body.logs).toEqual([
        { date: '2024-05-01T12:00:00.000Z', level: 'info', message: 'first' },
        { date: '2024-05-01T12:00:02.000Z', level: 'warning', message: 'second' },
      ]);
      await waitFor(() => shipper.pendingCount === 0);
      // Nothing pending: no timer left armed.
      await settle();
      expect(clock.pendingSleepers).toBe(0);
    });

    it('restarts the 5 s delay from the next entry after a batch went', async () => {
      create();
      shipper.log('a');
      await clock.advance(5_000);
      await waitFor(() => endpoint.received.length === 1);
      await clock.advance(10_000);
      shipper.log('b');
      await clock.advance(4_999);
      expect(endpoint.received).toHaveLength(1);
      await clock.advance(1);
      await waitFor(() => endpoint.received.length === 2);
      expect(endpoint.messages).toEqual(['a', 'b']);
    });

    it.each(['error', 'critical'] as const)('sends %s at once, with what was pending before it', async (level) => {
      create();
      shipper.log('before 1');
      shipper.log('before 2', 'warning');
      shipper.log('the failure', level);
      await waitFor(() => endpoint.received.length === 1);
      expect(endpoint.received[0]?.body.logs.map((entry) => [entry.level, entry.message])).toEqual([
        ['info', 'before 1'],
        ['warning', 'before 2'],
        [level, 'the failure'],
      ]);
    });

    it('flush() sends what is pending and does nothing when empty', async () => {
      create();
      await shipper.flush();
      expect(endpoint.attempts).toBe(0);
      shipper.log('x');
      await shipper.flush();
      expect(endpoint.messages).toEqual(['x']);
    });

    it('splits a large backlog into POSTs of at most 50 entries', async () => {
      create({ maxBatch: 50 });
      endpoint.script.push(503);
      for (let index = 0; index < 49; index += 1) shipper.log(`l${index}`);
      shipper.log('fails', 'error');
      await waitFor(() => endpoint.attempts === 1);
      await waitFor(() => shipper.pendingCount === 50);
      for (let index = 0; index < 70; index += 1) shipper.log(`m${index}`);
      await shipper.flush();
      expect(endpoint.received.map((post) => post.body.logs.length)).toEqual([50, 50, 20]);
      expect(endpoint.messages[49]).toBe('fails');
      expect(endpoint.messages[119]).toBe('m69');
    });
  });

  describe('identical messages', () => {
    it('ships an identical message (same level and text) once per 60 s window, prints it every time', async () => {
      create();
      for (let index = 0; index < 4; index += 1) shipper.log('MISP unreachable', 'warning');
      shipper.log('MISP unreachable', 'info');
      shipper.log('Something else', 'warning');
      await clock.advance(59_999);
      shipper.log('MISP unreachable', 'warning');
      await shipper.flush();
      expect(endpoint.received[0]?.body.logs.map((entry) => `${entry.level}:${entry.message}`)).toEqual([
        'warning:MISP unreachable',
        'info:MISP unreachable',
        'warning:Something else',
      ]);
      expect(printed.filter((line) => line.endsWith('WARNING  MISP unreachable'))).toHaveLength(5);

      // A new window: shipped again, with the count of what the previous window held back.
      await clock.advance(1);
      shipper.log('MISP unreachable', 'warning');
      await shipper.flush();
      expect(endpoint.messages.at(-1)).toBe('MISP unreachable (repeated 4 more times in the previous 60 s)');
      shipper.log('MISP unreachable', 'warning');
      await shipper.flush();
      expect(endpoint.messages).toHaveLength(4);
    });

    it('rate-limits repeated errors but never critical lines, as the SDK does', async () => {
      create();
      shipper.log('same error', 'error');
      shipper.log('same error', 'error');
      shipper.log('fatal', 'critical');
      shipper.log('fatal', 'critical');
      await shipper.flush();
      await waitFor(() => shipper.pendingCount === 0);
      expect(endpoint.messages).toEqual(['same error', 'fatal', 'fatal']);
    });

    it('can be switched off', async () => {
      create({ duplicateWindowMs: 0 });
      shipper.log('again');
      shipper.log('again');
      await shipper.flush();
      expect(endpoint.messages).toEqual(['again', 'again']);
    });
  });

  describe('failures', () => {
    it.each([
      ['a 5xx answer', 503],
      ['a cut connection', 'destroy'],
    ] as const)('keeps the entries of a POST that failed with %s and sends them next time', async (_name, behaviour) => {
      create();
      endpoint.script.push(behaviour);
      shipper.log('kept 1');
      shipper.log('kept 2', 'error');
      await waitFor(() => endpoint.attempts === 1);
      await waitFor(() => printed.some((line) => line.includes('Could not ship 2 log lines')));
      expect(endpoint.received).toHaveLength(0);
      expect(shipper.pendingCount).toBe(2);

      shipper.log('later');
      await shipper.flush();
      expect(endpoint.messages).toEqual(['kept 1', 'kept 2', 'later']);
      expect(shipper.pendingCount).toBe(0);
    });

    it('tries again on its own after a failure, backing off', async () => {
      create();
      endpoint.script.push(500, 502);
      shipper.log('x', 'error');
      await waitFor(() => endpoint.attempts === 1);
      await waitFor(() => printed.some((line) => line.includes('Could not ship')));
      // An error logged during the back-off waits for the retry instead of hammering the endpoint.
      shipper.log('y', 'error');
      await settle();
      expect(endpoint.attempts).toBe(1);

      await clock.advance(5_000);
      await waitFor(() => endpoint.attempts === 2);
      await waitFor(() => printed.filter((line) => line.includes('Could not ship')).length === 2);
      await clock.advance(9_999);
      expect(endpoint.attempts).toBe(2);
      await clock.advance(1);
      await waitFor(() => endpoint.received.length === 1);
      expect(endpoint.messages).toEqual(['x', 'y']);
    });

    it('keeps at most maxPending entries, drops the oldest and says so later', async () => {
      create({ maxBatch: 2, maxPending: 5, flushIntervalMs: 1_000 });
      endpoint.script.push(503);
      shipper.log('e0', 'error');
      await waitFor(() => endpoint.attempts === 1);
      await waitFor(() => printed.some((line) => line.includes('Could not ship')));
      for (let index = 1; index <= 7; index += 1) shipper.log(`e${index}`);
      expect(shipper.pendingCount).toBe(5);

      await shipper.flush();
      expect(endpoint.messages.slice(0, 5)).toEqual(['e3', 'e4', 'e5', 'e6', 'e7']);
      expect(endpoint.messages[5]).toBe(
        '3 log lines were dropped while the Sekoia.io log endpoint was unreachable; they are in the standard output of the trigger.',
      );
      // Dropped lines were printed all the same.
      for (let index = 0; index <= 7; index += 1) expect(printed.some((line) => line.endsWith(` e${index}`))).toBe(true);
    });

    it('drops a batch the endpoint refuses with a 4xx, and says so on stdout', async () => {
      create();
      endpoint.script.push(400);
      shipper.log('refused', 'error');
      await waitFor(() => endpoint.attempts === 1);
      await waitFor(() => printed.some((line) => line.includes('Sekoia.io refused 1 log lines (status 400)')));
      expect(shipper.pendingCount).toBe(0);
      shipper.log('next');
      await shipper.flush();
      expect(endpoint.messages).toEqual(['next']);
    });
  });

  describe('close', () => {
    it('flushes what is pending, stops the timer, and only prints afterwards', async () => {
      create();
      shipper.log('one');
      shipper.log('two');
      expect(clock.pendingSleepers).toBe(1);
      await shipper.close();
      expect(endpoint.messages).toEqual(['one', 'two']);
      expect(clock.pendingSleepers).toBe(0);

      shipper.log('after close', 'error');
      await settle();
      expect(endpoint.attempts).toBe(1);
      expect(printed.at(-1)).toContain('after close');
      await shipper.close();
    });

    it('is bounded in time when the endpoint does not answer', async () => {
      create({ closeTimeoutMs: 200 });
      endpoint.script.push('hang');
      shipper.log('stuck');
      const started = Date.now();
      await shipper.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(printed.some((line) => line.includes('1 log lines could not be shipped to Sekoia.io before the shutdown'))).toBe(true);
    });
  });

  describe('secrets', () => {
    const apiKey = 'misp+KEY/with=specials';
    const proxyUrl = 'http://proxy-user:pr%C3%B6xy%40pass@proxy.corp:3128';

    function createWithSecrets(): LogShipper {
      const redactor = new SecretRedactor();
      redactor.addSecret(apiKey);
      redactor.addProxyUrl(proxyUrl);
      return create({ redactor });
    }

    it.each([
      ['the raw value', `Authorization: ${apiKey}`, apiKey],
      ['its URL-encoded form', `GET /x?key=${encodeURIComponent(apiKey)}`, encodeURIComponent(apiKey)],
      ['the runtime token', `Bearer ${TOKEN} refused`, TOKEN],
      ['a proxy password as written', 'password pr%C3%B6xy%40pass', 'pr%C3%B6xy%40pass'],
      ['a proxy password decoded', 'password pröxy@pass', 'pröxy@pass'],
      ['a proxy user:password pair decoded', 'auth proxy-user:pröxy@pass', 'proxy-user:pröxy@pass'],
      ['a proxy URL', `via ${proxyUrl}`, 'pr%C3%B6xy%40pass'],
      ['an unknown URL with credentials', 'via http://other:t0psecret@10.9.8.7:8080/', 't0psecret'],
    ])('never prints nor ships %s', async (_name, message, secret) => {
      createWithSecrets();
      shipper.log(message, 'error');
      await waitFor(() => endpoint.received.length === 1);
      const shipped = endpoint.received[0]?.body.logs[0]?.message ?? '';
      const line = printed[0] ?? '';
      for (const output of [shipped, line]) {
        expect(output).not.toContain(secret);
        expect(output).toContain(REDACTED);
      }
      expect(JSON.stringify(endpoint.received.map((post) => post.body))).not.toContain(secret);
    });

    it('redacts failure notices too', async () => {
      const redactor = new SecretRedactor();
      const port = new URL(endpoint.url).port;
      create({ redactor, url: `http://logger:hidden-pass@127.0.0.1:${port}/api/v1/logs` });
      endpoint.script.push('destroy');
      shipper.log('x', 'error');
      await waitFor(() => printed.some((line) => line.includes('Could not ship')));
      expect(printed.join('\n')).not.toContain('hidden-pass');
    });
  });
});
