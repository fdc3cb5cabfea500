/**
 * A loopback MISP that answers `POST /attributes/restSearch` the way MISP 2.4.196+ / 2.5 does (or an
 * older one, see `version`), `GET /servers/getVersion`, and its warninglists (`/warninglists/index`,
 * `/warninglists/view/<id>`, see demo-warninglists.ts):
 * MISP's error bodies, filters, 1-based paging, `order`, streamed JSON, the result headers, and
 * warninglist post-filtering that shortens pages after they are cut. Its decaying models and
 * sightings (`decayingModel/index`, `sightings/restSearch`, restSearch's `includeDecayScore`) are
 * those of demo-decay.ts.
 */
import { isAtLeast, parseMispVersion, SKIPPED_COUNT_SINCE } from '../misp/misp-version.js';
import { DecayFilterError, decayRequest, decayScoreOf, DemoDecay, isExcluded, recordScored, sightingsAnswer, type DecayRequest } from './demo-decay.js';
import { warninglistIndexAnswer, warninglistRowFilter, warninglistViewAnswer, type DemoWarninglist } from './demo-warninglists.js';
import { deleteAttribute, type DemoAttribute, type MispAttributeRow } from './misp-events.js';
import { startLoopbackServer, type Exchange, type LoopbackServer } from './loopback-http.js';

/**
 * A read-only, index-addressed set of rows, for data sets too large to hold as objects
 * (e.g. a million synthetic rows). Rows must come in ascending `id` order. An array of
 * DemoAttribute is also a source.
 */
export interface AttributeSource {
  readonly length: number;
  at(index: number): DemoAttribute | undefined;
}

/**
 * A row whose JSON the source already holds, as UTF-8 and exactly as `JSON.stringify(row)` writes
 * it: serving it is a copy, so that a benchmark measures the client and not this server.
 */
export interface RenderedAttribute extends DemoAttribute {
  json: Buffer;
}

/** Stands in for MISP's warninglists: rows it matches are dropped after the page is cut. */
export interface WarninglistSimulation {
  matches(row: MispAttributeRow): boolean;
  /** Apply even when the request does not ask for `enforceWarninglist`. */
  always?: boolean;
}

export interface DemoMispServerOptions {
  /** The only key accepted in the `Authorization` header. */
  apiKey: string;
  attributes: DemoAttribute[] | AttributeSource;
  port?: number;
  /** Time for relative filters (`1d`, `12h`); milliseconds since the epoch. */
  clock?: { now(): number };
  warninglist?: WarninglistSimulation;
  /**
   * The warninglists served at `/warninglists/…`; enabled ones are enforced as MISP would when no
   * `warninglist` simulation is given (demoWarninglists() gives a small set).
   */
  warninglists?: DemoWarninglist[];
  /** MISP's `Security.sanitise_attribute_on_delete`: see deleteAttribute. */
  sanitiseOnDelete?: boolean;
  /**
   * The version `/servers/getVersion` answers, 2.4.196 by default. Before 2.4.196, pages shortened
   * by warninglists carry no X-Skipped-Elements-Count; before 2.4.195, no X-Result-Count.
   */
  version?: string;
  /** Decaying models and sightings: demo-decay.ts's models and no sighting unless given. */
  decay?: DemoDecay;
}

export interface DemoMispServer extends LoopbackServer {
  /** The data served; replace it or change rows between cycles. */
  attributes: DemoAttribute[] | AttributeSource;
  warninglist: WarninglistSimulation | undefined;
  warninglists: DemoWarninglist[];
  sanitiseOnDelete: boolean;
  version: string;
  /** The decaying models and the sightings served; add sightings while the server runs. */
  decay: DemoDecay;
  /** Soft-deletes one of the rows served at `at` (epoch seconds), sanitising it when the instance does. */
  deleteAttribute(attribute: DemoAttribute, at: number): void;
}

const AUTH_FAILED =
  'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.';
const INVALID_JSON =
  'Invalid JSON input. Make sure that the JSON input is a correctly formatted JSON string. This request has been blocked to avoid an unfiltered request.';
