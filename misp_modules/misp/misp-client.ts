import type { IncomingHttpHeaders } from 'node:http';
import type { Got } from 'got';
import { DEFAULT_BACKOFF, isRetriedStatus, readRetryAfter, type Backoff, type Clock, type Logger } from '@sekoia/automation-sdk-shim';
import type { AgentSet } from '../http/http-agents.js';
import { parseAttributeRow, rawRowId, type MispAttribute } from './attribute-row.js';
import { BodyBuffers } from './body-buffers.js';
import { MispAuthenticationError } from './errors/misp-authentication-error.js';
import { MispEndpointNotFoundError } from './errors/misp-endpoint-not-found-error.js';
import { MispMalformedAnswerError } from './errors/misp-malformed-answer-error.js';
import { MispNotJsonError } from './errors/misp-not-json-error.js';
import { MispPagingIgnoredError } from './errors/misp-paging-ignored-error.js';
import { MispRateLimitedError } from './errors/misp-rate-limited-error.js';
import { MispRequestRejectedError } from './errors/misp-request-rejected-error.js';
import { MispServerError } from './errors/misp-server-error.js';
import { MispTlsError } from './errors/misp-tls-error.js';
import { MispTooManyPagesError } from './errors/misp-too-many-pages-error.js';
import { MispUnreachableError } from './errors/misp-unreachable-error.js';
import { formatMispVersion, isAtLeast, ORGANISATION_UUIDS_SINCE, parseMispVersion, SKIPPED_COUNT_SINCE, type MispVersion } from './misp-version.js';
import { isOn } from './loose-fields.js';
import { openMispConnection } from './misp-connection.js';
import { retryMisp, type MispFailure } from './misp-retry.js';
import { mispMessageOf, restSearchRows } from './restsearch-answer.js';
import { htmlTitle, safeExcerpt } from '../http/safe-text.js';
import { classifyTransportError } from '../http/transport-failure.js';

export type { MispAttribute } from './attribute-row.js';

export interface MispClientOptions {
  baseUrl: string;
  apiKey: string;
  verifySsl: boolean;
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  clock: Clock;
  logger: Logger;
  /** `connectMs` bounds DNS, connection and TLS handshake; `responseMs` a whole page, body included. */
  timeouts?: { connectMs: number; responseMs: number };
  /** Attempts per request, transient failures only. */
  maxAttempts?: number;
  backoff?: Backoff;
  /** Safety stop for a search that never reaches a last page. */
  maxPages?: number;
}

export interface AttributeSearch {
  /** Epoch seconds: lower bound of the event's publish_timestamp. */
  publishedSince: number;
  /** Epoch seconds: upper bound of the event's publish_timestamp. */
  publishedUntil?: number;
  pageSize: number;
  /**
   * Extra restSearch filters merged into the body (tags, org, type, enforceWarninglist…). They may
   * override the defaults, except returnFormat, page and limit, on which reading the answer depends.
   */
  filters?: Record<string, unknown>;
}

export interface MispPage {
  /** 1-based page number. */
  page: number;
  attributes: MispAttribute[];
  /** Size of the answer body. */
  bytes: number;
  /** Rows MISP read but dropped after paging (warninglists, decay), from X-Skipped-Elements-Count. */
  skipped: number;
  /** Rows dropped here because they lack uuid, type or value. */
  malformed: number;
  /** Time spent fetching the page, retries included. */
  durationMs: number;
}

export const DEFAULT_TIMEOUTS = { connectMs: 10_000, responseMs: 120_000 } as const;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_MAX_PAGES = 10_000;

const SEARCH_PATH = '/attributes/restSearch';
const VERSION_PATH = '/servers/getVersion';
const UUID = /^!?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** MISP versions before 2.4.71 answer an empty search with this 404. */
const NO_MATCHES = /^no matches/i;

/** What the paging logic reads of a page besides what the consumer sees. */
interface FetchedPage {
  /** Rows in the answer, malformed ones included: what MISP counted against `limit`. */
  rows: number;
  /** The answer carried X-Skipped-Elements-Count: MISP told how many rows it dropped after paging. */
  skippedReported: boolean;
  firstId: string | undefined;
}

