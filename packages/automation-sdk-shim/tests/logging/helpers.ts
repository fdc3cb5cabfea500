import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/types.js';

/** A clock that only moves when a test advances it. */
export class TestClock implements Clock {
  private current: number;
  private readonly sleepers: Array<{ at: number; resolve: () => void }> = [];

  constructor(startMs = Date.UTC(2024, 4, 1, 12, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve();
        return;
      }
      const sleeper = { at: this.current + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.sleepers.indexOf(sleeper);
          if (index !== -1) this.sleepers.splice(index, 1);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Sleepers not yet woken: the timers still armed. */
  get pendingSleepers(): number {
    return this.sleepers.length;
  }

  /** Moves time forward, waking the sleepers whose time came, in order, letting callbacks run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.at - b.at);
      const next = this.sleepers[0];
      if (next === undefined || next.at > target) break;
      this.sleepers.shift();
      this.current = next.at;
      next.resolve();
      await settle();
    }
    this.current = target;
    await settle();
  }
}

/** Lets pending promise callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls a condition on real time, for what crosses a real socket. */
export async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface ReceivedPost {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: { logs: Array<{ date: string; level: string; message: string }> };
}

/** What the fake endpoint does with the next request: a status code, a cut connection, or no answer. */
export type Behaviour = number | 'destroy' | 'hang';

/** A log endpoint on 127.0.0.1 that records every POST and answers from a script (then 200). */
export class LogEndpoint {
  readonly received: ReceivedPost[] = [];
  readonly script: Behaviour[] = [];
  attempts = 0;
  private server: Server | undefined;
  private readonly hanging: ServerResponse[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.attempts += 1;
        const behaviour = this.script.shift() ?? 200;
        if (behaviour === 'destroy') {
          request.socket.destroy();
          return;
        }
        if (behaviour === 'hang') {
          this.hanging.push(response);
          return;
        }
        if (behaviour >= 200 && behaviour < 300) {
          this.received.push({
            method: request.method ?? '',
            path: request.url ?? '',
            headers: request.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedPost['body'],
          });
        }
        response.writeHead(behaviour, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/v1/logs`;
    return this;
  }

  /** Every shipped message, in the order received. */
  get messages(): string[] {
    return this.received.flatMap((post) => post.body.logs.map((entry) => entry.message));
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