const GET_WITHOUT_FILTERS =
  'Restsearch queries using GET and no parameters are not allowed. If you have passed parameters via a JSON body, make sure you use POST requests.';
const RESTSEARCH_PATH = '/attributes/restSearch';
const VERSION_PATH = '/servers/getVersion';
const DECAYING_MODELS_PATH = '/decayingModel/index';
const SIGHTINGS_PATH = '/sightings/restSearch';
const DEFAULT_VERSION = '2.4.196';
/** X-Result-Count as the page's own count plus one when full: 2.4.195 on. */
const RESULT_COUNT_PLUS_ONE_SINCE = [2, 4, 195];


/** Rows are written in chunks of about this size, so that no page is ever one giant string. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Thrown while reading restSearch filters when one cannot be understood (a time that is neither
 * seconds nor `<n>d|h|m|s`, a page that is not a number, an order on an unknown field). The demo
 * server answers it with 400, naming the filter, so that a malformed request fails loudly.
 */
export class RestSearchFilterError extends Error {
  /** 400, or 404 for an unknown returnFormat, as MISP answers it. */
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message);
    this.name = 'RestSearchFilterError';
    this.status = status;
  }
}

function mispError(exchange: Exchange, status: number, message: string): void {
  exchange.send(status, { name: message, message, url: exchange.record.path });
}

type Predicate = (attribute: DemoAttribute) => boolean;

const UNITS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/** Epoch seconds, or a relative time (`7d`, `12h`, `30m`, `10s`) counted back from `now`. */
function resolveTime(name: string, value: unknown, now: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    const relative = /^(\d+)([dhms])$/.exec(value);
    if (relative) return now - Number(relative[1]) * (UNITS[relative[2] as string] as number);
  }
  throw new RestSearchFilterError(`Filter ${name}: ${JSON.stringify(value)} is neither Unix seconds nor a relative time such as 1d, 12h or 30m.`);
}

/** A single time is a lower bound; `[from, to]` is an inclusive range. */
function timeRange(name: string, value: unknown, now: number): [number, number] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 2) throw new RestSearchFilterError(`Filter ${name}: a range must have two items, [from, to].`);
    return [resolveTime(name, value[0], now), resolveTime(name, value[1], now)];
  }
  return [resolveTime(name, value, now), Number.POSITIVE_INFINITY];
}

/** `1`, `"1"`, `true` → true; `0`, `"0"`, `false` → false; a list of both, or nothing → no filter. */
function booleanFilter(name: string, value: unknown): boolean | undefined {
  const one = (item: unknown): boolean => {
    if (item === true || item === 1 || item === '1' || item === 'true') return true;
    if (item === false || item === 0 || item === '0' || item === 'false') return false;
    throw new RestSearchFilterError(`Filter ${name}: ${JSON.stringify(item)} is not 0, 1, true or false.`);
  };
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) {
    const values = new Set(value.map(one));
    return values.size === 1 ? [...values][0] : undefined;
  }
  return one(value);
}

/** MISP's list filters: a value, a list (OR), `!value` (NOT), or `{"OR": [], "NOT": [], "AND": []}`. */
function listFilter(name: string, value: unknown): ((candidate: string) => boolean) | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const strings = (items: unknown): string[] => {
    const list = Array.isArray(items) ? items : [items];
    return list.map((item) => {
      if (typeof item === 'string' || typeof item === 'number') return String(item);
      throw new RestSearchFilterError(`Filter ${name}: ${JSON.stringify(item)} is not a string.`);
    });
  };
  let or: string[] = [];
  let not: string[] = [];
  let and: string[] = [];
  if (typeof value === 'object' && !Array.isArray(value)) {
    const operators = value as Record<string, unknown>;
    or = operators.OR === undefined ? [] : strings(operators.OR);
    not = operators.NOT === undefined ? [] : strings(operators.NOT);
    and = operators.AND === undefined ? [] : strings(operators.AND);
  } else {
    for (const item of strings(value)) {
      if (item.startsWith('!')) not.push(item.slice(1));
      else or.push(item);
    }
  }
  return (candidate) =>
    (or.length === 0 || or.includes(candidate)) && !not.includes(candidate) && and.every((item) => item === candidate);
}

