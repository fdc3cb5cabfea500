/**
 * The generated demo events as a real MISP feed: a directory holding one file per event,
 * named `<event uuid>.json`, with the manifest.json and hashes.csv that MISP's feed generator
 * would write for them; and a loopback server that serves it as feeds are served (ETag, 304,
 * a required Authorization header).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventOf, readFeedEvent } from '../feed/feed-event.js';
import { eventHashLines, type HashedAttribute } from '../feed/feed-hashes.js';
import { startLoopbackServer, type Exchange, type LoopbackServer } from './loopback-http.js';
import { DEMO_EDITED_EVENT_INFO, DEMO_SEED, demoEventFile, generateDemoEvents } from './demo-events.js';

/** A manifest entry, as PyMISP's `MISPEvent.manifest` writes it. */
export interface ManifestEntryJson {
  Orgc: { name: string; uuid: string };
  Tag: Array<{ colour: string; name: string }>;
  info: string;
  date: string;
  analysis: number;
  threat_level_id: number;
  timestamp: number;
}

/** One event of the demo feed. */
export interface DemoFeedEvent {
  uuid: string;
  info: string;
  /** Attributes of the event, event-level and in objects. */
  attributes: number;
  /** Of those, flagged for IDS and not deleted. */
  idsAttributes: number;
}

export interface DemoFeed {
  directory: string;
  events: DemoFeedEvent[];
  /** The manifest as written, by event uuid. */
  manifest: Record<string, ManifestEntryJson>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/**
 * The manifest entry of an event, as PyMISP's feed generator writes it: creator organisation,
 * exportable tags (name and colour), info, date, analysis, threat level and `timestamp`, the last
 * change that readers compare with what they synced. `timestamp` is given: the demo marks its
 * events changed recently, as the API demo marks them published recently.
 */
export function manifestEntry(event: Json, timestamp: number): ManifestEntryJson {
  const orgc = isObject(event['Orgc']) ? event['Orgc'] : {};
  const tags = Array.isArray(event['Tag']) ? event['Tag'].filter(isObject) : [];
  return {
    Orgc: { name: text(orgc['name']), uuid: text(orgc['uuid']) },
    // PyMISP leaves out the tags marked not exportable.
    Tag: tags.filter((tag) => tag['exportable'] !== false && typeof tag['name'] === 'string').map((tag) => ({ colour: text(tag['colour']) || '#ffffff', name: text(tag['name']) })),
    info: text(event['info']),
    date: text(event['date']),
    analysis: Number(text(event['analysis']) || 0),
    threat_level_id: Number(text(event['threat_level_id']) || 4),
    timestamp,
  };
}

/** Every attribute of an event, event-level first, then each object's, as hashes.csv lists them. */
function allAttributes(event: Json): HashedAttribute[] {
  const attributes: HashedAttribute[] = [];
  const collect = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const attribute of list) {
      if (isObject(attribute) && text(attribute['type']) !== '' && text(attribute['value']) !== '') {
        attributes.push({ type: text(attribute['type']), value: text(attribute['value']) });
      }
    }
  };
  collect(event['Attribute']);
  if (Array.isArray(event['Object'])) for (const object of event['Object']) if (isObject(object)) collect(object['Attribute']);
  return attributes;
}

// Plain synchronous writes: the demo server reads with readFileSync on the same thread, and the
// analyst edits between cycles, so no reader ever meets a file half written.
function writeIndex(feed: DemoFeed): void {
  const hashes: string[] = [];
  for (const event of feed.events) {
    const document = JSON.parse(readFileSync(path.join(feed.directory, `${event.uuid}.json`), 'utf8')) as unknown;
    hashes.push(...eventHashLines(event.uuid, allAttributes(eventOf(document) ?? {})));
  }
  writeFileSync(path.join(feed.directory, 'hashes.csv'), hashes.length === 0 ? '' : `${hashes.join('\n')}\n`);
  // The manifest last: a reader never meets a manifest that names a file not yet written.
  writeFileSync(path.join(feed.directory, 'manifest.json'), JSON.stringify(feed.manifest));
}

/**
 * Writes the demo feed into `directory` (created if missing): each event generated from `seed`
 * as `<uuid>.json`, then hashes.csv and manifest.json, every event's manifest `timestamp` set to
 * `changedAt` (epoch seconds).
 */
export function buildDemoFeed(directory: string, options: { changedAt: number; seed?: number }): DemoFeed {
  mkdirSync(directory, { recursive: true });
  const feed: DemoFeed = { directory, events: [], manifest: {} };
  for (const document of generateDemoEvents(options.seed ?? DEMO_SEED)) {
    const event = document.Event;
    writeFileSync(path.join(directory, `${event.uuid}.json`), demoEventFile(document));
    feed.events.push({
      uuid: event.uuid,
      info: event.info,
      attributes: allAttributes(event).length,
      idsAttributes: readFeedEvent(document)?.attributes.length ?? 0,
    });
    feed.manifest[event.uuid] = manifestEntry(event, options.changedAt);
  }
  writeIndex(feed);
  return feed;
}

/**
 * Takes an event out of the feed as a producer does: its manifest entry and its file go, and
 * hashes.csv and manifest.json are written again. Feeds keep no record of removed events: a reader
 * only sees that the manifest no longer lists it.
 */
