import type { Clock, Logger } from '@sekoia/automation-sdk-shim';
import { htmlTitle, safeExcerpt } from '../http/safe-text.js';
import type { SourceAttribute, SourcePage } from '../pipeline/sync-cycle.js';
import { FeedAccessDeniedError } from './errors/feed-access-denied-error.js';
import type { FeedError } from './errors/feed-error.js';
import { S3RefusedError } from './errors/s3-refused-error.js';
import { FeedManifestMalformedError } from './errors/feed-manifest-malformed-error.js';
import { FeedManifestMissingError } from './errors/feed-manifest-missing-error.js';
import { FeedManifestNotJsonError } from './errors/feed-manifest-not-json-error.js';
import { FeedUnreachableError } from './errors/feed-unreachable-error.js';
import { InvalidFeedOptionsError } from './errors/invalid-feed-options-error.js';
import type { LocalAttributeFilter } from '../filters/attribute-filter.js';
import { readFeedEvent } from './feed-event.js';
import { checkFeedHeaders } from './feed-headers.js';
import { parseFeedLocation, type FeedLocation } from './feed-location.js';
import { inWindow, readManifest, type ManifestEntry } from './feed-manifest.js';
import { DEFAULT_FEED_CONCURRENCY, DEFAULT_FEED_PAGE_SIZE, type FeedSourceOptions } from './feed-source-options.js';
import type { FeedRecord, FeedSyncState } from './feed-sync-state.js';
import type { FetchFailure, FeedTransport } from './feed-transport.js';
import { openFeedTransport, transportSettingsOf } from './open-feed-transport.js';

export interface FeedCycleStats {
  /** Events the manifest lists (uuid keys with a summary). */
  manifestEvents: number;
  /** Of those, events in the look-back window. */
  eventsInWindow: number;
  /** Events read and parsed this cycle. */
  eventsFetched: number;
  /** Events in the window whose manifest timestamp equals the one last synced: not read. */
  eventsSkippedUnchanged: number;
  /** Events that could not be read or parsed: tried again next cycle. */
  eventsFailed: number;
  /** Bytes of manifest and event files read. */
  bytes: number;
  /** The manifest did not change since the last clean cycle (HTTP 304 or same digest): nothing read. */
  notModified: boolean;
  /** IDS-flagged, non-deleted attributes handed to the pipeline. */
  attributesEmitted: number;
  /** Attributes left out because they are not flagged for IDS. */
  attributesNotIds: number;
  /** Attributes left out because they (or their object) are deleted. */
  attributesDeleted: number;
  /** Attributes without a type or a value. */
  attributesMalformed: number;
  /** IDS attributes left out by the trigger's filters. */
  attributesFiltered: number;
}

/** A cycle's statistics before anything was read; a fresh object on every call, since a cycle counts in it. */
export function emptyFeedCycleStats(): FeedCycleStats {
  return {
    manifestEvents: 0,
    eventsInWindow: 0,
    eventsFetched: 0,
    eventsSkippedUnchanged: 0,
    eventsFailed: 0,
    bytes: 0,
    notModified: false,
    attributesEmitted: 0,
    attributesNotIds: 0,
    attributesDeleted: 0,
    attributesMalformed: 0,
    attributesFiltered: 0,
  };
}

export interface FeedCycle {
  /** One page per event (several for a large event); at most `concurrency` events are parsed at once. */
  pages: AsyncIterable<SourcePage>;
  /**
   * After the pipeline ran: records as synced the events read whole in this cycle. With
   * `cycleComplete` false (a batch failed, or the pipeline stopped), only events that carried no
   * pushable indicator are recorded; the others are read again next cycle, and the pipeline's
   * memory of delivered attributes keeps what was accepted from being pushed twice.
   */
  commit(cycleComplete: boolean): Promise<void>;
  readonly stats: Readonly<FeedCycleStats>;
  /** The events the feed lists within the window (for an unchanged manifest: those of the last sync). */
  readonly eventsInScope: ReadonlySet<string>;
  /** The events read whole in this cycle, once the pages were read: their attributes are all known. */
  readonly eventsRead: ReadonlySet<string>;
  /**
   * Every event the manifest lists, in the window or not; undefined when the manifest did not change
   * since the last clean sync (304), so that no event can have left it.
   */
  readonly eventsListed: ReadonlySet<string> | undefined;
}

const MANIFEST_FILE = 'manifest.json';
const MAX_CONCURRENCY = 64;

