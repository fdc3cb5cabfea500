import type { Logger } from '@sekoia/automation-sdk-shim';
import { integer, text, type JsonObject } from '../../misp/loose-fields.js';
import type { EventFeedReport, EventFeedWriter } from './event-feed-writer.js';
import { exportEvent } from './event-export.js';
import { restSearchFilters, selectsEvent, type EventSelection } from './event-selection.js';

/** The part of MISP the export reads (a `MispEventSource`, or a stand-in). */
export interface EventSource {
  listEvents(filters: JsonObject): AsyncIterable<JsonObject>;
  event(uuid: string): Promise<JsonObject | undefined>;
}

export interface MispExportRun {
  source: EventSource;
  writer: EventFeedWriter;
  selection: EventSelection;
  /** Epoch seconds: events published in `[since, until]` are exported. */
  since: number;
  until: number;
  logger: Logger;
}

export interface MispExportReport extends EventFeedReport {
  /** Events MISP listed for the selection. */
  listed: number;
  /** Of those, events left out here (distribution, tags or organisation MISP did not filter). */
  excluded: number;
  /** Attributes written in the events of this run. */
  attributes: number;
  /** Attributes and objects left out of the written events (distribution, deleted, `idsOnly`). */
  attributesLeftOut: number;
  objectsLeftOut: number;
}

/**
 * `--from-misp`: exports the published events of a window as they are, the way PyMISP's feed
 * generator does. Events are listed first (metadata only); those the feed already holds at the
 * same timestamp are not fetched again, the others are fetched one by one and written.
 */
export async function exportMispEvents(run: MispExportRun): Promise<MispExportReport> {
  const { source, writer, selection } = run;
  await writer.open();
  const report = { listed: 0, excluded: 0, attributes: 0, attributesLeftOut: 0, objectsLeftOut: 0 };
  const filters: JsonObject = { ...restSearchFilters(selection), published: 1, publish_timestamp: [run.since, run.until] };
  // MISP's event search has no documented order: a page may repeat an event of another, and then one
  // event may have been missed, so nothing is dropped from the feed on the strength of that listing.
  const seen = new Set<string>();
  let repeated = 0;
  for await (const listed of source.listEvents(filters)) {
    const uuid = text(listed['uuid']);
    if (uuid !== undefined && seen.has(uuid.toLowerCase())) {
      repeated++;
      continue;
    }
    if (uuid !== undefined) seen.add(uuid.toLowerCase());
    report.listed++;
    if (uuid === undefined || !selectsEvent(selection, listed)) {
      report.excluded++;
      continue;
    }
    if (writer.holds(uuid, integer(listed['timestamp']) ?? -1)) continue;
    const full = await source.event(uuid);
    const exported = full !== undefined && selectsEvent(selection, full) ? exportEvent(full, selection) : undefined;
    if (exported === undefined) {
      report.excluded++;
      continue;
    }
    await writer.put(exported.event, exported.counts.attributes);
    report.attributes += exported.counts.attributes;
    report.attributesLeftOut += exported.counts.attributesLeftOut;
    report.objectsLeftOut += exported.counts.objectsLeftOut;
    run.logger.log(`Event ${uuid} written: ${exported.counts.attributes} attributes, ${exported.counts.objects} objects.`, 'debug');
  }
  if (repeated > 0) {
    run.logger.log(`MISP listed ${repeated} events twice across pages, so its listing may have missed others: no event is dropped from the feed in this run.`, 'warning');
  }
  return { ...(await writer.finish({ dropUnlisted: repeated === 0 })), ...report };
}