export function removeDemoFeedEvent(feed: DemoFeed, uuid: string): void {
  const index = feed.events.findIndex((event) => event.uuid === uuid);
  if (index === -1) throw new RangeError(`The demo feed has no event ${uuid}.`);
  feed.events.splice(index, 1);
  delete feed.manifest[uuid];
  writeIndex(feed);
  rmSync(path.join(feed.directory, `${uuid}.json`), { force: true });
}

/** Changes events' manifest timestamps (epoch seconds) and writes the manifest again, the event files as they are. */
export function setDemoFeedTimestamps(feed: DemoFeed, timestamps: Record<string, number>): void {
  for (const [uuid, timestamp] of Object.entries(timestamps)) {
    const entry = feed.manifest[uuid];
    if (entry === undefined) throw new RangeError(`The demo feed has no event ${uuid}.`);
    entry.timestamp = timestamp;
  }
  writeIndex(feed);
}

/**
 * An analyst at work on the demo feed: after every second cycle, a domain in an object of the
 * event of refusals is changed and the event saved with a new timestamp, in its file and in the manifest. The next
 * cycle then reads that one event and pushes the one new value; in between, the unchanged manifest
 * answers 304. Returns what it did, or undefined when it left the feed alone.
 */
export function demoFeedAnalyst(feed: DemoFeed, now: () => number = () => Date.now()): (cycle: number) => string | undefined {
  const event = feed.events.find((candidate) => candidate.info.startsWith(DEMO_EDITED_EVENT_INFO));
  if (event === undefined) return () => undefined;
  const file = path.join(feed.directory, `${event.uuid}.json`);
  const document = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const content = eventOf(document) as Json;
  const objects = Array.isArray(content['Object']) ? content['Object'].filter(isObject) : [];
  const target = objects
    .flatMap((object) => (Array.isArray(object['Attribute']) ? object['Attribute'].filter(isObject) : []))
    .find((attribute) => attribute['type'] === 'domain' && attribute['to_ids'] === true && attribute['deleted'] !== true);
  if (target === undefined) return () => undefined;
  const [label, ...parent] = text(target['value']).split('.');
  return (cycle) => {
    if (cycle % 2 === 1) return undefined;
    const at = Math.floor(now() / 1000);
    const value = `${label}-${cycle}.${parent.join('.')}`;
    target['value'] = value;
    target['timestamp'] = String(at);
    content['timestamp'] = String(at);
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    (feed.manifest[event.uuid] as ManifestEntryJson).timestamp = at;
    writeIndex(feed);
    return `demo MISP feed: an analyst changed a domain of "${event.info.slice(0, 40)}…" to ${value}; the event and the manifest carry the new timestamp.`;
  };
}

export interface DemoFeedServerOptions {
  /** The feed directory served (read at each request, so that changes show at once). */
  directory: string;
  /** The exact `Authorization` header value required, e.g. `Bearer <token>`. */
  authorization: string;
  port?: number;
}

export interface DemoFeedServer extends LoopbackServer {
  /** The feed's base URL, as a `feed_location`: `http://127.0.0.1:<port>/misp-feed`. */
  feedUrl: string;
}

/** Where the feed lives on the server: real feeds sit under a path, and the reader must keep it. */
const BASE_PATH = '/misp-feed';
const FEED_FILE = /^(?:manifest\.json|hashes\.csv|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.json)$/;
const NOT_FOUND = '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>';

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Does an If-None-Match header name this ETag? (a list, weak forms and `*` included) */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function serve(options: DemoFeedServerOptions, exchange: Exchange): void {
  const { req, record } = exchange;
  if (record.method !== 'GET' && record.method !== 'HEAD') {
    exchange.send(405, { message: 'A MISP feed is read with GET.' }, { Allow: 'GET, HEAD' });
    return;
  }
  if (!sameSecret(req.headers.authorization, options.authorization)) {
    exchange.send(401, { message: 'This feed requires an Authorization header.' }, { 'WWW-Authenticate': 'Bearer realm="MISP feed"' });
    return;
  }
  const name = record.path.startsWith(`${BASE_PATH}/`) ? record.path.slice(BASE_PATH.length + 1) : '';
  // Only the feed's own file names: nothing else of the disk can be asked for.
  if (!FEED_FILE.test(name)) {
    exchange.send(404, NOT_FOUND, { 'Content-Type': 'text/html' });
    return;
  }
  let body: Buffer;
  try {
    body = readFileSync(path.join(options.directory, name));
  } catch {
    exchange.send(404, NOT_FOUND, { 'Content-Type': 'text/html' });
    return;
  }
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`;
  const headers = { ETag: etag, 'Cache-Control': 'no-cache' };
  if (matches(req.headers['if-none-match'], etag)) {
    exchange.send(304, undefined, headers);
    return;
  }
  const type = name.endsWith('.csv') ? 'text/csv; charset=UTF-8' : 'application/json; charset=UTF-8';
  if (record.method === 'HEAD') {
    record.status = 200;
    exchange.res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(body.length) });
    exchange.res.end();
    return;
  }
  exchange.send(200, body.toString('utf8'), { ...headers, 'Content-Type': type });
}

/**
 * Serves a feed directory on 127.0.0.1 under `/misp-feed/` as MISP feeds are served: strong ETags
 * and 304 on If-None-Match, 404 for any other name, and 401 without the required Authorization.
 */
export async function startDemoFeedServer(options: DemoFeedServerOptions): Promise<DemoFeedServer> {
  const server = await startLoopbackServer((exchange) => serve(options, exchange), options.port);
  return Object.assign(server, { feedUrl: `${server.url}${BASE_PATH}` });
}
