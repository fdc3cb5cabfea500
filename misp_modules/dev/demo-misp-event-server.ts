/**
 * A loopback MISP for the event components: `POST /events/add` (MISP's refusals: a missing info,
 * a uuid that exists, a refused key) and `POST /events/restSearch` (publish_timestamp, published,
 * page/limit). Its answers follow MISP 2.4/2.5; the data is written here, for these tests.
 */
import { randomUUID } from 'node:crypto';
import { startLoopbackServer, type LoopbackServer } from './loopback-http.js';

export type MispEvent = Record<string, unknown> & { uuid: string; info: string; publish_timestamp: string; published: boolean };

export interface MispEventServer extends LoopbackServer {
  /** Stored events, in creation order; change or add some between polls. */
  events: MispEvent[];
}

const AUTH_FAILED = 'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.';

export async function startMispEventServer(apiKey: string): Promise<MispEventServer> {
  const events: MispEvent[] = [];
  const base = await startLoopbackServer((exchange) => {
    const { record } = exchange;
    const fail = (status: number, message: string, extra: Record<string, unknown> = {}): void =>
      exchange.send(status, { name: message, message, url: record.path, ...extra });
    if (record.headers.authorization !== apiKey) return fail(403, AUTH_FAILED);
    if (record.method !== 'POST') return fail(405, 'Method Not Allowed');
    const body = record.body as Record<string, unknown> | undefined;
    if (body === undefined) return fail(400, 'Invalid JSON input.');
    if (record.path === '/events/add') {
      const given = (body.Event ?? body) as Record<string, unknown>;
      if (typeof given.info !== 'string' || given.info === '') {
        return fail(403, 'Could not add Event', { saved: false, errors: { Event: { info: ['Info cannot be empty.'] } } });
      }
      if (typeof given.uuid === 'string' && events.some((event) => event.uuid === given.uuid)) {
        return fail(403, 'Event already exists, if you would like to edit it, use the url in the location header.');
      }
      const attributes = Array.isArray(given.Attribute) ? (given.Attribute as Record<string, unknown>[]) : [];
      const event: MispEvent = {
        id: String(events.length + 1),
        uuid: typeof given.uuid === 'string' ? given.uuid : randomUUID(),
        info: given.info,
        date: typeof given.date === 'string' ? given.date : '2026-11-29',
        published: false,
        publish_timestamp: '0',
        Orgc: { id: '1', name: 'ORGNAME', uuid: 'c1b2a3d4-0000-4000-8000-00000000aaaa' },
        Attribute: attributes.map((attribute, index) => ({ id: String(index + 1), uuid: randomUUID(), to_ids: false, ...attribute })),
        Object: [],
      };
      events.push(event);
      return exchange.send(200, { Event: event });
    }
    if (record.path === '/events/restSearch') {
      const since = Number(body.publish_timestamp ?? 0);
      const limit = Number(body.limit ?? 0);
      const page = Number(body.page ?? 1);
      let rows = events.filter((event) => Number(event.publish_timestamp) >= since && (body.published === undefined || event.published === Boolean(body.published)));
      if (limit > 0) rows = rows.slice((page - 1) * limit, page * limit);
      return exchange.send(200, { response: rows.map((event) => ({ Event: event })) });
    }
    return fail(404, `Could not find the endpoint ${record.path}.`);
  });
  return Object.assign(base, { events });
}
