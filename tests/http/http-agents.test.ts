import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { systemClock } from '@sekoia/automation-sdk-shim';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoMispServer, type DemoMispServer } from '../../misp_modules/dev/demo-misp-server.js';
import { agentsFor } from '../../misp_modules/http/http-agents.js';
import { MispAttributeSearch } from '../../misp_modules/misp/attribute-search.js';
import { MispApi } from '../../misp_modules/misp/misp-api.js';

/**
 * A forward proxy that requires basic credentials and records what it relayed: plain requests with
 * an absolute URI, and CONNECT tunnels (hpagent tunnels http:// targets too).
 */
async function startForwardProxy(credentials: string): Promise<{ url: string; relayed: string[]; authorizations: Array<string | undefined>; close(): Promise<void> }> {
  const relayed: string[] = [];
  const authorizations: Array<string | undefined> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    authorizations.push(req.headers['proxy-authorization']);
    if (req.headers['proxy-authorization'] !== `Basic ${Buffer.from(credentials).toString('base64')}`) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
      return;
    }
    relayed.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    authorizations.push(req.headers['proxy-authorization']);
    if (req.headers['proxy-authorization'] !== `Basic ${Buffer.from(credentials).toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    relayed.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const [user, password] = credentials.split(':');
  return {
    url: `http://${user}:${encodeURIComponent(password ?? '')}@127.0.0.1:${port}`,
    relayed,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const KEY = 'misp-key-for-proxy-tests';
const silent = { log: () => undefined };
let misp: DemoMispServer;
let proxy: Awaited<ReturnType<typeof startForwardProxy>>;

beforeAll(async () => {
  misp = await startDemoMispServer({ apiKey: KEY, attributes: [] });
  proxy = await startForwardProxy('soc-proxy:pr0xy-s3cret');
});
afterAll(async () => {
  await Promise.all([misp.close(), proxy.close()]);
});
afterEach(() => {
  vi.unstubAllEnvs();
  proxy.relayed.length = 0;
  misp.requests.length = 0;
});

async function searchOnce(options: { httpProxy?: string }): Promise<number> {
  const client = new MispApi({ baseUrl: misp.url, apiKey: KEY, verifySsl: true, clock: systemClock, logger: silent, maxAttempts: 1, ...options });
  let pages = 0;
  try {
    for await (const _page of new MispAttributeSearch(client).searchAttributes({ publishedSince: 0, pageSize: 100 })) pages++;
  } finally {
    client.close();
  }
  return pages;
}

describe('proxies', () => {
  it('sends MISP requests through the account proxy, with its credentials', async () => {
    expect(await searchOnce({ httpProxy: proxy.url })).toBe(1);
    expect(proxy.relayed).toEqual([`CONNECT ${new URL(misp.url).host}`]);
    expect(misp.requests).toHaveLength(1);
  });

  it('uses HTTP_PROXY when the account has no proxy, and honours NO_PROXY', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('NO_PROXY', '');
    await searchOnce({});
    expect(proxy.relayed).toHaveLength(1);

    proxy.relayed.length = 0;
    vi.stubEnv('NO_PROXY', '127.0.0.1');
    await searchOnce({});
    expect(proxy.relayed).toHaveLength(0);
  });

  it('goes direct when neither the account nor the environment names a proxy', async () => {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) vi.stubEnv(name, '');
    await searchOnce({});
    expect(proxy.relayed).toHaveLength(0);
    const agents = agentsFor('https://misp.example.org', { verifySsl: false });
    expect(agents.https.options.rejectUnauthorized).toBe(false);
  });
});
