import { systemClock } from '@sekoia/automation-sdk-shim';
import { afterEach, describe, expect, it } from 'vitest';
import { decayScoreFilters, isPolynomial, parseDecayingModels } from '../../misp_modules/decay/decaying-model.js';
import { attributeLifetime, decayOrigin, type Lifetime } from '../../misp_modules/decay/indicator-lifetime.js';
import { lastAliveSecond, polynomialScore } from '../../misp_modules/decay/polynomial.js';
import { FALSE_POSITIVE, parseSightings, SIGHTING, sightingsByAttribute, sightingsSearchFilters } from '../../misp_modules/decay/sightings.js';
import { DemoDecay, demoSightings } from '../../misp_modules/dev/demo-decay.js';
import { loadDemoAttributes } from '../../misp_modules/dev/demo-events.js';
import { startDemoMispServer, type DemoMispServer, type RenderedAttribute } from '../../misp_modules/dev/demo-misp-server.js';
import { flattenEvent, MispIdAllocator, type DemoAttribute, type MispAttributeRow } from '../../misp_modules/dev/misp-events.js';
import { MispAttributeSearch } from '../../misp_modules/misp/attribute-search.js';
import { MispApi } from '../../misp_modules/misp/misp-api.js';
import type { MispAttribute } from '../../misp_modules/misp/attribute-row.js';
import { call } from './http-client.js';

const KEY = 'misp-key-0123456789abcdef';
const NOW = 1_800_000_000;
const clock = { now: () => NOW * 1000 };
const HOUR = 3_600;
const DAY = 86_400;
/** "Demo decay": 7 days, decay speed 2, threshold 30, base score 80. */
const DEMO_MODEL = { lifetime: 7, decaySpeed: 2, threshold: 30 };

function instance(): DemoAttribute[] {
  const attribute = (uuid: string, type: string, value: string, timestamp: number, extra: Record<string, unknown> = {}) => ({
    uuid,
    type,
    category: 'Network activity',
    value,
    to_ids: true,
    timestamp: String(timestamp),
    ...extra,
  });
  return flattenEvent(
    {
      Event: {
        uuid: 'event-d',
        info: 'decay',
        published: true,
        publish_timestamp: String(NOW - HOUR),
        timestamp: String(NOW - HOUR),
        Attribute: [
          attribute('d1', 'ip-dst', '203.0.113.1', NOW - DAY),
          attribute('d2', 'domain', 'old.example.com', NOW - 10 * DAY),
          attribute('d3', 'url', 'http://seen.example.com/x', NOW - 3 * DAY, { last_seen: new Date((NOW - 2 * HOUR) * 1000).toISOString() }),
          attribute('d4', 'text', 'not scored', NOW - DAY),
        ],
      },
    },
    new MispIdAllocator(),
  );
}

