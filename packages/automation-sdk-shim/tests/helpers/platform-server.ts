import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake platform received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

export type Reply = { status: number; body?: unknown };
export type Responder = (request: ReceivedRequest) => Reply;

/**
 * The Sekoia.io runtime endpoints on 127.0.0.1 (callback, secrets, logs), recording every request.
 * Each route answers 200 unless a responder says otherwise.
 */
export class PlatformServer {
  readonly requests: ReceivedRequest[] = [];
  readonly responders = new Map<string, Responder>();
  private server: Server | undefined;
  port = 0;

  constructor(readonly prefix = '/api/v1/runs/run-1') {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  get callbackUrl(): string {
    return `${this.base}/callback`;
  }

  /** Requests to one route (`callback`, `secrets`, `logs`). */
  to(route: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === `${this.prefix}/${route}`);
  }

  /** The entries of every POST to /logs. */
  shippedLogs(): Array<{ date: string; level: string; message: string }> {
    return this.to('logs').flatMap((request) => (JSON.parse(request.body) as { logs: Array<{ date: string; level: string; message: string }> }).logs);
  }

  /** The JSON bodies of every POST to /callback. */
  events(): Array<{ name: string; event: Record<string, unknown>; request_id: string }> {
    return this.to('callback').map((request) => JSON.parse(request.body) as { name: string; event: Record<string, unknown>; request_id: string });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received: ReceivedRequest = {
      method: request.method ?? '',
      path: (request.url ?? '').split('?')[0] ?? '',
      authorization: request.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(received);
    const route = received.path.slice(this.prefix.length + 1);
    const reply = this.responders.get(route)?.(received) ?? { status: 200, body: {} };
    const payload = JSON.stringify(reply.body ?? {});
    response.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    response.end(payload);
  }
}

/** Polls `condition` every 20 ms of real time until it holds or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
