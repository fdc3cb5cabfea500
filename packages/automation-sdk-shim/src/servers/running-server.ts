import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A listening HTTP server of the runtime. */
export interface RunningServer {
  /** The bound port: the one asked for, or the one the system chose for port 0. */
  port: number;
  /** Stops listening and ends idle keep-alive connections; busy ones get a short grace. Idempotent. */
  close(): Promise<void>;
}

/** Handles one route; `undefined` from the router means the path is unknown. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface ServeOptions {
  port: number;
  /** Default '0.0.0.0': the platform probes the container from outside. */
  host?: string;
  /** Path (without query string) → handler of GET and HEAD on it. */
  routes: Record<string, RouteHandler>;
  /** How long close() lets busy connections finish before cutting them. Default 2000 ms. */
  closeGraceMs?: number;
}

// Long enough for a probe answer in flight, short enough for the 10 s shutdown budget.
const DEFAULT_CLOSE_GRACE_MS = 2_000;

/** Writes a JSON answer, as the Python SDK's LivenessHandler does. */
export function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  response.writeHead(statusCode, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : payload);
}

/**
 * Starts a node:http server answering GET/HEAD on the given routes, 404 on other paths and 405 on
 * other methods. Resolves once it listens; rejects when the port cannot be bound.
 */
export function serve(options: ServeOptions): Promise<RunningServer> {
  const server = createServer((request, response) => {
    void route(options.routes, request, response);
  });
  const host = options.host ?? '0.0.0.0';
  return new Promise<RunningServer>((resolve, reject) => {
    const failed = (error: Error): void => reject(error);
    server.once('error', failed);
    server.listen(options.port, host, () => {
      server.off('error', failed);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({ port, close: closer(server, options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS) });
    });
  });
}

async function route(
  routes: Record<string, RouteHandler>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const handler = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (handler === undefined) {
      sendJson(response, 404, { status_code: 404, reason: "Endpoint doesn't exist" });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { status_code: 405, reason: 'Method not allowed' }, { allow: 'GET, HEAD' });
      return;
    }
    await handler(request, response);
  } catch (error) {
    if (!response.headersSent) {
      const reason = error instanceof Error ? error.message : String(error);
      sendJson(response, 500, { status_code: 500, reason });
    } else {
      response.destroy();
    }
  }
}

function closer(server: Server, graceMs: number): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      const grace = setTimeout(() => server.closeAllConnections(), graceMs);
      grace.unref();
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
      // Keep-alive connections would otherwise hold close() until the client lets go.
      server.closeIdleConnections();
    });
    return closing;
  };
}
