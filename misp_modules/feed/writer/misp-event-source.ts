import type { Backoff, Clock, Logger } from '@sekoia/automation-sdk-shim';
import { htmlTitle, safeExcerpt } from '../../http/safe-text.js';
import { isObject, type JsonObject } from '../../misp/loose-fields.js';
import { MispEventSearchError } from '../../misp/errors/misp-event-search-error.js';
import { MispApi } from '../../misp/misp-api.js';

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

/**
 * Reads events from MISP's `POST /events/restSearch`: first the listing of a selection (metadata
 * only, paged), then each event in full, one at a time, so that memory holds one event at most.
 * The MISP client (`misp/misp-api.ts`) retries transient failures (network, 429, 5xx) through the
 * injected clock and names every other failure, as it does for the attribute search.
 */
export class MispEventSource {
  private readonly api: MispApi;

  constructor(private readonly options: MispEventSourceOptions) {
    this.api = new MispApi(options);
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
    this.api.close();
  }

  /** One search, retried while the failure is transient; the `Event` objects of the answer. */
  private async search(filters: JsonObject, what: string): Promise<JsonObject[]> {
    const answer = await this.api.search({ path: SEARCH_PATH, body: { returnFormat: 'json', ...filters }, what, of: 'event search' });
    const text = answer.body.toString('utf8');
    answer.release();
    return this.eventsOf(text, answer.statusCode, answer.headers['content-type'], what);
  }

  /** `{"response": [{"Event": …}, …]}` (or a bare list, or `{"response": []}` for nothing). */
  private eventsOf(text: string, status: number, contentType: string | string[] | undefined, what: string): JsonObject[] {
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      const title = htmlTitle(text);
      const received = `content type "${safeExcerpt(String(contentType ?? ''), 80) || 'none'}", ${title !== undefined ? `an HTML page titled "${title}"` : `starting "${safeExcerpt(text)}"`}`;
      throw new MispEventSearchError(this.api.host, what, status, `HTTP ${status} but not JSON (${received})`, 'Check that the URL is the base URL of a MISP instance and that no login page or proxy answers in its place.');
    }
    const rows = isObject(answer) ? answer['response'] : answer;
    if (!Array.isArray(rows)) {
      const keys = isObject(answer) ? Object.keys(answer).slice(0, 5).map((key) => JSON.stringify(key)).join(', ') : typeof answer;
      throw new MispEventSearchError(this.api.host, what, status, `JSON without a list of events (expected {"response": [{"Event": …}]}, got ${safeExcerpt(keys)})`, 'Check that the URL is the base URL of a MISP instance, version 2.4 or later.');
    }
    return rows.flatMap((row) => (isObject(row) && isObject(row['Event']) ? [row['Event']] : []));
  }
}
