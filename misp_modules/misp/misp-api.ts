import type { IncomingHttpHeaders } from 'node:http';
import type { Got } from 'got';
import { DEFAULT_BACKOFF, isRetriedStatus, readRetryAfter, systemClock, type Backoff, type Clock, type Logger } from '@sekoia/automation-sdk-shim';
import type { AgentSet } from '../http/http-agents.js';
import { htmlTitle, safeExcerpt } from '../http/safe-text.js';
import { classifyTransportError } from '../http/transport-failure.js';
import { BodyBuffers } from './body-buffers.js';
import { MispAuthenticationError } from './errors/misp-authentication-error.js';
import { MispEndpointNotFoundError } from './errors/misp-endpoint-not-found-error.js';
import type { MispError } from './errors/misp-error.js';
import { MispEventSearchError } from './errors/misp-event-search-error.js';
import { MispRateLimitedError } from './errors/misp-rate-limited-error.js';
import { MispRefusedError } from './errors/misp-refused-error.js';
import { MispRequestRejectedError } from './errors/misp-request-rejected-error.js';
import { MispServerError } from './errors/misp-server-error.js';
import { MispTlsError } from './errors/misp-tls-error.js';
import { MispUnexpectedAnswerError } from './errors/misp-unexpected-answer-error.js';
import { MispUnreachableError } from './errors/misp-unreachable-error.js';
import { openMispConnection } from './misp-connection.js';
import { mispRefusalReason } from './misp-refusal-reason.js';
import { retryMisp, type MispFailure } from './misp-retry.js';
import { mispMessageOf } from './restsearch-answer.js';

export const DEFAULT_TIMEOUTS = { connectMs: 10_000, responseMs: 120_000 } as const;
export const DEFAULT_MAX_ATTEMPTS = 5;

export interface MispApiOptions {
  baseUrl: string;
  apiKey: string;
  verifySsl: boolean;
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  /** Waits between attempts and reads Retry-After; the system clock unless a test drives time. */
  clock?: Clock;
  /** Where retries and the readers' own lines are said; nowhere when absent. */
  logger?: Logger;
  /** `connectMs` bounds DNS, connection and TLS handshake; `responseMs` a whole answer, body included. */
  timeouts?: { connectMs: number; responseMs: number };
  /** Attempts per search, transient failures only. */
  maxAttempts?: number;
  backoff?: Backoff;
}

/** A complete answer. `body` is a view on a reused buffer: read it, then `release()` it. */
export interface MispAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  release(): void;
}

/**
 * A search MISP may be asked again (a page of attributes, a page of the event listing, an event):
 * retried while the failure is transient. `what` names it in retry lines and errors ("page 3",
 * "event <uuid>"); `of` says which search it is part of, whose errors tell what to fix.
 */
export interface MispSearch {
  path: string;
  body: Record<string, unknown>;
  what: string;
  of: 'attribute search' | 'event search';
  /** The page of the attribute search, named by its server error. */
  page?: number;
  signal?: AbortSignal | undefined;
}

/** MISP versions before 2.4.71 answer a search that matched nothing with a 404 of this message. */
const NO_MATCHES = /^no matches/i;
/** What a search that matched nothing answers since 2.4.71: how "No matches" is handed on. */
const NOTHING = '{"response": []}';
// MISP answers a refused key with 403 and this message (401 is not used); other 403s are refusals
// of the request itself, e.g. events/add's "Could not add Event", or of the role's permissions.
const KEY_REFUSED = /^authentication failed/i;

/** What an error status means, whatever was asked. */
type Refusal = 'key refused' | 'forbidden' | 'not found' | 'rate limited' | 'server failed' | 'rejected';

/** A failed answer as read once: its status, what it means, MISP's explanation in the two forms errors quote. */
interface FailedAnswer {
  status: number;
  refusal: Refusal;
  /** MISP's message, or the start of whatever came instead (the searches' errors quote it). */
  message: string;
  /** MISP's reason, field errors included (the JSON requests' errors quote it). */
  reason: string;
  retryAfterMs: number | undefined;
}

/** How a failed answer is told: in the retry line, and by the error thrown once no attempt is left. */
interface Told {
  summary: string;
  error: (attempts: number) => MispError;
}

type Reading = { ok: true; answer: MispAnswer } | { ok: false; failed: FailedAnswer };

/**
 * The one client of a MISP instance's API: the connection (`openMispConnection`), each answer read
 * once into what it means (MISP's "No matches" of old versions read as an empty search, error
 * statuses as named errors from `errors/`), and the one retry (`retryMisp`). JSON requests of the
 * New Event trigger, the actions and the warninglists go through `post` and `get`, tried once
 * (creating an event is not idempotent, and their callers retry a whole poll or cycle); the
 * attribute search and the event export through `search`, retried.
 */
