import type { Got } from 'got';
import { DEFAULT_BACKOFF, isRetriedStatus, readRetryAfter, type Backoff, type Clock, type Logger } from '@sekoia/automation-sdk-shim';
import type { AgentSet } from '../../http/http-agents.js';
import { htmlTitle, safeExcerpt } from '../../http/safe-text.js';
import { classifyTransportError } from '../../http/transport-failure.js';
import { isObject, type JsonObject } from '../../misp/loose-fields.js';
import { MispAuthenticationError } from '../../misp/errors/misp-authentication-error.js';
import { MispEndpointNotFoundError } from '../../misp/errors/misp-endpoint-not-found-error.js';
import { MispRequestRejectedError } from '../../misp/errors/misp-request-rejected-error.js';
import { MispTlsError } from '../../misp/errors/misp-tls-error.js';
import { MispUnreachableError } from '../../misp/errors/misp-unreachable-error.js';
import { DEFAULT_TIMEOUTS } from '../../misp/misp-client.js';
import { openMispConnection } from '../../misp/misp-connection.js';
import { retryMisp, type MispFailure } from '../../misp/misp-retry.js';
import { mispMessageOf } from '../../misp/restsearch-answer.js';
import { MispEventSearchError } from '../errors/misp-event-search-error.js';

export interface MispEventSourceOptions {
  baseUrl: string;
  apiKey: string;
  verifySsl: boolean;
  clock: Clock;
  logger: Logger;
  maxAttempts?: number;
  backoff?: Backoff;
  /** Events per page of the listing; default {@link EVENT_INDEX_PAGE_SIZE}. */
  listingPageSize?: number;
}

const SEARCH_PATH = '/events/restSearch';
/** Events listed per metadata page: the listing is small, the full events are fetched one by one. */
export const EVENT_INDEX_PAGE_SIZE = 500;
const NO_MATCHES = /^no matches/i;

/**
 * Reads events from MISP's `POST /events/restSearch`: first the listing of a selection (metadata
 * only, paged), then each event in full, one at a time, so that memory holds one event at most.
 * Transient failures (network, 429, 5xx) are retried with backoff through the injected clock; any
 * other failure ends the run with the same named errors as the attribute search.
 */
export class MispEventSource {
  private readonly url: string;
  private readonly host: string;
  private readonly agents: AgentSet;
  private readonly http: Got;
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;