/** A page as read from one answer, before the fetch adds its number and duration. */
interface PageData extends FetchedPage, Pick<MispPage, 'attributes' | 'bytes' | 'skipped' | 'malformed'> {}

/** A successful answer, received but not yet parsed: the next page can be asked for before this one is read. */
type Received = { response: Answer } | { empty: PageData };

/** A complete answer. `body` is a view on a reused buffer: read it, then `release()` it. */
interface Answer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  release(): void;
}

type Attempt = { ok: true; received: Received } | MispFailure;

/**
 * Reads IDS-flagged attributes from MISP's `POST /attributes/restSearch`, page by page, one page
 * fetched ahead of the consumer. Transient failures are retried with backoff through the injected
 * clock; everything else ends the search with a named error whose message tells what to fix.
 */
export class MispClient {
  private readonly searchUrl: string;
  private readonly versionUrl: string;
  private readonly host: string;
  private readonly path: string;
  private readonly agents: AgentSet;
  private readonly http: Got;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timeouts: { connectMs: number; responseMs: number };
  private readonly maxAttempts: number;
  private readonly maxPages: number;
  private readonly backoff: Backoff;
  private readonly bodies = new BodyBuffers();
  /** MISP's version, asked once, when a search first depends on it. */
  private versionProbe: Promise<MispVersion | undefined> | undefined;
  /** What was already said once about this MISP's version. */
  private readonly toldOnce = new Set<string>();