/** An event to read: its uuid (as the manifest spells it, which is also its file name) and manifest timestamp. */
interface Planned {
  uuid: string;
  timestamp: number;
}

type Loaded = { ok: true; attributes: SourceAttribute[] } | { ok: false; reason: string };

/**
 * Reads a MISP feed the way MISP does: manifest.json with If-None-Match, then only the events new
 * or changed since the last sync, each turned into IDS-flagged, non-deleted attributes for the
 * same pipeline as the API source. An event that cannot be read is logged and read again next
 * cycle without holding back the others; only a manifest that cannot be had fails the cycle.
 */
export class FeedSource {
  private readonly location: FeedLocation;
  private readonly transport: FeedTransport;
  private readonly concurrency: number;
  private readonly pageSize: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly filter: LocalAttributeFilter | undefined;

  constructor(
    options: FeedSourceOptions,
    private readonly state: FeedSyncState,
  ) {
    this.location = parseFeedLocation(options.location);
    const headers = checkFeedHeaders(options.headers);
    this.clock = options.clock;
    this.logger = options.logger;
    this.filter = options.filter;
    const concurrency = options.concurrency ?? DEFAULT_FEED_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new InvalidFeedOptionsError('feed concurrency', `The feed concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${String(concurrency)}.`);
    }
    this.concurrency = concurrency;
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_FEED_PAGE_SIZE));
    this.transport = openFeedTransport(this.location, transportSettingsOf(options, headers));
  }

  /** The feed as shown in logs: host and path, or the directory. */
  get display(): string {
    return this.location.display;
  }

  /**
   * Reads the manifest and plans the cycle. Events are in scope when their manifest timestamp
   * (last change) or date falls on or after `window.sinceMs` (see inWindow).
   *
   * @throws FeedManifestMissingError, FeedAccessDeniedError, S3RefusedError, FeedUnreachableError,
   *   FeedManifestNotJsonError, FeedManifestMalformedError when the manifest cannot be used.
   */
  async startCycle(window: { sinceMs: number }, signal: AbortSignal): Promise<FeedCycle> {
    const record = this.state.record(this.location.key, this.location.display);
    const stats = emptyFeedCycleStats();
    // A wider window than the one the ETag was recorded with brings older events into scope.
    const conditional = record.etag !== undefined && record.etagSinceMs !== undefined && window.sinceMs >= record.etagSinceMs;
    const outcome = await this.transport.get(MANIFEST_FILE, conditional ? record.etag : undefined, signal);
    if (outcome.status === 'failed') throw this.manifestError(outcome.failure);
    if (outcome.status === 'not-modified') {
      stats.notModified = true;
      this.logger.log(`MISP feed at ${this.display}: the manifest has not changed since the last sync; no event to read.`, 'info');
      return {
        stats,
        pages: emptyPages(),
        // A 304 follows only a clean sync, whose record holds exactly the events then in scope.
        eventsInScope: new Set(record.events.keys()),
        eventsRead: new Set(),
        eventsListed: undefined,
        commit: async () => {
          await this.state.save(this.location.key, this.clock.now());
        },
      };
    }
    stats.bytes += outcome.body.length;
    const manifest = this.parseManifest(outcome.body, outcome.contentType);
    stats.manifestEvents = manifest.entries.size;

    const inScope = new Set<string>();
    const planned: Planned[] = [];
    for (const [uuid, entry] of manifest.entries) {
      if (!inWindow(entry, window.sinceMs)) continue;
      inScope.add(uuid);
      if (record.events.get(uuid) === entry.timestamp) stats.eventsSkippedUnchanged++;
      else planned.push({ uuid, timestamp: entry.timestamp });
    }
    stats.eventsInWindow = inScope.size;
    // Most recent changes first: if the cycle is cut short, the freshest indicators got through.
    planned.sort((a, b) => b.timestamp - a.timestamp);
    if (manifest.ignored > 0) {
      this.logger.log(`MISP feed at ${this.display}: ${manifest.ignored} manifest entries are not an event uuid with a summary and were ignored.`, 'warning');
    }
    this.logger.log(
      `MISP feed at ${this.display}: the manifest lists ${stats.manifestEvents} events, ${stats.eventsInWindow} in the look-back window; ` +
        `${planned.length} new or changed to read, ${stats.eventsSkippedUnchanged} unchanged.`,
      'info',
    );
    const context: CycleContext = {
      display: this.display,
      locationKey: this.location.key,
      transport: this.transport,
      state: this.state,
      concurrency: this.concurrency,
      pageSize: this.pageSize,
      clock: this.clock,
      logger: this.logger,
      filter: this.filter,
    };
    return new PlannedCycle(context, record, stats, planned, inScope, new Set(manifest.entries.keys()), outcome.etag, window.sinceMs, signal);
  }

  /** Destroys the connections kept alive. */
  close(): void {
    this.transport.close();
  }

  private parseManifest(body: Buffer, contentType: string): { entries: Map<string, ManifestEntry>; ignored: number } {
    const text = stripBom(body.toString('utf8'));
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new FeedManifestNotJsonError(this.display, safeExcerpt(contentType, 80), safeExcerpt(text), htmlTitle(text));
    }
    const reading = readManifest(document);
    if (!reading.ok) throw new FeedManifestMalformedError(this.display, reading.found);
    return { entries: reading.entries, ignored: reading.ignored };
  }

  private manifestError(failure: FetchFailure): FeedError {
    if (failure.s3 !== undefined) return new S3RefusedError(this.display, `the manifest.json of the MISP feed at ${this.display}`, failure.s3);
    if (failure.kind === 'missing') return new FeedManifestMissingError(this.display, failure.status);
    if (failure.kind === 'denied') return new FeedAccessDeniedError(this.display, failure.status ?? failure.code);
    const hint = failure.tls
      ? 'The TLS connection failed: install the certificate authority of the feed server in this container, or, only on a trusted network, set verify_ssl to false.'
      : failure.status !== undefined
        ? 'Check the feed location and that the feed server is up; a 429 or 5xx answer is tried again next cycle.'
        : this.location.kind === 'directory'
          ? 'Check that the directory is mounted and readable.'
          : 'Check the feed location and the network path from this container (DNS, firewall, the http_proxy/https_proxy settings).';
    return new FeedUnreachableError(this.display, failure.code, failure.description, failure.attempts, hint);
  }
}

