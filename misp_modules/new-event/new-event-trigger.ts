import QuickLRU from 'quick-lru';
import { Trigger, type TriggerContext } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration, NewEventTriggerConfiguration } from '../configuration/configuration.generated.js';
import { missingMispKeys, mispApiOf } from '../misp/misp-account-api.js';
import { MispUnexpectedAnswerError } from '../misp/errors/misp-unexpected-answer-error.js';
import type { MispApi } from '../misp/misp-api.js';
import { PublishedEventCursor, publicationKey } from './published-event-cursor.js';
import { recentPart, SENT_ATTRIBUTES_CAPACITY } from './recent-attributes.js';

export const NEW_EVENT_COMMAND = 'trigger';
/** Whole events with their attributes: pages are kept small so that memory stays bounded. */
export const EVENTS_PAGE_SIZE = 50;
const SEARCH_PATH = '/events/restSearch';

type ValidatedConfiguration = Required<NewEventTriggerConfiguration>;

/** `attributes_filter` in seconds: the Python module's configurations hold it as a string of digits. */
function filterSeconds(configuration: ValidatedConfiguration): number {
  return Number(configuration.attributes_filter);
}
type MispEvent = Record<string, unknown>;

/** What one poll did, for its log line. */
interface PollSummary {
  received: number;
  sent: number;
  alreadySent: number;
  nothingNew: number;
}

/**
 * "New Event": every `sleep_time` seconds, asks MISP for the events published since its saved
 * cursor and sends each publication once, as `{event: {Event: ...}}` named after the event's info.
 */
export class NewEventTrigger extends Trigger<MispModuleConfiguration, ValidatedConfiguration> {
  static override heartbeatTimeoutSeconds = 3_600;

  constructor(context: TriggerContext<MispModuleConfiguration, ValidatedConfiguration>) {
    super(context);
  }

  /** The account's MISP keys, which the account schema cannot require (the IDS trigger may read a feed). */
  static checkConfiguration(account: Record<string, unknown>): string[] {
    return missingMispKeys(account, 'to read events from MISP');
  }

  override async run(): Promise<void> {
    const configuration = this.configuration;
    const api = mispApiOf(this.moduleConfiguration, configuration.verify_ssl, 'to read events from MISP');
    const cursor = await PublishedEventCursor.load(this.dataPath, this.nowSeconds(), this, this.stateFileSystem);
    this.log(
      `Starting: events published in MISP at ${api.host} since ${new Date(cursor.publishedSince * 1000).toISOString()}, a poll every ${configuration.sleep_time} s` +
        (filterSeconds(configuration) > 0 ? `, only attributes changed in the last ${filterSeconds(configuration)} s` : ''),
    );
    try {
      await this.pollUntilStopped(api, cursor);
    } finally {
      await cursor.close();
    }
  }

  private async pollUntilStopped(api: MispApi, cursor: PublishedEventCursor): Promise<void> {
    const configuration = this.configuration;
    const sentAttributes = new QuickLRU<string, number>({ maxSize: SENT_ATTRIBUTES_CAPACITY });
    for (let poll = 1; this.running; poll++) {
      const since = cursor.publishedSince;
      try {
        const summary = await this.poll(api, cursor, sentAttributes);
        if (!this.running) break;
        this.log(
          `Poll ${poll}: ${summary.received} events published since ${new Date(since * 1000).toISOString()}, ${summary.sent} sent, ` +
            `${summary.alreadySent} already sent` + (filterSeconds(configuration) > 0 ? `, ${summary.nothingNew} without new attributes` : ''),
          summary.sent > 0 ? 'info' : 'debug',
        );
        // Heartbeat, and /health's count of failed polls in a row back to 0.
        this.cycleSucceeded();
      } catch (error) {
        if (!this.running) break;
        const reason = error instanceof Error ? error.message : String(error);
        this.log(`Poll ${poll} failed, the events not yet sent are tried again at the next poll: ${reason}`, 'error');
        // The runtime counts failed polls in a row: the fifth turns /health to 500 and logs one critical line.
        this.cycleFailed(`poll ${poll}: ${reason}`);
      }
      await this.sleep(configuration.sleep_time);
    }
  }

  /** One poll: every page of the search, each publication not yet sent sent and saved as sent. */
  private async poll(api: MispApi, cursor: PublishedEventCursor, sentAttributes: QuickLRU<string, number>): Promise<PollSummary> {
    const windowSeconds = filterSeconds(this.configuration);
    const summary: PollSummary = { received: 0, sent: 0, alreadySent: 0, nothingNew: 0 };
    // A publish time ahead of the clock (an event synchronised from an instance whose clock runs
    // fast) must not carry the cursor past events published here in the meantime.
    const startedAt = this.nowSeconds();
    let latestPublished = cursor.publishedSince;
    for (let page = 1; this.running; page++) {
      const events = await this.searchPage(api, cursor.publishedSince, page);
      summary.received += events.length;
      for (const event of events) {
        if (!this.running) return summary;
        const publishedAt = Number(event.publish_timestamp);
        if (typeof event.uuid !== 'string' || !Number.isFinite(publishedAt)) {
          this.log(`Event ${String(event.id)} of MISP has no uuid or publish_timestamp: skipped`, 'warning');
          continue;
        }
        latestPublished = Math.max(latestPublished, publishedAt);
        const key = publicationKey(event.uuid, publishedAt);
        if (cursor.wasSent(key)) {
          summary.alreadySent += 1;
          continue;
        }
        const part = windowSeconds > 0 ? recentPart(event, this.nowSeconds(), windowSeconds, sentAttributes) : { event, sentVersions: [] };
        if (part === undefined) {
          summary.nothingNew += 1;
        } else {
          await this.sendEvent(String(event.info ?? event.uuid), { event: { Event: part.event } });
          for (const [uuid, timestamp] of part.sentVersions) sentAttributes.set(uuid, timestamp);
          summary.sent += 1;
        }
        await cursor.markSent(key);
      }
      this.heartbeat();
      if (events.length < EVENTS_PAGE_SIZE) {
        await cursor.advance(Math.min(latestPublished, startedAt));
        break;
      }
    }
    return summary;
  }

  /** One page of published events (the client reads an old MISP's 404 "No matches" as none). */
  private async searchPage(api: MispApi, since: number, page: number): Promise<MispEvent[]> {
    const answer = await api.post(SEARCH_PATH, { returnFormat: 'json', published: 1, publish_timestamp: since, page, limit: EVENTS_PAGE_SIZE }, this.signal);
    return eventsOf(answer, api.host);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }
}

/** The events of an events/restSearch answer (`{response: [{Event: {...}}]}`); rows without an Event are dropped. */
function eventsOf(answer: unknown, host: string): MispEvent[] {
  const response = (answer as { response?: unknown } | null)?.response;
  if (!Array.isArray(response)) {
    throw new MispUnexpectedAnswerError(host, `POST ${SEARCH_PATH}`, 'JSON without a "response" list', 'a list of events');
  }
  return response
    .map((row) => (row as { Event?: unknown } | null)?.Event)
    .filter((event): event is MispEvent => typeof event === 'object' && event !== null && !Array.isArray(event));
}
