import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventDeliveryError } from '../src/event-delivery-error.js';
import { EventSender } from '../src/events.js';
import { InvalidEventError } from '../src/invalid-event-error.js';
import { FakeClock } from '../src/testing/fake-clock.js';
import type { LogLevel } from '../src/types.js';
import { drive } from './helpers/drive.js';
import { PlatformServer } from './helpers/platform-server.js';

const resultsSchema = {
  type: 'object',
  properties: { iocs_submitted: { type: 'integer', minimum: 0 }, note: { type: 'string', default: 'none' } },
  required: ['iocs_submitted'],
};

let platform: PlatformServer;
let clock: FakeClock;
let logs: Array<{ message: string; level: LogLevel | undefined }>;

beforeEach(async () => {
  platform = await new PlatformServer().start();
  clock = new FakeClock();
  logs = [];
});
afterEach(() => platform.close());

function sender(): EventSender {
  return new EventSender({
    url: platform.callbackUrl,
    token: 'runtime-token',
    clock,
    resultsSchema,
    logger: { log: (message, level) => logs.push({ message, level }) },
  });
}

function failFirst(count: number, status: number): void {
  let seen = 0;
  platform.responders.set('callback', () => ((seen += 1) <= count ? { status } : { status: 200 }));
}

describe('EventSender', () => {
  it('POSTs {name, event, request_id} with the bearer token, defaults of results applied', async () => {
    await sender().send('MISP IOCs pushed', { iocs_submitted: 3 });
    const [request] = platform.to('callback');
    expect(request?.method).toBe('POST');
    expect(request?.authorization).toBe('Bearer runtime-token');
    const body = platform.events()[0];
    expect(body?.name).toBe('MISP IOCs pushed');
    expect(body?.event).toEqual({ iocs_submitted: 3, note: 'none' });
    expect(body?.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('retries a 5xx with growing pauses, keeping one request_id', async () => {
    failFirst(3, 503);
    const started = clock.now();
    await drive(clock, sender().send('pushed', { iocs_submitted: 1 }));
    const bodies = platform.events();
    expect(bodies).toHaveLength(4);
    expect(new Set(bodies.map((body) => body.request_id)).size).toBe(1);
    // 1 s + 2 s + 4 s of backoff, all on the fake clock.
    expect(clock.now() - started).toBe(7_000);
    expect(logs.filter((entry) => entry.level === 'warning').map((entry) => entry.message)).toEqual([
      'Event "pushed" not delivered (HTTP 503, attempt 1 of 10); trying again in 1 s',
      'Event "pushed" not delivered (HTTP 503, attempt 2 of 10); trying again in 2 s',
      'Event "pushed" not delivered (HTTP 503, attempt 3 of 10); trying again in 4 s',
    ]);
  });

  it('does not retry a 4xx', async () => {
    failFirst(1, 400);
    const error = await sender().send('pushed', { iocs_submitted: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventDeliveryError);
    expect((error as EventDeliveryError).status).toBe(400);
    expect((error as Error).message).toContain('HTTP 400');
    expect(platform.to('callback')).toHaveLength(1);
  });

  it('gives up after 10 attempts', async () => {
    failFirst(Number.POSITIVE_INFINITY, 502);
    const error = await drive(clock, sender().send('pushed', { iocs_submitted: 1 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventDeliveryError);
    expect((error as EventDeliveryError).attempts).toBe(10);
    expect((error as Error).message).toBe(`Event "pushed" could not be delivered to POST ${platform.callbackUrl} after 10 attempts (last: HTTP 502).`);
    expect(platform.to('callback')).toHaveLength(10);
  });

  it('retries network errors', async () => {
    const port = platform.port;
    await platform.close();
    const offline = new EventSender({ url: `http://127.0.0.1:${port}/callback`, token: 't', clock, retry: { maxAttempts: 3 } });
    const error = await drive(clock, offline.send('pushed', { iocs_submitted: 1 })).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/after 3 attempts \(last: no answer from POST .*ECONNREFUSED/);
  });

  it('stops retrying when the trigger is stopping', async () => {
    failFirst(Number.POSITIVE_INFINITY, 500);
    const controller = new AbortController();
    const sending = sender().send('pushed', { iocs_submitted: 1 }, controller.signal).catch((caught: unknown) => caught);
    await clock.whenSleeping();
    controller.abort();
    const error = await sending;
    expect((error as Error).message).toMatch(/abandoned after 1 failed attempt .* because the trigger is stopping/);
    expect(platform.to('callback')).toHaveLength(1);
  });

  it('rejects an event that breaks the results schema without sending it', async () => {
    const error = await sender().send('pushed', { iocs_submitted: -1, extra: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe(
      'Event "pushed" does not match the results schema of the trigger and was not sent. In the event "pushed", iocs_submitted is -1; expected a whole number of at least 0.',
    );
    const missing = await sender().send('pushed', {}).catch((caught: unknown) => caught);
    expect((missing as Error).message).toContain('iocs_submitted is missing');
    expect(platform.requests).toHaveLength(0);
  });
});
