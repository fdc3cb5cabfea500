/**
 * A loopback stand-in for the Sekoia.io runtime endpoints a trigger talks to: `GET /secrets`,
 * `POST /callback` (events) and `POST /logs` (log batches).
 */
import { bearerToken, startLoopbackServer, type Exchange, type LoopbackServer } from './loopback-http.js';

export interface RuntimeEndpointsServerOptions {
  /** The runtime token the trigger must send as `Authorization: Bearer <token>`. */
  token: string;
  /** Returned by `GET /secrets` as `{"value": secrets}`. */
  secrets: Record<string, string>;
  port?: number;
}

/** One log entry as shipped by the trigger. */
export interface ShippedLog {
  date: string;
  level: string;
  message: string;
}

export interface RuntimeEndpointsServer extends LoopbackServer {
  callbackUrl: string;
  logsUrl: string;
  secretsUrl: string;
  /** Bodies POSTed to `/callback`, in order. */
  events: unknown[];
  /** Every entry of every `/logs` batch, in order. */
  logs: ShippedLog[];
  /** Entry count of each `/logs` request, in order. */
  logBatches: number[];
  /** Served by `GET /secrets`; change it between starts of a trigger. */
  secrets: Record<string, string>;
}

function isShippedLog(value: unknown): value is ShippedLog {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.date === 'string' && typeof entry.level === 'string' && typeof entry.message === 'string';
}

/** Starts the runtime endpoints on 127.0.0.1 (port 0 unless given). */
export async function startRuntimeEndpointsServer(options: RuntimeEndpointsServerOptions): Promise<RuntimeEndpointsServer> {
  let server: RuntimeEndpointsServer | undefined;

  const handle = (exchange: Exchange): void => {
    const { record } = exchange;
    const live = server as RuntimeEndpointsServer;
    const route = `${record.method} ${record.path}`;
    if (!['GET /secrets', 'POST /callback', 'POST /logs'].includes(route)) {
      exchange.send(404, { message: `No route for ${route}.` });
      return;
    }
    if (bearerToken(record.headers) !== options.token) {
      exchange.send(401, { message: 'Invalid or missing bearer token.' });
      return;
    }
    if (route === 'GET /secrets') {
      exchange.send(200, { value: live.secrets });
      return;
    }
    if (record.body === undefined) {
      exchange.send(400, { message: 'The body must be JSON.' });
      return;
    }
    if (route === 'POST /callback') {
      live.events.push(record.body);
      exchange.send(200, {});
      return;
    }
    const entries = (record.body as { logs?: unknown }).logs;
    if (!Array.isArray(entries) || !entries.every(isShippedLog)) {
      exchange.send(400, { message: 'The body must be {"logs": [{"date", "level", "message"}, ...]}.' });
      return;
    }
    live.logs.push(...entries);
    live.logBatches.push(entries.length);
    exchange.send(200, {});
  };

  const base = await startLoopbackServer(handle, options.port ?? 0);
  server = Object.assign(base, {
    callbackUrl: `${base.url}/callback`,
    logsUrl: `${base.url}/logs`,
    secretsUrl: `${base.url}/secrets`,
    events: [],
    logs: [],
    logBatches: [],
    secrets: { ...options.secrets },
  });
  return server;
}
