import type { LocalAttributeFilter } from '../filters/attribute-filter.js';
import { safeExcerpt } from '../http/safe-text.js';
import type { SourceAttribute, SourcePage } from '../pipeline/sync-cycle.js';
import { FeedDocumentUnreadableError } from './errors/feed-document-unreadable-error.js';
import { S3RefusedError } from './errors/s3-refused-error.js';
import { extractFromCsv } from './csv-document.js';
import { checkFeedHeaders } from './feed-headers.js';
import { parseFeedLocation, type FeedLocation } from './feed-location.js';
import type { FeedSettings } from './feed-settings.js';
import { DEFAULT_FEED_PAGE_SIZE, type FeedSourceOptions } from './feed-source-options.js';
import { emptyFeedCycleStats, type FeedCycle, type FeedCycleStats } from './feed-source.js';
import type { FeedRecord, FeedSyncState } from './feed-sync-state.js';
import type { FetchFailure, FeedTransport } from './feed-transport.js';
import { uuidV5 } from './feed-uuid.js';
import { extractFromFreeText, type ExtractedIndicator } from './indicator-extractor.js';
import { ListKeyCollector, ListValueStamps } from './list-value-stamps.js';
import { openFeedTransport, transportSettingsOf } from './open-feed-transport.js';

export interface DocumentFeedOptions extends FeedSourceOptions {
  format: 'csv' | 'freetext';
  settings: FeedSettings;
}

/** What CSV and free-text feeds are served as; some servers refuse a request that accepts JSON only. */
const ACCEPT_TEXT = 'text/plain, text/csv;q=0.9, */*;q=0.8';
/** The attribute timestamp of a value present since the first sync of the list (or since no memory of it was saved). */
const FIRST_READ_STAMP = 1;
const FORMAT_NAMES = { csv: 'CSV', freetext: 'free-text' } as const;
/** The start of an HTML document, after blanks and comments. */
const HTML_PAGE = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html)[\s>]/i;

/**
 * Reads a CSV or free-text feed, which is one file, as MISP's "fixed event" with delta merge does:
 * the file stands for one event, whose attributes are the indicators the file holds now. The file
 * is asked with its last ETag and Last-Modified, so an unchanged file costs a 304 and nothing else;
 * a changed one is read whole, and the pipeline's memory of delivered attributes keeps what was
 * already pushed from going out again. Each value is an attribute with a uuid derived from the feed
 * and the value; a value that leaves the file leaves the event, which with `valid_for` makes it
 * lapse. A value that comes back later gets a new timestamp, so it is pushed again: the timestamps
 * are kept in the data path with the feed's sync state, so this holds across restarts.
 */
export class DocumentFeedSource {
  private readonly location: FeedLocation;
  private readonly transport: FeedTransport;
  private readonly eventUuid: string;
  private readonly recordKey: string;
  private readonly formatName: string;
  /** Per value key (48 bits of its uuid), the timestamp its attribute carries: kept while the value stays in the file. */
  private stamps = ListValueStamps.EMPTY;
  /** Whether a read of the file was ever synced whole: until then, every value is taken as present from the start. */
  private syncedOnce = false;
  /** Whether the timestamps saved by an earlier run were looked for. */
  private memoryLoaded = false;

  constructor(
    private readonly options: DocumentFeedOptions,
    private readonly state: FeedSyncState,
  ) {
    this.location = parseFeedLocation(options.location, { document: true });
    const headers = checkFeedHeaders(options.headers);
    this.formatName = FORMAT_NAMES[options.format];
    this.recordKey = `${options.format}:${this.location.key}`;
    this.eventUuid = uuidV5(`document feed\n${this.recordKey}`);
    this.transport = openFeedTransport(this.location, transportSettingsOf(options, headers, ACCEPT_TEXT));
  }

  /** The feed as shown in logs: host and path, the file, or the S3 object. */
  get display(): string {
    return this.location.display;
  }

  /** The uuid of the one event the file stands for. */
  get documentEvent(): string {
    return this.eventUuid;
  }