let server: DemoMispServer | undefined;
const clients: MispApi[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function start(attributes: DemoAttribute[] = instance(), decay = new DemoDecay()): Promise<DemoMispServer> {
  server = await startDemoMispServer({ apiKey: KEY, attributes, clock, decay });
  return server;
}

async function search(body: Record<string, unknown>): Promise<Array<MispAttributeRow & { decay_score?: Array<Record<string, unknown>> }>> {
  const answer = await call(`${server!.url}/attributes/restSearch`, { body: { returnFormat: 'json', ...body }, headers: { Authorization: KEY } });
  expect(answer.status).toBe(200);
  return (answer.json as { response: { Attribute: Array<MispAttributeRow & { decay_score?: Array<Record<string, unknown>> }> } }).response.Attribute;
}

/** The attributes as the product's client reads them, decay scores asked as the trigger will. */
async function clientAttributes(filters: Record<string, unknown>): Promise<MispAttribute[]> {
  const client = new MispApi({ baseUrl: server!.url, apiKey: KEY, verifySsl: true, clock: systemClock, logger: { log: () => undefined }, maxAttempts: 1 });
  clients.push(client);
  const attributes: MispAttribute[] = [];
  for await (const page of new MispAttributeSearch(client).searchAttributes({ publishedSince: 0, pageSize: 100, filters })) attributes.push(...page.attributes);
  return attributes;
}

describe('demo MISP: decayingModel/index', () => {
  it('lists one enabled Polynomial model and one other, by GET or POST, behind the key', async () => {
    await start();
    for (const method of ['GET', 'POST']) {
      const answer = await call(`${server!.url}/decayingModel/index`, { method, headers: { Authorization: KEY } });
      expect(answer.status).toBe(200);
      const models = parseDecayingModels(answer.json);
      expect(models.map((model) => [model.id, model.name, isPolynomial(model), model.enabled])).toEqual([
        ['1', 'Demo decay', true, true],
        ['2', 'Demo retention', false, false],
      ]);
      expect(models[0]?.parameters).toMatchObject({ lifetime: 7, decaySpeed: 2, threshold: 30, defaultBaseScore: 80 });
      expect(models[0]?.attributeTypes).toEqual(expect.arrayContaining(['ip-dst', 'domain', 'url', 'md5', 'sha256']));
    }
    expect((await call(`${server!.url}/decayingModel/index`, { headers: { Authorization: 'wrong' } })).status).toBe(403);
  });
});

describe('demo MISP: restSearch with decay scores', () => {
  it('attaches no decay_score unless asked', async () => {
    await start();
    const rows = await search({});
    expect(rows).toHaveLength(4);
    expect(rows.some((row) => 'decay_score' in row)).toBe(false);
  });

  it('scores each attribute from its origin with the enabled models mapped to its type, as MISP does', async () => {
    await start();
    const rows = await search({ includeDecayScore: 1 });
    const byUuid = new Map(rows.map((row) => [row.uuid, row.decay_score]));
    const expected = (elapsed: number) => {
      const score = polynomialScore(80, elapsed, DEMO_MODEL);
      return [{ score, base_score: 80, decayed: score < 30, DecayingModel: { id: '1', name: 'Demo decay' } }];
    };
    expect(byUuid.get('d1')).toEqual(expected(DAY));
    expect(byUuid.get('d2')).toEqual(expected(10 * DAY));
    expect(byUuid.get('d2')?.[0]?.['decayed']).toBe(true);
    // last_seen before the last change: MISP restarts from last_seen.
    expect(byUuid.get('d3')).toEqual(expected(2 * HOUR));
    expect(byUuid.get('d4')).toEqual([]);
    expect(Object.fromEntries(server!.decay.scoredBy)).toEqual({ d1: ['Demo decay'], d2: ['Demo decay'], d3: ['Demo decay'], d4: [] });
  });

  it('moves the origin to the latest sighting added while it runs; a false positive does not', async () => {
    const decay = new DemoDecay();
    await start(instance(), decay);
    decay.addSighting('d2', SIGHTING, NOW - 5 * HOUR);
    decay.addSighting('d2', SIGHTING, NOW - 9 * HOUR);
    decay.addSighting('d1', FALSE_POSITIVE, NOW - HOUR);
    const rows = await search({ includeDecayScore: true });
    const byUuid = new Map(rows.map((row) => [row.uuid, row.decay_score?.[0]?.['score']]));
    expect(byUuid.get('d2')).toBe(polynomialScore(80, 5 * HOUR, DEMO_MODEL));
    expect(byUuid.get('d1')).toBe(polynomialScore(80, DAY, DEMO_MODEL));
  });

  it('applies decayingModel, modelOverrides and score, and excludeDecayed drops what every model says decayed', async () => {
    await start();
    const named = await search({ includeDecayScore: 1, decayingModel: ['2'], modelOverrides: { lifetime: 2, threshold: 10 }, score: 25 });
    const entry = named.find((row) => row.uuid === 'd4')?.decay_score?.[0];
    const score = polynomialScore(60, DAY, { lifetime: 2, decaySpeed: 1, threshold: 25 });
    expect(entry).toEqual({ score, base_score: 60, decayed: score < 25, DecayingModel: { id: '2', name: 'Demo retention' } });
    // What it served is remembered per attribute: the demo's summary tells each model's values by it.
    expect(server!.decay.scoredBy.get('d4')).toEqual(['Demo retention']);
    const kept = await search({ excludeDecayed: 1 });
    expect(kept.map((row) => row.uuid)).toEqual(['d1', 'd3', 'd4']);
    expect(kept.every((row) => Array.isArray(row.decay_score))).toBe(true);
  });

  it('answers 400 for an override MISP would not apply', async () => {
    await start();
    const answer = await call(`${server!.url}/attributes/restSearch`, { body: { includeDecayScore: 1, modelOverrides: { lifespan: 3 } }, headers: { Authorization: KEY } });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/lifespan/);
  });

  it('attaches the score to rows served as ready JSON too', async () => {
    const rendered: RenderedAttribute[] = instance().map((attribute) => ({ ...attribute, json: Buffer.from(JSON.stringify(attribute.row)) }));
    await start(rendered as DemoAttribute[]);
    const rows = await search({ includeDecayScore: 1 });
    expect(rows.find((row) => row.uuid === 'd1')?.decay_score?.[0]?.['score']).toBe(polynomialScore(80, DAY, DEMO_MODEL));
  });

  it('gives the client rows from which the decay core finds the moment MISP’s score crosses the threshold', async () => {
    await start();
    const models = new Map(parseDecayingModels((await call(`${server!.url}/decayingModel/index`, { headers: { Authorization: KEY } })).json).map((model) => [model.id, model]));
    const attributes = await clientAttributes(decayScoreFilters([], {}));
    const lifetimes = new Map<string, Lifetime | undefined>();
    for (const attribute of attributes) {
      lifetimes.set(attribute.uuid, attributeLifetime({ decayScore: attribute.decay ?? [], clock: { timestamp: attribute.timestamp, lastSeen: attribute.lastSeen }, now: NOW }, models, {}));
    }
    const alive = lastAliveSecond('Demo decay', 80, DEMO_MODEL) as number;
    expect(lifetimes.get('d1')).toEqual({ kind: 'lapses', at: NOW - DAY + alive });
    expect(lifetimes.get('d2')).toEqual({ kind: 'decayed' });
    expect(lifetimes.get('d3')).toEqual({ kind: 'lapses', at: NOW - 2 * HOUR + alive });
    expect(lifetimes.get('d4')).toBeUndefined();
  });
});