function positiveInteger(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
    throw new RestSearchFilterError(`Filter ${name}: ${JSON.stringify(value)} is not a whole number.`);
  }
  return number === 0 ? undefined : number;
}

type SortKey = (attribute: DemoAttribute) => number | string;

const ORDER_FIELDS: Record<string, SortKey> = {
  'Attribute.id': (a) => Number(a.row.id),
  'Attribute.event_id': (a) => Number(a.row.event_id),
  'Attribute.object_id': (a) => Number(a.row.object_id),
  'Attribute.timestamp': (a) => Number(a.row.timestamp),
  'Attribute.distribution': (a) => Number(a.row.distribution),
  'Attribute.type': (a) => a.row.type,
  'Attribute.category': (a) => a.row.category,
  'Attribute.value': (a) => a.row.value,
  'Attribute.object_relation': (a) => a.row.object_relation ?? '',
  'Event.publish_timestamp': (a) => a.event.publishTimestamp,
};

interface Order {
  field: string;
  descending: boolean;
}

function parseOrder(value: unknown): Order | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const match = typeof value === 'string' ? /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(value) : null;
  if (!match || !ORDER_FIELDS[match[1] as string]) {
    throw new RestSearchFilterError(
      `Filter order: ${JSON.stringify(value)} is not "<field> [asc|desc]" with a field among ${Object.keys(ORDER_FIELDS).join(', ')}.`,
    );
  }
  return { field: match[1] as string, descending: (match[2] ?? 'asc').toLowerCase() === 'desc' };
}

function comparator(order: Order): (a: DemoAttribute, b: DemoAttribute) => number {
  const key = ORDER_FIELDS[order.field] as SortKey;
  const sign = order.descending ? -1 : 1;
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    const primary = x < y ? -1 : x > y ? 1 : 0;
    // Ties keep a stable, id-based order so that pages never overlap.
    return primary !== 0 ? sign * primary : Number(a.row.id) - Number(b.row.id);
  };
}

interface Query {
  predicate: Predicate;
  page: number;
  limit: number | undefined;
  order: Order | undefined;
  enforceWarninglist: boolean;
}

function compileQuery(filters: Record<string, unknown>, now: number): Query {
  const returnFormat = filters.returnFormat ?? 'json';
  if (returnFormat !== 'json') throw new RestSearchFilterError('Invalid output format.', 404);

  const checks: Predicate[] = [];
  const toIds = booleanFilter('to_ids', filters.to_ids);
  if (toIds !== undefined) checks.push((a) => a.row.to_ids === toIds);
  const published = booleanFilter('published', filters.published);
  if (published !== undefined) checks.push((a) => a.event.published === published);
  // Soft-deleted attributes stay hidden unless asked for.
  const deleted = filters.deleted === undefined ? false : booleanFilter('deleted', filters.deleted);
  if (deleted !== undefined) checks.push((a) => a.row.deleted === deleted);

  const timeFilters: Array<[string, (a: DemoAttribute) => number]> = [
    ['timestamp', (a) => Number(a.row.timestamp)],
    ['attribute_timestamp', (a) => Number(a.row.timestamp)],
    ['publish_timestamp', (a) => a.event.publishTimestamp],
    ['last', (a) => a.event.publishTimestamp],
    ['event_timestamp', (a) => a.event.timestamp],
  ];
  for (const [name, read] of timeFilters) {
    const range = timeRange(name, filters[name], now);
    if (range) checks.push((a) => read(a) >= range[0] && read(a) <= range[1]);
  }

  const lists: Array<[string, (a: DemoAttribute) => string]> = [
    ['type', (a) => a.row.type],
    ['category', (a) => a.row.category],
    ['uuid', (a) => a.row.uuid],
    ['eventid', (a) => a.row.event_id],
    ['value', (a) => a.row.value],
  ];
  for (const [name, read] of lists) {
    const match = listFilter(name, filters[name]);
    if (match) checks.push((a) => match(read(a)));
  }

  const limit = positiveInteger('limit', filters.limit);
  return {
    predicate: (a) => checks.every((check) => check(a)),
    // `limit` without `page` is page 1; `page` without `limit` does not page.
    page: positiveInteger('page', filters.page) ?? 1,
    limit,
    order: parseOrder(filters.order),
    enforceWarninglist: booleanFilter('enforceWarninglist', filters.enforceWarninglist) === true,
  };
}