  /**
   * Asks for the file, conditionally. The look-back window does not apply: a list has no dates,
   * and everything it holds now is current.
   *
   * @throws FeedDocumentUnreadableError when the file cannot be had, S3RefusedError when S3 refuses it.
   */
  async startCycle(_window: { sinceMs: number }, signal: AbortSignal): Promise<FeedCycle> {
    const { logger, clock } = this.options;
    const record = this.state.record(this.recordKey, this.display);
    if (!this.memoryLoaded) await this.loadMemory();
    const stats = emptyFeedCycleStats();
    stats.manifestEvents = 1;
    stats.eventsInWindow = 1;
    const known = record.events.has(this.eventUuid);
    // If-Modified-Since only without an ETag: a file replaced within the same second keeps its date.
    const etag = known ? record.etag : undefined;
    const outcome = await this.transport.get('', etag, signal, known && etag === undefined ? record.lastModified : undefined);
    if (outcome.status === 'failed') throw this.unreadable(outcome.failure);
    if (outcome.status === 'not-modified') {
      stats.notModified = true;
      stats.eventsSkippedUnchanged = 1;
      logger.log(`${this.formatName} feed at ${this.display}: unchanged since the last sync; nothing to read.`, 'info');
      return {
        stats,
        pages: emptyPages(),
        eventsInScope: new Set([this.eventUuid]),
        eventsRead: new Set(),
        // Unchanged since the last sync: nothing can have left it.
        eventsListed: undefined,
        commit: async () => {
          await this.state.save(this.recordKey, clock.now());
        },
      };
    }
    stats.bytes = outcome.body.length;
    const text = outcome.body.toString('utf8').replace(/^\uFEFF/, '');
    // A login, error or consent page answered in place of the list: its links must not become indicators.
    if (HTML_PAGE.test(text.slice(0, 512))) {
      throw new FeedDocumentUnreadableError(
        this.display,
        this.formatName,
        'other',
        'HTML page',
        `the server answered an HTML page${outcome.contentType === '' ? '' : ` (${safeExcerpt(outcome.contentType, 60)})`} instead of the list`,
        'Check that the location is the file itself and that no login page, consent page or proxy answers in its place; nothing was pushed from it.',
      );
    }
    stats.eventsFetched = 1;
    let read = false;
    const previous = this.stamps;
    // A value the last sync did not see: present from the start on a first read, new since now otherwise.
    const fresh = this.syncedOnce ? Math.floor(clock.now() / 1000) : FIRST_READ_STAMP;
    const keys = new ListKeyCollector();
    const pages = this.pages(text, stats, { previous, fresh, keys }, () => {
      read = true;
    });
    const event = this.eventUuid;
    // Only the validators outlive the read: the body is not held until the commit.
    const validators = { etag: outcome.etag, lastModified: outcome.lastModified };
    return {
      stats,
      pages,
      eventsInScope: new Set([event]),
      // A list is one event, always listed while the list answers.
      eventsListed: new Set([event]),
      // Once the file was read to its end, every indicator of the event is known.
      get eventsRead(): ReadonlySet<string> {
        return new Set(read ? [event] : []);
      },
      commit: async (cycleComplete: boolean) => this.commit(record, cycleComplete && read, validators, () => ListValueStamps.after(previous, keys.collected(), fresh)),
    } satisfies FeedCycle;
  }

  /** Destroys the connections kept alive. */
  close(): void {
    this.transport.close();
  }

  private async loadMemory(): Promise<void> {
    const saved = await this.state.listValueFile(this.recordKey).load();
    this.memoryLoaded = true;
    if (saved === undefined) return;
    this.stamps = saved;
    this.syncedOnce = true;
    this.options.logger.log(`${this.formatName} feed at ${this.display}: ${saved.size.toLocaleString('en-US')} values remembered from the last sync.`, 'info');
  }

