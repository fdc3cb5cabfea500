/**
 * Plumbing shared by the loopback servers that stand in for MISP, Sekoia.io and the runtime:
 * listening on 127.0.0.1, reading bodies, a request log, scripted faults, byte-counted answers.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { systemClock } from '@sekoia/automation-sdk-shim';

/** One request as a loopback server saw it, and what it answered. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The query string, without `?` (empty when none). */
  query: string;
  headers: IncomingHttpHeaders;
  /** The body as received (UTF-8). */
  rawBody: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  body: unknown;
  /** Status of the answer; 0 while it is not sent, or when the connection was reset. */
  status: number;
  /** Bytes of the answer's body written so far. */
  responseBytes: number;
  /** True when a scripted fault answered instead of the normal handler. */
  fault: boolean;
}

/**
 * A scripted misbehaviour, answered before normal handling. The first fault in the queue whose
 * `path` matches is used; it stays `times` requests (default 1; `Infinity` for ever).
 */
export interface Fault {
  /** Status to answer with. Without `status` and `reset`, the fault only delays normal handling. */
  status?: number;
  /** Body: a string as is, anything else as JSON. Defaults to an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Shortcut for a `Retry-After` header: seconds, or an HTTP date. */
  retryAfter?: number | Date;
  /** How many requests this fault answers. */
  times?: number;
  /** Wait this long before answering (or before normal handling). */
  delayMs?: number;
  /** Destroy the socket instead of answering (a connection reset as the client sees it). */
  reset?: boolean;
  /** Only requests whose path equals this string or matches this expression. */
  path?: string | RegExp;
}

/** What every loopback server exposes. */
export interface LoopbackServer {
  /** Base URL, `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Push faults here; they are consumed as requests arrive. */
  faults: Fault[];
  close(): Promise<void>;
}

/** Answer helpers bound to one request, so that bytes and status land in its log entry. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  /** Aborts when the server closes, so that delays and streams stop. */
  signal: AbortSignal;
  /** Sends a complete answer. Objects are sent as JSON. */
  send(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** Starts a streamed answer. */
  begin(status: number, headers: Record<string, string>): void;
  /** Writes one chunk of a streamed answer, waiting while the client is slow to read. */
  write(chunk: string): Promise<void>;
  /** Ends a streamed answer. */
  end(): void;
}

export type Handler = (exchange: Exchange) => void | Promise<void>;

/** Bodies larger than this are refused: these servers only ever see JSON requests. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Removes and returns the fault that applies to `path`, honouring `times`. */
export function takeFault(faults: Fault[], path: string): Fault | undefined {
  const index = faults.findIndex(
    (fault) => fault.path === undefined || (typeof fault.path === 'string' ? fault.path === path : fault.path.test(path)),
  );
  if (index < 0) return undefined;
  const fault = faults[index] as Fault;
  const left = (fault.times ?? 1) - 1;
  if (left <= 0) faults.splice(index, 1);
  else fault.times = left;
  return fault;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`Request body larger than ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function makeExchange(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, signal: AbortSignal): Exchange {
  const count = (chunk: string): void => {
    record.responseBytes += Buffer.byteLength(chunk);
  };
  return {
    req,
    res,
    record,
    signal,
    send(status, body, headers = {}) {
      let text = '';
      const allHeaders: Record<string, string> = { ...headers };
      if (typeof body === 'string') text = body;
      else if (body !== undefined) {
        text = JSON.stringify(body);
        if (!Object.keys(allHeaders).some((name) => name.toLowerCase() === 'content-type')) {
          allHeaders['Content-Type'] = 'application/json; charset=UTF-8';
        }
      }
      allHeaders['Content-Length'] = String(Buffer.byteLength(text));
      record.status = status;
      count(text);
      res.writeHead(status, allHeaders);
      res.end(text);
    },
    begin(status, headers) {
      record.status = status;
      res.writeHead(status, headers);
    },
    write(chunk) {
      count(chunk);
      if (res.write(chunk)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    },
    end() {
      res.end();
    },
  };
}

/** Answers a scripted fault. Returns false when the fault only delays and normal handling follows. */
async function answerFault(fault: Fault, exchange: Exchange): Promise<boolean> {
  if (fault.delayMs) await systemClock.sleep(fault.delayMs, exchange.signal);
  if (fault.reset) {
    exchange.record.fault = true;
    exchange.req.socket.destroy();
    return true;
  }
  if (fault.status === undefined) return false;
  exchange.record.fault = true;
  const headers: Record<string, string> = { ...fault.headers };
  if (fault.retryAfter !== undefined) {
    headers['Retry-After'] =
      fault.retryAfter instanceof Date ? fault.retryAfter.toUTCString() : String(fault.retryAfter);
  }
  exchange.send(fault.status, fault.body, headers);
  return true;
}

/**
 * Starts a server on 127.0.0.1 that logs every request, plays the fault queue, then hands the
 * request to `handler`. A handler that throws answers 500, so a bug shows up in the test.
 */
export async function startLoopbackServer(handler: Handler, port = 0): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const closing = new AbortController();

  const server: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: target.pathname,
      query: target.search.replace(/^\?/, ''),
      headers: req.headers,
      rawBody: '',
      body: undefined,
      status: 0,
      responseBytes: 0,
      fault: false,
    };
    requests.push(record);
    const exchange = makeExchange(req, res, record, closing.signal);
    void (async () => {
      try {
        record.rawBody = await readBody(req);
        record.body = parseJson(record.rawBody);
        const fault = takeFault(faults, record.path);
        if (fault && (await answerFault(fault, exchange))) return;
        await handler(exchange);
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        exchange.send(500, { message: `Loopback server failure: ${message}` });
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The bearer token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/** A TCP port free on 127.0.0.1 right now, for a server started next (health, metrics). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