/** Remembers where each page of a sequential read of a large source starts, so paging stays linear. */
class PageCursors {
  private key = '';
  private starts = new Map<number, number>();

  startOf(key: string, page: number): number | undefined {
    if (key !== this.key) {
      this.key = key;
      this.starts = new Map([[1, 0]]);
    }
    return this.starts.get(page);
  }

  remember(page: number, index: number): void {
    this.starts.set(page, index);
  }
}

/** Selects the database page: filter, order, then cut by page and limit. */
function selectPage(source: DemoAttribute[] | AttributeSource, query: Query, cursorKey: string, cursors: PageCursors): DemoAttribute[] {
  const { limit, page, order } = query;
  const offset = limit === undefined ? 0 : limit * (page - 1);
  const natural = !Array.isArray(source) && (order === undefined || (order.field === 'Attribute.id' && !order.descending));

  if (natural && limit !== undefined) {
    // A large read-only source: scan once from where the previous page ended.
    const known = cursors.startOf(cursorKey, page);
    let index = known ?? 0;
    let toSkip = known === undefined ? offset : 0;
    const window: DemoAttribute[] = [];
    for (; index < source.length && window.length < limit; index++) {
      const attribute = source.at(index);
      if (!attribute || !query.predicate(attribute)) continue;
      if (toSkip > 0) toSkip--;
      else window.push(attribute);
    }
    cursors.remember(page + 1, index);
    return window;
  }

  const matched: DemoAttribute[] = [];
  for (let index = 0; index < source.length; index++) {
    const attribute = source.at(index);
    if (attribute && query.predicate(attribute)) matched.push(attribute);
  }
  if (order) matched.sort(comparator(order));
  return limit === undefined ? matched : matched.slice(offset, offset + limit);
}

/**
 * Rows whose JSON the source holds ready are copied as bytes; the others are serialised here.
 * `extra`, when given, is JSON members (`"name":value`) written at the end of a row (none: undefined).
 */
async function streamRows(exchange: Exchange, rows: DemoAttribute[], extra?: (attribute: DemoAttribute) => string | undefined): Promise<void> {
  let buffer = '{"response": {"Attribute": [';
  let rendered: Buffer[] = [];
  let renderedBytes = 0;
  const flushRendered = (): void => {
    if (rendered.length === 0) return;
    // Whole rows only, so no character is ever cut in two.
    buffer += Buffer.concat(rendered, renderedBytes).toString('utf8');
    rendered = [];
    renderedBytes = 0;
  };
  for (let index = 0; index < rows.length; index++) {
    if (exchange.signal.aborted || exchange.res.destroyed) return;
    const attribute = rows[index] as DemoAttribute | RenderedAttribute;
    if (index > 0) {
      if (rendered.length > 0) {
        rendered.push(COMMA);
        renderedBytes += 1;
      } else buffer += ',';
    }
    const members = extra?.(attribute);
    if (members !== undefined) {
      flushRendered();
      const json = 'json' in attribute ? attribute.json.toString('utf8') : JSON.stringify(attribute.row);
      buffer += `${json.slice(0, json.lastIndexOf('}'))},${members}}`;
    } else if ('json' in attribute) {
      rendered.push(attribute.json);
      renderedBytes += attribute.json.length;
    } else {
      flushRendered();
      buffer += JSON.stringify(attribute.row);
    }
    if (buffer.length + renderedBytes >= CHUNK_CHARS) {
      flushRendered();
      await exchange.write(buffer);
      buffer = '';
    }
  }
  flushRendered();
  await exchange.write(`${buffer}]}}\n`);
  exchange.end();
}

const COMMA = Buffer.from(',');

