import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer, type HealthStatus } from '../../src/servers/health-server.js';
import { startMetricsServer } from '../../src/servers/metrics-server.js';
import type { RunningServer } from '../../src/servers/running-server.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(port: number, path: string, method = 'GET', agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function health(status: () => HealthStatus, host?: string): Promise<RunningServer> {
  const server = await startHealthServer({ port: 0, status, ...(host ? { host } : {}) });
  servers.push(server);
  return server;
}

describe('health server', () => {
  it('answers 200 and the JSON context while healthy, 500 and the context when not', async () => {
    let current: HealthStatus = {
      healthy: true,
      context: { last_heartbeat: '2024-05-01T12:00:00.000Z', last_event: null, successive_errors: 0 },
    };
    const server = await health(() => current, '127.0.0.1');
    expect(server.port).toBeGreaterThan(0);

    const ok = await call(server.port, '/health');
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json');
    expect(JSON.parse(ok.body)).toEqual(current.context);

    current = { healthy: false, context: { last_heartbeat: null, last_event: null, successive_errors: 5 } };
    const failing = await call(server.port, '/health?probe=1');
    expect(failing.status).toBe(500);
    expect(JSON.parse(failing.body)).toEqual({ last_heartbeat: null, last_event: null, successive_errors: 5 });
  });

  it('listens on every interface by default', async () => {
    const server = await health(() => ({ healthy: true, context: {} }));
    expect((await call(server.port, '/health')).status).toBe(200);
  });

  it('answers 404 on other paths and 405 on other methods', async () => {
    const server = await health(() => ({ healthy: true, context: { ok: true } }));
    const missing = await call(server.port, '/healthz');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ status_code: 404, reason: "Endpoint doesn't exist" });
    expect((await call(server.port, '/')).status).toBe(404);

    const wrongMethod = await call(server.port, '/health', 'POST');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');

    const head = await call(server.port, '/health', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 500 when the status itself fails', async () => {
    const server = await health(() => {
      throw new Error('state unavailable');
    });
    const answer = await call(server.port, '/health');
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ status_code: 500, reason: 'state unavailable' });
  });

  it('rejects when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await expect(startHealthServer({ port, host: '127.0.0.1', status: () => ({ healthy: true, context: {} }) })).rejects.toThrow(
      /EADDRINUSE/,
    );
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('closes idle keep-alive connections, so close() does not wait for the client', async () => {
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', status: () => ({ healthy: true, context: {} }) });
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
    try {
      const answer = await call(server.port, '/health', 'GET', agent);
      expect(answer.headers.connection).toBe('keep-alive');
      const sockets = Object.values(agent.freeSockets).flat();
      expect(sockets).toHaveLength(1);
      const socketClosed = new Promise<void>((resolve) => sockets[0]?.once('close', () => resolve()));

      const started = Date.now();
      await server.close();
      await socketClosed;
      // Well under the grace given to busy connections: the idle one was closed at once.
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(call(server.port, '/health')).rejects.toThrow(/ECONNREFUSED/);
      await server.close();
    } finally {
      agent.destroy();
    }
  });
});

describe('metrics server', () => {
  it('serves the registry in the Prometheus text format', async () => {
    const registry = new Registry();
    const cycles = new Counter({
      name: 'misp_trigger_cycles_total',
      help: 'Polling cycles completed',
      labelNames: ['outcome'],
      registers: [registry],
    });
    cycles.inc({ outcome: 'success' }, 3);
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
    servers.push(server);

    const answer = await call(server.port, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(registry.contentType);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.body).toContain('# TYPE misp_trigger_cycles_total counter');
    expect(answer.body).toMatch(/^misp_trigger_cycles_total\{outcome="success"\} 3$/m);

    cycles.inc({ outcome: 'failure' });
    expect((await call(server.port, '/metrics')).body).toMatch(/^misp_trigger_cycles_total\{outcome="failure"\} 1$/m);
  });

  it('answers 404 on other paths and 405 on other methods', async () => {
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: new Registry() });
    servers.push(server);
    expect((await call(server.port, '/health')).status).toBe(404);
    const wrongMethod = await call(server.port, '/metrics', 'DELETE');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
  });
});