export class MispApi {
  readonly host: string;
  readonly clock: Clock;
  readonly logger: Logger;
  private readonly base: string;
  private readonly http: Got;
  private readonly agents: AgentSet;
  private readonly timeouts: { connectMs: number; responseMs: number };
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;
  private readonly bodies = new BodyBuffers();

  /** @throws TypeError when misp_url is not an http(s) URL. */
  constructor(options: MispApiOptions) {
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    const connection = openMispConnection({ ...options, timeouts: this.timeouts });
    this.base = connection.base;
    this.host = connection.host;
    this.http = connection.http;
    this.agents = connection.agents;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? { log: () => undefined };
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** The path of `path` under misp_url, as errors name it (misp_url may hold a path of its own). */
  pathOf(path: string): string {
    return new URL(this.base + path).pathname;
  }

  /** POSTs `body` to `<misp_url><path>` and resolves with the parsed JSON of a 2xx answer. */
  post(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.json('POST', path, body, signal);
  }

  /** GETs `<misp_url><path>` (a read such as `/warninglists/index`) and resolves with the parsed JSON of a 2xx answer. */
  get(path: string, signal?: AbortSignal): Promise<unknown> {
    return this.json('GET', path, undefined, signal);
  }

  /** The reason MISP gives in a 2xx JSON body that reports errors, for a caller that must treat it as a refusal. */
  reasonOf(answer: unknown): string {
    return mispRefusalReason(JSON.stringify(answer));
  }

  /**
   * POSTs a search and receives its whole 2xx answer into a reused buffer, retried while the
   * failure is transient; a "No matches" of old MISP comes as `{"response": []}`. A stop throws the
   * signal's reason; any other failure, once no attempt is left, the named error of the search.
   */
  async search(search: MispSearch): Promise<MispAnswer> {
    const { signal } = search;
    const answer = await retryMisp(search.what, () => this.attempt('POST', search.path, search.body, signal, (failed) => this.searchTold(search, failed)), {
      host: this.host,
      maxAttempts: this.maxAttempts,
      backoff: this.backoff,
      clock: this.clock,
      logger: this.logger,
      signal,
    });
    return answer.answer;
  }

  /** Destroys the connections kept alive. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async json(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const request = `${method} ${this.pathOf(path)}`;
    const { answer } = await retryMisp(request, () => this.attempt(method, path, body, signal, (failed) => ({ summary: `HTTP ${failed.status}`, error: jsonError(this.host, request, failed) })), {
      host: this.host,
      maxAttempts: 1,
      backoff: this.backoff,
      clock: this.clock,
      logger: this.logger,
      signal,
    });
    const text = answer.body.toString('utf8');
    answer.release();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const found = text.trim() === '' ? 'an empty body' : `a body that is not JSON ("${safeExcerpt(text, 80)}")`;
      throw new MispUnexpectedAnswerError(this.host, request, found, 'JSON');
    }
  }

  /** One request and what its answer means. Throws only when `signal` aborted. */
  private async attempt(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    told: (failed: FailedAnswer) => Told,
  ): Promise<{ ok: true; answer: MispAnswer } | MispFailure> {
    let answer: MispAnswer;
    try {
      answer = await this.receive(method, this.base + path, body, signal);
    } catch (error) {
      signal?.throwIfAborted();
      return this.transportFailure(error);
    }
    const reading = this.read(answer);
    if (reading.ok) return reading;
    const { failed } = reading;
    const transient = failed.refusal === 'rate limited' || failed.refusal === 'server failed';
    return { ok: false, transient, retryAfterMs: failed.retryAfterMs, ...told(failed) };
  }

  /** Sends the request and receives the whole answer into a reused buffer. */
  private receive(method: 'GET' | 'POST', url: string, body: unknown, signal: AbortSignal | undefined): Promise<MispAnswer> {
    return new Promise<MispAnswer>((resolve, reject) => {
      const sink = this.bodies.acquire();
      let statusCode = 0;
      let headers: IncomingHttpHeaders = {};
      const stream = this.http.stream(url, { method, ...(method === 'POST' ? { json: body } : {}), ...(signal === undefined ? {} : { signal }) });
      stream.on('response', (response: { statusCode: number; headers: IncomingHttpHeaders }) => {
        statusCode = response.statusCode;
        headers = response.headers;
      });
      stream.on('data', (chunk: Buffer) => sink.append(chunk));
      stream.once('end', () => {
        // got keeps a stream's abort listener until the stream is destroyed: one per request would pile up on a search's signal.
        stream.destroy();
        resolve({ statusCode, headers, body: sink.bytes(), release: () => sink.release() });
      });
      stream.once('error', (error: unknown) => {
        sink.release();
        reject(error);
      });
    });
  }

  private transportFailure(error: unknown): MispFailure {
    const failure = classifyTransportError(error, this.timeouts);
    const description = failure.detail === undefined ? failure.description : `${failure.description}: ${safeExcerpt(failure.detail)}`;
    const host = this.host;
    return {
      ok: false,
      transient: failure.transient,
      summary: `${failure.code} (${description})`,
      error: (attempts) =>
        failure.kind === 'tls' ? new MispTlsError(host, failure.code, description, failure.certificateRejected) : new MispUnreachableError(host, failure.code, description, attempts),
    };
  }

  /** The one reading of an answer's status: success, "No matches", or what the failure means. */
  private read(answer: MispAnswer): Reading {
    const status = answer.statusCode;
    if (status >= 200 && status < 300) return { ok: true, answer };
    const text = answer.body.toString('utf8');
    answer.release();
    const misp = mispMessageOf(text);
    if (status === 404 && NO_MATCHES.test(misp ?? '')) return { ok: true, answer: nothing(answer.headers) };
    const reason = mispRefusalReason(text);
    const refusal: Refusal =
      status === 401 || (status === 403 && KEY_REFUSED.test(reason))
        ? 'key refused'
        : status === 403
          ? 'forbidden'
          : status === 404
            ? 'not found'
            : status === 429
              ? 'rate limited'
              : isRetriedStatus(status)
                ? 'server failed'
                : 'rejected';
    const retryAfterMs = readRetryAfter(answer.headers['retry-after'], this.clock.now());
    return { ok: false, failed: { status, refusal, message: explain(misp, text), reason, retryAfterMs } };
  }

  /** The retry lines and errors of the attribute search and of the event export. */
  private searchTold(search: MispSearch, failed: FailedAnswer): Told {
    const { status, message } = failed;
    // The attribute search quotes MISP in its retry lines; the export's name the status alone.
    const quoted = failed.refusal === 'rate limited' ? `HTTP 429 (${message || 'rate limit exceeded'})` : failed.refusal === 'server failed' && message ? `HTTP ${status} (${message})` : `HTTP ${status}`;
    return { summary: search.of === 'attribute search' ? quoted : `HTTP ${status}`, error: this.searchError(search, failed) };
  }

  private searchError(search: MispSearch, failed: FailedAnswer): (attempts: number) => MispError {
    const { host } = this;
    const { status, message } = failed;
    switch (failed.refusal) {
      case 'key refused':
      case 'forbidden':
        return () => new MispAuthenticationError(host, status, message);
      case 'not found':
        return () => new MispEndpointNotFoundError(host, this.pathOf(search.path), message);
      case 'rate limited':
        if (search.of === 'attribute search') return (attempts) => new MispRateLimitedError(host, message, attempts);
        return (attempts) => new MispEventSearchError(host, search.what, status, exhausted(status, message, attempts), 'Raise the rate limit of this API user in MISP, or run the export later.');
      case 'server failed':
        if (search.of === 'attribute search') return (attempts) => new MispServerError(host, status, message, search.page ?? 1, attempts);
        return (attempts) =>
          new MispEventSearchError(host, search.what, status, exhausted(status, message, attempts), "Check MISP's error log; a very large event can exhaust MISP's memory or time limits.");
      case 'rejected':
        return () => new MispRequestRejectedError(host, status, message);
    }
  }
}

/** The errors of a JSON request: a refused key, or MISP's refusal of the request with its reason. */
function jsonError(host: string, request: string, failed: FailedAnswer): () => MispError {
  if (failed.refusal === 'key refused') return () => new MispAuthenticationError(host, failed.status, failed.reason);
  return () => new MispRefusedError(host, request, failed.status, failed.reason);
}

/** The empty search MISP 2.4.71+ answers, standing for an old MISP's "No matches". */
function nothing(headers: IncomingHttpHeaders): MispAnswer {
  return { statusCode: 200, headers: { 'content-type': headers['content-type'] }, body: Buffer.from(NOTHING), release: () => undefined };
}

function exhausted(status: number, message: string, attempts: number): string {
  return `HTTP ${status} (${message || 'no explanation given'}), ${attempts} attempt${attempts === 1 ? '' : 's'} in a row`;
}

/** MISP's message from an error body, or the start of whatever came instead; never a secret, never a line break. */
function explain(misp: string | undefined, body: string): string {
  if (misp !== undefined) return safeExcerpt(misp);
  const title = htmlTitle(body);
  if (title !== undefined) return `an HTML page titled "${title}"`;
  const start = safeExcerpt(body);
  return start === '' ? '' : `"${start}"`;
}
