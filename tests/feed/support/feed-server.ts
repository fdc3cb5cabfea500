import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A scripted misbehaviour for one file, for `times` requests (default 1). */
export interface FileFault {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  times?: number;
}

export interface FeedServer {
  /** Base URL of the feed (with a path, as real feeds have): `http://127.0.0.1:<port>/feeds/test`. */
  url: string;
  /** The files served, by name; change them between cycles. */
  files: Map<string, Buffer>;
  /** Faults by file name, consumed as requests arrive. */
  faults: Map<string, FileFault>;
  requests: Array<{ file: string; headers: IncomingHttpHeaders; status: number }>;
  /** Most requests handled at the same moment. */
  maxConcurrent: number;
  /** Every answer waits this long (real milliseconds, kept small): lets concurrent requests overlap. */
  delayMs: number;
  /** When set, requests without this exact Authorization header get 401. */
  requiredAuthorization: string | undefined;
  /** Requests for a file, by name. */
  count(file: string): number;
  close(): Promise<void>;
}

const PREFIX = '/feeds/test/';

/** Loads the files of a feed directory (manifest, events, hashes.csv) into memory. */
export function loadFeedFiles(directory: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(directory)) files.set(name, readFileSync(path.join(directory, name)));
  return files;
}

/**
 * A static feed server on 127.0.0.1 as MISP feeds are served: strong ETags, 304 on If-None-Match,
 * 404 for unknown files. Records requests and the highest number of requests in progress at once.
 */
export async function startFeedServer(files: Map<string, Buffer>): Promise<FeedServer> {
  let inProgress = 0;
  const state: Omit<FeedServer, 'url' | 'close' | 'count'> = {
    files,
    faults: new Map(),
    requests: [],
    maxConcurrent: 0,
    delayMs: 0,
    requiredAuthorization: undefined,
  };
  const server = createServer((req, res) => {
    inProgress++;
    state.maxConcurrent = Math.max(state.maxConcurrent, inProgress);
    const done = (): void => {
      inProgress--;
    };
    res.on('close', done);
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = pathname.startsWith(PREFIX) ? decodeURIComponent(pathname.slice(PREFIX.length)) : pathname;
    const entry = { file, headers: req.headers, status: 0 };
    state.requests.push(entry);
    const answer = (): void => {
      const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
        entry.status = status;
        res.writeHead(status, headers);
        res.end(body);
      };
      if (state.requiredAuthorization !== undefined && req.headers.authorization !== state.requiredAuthorization) {
        send(401, '{"message": "Unauthorized"}', { 'content-type': 'application/json' });
        return;
      }
      const fault = state.faults.get(file);
      if (fault !== undefined) {
        const left = (fault.times ?? 1) - 1;
        if (left <= 0) state.faults.delete(file);
        else fault.times = left;
        if (fault.reset === true) {
          req.socket.destroy();
          return;
        }
        send(fault.status ?? 200, fault.body ?? '', fault.headers);
        return;
      }
      const body = state.files.get(file);
      if (body === undefined) {
        send(404, '<html><head><title>404 Not Found</title></head><body>Not Found</body></html>', { 'content-type': 'text/html' });
        return;
      }
      const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) {
        send(304, '', { etag });
        return;
      }
      send(200, body, { etag, 'content-type': file.endsWith('.json') ? 'application/json' : 'text/plain' });
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}${PREFIX.slice(0, -1)}`,
    count: (file: string) => state.requests.filter((request) => request.file === file).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
