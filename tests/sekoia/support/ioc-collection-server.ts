import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request's headers arrived. */
  receivedAt: number;
}

export type Reply = (request: ReceivedRequest, index: number, response: http.ServerResponse) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 standing in for the Sekoia.io API: records requests and in-flight counts. */
export class FakeIocCollectionServer {
  readonly requests: ReceivedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly server: http.Server;

  constructor(private reply: Reply) {
    this.server = http.createServer((request, response) => {
      const receivedAt = performance.now();
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        this.inFlight -= 1;
      };
      response.on('close', done);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received: ReceivedRequest = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt,
        };
        const index = this.requests.push(received) - 1;
        void Promise.resolve(this.reply(received, index, response)).catch(() => response.destroy());
      });
    });
  }

  setReply(reply: Reply): void {
    this.reply = reply;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The `indicators` lines of request `index`. */
  lines(index: number): string[] {
    const request = this.requests[index];
    if (!request) throw new Error(`no request ${index}`);
    return (JSON.parse(request.body) as { indicators: string }).indicators.split('\n');
  }
}

export function json(response: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Clears the proxy variables, so that every request of the tests stays on 127.0.0.1. */
export function withoutProxyEnvironment(): void {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete process.env[name];
}