describe('demo MISP: sightings/restSearch', () => {
  it('answers MISP-shaped sightings filtered by attribute uuid, type and time', async () => {
    const decay = new DemoDecay();
    await start(instance(), decay);
    decay.addSighting('d1', SIGHTING, NOW - 2 * DAY);
    decay.addSighting('d1', SIGHTING, NOW - HOUR);
    decay.addSighting('d2', FALSE_POSITIVE, NOW - 3 * HOUR);
    decay.addSighting('d3', SIGHTING, NOW - 40 * DAY);
    const sightings = async (filters: Record<string, unknown>) => {
      const answer = await call(`${server!.url}/sightings/restSearch`, { body: filters, headers: { Authorization: KEY } });
      expect(answer.status).toBe(200);
      return parseSightings(answer.json);
    };
    expect(await sightings(sightingsSearchFilters(['d1', 'd2'], NOW - DAY, NOW))).toEqual([
      { attributeUuid: 'd1', type: SIGHTING, dateSighting: NOW - HOUR },
      { attributeUuid: 'd2', type: FALSE_POSITIVE, dateSighting: NOW - 3 * HOUR },
    ]);
    expect((await sightings({ includeUuid: 1, last: '3d', type: 0 })).map((sighting) => sighting.dateSighting)).toEqual([NOW - 2 * DAY, NOW - HOUR]);
    // MISP's default window is the last 30 days.
    expect((await sightings({ includeUuid: 1 })).map((sighting) => sighting.attributeUuid)).toEqual(['d1', 'd1', 'd2']);
    const raw = await call(`${server!.url}/sightings/restSearch`, { body: { uuid: ['d1'], last: '1d' }, headers: { Authorization: KEY } });
    expect(raw.json).toEqual({
      response: [{ Sighting: expect.objectContaining({ attribute_id: '1', event_id: '1', date_sighting: String(NOW - HOUR), type: '0', value: '203.0.113.1' }) }],
    });
    expect((await call(`${server!.url}/sightings/restSearch`, { method: 'GET', headers: { Authorization: KEY } })).status).toBe(400);
    expect((await call(`${server!.url}/sightings/restSearch`, { body: { last: 'yesterday' }, headers: { Authorization: KEY } })).status).toBe(400);
    const badType = await call(`${server!.url}/sightings/restSearch`, { body: { type: 7 }, headers: { Authorization: KEY } });
    expect([badType.status, badType.text]).toEqual([400, expect.stringContaining('is not 0 (sighting), 1 (false positive) or 2 (expiration)')]);
  });
});

describe('the demo’s sightings', () => {
  it('give the demo data a mix: decayed, lapsing within hours, lapsing within days, and one false positive', async () => {
    const attributes = loadDemoAttributes({ publishedAt: NOW - HOUR });
    const decay = new DemoDecay(undefined, demoSightings(attributes, NOW));
    await start(attributes, decay);
    const models = new Map(parseDecayingModels(decay.models).map((model) => [model.id, model]));
    const answer = await call(`${server!.url}/sightings/restSearch`, { body: { includeUuid: 1, last: '7d' }, headers: { Authorization: KEY } });
    const seen = sightingsByAttribute(parseSightings(answer.json));
    const kinds = { decayed: 0, hours: 0, days: 0 };
    for (const attribute of await clientAttributes(decayScoreFilters(['1'], {}))) {
      const clock = { timestamp: attribute.timestamp, lastSeen: attribute.lastSeen, lastSighting: seen.lastSighting.get(attribute.uuid) };
      const lifetime = attributeLifetime({ decayScore: attribute.decay ?? [], clock, now: NOW }, models, {});
      if (lifetime?.kind === 'decayed') kinds.decayed++;
      if (lifetime?.kind === 'lapses') kinds[lifetime.at - NOW < DAY ? 'hours' : 'days']++;
      if (lifetime?.kind === 'lapses') expect(lifetime.at).toBeGreaterThan(decayOrigin(clock));
    }
    expect(kinds.decayed).toBeGreaterThan(10);
    expect(kinds.hours).toBeGreaterThan(10);
    expect(kinds.days).toBeGreaterThan(10);
    expect(seen.falsePositive.size).toBe(1);
  });
});