  private async commit(record: FeedRecord, synced: boolean, outcome: { etag: string | undefined; lastModified?: string | undefined }, stampsRead: () => ListValueStamps): Promise<void> {
    if (synced) {
      const stamps = stampsRead();
      // Before the sync state: should the process die (or the write fail) between the two, the file is read again.
      await this.state.listValueFile(this.recordKey).save(stamps);
      this.stamps = stamps;
      this.syncedOnce = true;
    }
    record.events.set(this.eventUuid, Math.floor(this.options.clock.now() / 1000));
    // Only a file synced whole may be skipped next time; otherwise it is read again.
    record.etag = synced ? outcome.etag : undefined;
    record.lastModified = synced ? outcome.lastModified : undefined;
    record.etagSinceMs = undefined;
    await this.state.save(this.recordKey, this.options.clock.now());
  }

  private async *pages(
    text: string,
    stats: FeedCycleStats,
    memory: { previous: ListValueStamps; fresh: number; keys: ListKeyCollector },
    done: () => void,
  ): AsyncGenerator<SourcePage> {
    const { settings, filter, logger } = this.options;
    const pageSize = Math.max(1, Math.floor(this.options.pageSize ?? DEFAULT_FEED_PAGE_SIZE));
    const indicators: Iterable<ExtractedIndicator> = this.options.format === 'csv' ? extractFromCsv(text, settings) : extractFromFreeText(text, settings.exclude);
    let page: SourceAttribute[] = [];
    for (const indicator of indicators) {
      if (!accepted(filter, indicator.type)) {
        stats.attributesFiltered++;
        continue;
      }
      const uuid = uuidV5(`${this.recordKey}\n${indicator.type}\n${indicator.value}`);
      const key = valueKey(uuid);
      const stamp = memory.previous.get(key) ?? memory.fresh;
      memory.keys.add(key);
      page.push({ uuid, type: indicator.type, value: indicator.value, timestamp: stamp, toIds: true, deleted: false, eventUuid: this.eventUuid });
      stats.attributesEmitted++;
      if (page.length >= pageSize) {
        yield { attributes: page };
        page = [];
      }
    }
    if (page.length > 0) yield { attributes: page };
    done();
    logger.log(
      `${this.formatName} feed at ${this.display}: ${stats.bytes} bytes read, ${stats.attributesEmitted} indicators found` +
        (stats.attributesFiltered > 0 ? `, ${stats.attributesFiltered} of types not synced left out.` : '.'),
      'info',
    );
  }

  private unreadable(failure: FetchFailure): FeedDocumentUnreadableError | S3RefusedError {
    if (failure.s3 !== undefined) return new S3RefusedError(this.display, `the ${this.formatName} feed at ${this.display}`, failure.s3);
    const hint =
      failure.kind === 'missing'
        ? 'Check feed_location: for a CSV or free-text feed it is the URL, path or S3 key of the file itself.'
        : failure.kind === 'denied'
          ? this.location.kind === 's3'
            ? 'Check the S3 keys of the account (or the AWS environment credentials) and that they may read this object.'
            : 'Check the feed headers of the account (for example feed_authorization) and that the token is still valid.'
          : failure.tls
            ? 'The TLS connection failed: install the certificate authority of the server in this container, or, only on a trusted network, set verify_ssl to false.'
            : 'Check the feed location and the network path from this container; the next cycle tries again.';
    return new FeedDocumentUnreadableError(this.display, this.formatName, failure.kind, failure.code, failure.description, hint);
  }
}

function accepted(filter: LocalAttributeFilter | undefined, type: string): boolean {
  return filter === undefined || filter.acceptsAttribute(type, [], { tags: [] });
}

/** 48 bits of a name-based uuid (itself a digest): enough to tell a file's values apart, at a fraction of a string's memory. */
function valueKey(uuid: string): number {
  return Number.parseInt(`${uuid.slice(0, 8)}${uuid.slice(9, 13)}`, 16);
}

async function* emptyPages(): AsyncGenerator<SourcePage> {
  // An unchanged file has nothing to read.
}
