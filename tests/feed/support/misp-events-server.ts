import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** What the server was asked: the body of every /events/restSearch request. */
export interface MispEventsServer {
  url: string;
  /** The events held, each the content of `Event` as MISP's API gives it; change them between runs. */
  events: Json[];
  requests: Json[];
  /** Answers to give instead of the real one, one per request, in order; `pass` lets one request through. */
  faults: Array<{ status?: number; body?: string; headers?: Record<string, string>; pass?: boolean }>;
  /** Starts every listing page after the first this many events early, as a MISP without a stable order may. */
  pageShift: number;
  /** Requests for one event in full (by uuid). */
  fullFetches(): string[];
  close(): Promise<void>;
}

/**
 * A MISP on 127.0.0.1 that answers `POST /events/restSearch` for the filters the feed export sends:
 * `published`, `publish_timestamp` [from, to], `tags` and `org` ({OR, NOT}), `uuid`, `metadata`,
 * `limit` and `page`. A wrong key gets MISP's 403.
 */
export async function startMispEventsServer(apiKey: string, events: Json[]): Promise<MispEventsServer> {
  const state: MispEventsServer = {
    url: '',
    events,
    requests: [],
    faults: [],
    pageShift: 0,
    fullFetches: () => state.requests.filter((body) => body['uuid'] !== undefined).map((body) => String(body['uuid'])),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const send = (status: number, body: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.headers.authorization !== apiKey) {
        send(403, { name: 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.', message: 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.', url: request.url });
        return;
      }
      if (request.method !== 'POST' || request.url !== '/events/restSearch') {
        send(404, { name: 'Not Found', message: 'Not Found', url: request.url });
        return;
      }
      const fault = state.faults.shift();
      if (fault !== undefined && fault.pass !== true) {
        response.writeHead(fault.status ?? 200, { 'content-type': 'application/json', ...fault.headers });
        response.end(fault.body ?? '{}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
      state.requests.push(body);
      let selected = state.events.filter((event) => matches(event, body));
      if (body['limit'] !== undefined) {
        const limit = Number(body['limit']);
        const page = Number(body['page'] ?? 1);
        const start = Math.max(0, (page - 1) * limit - (page > 1 ? state.pageShift : 0));
        selected = selected.slice(start, start + limit);
      }
      const shown = body['metadata'] ? selected.map(({ Attribute: _attributes, Object: _objects, ...meta }) => meta) : selected;
      send(200, { response: shown.map((event) => ({ Event: event })) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function matches(event: Json, body: Json): boolean {
  if (body['uuid'] !== undefined) return event['uuid'] === body['uuid'];
  if (body['published'] !== undefined && event['published'] !== true) return false;
  const window = body['publish_timestamp'] as [number, number] | undefined;
  const published = Number(event['publish_timestamp']);
  if (window !== undefined && (published < window[0] || published > window[1])) return false;
  const tags = ((event['Tag'] as Json[] | undefined) ?? []).map((tag) => String(tag['name']));
  if (!passes(body['tags'] as Json | undefined, (name) => tags.includes(name))) return false;
  const orgc = event['Orgc'] as Json;
  return passes(body['org'] as Json | undefined, (org) => org === orgc['name'] || org === orgc['uuid']);
}

function passes(filter: Json | undefined, has: (name: string) => boolean): boolean {
  if (filter === undefined) return true;
  const any = (filter['OR'] as string[] | undefined) ?? [];
  const none = (filter['NOT'] as string[] | undefined) ?? [];
  return !none.some(has) && (any.length === 0 || any.some(has));
}