/** What a cycle needs of its source. */
interface CycleContext {
  display: string;
  locationKey: string;
  transport: FeedTransport;
  state: FeedSyncState;
  concurrency: number;
  pageSize: number;
  clock: Clock;
  logger: Logger;
  filter: LocalAttributeFilter | undefined;
}

/** One cycle's plan, the reading of its events, and the commit of what was synced. */
class PlannedCycle implements FeedCycle {
  /** Events read whole and handed to the pipeline, with their manifest timestamp and how many attributes they carried. */
  private readonly processed = new Map<string, { timestamp: number; pushable: number }>();
  private iterated = false;
  private finished = false;
  private committed = false;
  readonly pages: AsyncIterable<SourcePage>;

  constructor(
    private readonly context: CycleContext,
    private readonly record: FeedRecord,
    readonly stats: FeedCycleStats,
    private readonly planned: readonly Planned[],
    private readonly inScope: ReadonlySet<string>,
    readonly eventsListed: ReadonlySet<string>,
    private readonly etag: string | undefined,
    private readonly sinceMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.pages = { [Symbol.asyncIterator]: () => this.read() };
  }

  get eventsInScope(): ReadonlySet<string> {
    return this.inScope;
  }

  get eventsRead(): ReadonlySet<string> {
    return new Set(this.processed.keys());
  }

  async commit(cycleComplete: boolean): Promise<void> {
    if (this.committed) return;
    this.committed = true;
    const { state, locationKey, clock, logger, display } = this.context;
    let held = 0;
    for (const [uuid, { timestamp, pushable }] of this.processed) {
      if (cycleComplete || pushable === 0) this.record.events.set(uuid, timestamp);
      else held++;
    }
    // Bounded: what left the manifest or the window is forgotten; should it come back changed, it is read again.
    for (const uuid of [...this.record.events.keys()]) if (!this.inScope.has(uuid)) this.record.events.delete(uuid);
    const clean = cycleComplete && this.finished && this.stats.eventsFailed === 0 && held === 0;
    // Only a clean cycle may skip the next manifest: otherwise events are still owed.
    this.record.etag = clean ? this.etag : undefined;
    this.record.etagSinceMs = clean && this.etag !== undefined ? this.sinceMs : undefined;
    await state.save(locationKey, clock.now());
    const owed = this.planned.length - (this.processed.size - held);
    if (owed > 0) {
      logger.log(`MISP feed at ${display}: ${this.processed.size - held} events recorded as synced; ${owed} will be read again next cycle.`, 'info');
    }
  }

