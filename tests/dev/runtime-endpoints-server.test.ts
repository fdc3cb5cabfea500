import { afterEach, describe, expect, it } from 'vitest';
import { startRuntimeEndpointsServer, type RuntimeEndpointsServer } from '../../misp_modules/dev/runtime-endpoints-server.js';
import { call } from './http-client.js';

const TOKEN = 'runtime-token-xyz';

let server: RuntimeEndpointsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<RuntimeEndpointsServer> {
  server = await startRuntimeEndpointsServer({ token: TOKEN, secrets: { misp_api_key: 'k1', sekoia_api_key: 'k2' } });
  return server;
}

const auth = (token = TOKEN) => ({ Authorization: `Bearer ${token}` });

describe('runtime endpoints server', () => {
  it('serves secrets as {"value": …} to the right bearer token only', async () => {
    await start();
    expect(server!.secretsUrl).toBe(`${server!.url}/secrets`);
    const answer = await call(server!.secretsUrl, { headers: auth() });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ value: { misp_api_key: 'k1', sekoia_api_key: 'k2' } });
    expect((await call(server!.secretsUrl, { headers: auth('wrong') })).status).toBe(401);
    expect((await call(server!.secretsUrl)).status).toBe(401);

    server!.secrets = { misp_api_key: 'rotated' };
    expect((await call(server!.secretsUrl, { headers: auth() })).json).toEqual({ value: { misp_api_key: 'rotated' } });
  });

  it('records events posted to the callback', async () => {
    await start();
    const event = { name: 'MISP IOCs pushed', event: { iocs_submitted: 3 }, request_id: 'a5b0f4f4-5f1e-4c43-9d0c-2f0a6a8e1e11' };
    expect((await call(server!.callbackUrl, { body: event, headers: auth() })).status).toBe(200);
    expect((await call(server!.callbackUrl, { body: event, headers: auth('wrong') })).status).toBe(401);
    expect((await call(server!.callbackUrl, { body: 'not json', headers: auth() })).status).toBe(400);
    expect(server!.events).toEqual([event]);
  });

  it('records log entries batch by batch and refuses malformed batches', async () => {
    await start();
    const batch = [
      { date: '2026-01-01T00:00:00.000Z', level: 'info', message: 'Cycle 1: 3 IOCs pushed' },
      { date: '2026-01-01T00:00:01.000Z', level: 'error', message: 'MISP answered 500' },
    ];
    expect((await call(server!.logsUrl, { body: { logs: batch }, headers: auth() })).status).toBe(200);
    expect((await call(server!.logsUrl, { body: { logs: [batch[0]] }, headers: auth() })).status).toBe(200);
    expect((await call(server!.logsUrl, { body: { logs: [{ level: 'info' }] }, headers: auth() })).status).toBe(400);
    expect((await call(server!.logsUrl, { body: { logs: batch }, headers: auth('wrong') })).status).toBe(401);
    expect(server!.logs).toEqual([...batch, batch[0]]);
    expect(server!.logBatches).toEqual([2, 1]);
  });

  it('answers 404 elsewhere and plays faults', async () => {
    await start();
    expect((await call(`${server!.url}/other`, { headers: auth() })).status).toBe(404);
    server!.faults.push({ status: 503, path: '/logs' });
    const entry = { date: '2026-01-01T00:00:00.000Z', level: 'info', message: 'x' };
    expect((await call(server!.logsUrl, { body: { logs: [entry] }, headers: auth() })).status).toBe(503);
    expect((await call(server!.logsUrl, { body: { logs: [entry] }, headers: auth() })).status).toBe(200);
    expect(server!.logs).toEqual([entry]);
  });
});
