import type { Clock, Logger } from '@sekoia/automation-sdk-shim';
import { parseAttributeRow, rawRowId, type MispAttribute } from './attribute-row.js';
import { MispAuthenticationError } from './errors/misp-authentication-error.js';
import { MispMalformedAnswerError } from './errors/misp-malformed-answer-error.js';
import { MispNotJsonError } from './errors/misp-not-json-error.js';
import { MispPagingIgnoredError } from './errors/misp-paging-ignored-error.js';
import { MispRefusedError } from './errors/misp-refused-error.js';
import { MispTlsError } from './errors/misp-tls-error.js';
import { MispTooManyPagesError } from './errors/misp-too-many-pages-error.js';
import { MispUnexpectedAnswerError } from './errors/misp-unexpected-answer-error.js';
import { MispUnreachableError } from './errors/misp-unreachable-error.js';
import { formatMispVersion, isAtLeast, ORGANISATION_UUIDS_SINCE, parseMispVersion, SKIPPED_COUNT_SINCE, type MispVersion } from './misp-version.js';
import { isOn } from './loose-fields.js';
import type { MispAnswer, MispApi } from './misp-api.js';
import { restSearchRows } from './restsearch-answer.js';
import { htmlTitle, safeExcerpt } from '../http/safe-text.js';

export type { MispAttribute } from './attribute-row.js';

export interface AttributeSearchOptions {
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

export const DEFAULT_MAX_PAGES = 10_000;

const SEARCH_PATH = '/attributes/restSearch';
const VERSION_PATH = '/servers/getVersion';
const UUID = /^!?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/**
 * Reads IDS-flagged attributes from MISP's `POST /attributes/restSearch`, page by page, one page
 * fetched ahead of the consumer, through the MISP client (`misp-api.ts`), which retries transient
 * failures and names every other; a page that is not a restSearch answer ends the search here.
 */
export class MispAttributeSearch {
  private readonly host: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxPages: number;
  /** MISP's version, asked once, when a search first depends on it. */
  private versionProbe: Promise<MispVersion | undefined> | undefined;
  /** What was already said once about this MISP's version. */
  private readonly toldOnce = new Set<string>();

  constructor(
    private readonly api: MispApi,
    options: AttributeSearchOptions = {},
  ) {
    this.host = api.host;
    this.clock = api.clock;
    this.logger = api.logger;
    this.maxPages = Math.max(1, Math.floor(options.maxPages ?? DEFAULT_MAX_PAGES));
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
        const early = pageNumber < this.maxPages && announcesFullPage(received.received, search.pageSize);
        if (early) {
          next = this.prefetch(search, pageNumber + 1, local.signal);
          unread = true;
        }
        const fetched = this.readPage(received.received);
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
      const version = parseMispVersion(((await this.api.get(VERSION_PATH, signal)) as { version?: unknown } | undefined)?.version);
      if (version !== undefined) {
        this.logger.log(`MISP at ${this.host} is version ${formatMispVersion(version)}.`, 'debug');
        return version;
      }
      problem = 'its answer holds no version';
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof MispRefusedError) problem = `HTTP ${error.status}${error.reason ? ` (${error.reason})` : ''}`;
      else if (error instanceof MispAuthenticationError) problem = `HTTP ${error.status}${error.mispMessage ? ` (${error.mispMessage})` : ''}`;
      else if (error instanceof MispUnexpectedAnswerError) problem = 'its answer holds no version';
      else if (error instanceof MispUnreachableError || error instanceof MispTlsError) {
        problem = error.code;
        // MISP could not be reached: asked again by the next search rather than guessed for good.
        this.versionProbe = undefined;
      } else throw error;
    }
    this.logger.log(`MISP at ${this.host} did not tell its version at ${VERSION_PATH} (${problem}); what depends on it is done the safe way.`, 'warning');
    return undefined;
  }

  /** Starts fetching a page; a failure waits, unreported, until the page is awaited. */
  private prefetch(search: AttributeSearch, pageNumber: number, signal: AbortSignal): Promise<{ received: MispAnswer; startedAt: number }> {
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

  private async fetchPage(search: AttributeSearch, pageNumber: number, signal: AbortSignal): Promise<{ received: MispAnswer; startedAt: number }> {
    const startedAt = this.clock.now();
    const body = this.requestBody(search, pageNumber);
    const response = await this.api.search({ path: SEARCH_PATH, body, what: `page ${pageNumber}`, of: 'attribute search', page: pageNumber, signal });
    return { received: response, startedAt };
  }

  /** Parses a successful answer; throws MispNotJsonError or MispMalformedAnswerError when it is not a restSearch answer. */
  private readPage(response: MispAnswer): PageData {
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
  private parseAnswer(response: MispAnswer): unknown[] {
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
}

/**
 * True when MISP's X-Result-Count says the page was cut full: MISP 2.4.195+ counts the page's rows
 * plus one when a limited page was full. Older versions send no such header: the page is then
 * parsed before the next one is asked for.
 */
function announcesFullPage(response: MispAnswer, pageSize: number): boolean {
  const header = response.headers['x-result-count'];
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && /^\s*\d+\s*$/.test(value) && Number(value) > pageSize;
}

function skippedCount(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return 0;
  return Number(value);
}