  private async *read(): AsyncGenerator<SourcePage> {
    if (this.iterated) throw new Error('The pages of a feed cycle can be read only once.');
    this.iterated = true;
    const { transport, concurrency, pageSize, logger, display } = this.context;
    // One controller for the cycle: the caller's abort reaches it, and so does an early end of the iteration.
    const local = new AbortController();
    const relay = (): void => local.abort(this.signal.reason);
    this.signal.addEventListener('abort', relay, { once: true });
    if (this.signal.aborted) relay();
    const inFlight = new Map<number, Promise<{ slot: number; item: Planned; loaded: Loaded }>>();
    let next = 0;
    const fill = (): void => {
      while (next < this.planned.length && inFlight.size < concurrency) {
        const slot = next;
        const item = this.planned[next++] as Planned;
        const task = this.load(item, transport, local.signal).then((loaded) => ({ slot, item, loaded }));
        // Settled later or never read (early end): either way not an unhandled rejection.
        task.catch(() => undefined);
        inFlight.set(slot, task);
      }
    };
    try {
      fill();
      while (inFlight.size > 0) {
        const { slot, item, loaded } = await Promise.race(inFlight.values());
        inFlight.delete(slot);
        if (!loaded.ok) {
          this.stats.eventsFailed++;
          logger.log(`MISP feed at ${display}: event ${item.uuid} was skipped (${loaded.reason}); it will be read again next cycle.`, 'warning');
          fill();
          continue;
        }
        this.stats.eventsFetched++;
        const { attributes } = loaded;
        this.stats.attributesEmitted += attributes.length;
        // Refilled only once this event is consumed: at most `concurrency` parsed events exist at once.
        for (let start = 0; start < attributes.length; start += pageSize) {
          yield { attributes: start === 0 && attributes.length <= pageSize ? attributes : attributes.slice(start, start + pageSize) };
        }
        this.processed.set(item.uuid, { timestamp: item.timestamp, pushable: attributes.length });
        fill();
      }
      this.finished = true;
      logger.log(
        `MISP feed at ${display}: ${this.stats.eventsFetched} events read (${this.stats.bytes} bytes, ${this.stats.attributesEmitted} IDS attributes; ` +
          `${this.stats.attributesNotIds} not for IDS, ${this.stats.attributesDeleted} deleted and ${this.stats.attributesFiltered} filtered out)` +
          (this.stats.eventsFailed > 0 ? `, ${this.stats.eventsFailed} skipped and owed to the next cycle.` : '.'),
        this.stats.eventsFailed > 0 ? 'warning' : 'info',
      );
    } finally {
      this.signal.removeEventListener('abort', relay);
      if (inFlight.size > 0) local.abort(new Error('The feed cycle ended before these events were read.'));
    }
  }

  /** Reads and parses one event. Every failure but an abort becomes a reason; an abort is thrown. */
  private async load(item: Planned, transport: FeedTransport, signal: AbortSignal): Promise<Loaded> {
    const { logger, display } = this.context;
    const outcome = await transport.get(`${item.uuid}.json`, undefined, signal);
    if (outcome.status === 'failed') {
      const { code, description, attempts } = outcome.failure;
      return { ok: false, reason: `${code}: ${description}${attempts > 1 ? `, after ${attempts} attempts` : ''}` };
    }
    if (outcome.status === 'not-modified') return { ok: false, reason: 'the server answered 304 to an unconditional request' };
    this.stats.bytes += outcome.body.length;
    let document: unknown;
    const text = stripBom(outcome.body.toString('utf8'));
    try {
      document = JSON.parse(text);
    } catch {
      return { ok: false, reason: `the file is not JSON (starting "${safeExcerpt(text, 60)}")` };
    }
    const content = readFeedEvent(document, this.context.filter);
    if (content === undefined) return { ok: false, reason: 'the file is JSON but not a MISP event ({"Event": {...}} expected)' };
    if (content.eventUuid !== undefined && content.eventUuid.toLowerCase() !== item.uuid.toLowerCase()) {
      logger.log(`MISP feed at ${display}: the file of event ${item.uuid} holds event ${safeExcerpt(content.eventUuid, 40)}; its attributes are read all the same.`, 'debug');
    }
    this.stats.attributesNotIds += content.notIds;
    this.stats.attributesDeleted += content.deleted;
    this.stats.attributesMalformed += content.malformed;
    this.stats.attributesFiltered += content.filtered;
    for (const attribute of content.attributes) attribute.eventUuid = item.uuid;
    return { ok: true, attributes: content.attributes };
  }
}

async function* emptyPages(): AsyncGenerator<SourcePage> {
  // A manifest that did not change has nothing to read.
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
