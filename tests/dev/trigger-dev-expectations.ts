/**
 * What one cycle of the trigger must make of the demo data, worked out without the module's
 * code: the generated events are read as plain JSON, and each value is judged by the independent
 * rules of `tests/support/indicator-oracle.ts`.
 */
import { generateDemoEvents } from '../../misp_modules/dev/demo-events.js';
import { expectedIndicator } from '../support/indicator-oracle.js';

export { SUPPORTED_TYPES } from '../support/indicator-oracle.js';

interface FeedAttribute {
  type: string;
  value: string;
  to_ids?: boolean | number | string;
  deleted?: boolean | number | string;
  /** Set here, not in the files: the attribute sits in an object marked deleted. */
  inDeletedObject?: boolean;
}

interface FeedEventFile {
  Event: { uuid: string; info: string; Attribute?: FeedAttribute[]; Object?: Array<{ deleted?: boolean | number | string; Attribute?: FeedAttribute[] }> };
}

/** The demo events, as plain JSON, in the order the demo serves them. */
export function demoEventDocuments(): Array<{ document: FeedEventFile }> {
  return generateDemoEvents().map((document) => ({ document: JSON.parse(JSON.stringify(document)) as FeedEventFile }));
}

/** Every attribute of every demo event, event-level and inside objects. */
export function demoFeedAttributes(): FeedAttribute[] {
  const attributes: FeedAttribute[] = [];
  for (const { document } of demoEventDocuments()) {
    const event = document.Event;
    attributes.push(...(event.Attribute ?? []));
    for (const object of event.Object ?? []) {
      const deleted = object.deleted === true || object.deleted === 1 || object.deleted === '1';
      attributes.push(...(object.Attribute ?? []).map((attribute) => (deleted ? { ...attribute, inDeletedObject: true } : attribute)));
    }
  }
  return attributes;
}

export interface DemoExpectation {
  /** IDS-flagged, not deleted: what restSearch with to_ids=1 answers. */
  fetched: number;
  /** IDS attributes per MISP type. */
  idsByType: Map<string, number>;
  unsupported: number;
  invalid: Array<{ type: string; value: string }>;
  /** Valid attributes whose value was already sent in the same cycle. */
  repeats: number;
  /** Distinct values per observable type. */
  byObservable: Map<string, Set<string>>;
  total: number;
}

/** MISP writes its booleans as true, 1 or "1" depending on the producer. */
const flagged = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 'true';

/**
 * What restSearch with `to_ids: 1` answers (the API demo): the attributes whose own flags say
 * IDS and not deleted, event-level and in objects.
 */
function takenByRestSearch(attribute: FeedAttribute): boolean {
  return attribute.to_ids === true && attribute.deleted !== true;
}

/**
 * What a MISP feed reader keeps: it filters itself what restSearch filters on the server, and
 * also drops what sits in a deleted object (the feed carries the object's flag, restSearch hides
 * such objects' attributes) and attributes without a type or a value.
 */
function takenFromFeed(attribute: FeedAttribute): boolean {
  if (typeof attribute.type !== 'string' || attribute.type === '' || attribute.value === undefined || attribute.value === '') return false;
  return flagged(attribute.to_ids) && !flagged(attribute.deleted) && attribute.inDeletedObject !== true;
}

/** The attributes of the demo files a feed reader leaves out, and why. */
export function feedLeftOut(): { notIds: number; deleted: number } {
  let notIds = 0;
  let deleted = 0;
  for (const attribute of demoFeedAttributes()) {
    if (flagged(attribute.deleted) || attribute.inDeletedObject === true) deleted++;
    else if (!flagged(attribute.to_ids)) notIds++;
  }
  return { notIds, deleted };
}

/** The API demo's expectation: restSearch's filters. */
export function expectedFromDemoData(): DemoExpectation {
  return expectedWith(takenByRestSearch);
}

/** The feed demo's expectation: the feed reader's filters, on the same files. */
export function expectedFromDemoFeed(): DemoExpectation {
  return expectedWith(takenFromFeed);
}

function expectedWith(taken: (attribute: FeedAttribute) => boolean): DemoExpectation {
  const expectation: DemoExpectation = { fetched: 0, idsByType: new Map(), unsupported: 0, invalid: [], repeats: 0, byObservable: new Map(), total: 0 };
  for (const attribute of demoFeedAttributes()) {
    if (!taken(attribute)) continue;
    expectation.fetched++;
    expectation.idsByType.set(attribute.type, (expectation.idsByType.get(attribute.type) ?? 0) + 1);
    const indicator = expectedIndicator(attribute.type, attribute.value);
    if (indicator.status === 'unsupported') {
      expectation.unsupported++;
      continue;
    }
    if (indicator.status === 'invalid') {
      expectation.invalid.push({ type: attribute.type, value: attribute.value });
      continue;
    }
    let values = expectation.byObservable.get(indicator.observable);
    if (!values) expectation.byObservable.set(indicator.observable, (values = new Set()));
    if (values.has(indicator.value)) expectation.repeats++;
    else {
      values.add(indicator.value);
      expectation.total++;
    }
  }
  return expectation;
}

/** Parses `Summary: 178 IOCs <where>: 39 ipv4-addr.value, 7 ipv6-addr.value, …`. */
export function parseSummaryLine(output: string, where: string): { total: number; counts: Map<string, number> } | undefined {
  const line = output.split('\n').find((candidate) => candidate.startsWith(`Summary: `) && candidate.includes(` IOCs ${where}`));
  const match = line === undefined ? null : new RegExp(`^Summary: (\\d+) IOCs ${where}(?:: (.*))?\\.?$`).exec(line);
  if (!match) return undefined;
  const counts = new Map<string, number>();
  for (const item of (match[2] ?? '').split(', ').filter(Boolean)) {
    const [count, observable] = item.split(' ');
    counts.set(observable as string, Number(count));
  }
  return { total: Number(match[1]), counts };
}