  constructor(private readonly options: MispEventSourceOptions) {
    const connection = openMispConnection({ ...options, timeouts: DEFAULT_TIMEOUTS });
    this.url = `${connection.base}${SEARCH_PATH}`;
    this.host = connection.host;
    this.agents = connection.agents;
    this.http = connection.http;
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 5));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** The events a search selects, without their attributes, page by page. */
  async *listEvents(filters: JsonObject): AsyncGenerator<JsonObject> {
    for (let page = 1; ; page++) {
      const limit = this.options.listingPageSize ?? EVENT_INDEX_PAGE_SIZE;
      const events = await this.search({ ...filters, metadata: 1, limit, page }, `page ${page} of the event listing`);
      yield* events;
      if (events.length < limit) return;
    }
  }

  /** One event in full (attributes, objects, tags, galaxies), or undefined when MISP no longer has it. */
  async event(uuid: string): Promise<JsonObject | undefined> {
    const events = await this.search({ uuid, includeGalaxy: 1 }, `event ${uuid}`);
    return events.find((event) => String(event['uuid']).toLowerCase() === uuid.toLowerCase());
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** One search, retried while the failure is transient; the `Event` objects of the answer. */
  private async search(filters: JsonObject, what: string): Promise<JsonObject[]> {
    const body = { returnFormat: 'json', ...filters };
    const answer = await retryMisp(what, () => this.attempt(body, what), {
      host: this.host,
      maxAttempts: this.maxAttempts,
      backoff: this.backoff,
      clock: this.options.clock,
      logger: this.options.logger,
    });
    return answer.events;
  }

  private async attempt(
    body: JsonObject,
    what: string,
  ): Promise<{ ok: true; events: JsonObject[] } | MispFailure> {
    let response: { statusCode: number; body: string; headers: Record<string, string | string[] | undefined> };
    try {
      response = await this.http.post(this.url, { json: body });
    } catch (error) {
      const failure = classifyTransportError(error, DEFAULT_TIMEOUTS);
      const description = failure.detail === undefined ? failure.description : `${failure.description}: ${safeExcerpt(failure.detail)}`;
      return {
        ok: false,
        transient: failure.transient,
        summary: `${failure.code} (${description})`,
        error: (attempts) => (failure.kind === 'tls' ? new MispTlsError(this.host, failure.code, description, failure.certificateRejected) : new MispUnreachableError(this.host, failure.code, description, attempts)),
      };
    }
    const status = response.statusCode;
    const text = response.body;
    if (status >= 200 && status < 300) return { ok: true, events: this.eventsOf(text, status, response.headers['content-type'], what) };
    const message = this.explain(text);
    if (status === 401 || status === 403) return { ok: false, transient: false, summary: `HTTP ${status}`, error: () => new MispAuthenticationError(this.host, status, message) };
    if (status === 404) {
      if (NO_MATCHES.test(mispMessageOf(text) ?? '')) return { ok: true, events: [] };
      return { ok: false, transient: false, summary: 'HTTP 404', error: () => new MispEndpointNotFoundError(this.host, SEARCH_PATH, message) };
    }
    const retryAfterMs = readRetryAfter(response.headers['retry-after'], this.options.clock.now());
    if (isRetriedStatus(status)) {
      const advice = status === 429 ? 'Raise the rate limit of this API user in MISP, or run the export later.' : "Check MISP's error log; a very large event can exhaust MISP's memory or time limits.";
      return {
        ok: false,
        transient: true,
        summary: `HTTP ${status}`,
        retryAfterMs,
        error: (attempts) => new MispEventSearchError(this.host, what, status, `HTTP ${status} (${message || 'no explanation given'}), ${attempts} attempt${attempts === 1 ? '' : 's'} in a row`, advice),
      };
    }
    return { ok: false, transient: false, summary: `HTTP ${status}`, error: () => new MispRequestRejectedError(this.host, status, message) };
  }

  /** `{"response": [{"Event": …}, …]}` (or a bare list, or `{"response": []}` for nothing). */
  private eventsOf(text: string, status: number, contentType: string | string[] | undefined, what: string): JsonObject[] {
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      const title = htmlTitle(text);
      const received = `content type "${safeExcerpt(String(contentType ?? ''), 80) || 'none'}", ${title !== undefined ? `an HTML page titled "${title}"` : `starting "${safeExcerpt(text)}"`}`;
      throw new MispEventSearchError(this.host, what, status, `HTTP ${status} but not JSON (${received})`, 'Check that the URL is the base URL of a MISP instance and that no login page or proxy answers in its place.');
    }
    const rows = isObject(answer) ? answer['response'] : answer;
    if (!Array.isArray(rows)) {
      const keys = isObject(answer) ? Object.keys(answer).slice(0, 5).map((key) => JSON.stringify(key)).join(', ') : typeof answer;
      throw new MispEventSearchError(this.host, what, status, `JSON without a list of events (expected {"response": [{"Event": …}]}, got ${safeExcerpt(keys)})`, 'Check that the URL is the base URL of a MISP instance, version 2.4 or later.');
    }
    return rows.flatMap((row) => (isObject(row) && isObject(row['Event']) ? [row['Event']] : []));
  }

  private explain(body: string): string {
    const message = mispMessageOf(body);
    if (message !== undefined) return safeExcerpt(message);
    const title = htmlTitle(body);
    return title !== undefined ? `an HTML page titled "${title}"` : safeExcerpt(body);
  }
}