/** Starts the demo MISP on 127.0.0.1 (port 0 unless given). */
export async function startDemoMispServer(options: DemoMispServerOptions): Promise<DemoMispServer> {
  const clock = options.clock ?? { now: () => Date.now() };
  const cursors = new WeakMap<object, PageCursors>();
  let server: DemoMispServer | undefined;

  const handle = async (exchange: Exchange): Promise<void> => {
    const { record } = exchange;
    const live = server as DemoMispServer;
    if (record.path === VERSION_PATH) {
      if (record.headers.authorization !== options.apiKey) mispError(exchange, 403, AUTH_FAILED);
      else exchange.send(200, { version: live.version, pymisp_recommended_version: live.version, perm_sync: false, perm_sighting: false, perm_galaxy_editor: false });
      return;
    }
    if (record.path.startsWith('/warninglists/')) {
      if (record.headers.authorization !== options.apiKey) return mispError(exchange, 403, AUTH_FAILED);
      const index = warninglistIndexAnswer(record.path, live.warninglists, live.version);
      const view = index === undefined ? warninglistViewAnswer(record.path, live.warninglists) : undefined;
      if (index !== undefined) exchange.send(200, index);
      else if (view !== undefined && view !== null) exchange.send(200, view);
      else mispError(exchange, 404, view === null ? 'Warninglist not found.' : 'Not Found');
      return;
    }
    if (record.path === DECAYING_MODELS_PATH || record.path === SIGHTINGS_PATH) {
      answerDecay(exchange, live, options.apiKey, Math.floor(clock.now() / 1000));
      return;
    }
    if (!record.path.startsWith('/attributes/')) {
      mispError(exchange, 404, 'Not Found');
      return;
    }
    if (record.headers.authorization !== options.apiKey) {
      mispError(exchange, 403, AUTH_FAILED);
      return;
    }
    if (record.path !== RESTSEARCH_PATH && record.path !== `${RESTSEARCH_PATH}/json`) {
      mispError(exchange, 404, 'Not Found');
      return;
    }
    if (record.method === 'GET') {
      mispError(exchange, 400, GET_WITHOUT_FILTERS);
      return;
    }
    if (record.method !== 'POST') {
      mispError(exchange, 405, 'Method Not Allowed');
      return;
    }
    let filters: Record<string, unknown> = {};
    if (record.rawBody.trim() !== '') {
      const body = record.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        mispError(exchange, 405, INVALID_JSON);
        return;
      }
      const wrapped = (body as Record<string, unknown>).request;
      filters = typeof wrapped === 'object' && wrapped !== null ? (wrapped as Record<string, unknown>) : (body as Record<string, unknown>);
    }

    let query: Query;
    let decay: DecayRequest | undefined;
    try {
      query = compileQuery(filters, Math.floor(clock.now() / 1000));
      decay = decayRequest(filters, live.decay, Math.floor(clock.now() / 1000));
    } catch (error) {
      if (!(error instanceof RestSearchFilterError) && !(error instanceof DecayFilterError)) throw error;
      mispError(exchange, error instanceof RestSearchFilterError ? error.status : 400, error.message);
      return;
    }

    const { page: _page, ...rest } = filters;
    const source = live.attributes;
    let sourceCursors = cursors.get(source);
    if (!sourceCursors) {
      sourceCursors = new PageCursors();
      cursors.set(source, sourceCursors);
    }
    const window = selectPage(source, query, JSON.stringify(rest), sourceCursors);
    const warninglist: WarninglistSimulation | undefined = live.warninglist ?? (live.warninglists.length > 0 ? warninglistRowFilter(live.warninglists) : undefined);
    const applyWarninglist = warninglist !== undefined && (warninglist.always === true || query.enforceWarninglist);
    const listed = applyWarninglist ? window.filter((attribute) => !warninglist.matches(attribute.row)) : window;
    const scores = decay === undefined ? undefined : scoreRows(listed, decay, live.decay);
    const rows = scores === undefined ? listed : listed.filter((attribute) => scores.has(attribute));
    const skipped = window.length - rows.length;

    // MISP 2.4.195+: the page's own count, plus one when a limited page was full (or empty).
    const full = query.limit !== undefined && (window.length === query.limit || rows.length === 0);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=UTF-8',
      'X-Export-Module-Used': 'json',
      'X-Response-Format': 'json',
    };
    const version = parseMispVersion(live.version) ?? SKIPPED_COUNT_SINCE;
    if (isAtLeast(version, RESULT_COUNT_PLUS_ONE_SINCE)) headers['X-Result-Count'] = String(rows.length + (full ? 1 : 0));
    if (skipped > 0 && isAtLeast(version, SKIPPED_COUNT_SINCE)) headers['X-Skipped-Elements-Count'] = String(skipped);
    exchange.begin(200, headers);
    await streamRows(exchange, rows, scores === undefined ? undefined : (attribute) => (attribute.row.decay_score === undefined ? `"decay_score":${JSON.stringify(scores.get(attribute))}` : undefined));
  };

  const base = await startLoopbackServer(handle, options.port ?? 0);
  server = Object.assign(base, {
    attributes: options.attributes,
    warninglist: options.warninglist,
    warninglists: options.warninglists ?? [],
    sanitiseOnDelete: options.sanitiseOnDelete ?? false,
    version: options.version ?? DEFAULT_VERSION,
    decay: options.decay ?? new DemoDecay(),
    deleteAttribute(attribute: DemoAttribute, at: number): void {
      deleteAttribute(attribute, at, { sanitise: (server as DemoMispServer).sanitiseOnDelete });
    },
  });
  return server;
}

