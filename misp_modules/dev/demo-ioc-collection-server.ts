/**
 * A loopback Sekoia.io that accepts `POST /v2/inthreat/ioc-collections/<id>/indicators/text` and
 * keeps every accepted value, per collection and per format, so tests can check what arrived.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@sekoia/automation-sdk-shim';
import { bearerToken, startLoopbackServer, type Exchange, type LoopbackServer } from './loopback-http.js';

export interface DemoIocCollectionServerOptions {
  /** The key with write access, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Existing collections, as `ioc-collection--<uuid>` (a bare uuid is accepted too). */
  collections: string[];
  port?: number;
  /** Keys that are valid but lack the permission to write: answered 403. */
  readOnlyKeys?: string[];
  /** More lines than this in one request is answered 413. */
  maxLines?: number;
  /** When given, any other `format` is answered 400. */
  formats?: string[];
  /** The collection's own time, for its rate limit and its latency; the system clock by default. */
  clock?: Clock;
  /**
   * At most this many pushes a second (a token bucket holding one second of them); beyond, 429 with
   * the whole seconds until the next token in `Retry-After`, as a rate-limited API answers.
   */
  rateLimitPerSecond?: number;
  /** How long each push waits before its answer, given the milliseconds since the server started. */
  latencyMs?: (elapsedMs: number) => number;
}

/** One answered push: when (on the collection's clock) and with which status. */
export interface AnsweredPush {
  at: number;
  status: number;
}

/** What one collection accepted. */
export interface AcceptedIndicators {
  /** format → the distinct values accepted in that format. */
  byFormat: Map<string, Set<string>>;
  /** Every accepted value in arrival order, duplicates kept, so that a value sent twice shows. */
  all: string[];
  /** value → the last `valid_until` it was sent with. */
  validUntil: Map<string, string>;
}

export interface DemoIocCollectionServer extends LoopbackServer {
  /** Existing collections (full `ioc-collection--<uuid>` ids); add or remove between requests. */
  collections: Set<string>;
  maxLines: number | undefined;
  /** What `collection` accepted so far (empty when nothing). */
  accepted(collection: string): AcceptedIndicators;
  /** Number of requests answered 202. */
  acceptedRequests(): number;
  /** Every push answered after authentication, in order, 202 and 429 alike. */
  answered: AnsweredPush[];
}

const PATH = /^\/v2\/inthreat\/ioc-collections\/([^/]+)\/indicators\/text$/;
const PREFIX = 'ioc-collection--';

/** The full collection id, whether given with or without its `ioc-collection--` prefix. */
export function collectionId(value: string): string {
  return value.startsWith(PREFIX) ? value : `${PREFIX}${value}`;
}

function describeBodyProblem(body: unknown, formats: string[] | undefined): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'The body must be a JSON object {"indicators": string, "format": string, "valid_until"?: string}.';
  }
  const fields = body as Record<string, unknown>;
  if (typeof fields.indicators !== 'string') return 'The field "indicators" must be a string, one value per line.';
  if (typeof fields.format !== 'string' || fields.format === '') return 'The field "format" must be a non-empty string.';
  if (formats && !formats.includes(fields.format)) return `The format "${fields.format}" is not supported.`;
  if (fields.valid_until !== undefined && (typeof fields.valid_until !== 'string' || Number.isNaN(Date.parse(fields.valid_until)))) {
    return 'The field "valid_until" must be a date-time string.';
  }
  return undefined;
}

/** Starts the demo IOC-collection API on 127.0.0.1 (port 0 unless given). */
export async function startDemoIocCollectionServer(options: DemoIocCollectionServerOptions): Promise<DemoIocCollectionServer> {
  const store = new Map<string, AcceptedIndicators>();
  const readOnly = new Set(options.readOnlyKeys ?? []);
  let acceptedCount = 0;
  let server: DemoIocCollectionServer | undefined;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const bucket = options.rateLimitPerSecond === undefined ? undefined : new TokenBucket(options.rateLimitPerSecond, clock.now());
  const answered: AnsweredPush[] = [];

  const storeFor = (collection: string): AcceptedIndicators => {
    const id = collectionId(collection);
    let accepted = store.get(id);
    if (!accepted) {
      accepted = { byFormat: new Map(), all: [], validUntil: new Map() };
      store.set(id, accepted);
    }
    return accepted;
  };

  const handle = async (exchange: Exchange): Promise<void> => {
    const { record } = exchange;
    const live = server as DemoIocCollectionServer;
    const match = PATH.exec(record.path);
    if (!match) {
      exchange.send(404, { message: `No route for ${record.method} ${record.path}.` });
      return;
    }
    const token = bearerToken(record.headers);
    if (token === undefined || (token !== options.apiKey && !readOnly.has(token))) {
      exchange.send(401, { message: 'Authentication credentials were missing or incorrect.' });
      return;
    }
    if (record.method !== 'POST') {
      exchange.send(405, { message: `Method ${record.method} not allowed.` });
      return;
    }
    if (readOnly.has(token)) {
      exchange.send(403, { message: 'You do not have permission to perform this action.' });
      return;
    }
    const latency = options.latencyMs?.(clock.now() - startedAt) ?? 0;
    if (latency > 0) await clock.sleep(latency, exchange.signal);
    if (bucket !== undefined) {
      const waitMs = bucket.take(clock.now());
      if (waitMs > 0) {
        answered.push({ at: clock.now(), status: 429 });
        exchange.send(429, { message: 'Too many requests.' }, { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });
        return;
      }
    }
    const collection = collectionId(decodeURIComponent(match[1] as string));
    if (!live.collections.has(collection)) {
      exchange.send(404, { message: `IOC collection ${collection} not found.` });
      return;
    }
    const problem = describeBodyProblem(record.body, options.formats);
    if (problem) {
      exchange.send(400, { message: problem });
      return;
    }
    const body = record.body as { indicators: string; format: string; valid_until?: string };
    const lines = body.indicators.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (live.maxLines !== undefined && lines.length > live.maxLines) {
      exchange.send(413, { message: `Too many indicators: ${lines.length} lines, at most ${live.maxLines} per request.` });
      return;
    }
    const accepted = storeFor(collection);
    let values = accepted.byFormat.get(body.format);
    if (!values) {
      values = new Set();
      accepted.byFormat.set(body.format, values);
    }
    for (const line of lines) {
      if (line === '') continue;
      values.add(line);
      accepted.all.push(line);
      if (body.valid_until !== undefined) accepted.validUntil.set(line, body.valid_until);
    }
    acceptedCount++;
    answered.push({ at: clock.now(), status: 202 });
    exchange.send(202, { task_id: randomUUID() });
  };

  const base = await startLoopbackServer(handle, options.port ?? 0);
  server = Object.assign(base, {
    collections: new Set(options.collections.map(collectionId)),
    maxLines: options.maxLines,
    accepted: (collection: string) => storeFor(collection),
    acceptedRequests: () => acceptedCount,
    answered,
  });
  return server;
}

/** `perSecond` tokens a second, at most one second of them held: a request takes one or is refused. */
class TokenBucket {
  private tokens: number;

  constructor(
    private readonly perSecond: number,
    private refilledAt: number,
  ) {
    this.tokens = perSecond;
  }

  /** Takes a token and returns 0, or returns the milliseconds until one is there. */
  take(nowMs: number): number {
    this.tokens = Math.min(this.perSecond, this.tokens + ((nowMs - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) * 1000) / this.perSecond;
  }
}