  constructor(options: MispClientOptions) {
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    const connection = openMispConnection({ ...options, timeouts: this.timeouts });
    this.searchUrl = `${connection.base}${SEARCH_PATH}`;
    this.versionUrl = `${connection.base}${VERSION_PATH}`;
    this.host = connection.host;
    this.path = new URL(this.searchUrl).pathname;
    this.agents = connection.agents;
    this.http = connection.http;
    this.clock = options.clock;
    this.logger = options.logger;
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
    this.maxPages = Math.max(1, Math.floor(options.maxPages ?? DEFAULT_MAX_PAGES));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /**
   * The pages of one search, in order. While the consumer works on page n, page n+1 is already
   * being fetched; never more than that, so memory holds at most two pages. Aborting `signal`
   * stops at once, throwing the signal's reason. Ending the iteration early cancels the prefetch.
   */
  async *searchAttributes(search: AttributeSearch, signal?: AbortSignal): AsyncGenerator<MispPage> {
    if (!Number.isSafeInteger(search.pageSize) || search.pageSize < 1) {
      throw new RangeError(`The MISP page size must be a positive integer, not ${String(search.pageSize)}.`);
    }
    if (!Number.isFinite(search.publishedSince)) {
      throw new RangeError('The lower bound of the MISP search (publishedSince) must be a number of epoch seconds.');
    }
    // One controller for this search: the caller's abort reaches it, and so does an early end of the iteration.
    const local = new AbortController();
    const relay = (): void => local.abort(signal?.reason);
    signal?.addEventListener('abort', relay, { once: true });
    if (signal?.aborted) relay();
    let unread = false;
    try {
      local.signal.throwIfAborted();
      const skippedTrusted = await this.checkVersionFor(search.filters ?? {}, local.signal);
      let next = this.prefetch(search, 1, local.signal);
      unread = true;
      let previousFirstId: string | undefined;
      for (let pageNumber = 1; ; pageNumber++) {
        const received = await next;
        unread = false;
        // When MISP says the page is full (X-Result-Count, 2.4.195+), the next one is asked for before
        // this one is parsed, so that MISP works on it while this one is read and pushed.
        const early = 'response' in received.received && pageNumber < this.maxPages && announcesFullPage(received.received.response, search.pageSize);
        if (early) {
          next = this.prefetch(search, pageNumber + 1, local.signal);
          unread = true;
        }
        const fetched = 'empty' in received.received ? received.received.empty : this.readPage(received.received.response);
        const page = this.pageOf(fetched, pageNumber, received.startedAt);
        if (fetched.firstId !== undefined && fetched.firstId === previousFirstId) {
          throw new MispPagingIgnoredError(this.host, fetched.firstId, pageNumber);
        }
        previousFirstId = fetched.firstId;
        // Rows dropped after paging (warninglists) count: a short or even empty page is not the end while MISP read a full one.
        // Where MISP cannot tell how many it dropped, only an empty page ends the search.
        const last = skippedTrusted || fetched.skippedReported ? fetched.rows + page.skipped < search.pageSize : fetched.rows === 0;
        const more = !last && pageNumber < this.maxPages;
        if (more && !early) {
          next = this.prefetch(search, pageNumber + 1, local.signal);
          unread = true;
        }
        yield page;
        if (last) return;
        if (!more) throw new MispTooManyPagesError(this.host, pageNumber, search.pageSize);
      }
    } finally {
      signal?.removeEventListener('abort', relay);
      // Cancels a prefetch nobody will read (early end, error).
      if (unread) local.abort(new Error('The MISP search ended before this page was read.'));
    }
  }

  /**
   * MISP's version from `GET /servers/getVersion`, asked once for the life of the client; undefined
   * (and said once in the logs) when MISP does not tell it.
   */
  async version(signal?: AbortSignal): Promise<MispVersion | undefined> {
    const probe = (this.versionProbe ??= this.fetchVersion(signal));
    try {
      return await probe;
    } catch (error) {
      // Aborted: asked again by the next search.
      if (this.versionProbe === probe) this.versionProbe = undefined;
      throw error;
    }
  }

  /**
   * Asks MISP's version when the search depends on it, says once what an older MISP will not do,
   * and returns whether X-Skipped-Elements-Count can be relied on: always when no filter drops rows
   * after paging (warninglists, decay), otherwise only from MISP 2.4.196 on.
   */
  private async checkVersionFor(filters: Record<string, unknown>, signal: AbortSignal): Promise<boolean> {
    const postFiltered = isOn(filters['enforceWarninglist']) || isOn(filters['excludeDecayed']);
    const organisations = Array.isArray(filters['org']) ? filters['org'] : [filters['org']];
    const byUuid = organisations.some((org) => typeof org === 'string' && UUID.test(org.trim()));
    if (!postFiltered && !byUuid) return true;
    const version = await this.version(signal);
    const shown = version === undefined ? 'of unknown version' : `version ${formatMispVersion(version)}`;
    if (byUuid && version !== undefined && !isAtLeast(version, ORGANISATION_UUIDS_SINCE)) {
      this.tellOnce(
        'organisations',
        `MISP at ${this.host} is ${shown}: organisations given by uuid are understood from MISP ${formatMispVersion(ORGANISATION_UUIDS_SINCE)} on, so they match nothing here. Give them by name, or upgrade MISP.`,
        'warning',
      );
    }
    const trusted = version !== undefined && isAtLeast(version, SKIPPED_COUNT_SINCE);
    if (postFiltered && !trusted) {
      this.tellOnce(
        'paging',
        `MISP at ${this.host} is ${shown}: before ${formatMispVersion(SKIPPED_COUNT_SINCE)} it does not report the rows warninglists drop from a page, so a short page may not be the last; pages are read until an empty one.`,
        'info',
      );
    }
    return !postFiltered || trusted;
  }

  private tellOnce(topic: string, message: string, level: 'info' | 'warning'): void {
    if (this.toldOnce.has(topic)) return;
    this.toldOnce.add(topic);
    this.logger.log(message, level);
  }

  private async fetchVersion(signal: AbortSignal | undefined): Promise<MispVersion | undefined> {
    let problem: string;
    try {
      const response = await this.http.get(this.versionUrl, { signal, responseType: 'text' });
      if (response.statusCode === 200) {
        let answer: unknown;
        try {
          answer = JSON.parse(response.body);
        } catch {
          answer = undefined;
        }
        const version = parseMispVersion((answer as { version?: unknown } | undefined)?.version);
        if (version !== undefined) {
          this.logger.log(`MISP at ${this.host} is version ${formatMispVersion(version)}.`, 'debug');
          return version;
        }
        problem = 'its answer holds no version';
      } else {
        problem = `HTTP ${response.statusCode}${this.explain(response.body) ? ` (${this.explain(response.body)})` : ''}`;
      }
    } catch (error) {
      signal?.throwIfAborted();
      problem = classifyTransportError(error, this.timeouts).code;
      // MISP could not be reached: asked again by the next search rather than guessed for good.
      this.versionProbe = undefined;
    }
    this.logger.log(`MISP at ${this.host} did not tell its version at ${VERSION_PATH} (${problem}); what depends on it is done the safe way.`, 'warning');
    return undefined;
  }

  /** Destroys the connections kept alive. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Starts fetching a page; a failure waits, unreported, until the page is awaited. */
  private prefetch(search: AttributeSearch, pageNumber: number, signal: AbortSignal): Promise<{ received: Received; startedAt: number }> {
    const promise = this.fetchPage(search, pageNumber, signal);
    promise.catch(() => undefined);
    return promise;
  }

  private requestBody(search: AttributeSearch, pageNumber: number): Record<string, unknown> {
    const publishTimestamp = search.publishedUntil === undefined ? search.publishedSince : [search.publishedSince, search.publishedUntil];
    const body: Record<string, unknown> = {
      returnFormat: 'json',
      to_ids: 1,
      published: 1,
      publish_timestamp: publishTimestamp,
      order: 'Attribute.id',
      ...search.filters,
    };
    // Reading the answer and paging depend on these: no filter may change them.
    body['returnFormat'] = 'json';
    body['page'] = pageNumber;
    body['limit'] = search.pageSize;
    return body;
  }

  /** The page once parsed, logged with the time since its first request. */
  private pageOf(data: PageData, pageNumber: number, startedAt: number): MispPage {
    const { attributes, bytes, skipped, malformed } = data;
    const durationMs = this.clock.now() - startedAt;
    this.logger.log(
      `MISP page ${pageNumber}: ${attributes.length} attributes (${skipped} skipped by MISP, ${malformed} malformed), ${bytes} bytes in ${durationMs} ms.`,
      'debug',
    );
    return { page: pageNumber, attributes, bytes, skipped, malformed, durationMs };
  }

  private async fetchPage(search: AttributeSearch, pageNumber: number, signal: AbortSignal): Promise<{ received: Received; startedAt: number }> {
    const startedAt = this.clock.now();
    const body = this.requestBody(search, pageNumber);
    const answer = await retryMisp(`page ${pageNumber}`, () => this.attempt(body, pageNumber, signal), {
      host: this.host,
      maxAttempts: this.maxAttempts,
      backoff: this.backoff,
      clock: this.clock,
      logger: this.logger,
      signal,
    });
    return { received: answer.received, startedAt };
  }

  /** One request and what it means. Throws only when `signal` aborted. */
  private async attempt(body: Record<string, unknown>, pageNumber: number, signal: AbortSignal): Promise<Attempt> {
    let response: Answer;
    try {
      response = await this.receive(body, signal);
    } catch (error) {
      signal.throwIfAborted();
      return this.transportFailure(error);
    }
    const outcome = this.interpret(response, pageNumber);
    // A page is read later, by the consumer; any other answer is read by now.
    if (!(outcome.ok && 'response' in outcome.received)) response.release();
    return outcome;
  }

  /** Sends the search and receives the whole answer into a reused buffer. */
  private receive(body: Record<string, unknown>, signal: AbortSignal): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const sink = this.bodies.acquire();
      let statusCode = 0;
      let headers: IncomingHttpHeaders = {};
      const stream = this.http.stream.post(this.searchUrl, { json: body, signal });
      stream.on('response', (response: { statusCode: number; headers: IncomingHttpHeaders }) => {
        statusCode = response.statusCode;
        headers = response.headers;
      });
      stream.on('data', (chunk: Buffer) => sink.append(chunk));
      stream.once('end', () => {
        // got keeps a stream's abort listener until the stream is destroyed: one per request would pile up on the search's signal.
        stream.destroy();
        resolve({ statusCode, headers, body: sink.bytes(), release: () => sink.release() });
      });
      stream.once('error', (error: unknown) => {
        sink.release();
        reject(error);
      });
    });
  }

  private transportFailure(error: unknown): Attempt {
    const failure = classifyTransportError(error, this.timeouts);
    if (failure.detail !== undefined) failure.description = `${failure.description}: ${safeExcerpt(failure.detail)}`;
    const host = this.host;
    return {
      ok: false,
      transient: failure.transient,
      summary: `${failure.code} (${failure.description})`,
      error: (attempts) =>
        failure.kind === 'tls'
          ? new MispTlsError(host, failure.code, failure.description, failure.certificateRejected)
          : new MispUnreachableError(host, failure.code, failure.description, attempts),
    };
  }

  private interpret(response: Answer, pageNumber: number): Attempt {
    const status = response.statusCode;
    const raw = response.body;
    const host = this.host;
    if (status >= 200 && status < 300) return { ok: true, received: { response } };
    const text = raw.toString('utf8');
    const message = this.explain(text);
    if (status === 401 || status === 403) {
      return { ok: false, transient: false, summary: `HTTP ${status}`, error: () => new MispAuthenticationError(host, status, message) };
    }
    if (status === 404) {
      if (NO_MATCHES.test(mispMessageOf(text) ?? '')) return { ok: true, received: { empty: { attributes: [], bytes: raw.length, skipped: 0, skippedReported: false, malformed: 0, rows: 0, firstId: undefined } } };
      return { ok: false, transient: false, summary: 'HTTP 404', error: () => new MispEndpointNotFoundError(host, this.path, message) };
    }
    const retryAfterMs = readRetryAfter(response.headers['retry-after'], this.clock.now());
    if (status === 429) {
      return { ok: false, transient: true, summary: `HTTP 429 (${message || 'rate limit exceeded'})`, retryAfterMs, error: (attempts) => new MispRateLimitedError(host, message, attempts) };
    }
    if (isRetriedStatus(status)) {
      return {
        ok: false,
        transient: true,
        summary: `HTTP ${status}${message ? ` (${message})` : ''}`,
        retryAfterMs,
        error: (attempts) => new MispServerError(host, status, message, pageNumber, attempts),
      };
    }
    return { ok: false, transient: false, summary: `HTTP ${status}`, error: () => new MispRequestRejectedError(host, status, message) };
  }

  /** Parses a successful answer; throws MispNotJsonError or MispMalformedAnswerError when it is not a restSearch answer. */
  private readPage(response: Answer): PageData {
    let rows: unknown[];
    try {
      rows = this.parseAnswer(response);
    } finally {
      response.release();
    }
    const attributes: MispAttribute[] = [];
    for (const row of rows) {
      const attribute = parseAttributeRow(row);
      if (attribute !== undefined) attributes.push(attribute);
    }
    return {
      attributes,
      bytes: response.body.length,
      skipped: skippedCount(response.headers['x-skipped-elements-count']),
      skippedReported: response.headers['x-skipped-elements-count'] !== undefined,
      malformed: rows.length - attributes.length,
      rows: rows.length,
      firstId: rawRowId(rows[0]),
    };
  }

  /** The rows of an answer through JSON.parse; throws MispNotJsonError or MispMalformedAnswerError. */
  private parseAnswer(response: Answer): unknown[] {
    const host = this.host;
    const text = response.body.toString('utf8');
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      const contentType = safeExcerpt(String(response.headers['content-type'] ?? ''), 80);
      const start = safeExcerpt(text);
      const title = htmlTitle(text);
      throw new MispNotJsonError(host, response.statusCode, contentType, start, title);
    }
    const extracted = restSearchRows(answer);
    if (!extracted.ok) throw new MispMalformedAnswerError(host, safeExcerpt(extracted.found));
    return extracted.rows;
  }

  /** MISP's message from an error body, or the start of whatever came instead; never a secret, never a line break. */
  private explain(body: string): string {
    const message = mispMessageOf(body);
    if (message !== undefined) return safeExcerpt(message);
    const title = htmlTitle(body);
    if (title !== undefined) return `an HTML page titled "${title}"`;
    const start = safeExcerpt(body);
    return start === '' ? '' : `"${start}"`;
  }
}

/**
 * True when MISP's X-Result-Count says the page was cut full: MISP 2.4.195+ counts the page's rows
 * plus one when a limited page was full. Older versions send no such header: the page is then
 * parsed before the next one is asked for.
 */
function announcesFullPage(response: Answer, pageSize: number): boolean {
  const header = response.headers['x-result-count'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^\s*\d+\s*$/.test(value) && Number(value) > pageSize;
}

function skippedCount(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return 0;
  return Number(value);
}