/**
 * The decay scores of a page's rows, MISP's `excludeDecayed` applied after the page was cut (as
 * warninglists are): the rows kept, each with its `decay_score`.
 */
function scoreRows(rows: readonly DemoAttribute[], request: DecayRequest, decay: DemoDecay): Map<DemoAttribute, Record<string, unknown>[]> {
  const scored = new Map<DemoAttribute, Record<string, unknown>[]>();
  for (const attribute of rows) {
    const scores = decayScoreOf(attribute.row, request);
    recordScored(decay, attribute.row, scores);
    if (!(request.excludeDecayed && isExcluded(scores))) scored.set(attribute, scores);
  }
  return scored;
}

/** `decayingModel/index` (GET or POST) and `sightings/restSearch` (POST), behind the same key as the rest. */
function answerDecay(exchange: Exchange, server: DemoMispServer, apiKey: string, now: number): void {
  const { record } = exchange;
  if (record.headers.authorization !== apiKey) {
    mispError(exchange, 403, AUTH_FAILED);
    return;
  }
  if (record.path === DECAYING_MODELS_PATH) {
    if (record.method !== 'GET' && record.method !== 'POST') mispError(exchange, 405, 'Method Not Allowed');
    else exchange.send(200, server.decay.models);
    return;
  }
  if (record.method !== 'POST') {
    mispError(exchange, record.method === 'GET' ? 400 : 405, record.method === 'GET' ? GET_WITHOUT_FILTERS : 'Method Not Allowed');
    return;
  }
  const body = record.rawBody.trim() === '' ? {} : record.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    mispError(exchange, 405, INVALID_JSON);
    return;
  }
  const wrapped = (body as Record<string, unknown>).request;
  const filters = typeof wrapped === 'object' && wrapped !== null ? (wrapped as Record<string, unknown>) : (body as Record<string, unknown>);
  // One pass over the rows for the sighted attributes' event and value, however large the source.
  const sighted = new Set(server.decay.sightings.map((sighting) => sighting.attributeUuid));
  const rows = new Map<string, MispAttributeRow>();
  for (let index = 0; index < server.attributes.length && rows.size < sighted.size; index++) {
    const attribute = Array.isArray(server.attributes) ? server.attributes[index] : server.attributes.at(index);
    if (attribute !== undefined && sighted.has(attribute.row.uuid)) rows.set(attribute.row.uuid, attribute.row);
  }
  try {
    exchange.send(200, sightingsAnswer(filters, server.decay, (uuid) => rows.get(uuid), now, resolveTime));
  } catch (error) {
    if (!(error instanceof RestSearchFilterError) && !(error instanceof DecayFilterError)) throw error;
    mispError(exchange, 400, error.message);
  }
}
