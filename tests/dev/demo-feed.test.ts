/**
 * The demo MISP feed: the directory built from the generated events (checked against the files and
 * against the manifest of a real feed), its server (Authorization, ETag, 304, only feed files),
 * and the real feed reader on it, cycle after cycle, while the demo analyst edits an event.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock, type Logger } from '@sekoia/automation-sdk-shim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedSource, FeedSyncState } from '../../misp_modules/feed/index.js';
import { buildDemoFeed, demoFeedAnalyst, startDemoFeedServer, type DemoFeed, type DemoFeedServer } from '../../misp_modules/dev/demo-feed.js';
import type { SourcePage } from '../../misp_modules/pipeline/sync-cycle.js';
import { fixturePath, itWithFixtures } from '../support/fixtures.js';
import { call } from './http-client.js';
import { demoEventDocuments } from './trigger-dev-expectations.js';

const AUTHORIZATION = 'Bearer 0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const CHANGED_AT = 1_767_000_000;
/** A manifest written by a real producer (CERT-FR), for the shape of an entry. */
const REAL_MANIFEST = fixturePath('misp-feeds/cert-fr-anssi/manifest.json');

let directory: string;
let feed: DemoFeed;
let server: DemoFeedServer;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'demo-feed-'));
  feed = buildDemoFeed(directory, { changedAt: CHANGED_AT });
  server = await startDemoFeedServer({ directory, authorization: AUTHORIZATION });
});

afterAll(async () => {
  await server?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

const get = (file: string, headers: Record<string, string> = { Authorization: AUTHORIZATION }) => call(`${server.feedUrl}/${file}`, { headers });

describe('buildDemoFeed', () => {
  it('writes every demo event as <event uuid>.json, beside manifest.json and hashes.csv', () => {
    const documents = demoEventDocuments();
    const uuids = documents.map(({ document }) => document.Event.uuid);
    expect(readdirSync(directory).sort()).toEqual([...uuids.map((uuid) => `${uuid}.json`), 'hashes.csv', 'manifest.json'].sort());
    for (const { document } of documents) {
      expect(JSON.parse(readFileSync(path.join(directory, `${document.Event.uuid}.json`), 'utf8'))).toEqual(document);
    }
  });

  itWithFixtures('writes the manifest entry of each event as a MISP feed generator does, with the given timestamp', () => {
    const manifest = JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const documents = demoEventDocuments();
    expect(Object.keys(manifest).sort()).toEqual(documents.map(({ document }) => document.Event.uuid).sort());
    const real = Object.values(JSON.parse(readFileSync(REAL_MANIFEST, 'utf8')) as Record<string, Record<string, unknown>>)[0] as Record<string, unknown>;
    for (const { document } of documents) {
      const event = document.Event as unknown as Record<string, unknown>;
      const entry = manifest[event.uuid as string] as Record<string, unknown>;
      expect(Object.keys(entry).sort()).toEqual(Object.keys(real).sort());
      const orgc = event.Orgc as { name: string; uuid: string };
      expect(entry).toEqual({
        Orgc: { name: orgc.name, uuid: orgc.uuid },
        Tag: (event.Tag as Array<{ name: string; colour: string }>).map((tag) => ({ colour: tag.colour, name: tag.name })),
        info: event.info,
        date: event.date,
        analysis: Number(event.analysis),
        threat_level_id: Number(event.threat_level_id),
        timestamp: CHANGED_AT,
      });
    }
  });

  it('lists md5(value),event uuid in hashes.csv for every attribute, one line per part of a composite', () => {
    const lines = readFileSync(path.join(directory, 'hashes.csv'), 'utf8').trimEnd().split('\n');
    let expected = 0;
    for (const { document } of demoEventDocuments()) {
      const attributes = [...(document.Event.Attribute ?? []), ...(document.Event.Object ?? []).flatMap((object) => object.Attribute ?? [])];
      for (const attribute of attributes) {
        // PyMISP hashes a datetime as Python prints it: a space instead of the T.
        const text = attribute.type === 'datetime' ? attribute.value.replace('T', ' ') : attribute.value;
        const parts = attribute.type.includes('|') ? text.split('|') : [text];
        expected += parts.length;
        const md5 = createHash('md5').update(parts[0] as string).digest('hex');
        expect(lines).toContain(`${md5},${document.Event.uuid}`);
      }
    }
    expect(lines).toHaveLength(expected);
  });

  it('counts the attributes of each event, and those for IDS', () => {
    expect(feed.events.map((event) => event.attributes)).toEqual([54, 84, 56, 25, 42]);
    expect(feed.events.reduce((sum, event) => sum + event.idsAttributes, 0)).toBe(239);
  });
});

describe('the demo feed server', () => {
  it('refuses every file without the exact Authorization header, with 401', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: `${AUTHORIZATION}x` }] as Array<Record<string, string>>) {
      const answer = await get('manifest.json', headers);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(answer.text).not.toContain(AUTHORIZATION.slice(7));
    }
  });

  it('serves the files with a strong ETag, and 304 when If-None-Match names it', async () => {
    const first = await get('manifest.json');
    expect(first.status).toBe(200);
    expect(first.text).toBe(readFileSync(path.join(directory, 'manifest.json'), 'utf8'));
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect((await get('manifest.json', { Authorization: AUTHORIZATION, 'If-None-Match': etag })).status).toBe(304);
    expect((await get('manifest.json', { Authorization: AUTHORIZATION, 'If-None-Match': '"other"' })).status).toBe(200);
    const event = await get(`${feed.events[0]?.uuid}.json`);
    expect(event.status).toBe(200);
    expect(event.headers.get('etag')).not.toBe(etag);
  });

  it('answers 404 for any name that is not a feed file, and 405 for anything but GET', async () => {
    for (const name of ['README.md', '..%2Fdemo-data%2FREADME.md', '../manifest.json', `${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}.json`, '']) {
      expect((await get(name)).status, name).toBe(404);
    }
    expect((await call(`${server.url}/manifest.json`, { headers: { Authorization: AUTHORIZATION } })).status).toBe(404);
    expect((await call(`${server.feedUrl}/manifest.json`, { method: 'POST', body: {}, headers: { Authorization: AUTHORIZATION } })).status).toBe(405);
  });
});

describe('the feed reader on the demo feed', () => {
  it('reads all five events, then nothing while the manifest is unchanged (304), then only the event the analyst changed', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'demo-feed-state-'));
    const copy = mkdtempSync(path.join(tmpdir(), 'demo-feed-copy-'));
    const lines: string[] = [];
    const logger: Logger = { log: (message) => void lines.push(message) };
    const own = buildDemoFeed(copy, { changedAt: Math.floor(Date.now() / 1000) - 3_600 });
    const ownServer = await startDemoFeedServer({ directory: copy, authorization: AUTHORIZATION });
    const source = new FeedSource(
      { location: ownServer.feedUrl, headers: { Authorization: AUTHORIZATION }, verifySsl: true, clock: systemClock, logger },
      await FeedSyncState.load(dataPath, logger),
    );
    const cycle = async (): Promise<{ attributes: number; notModified: boolean; fetched: number }> => {
      const started = await source.startCycle({ sinceMs: Date.now() - 86_400_000 }, new AbortController().signal);
      let attributes = 0;
      for await (const page of started.pages as AsyncIterable<SourcePage>) attributes += page.attributes.length;
      await started.commit(true);
      return { attributes, notModified: started.stats.notModified, fetched: started.stats.eventsFetched };
    };
    try {
      const analyst = demoFeedAnalyst(own);
      expect(await cycle()).toEqual({ attributes: 239, notModified: false, fetched: 5 });
      expect(analyst(1)).toBeUndefined();
      expect(await cycle()).toEqual({ attributes: 0, notModified: true, fetched: 0 });
      expect(analyst(2)).toMatch(/an analyst changed a domain of "Demo: values the trigger must refuse.*to [a-z]+-[a-z0-9]+-2\.[a-z]+;/);
      const edited = own.events.find((event) => event.info.startsWith('Demo: values the trigger must refuse'));
      expect(await cycle()).toEqual({ attributes: edited?.idsAttributes, notModified: false, fetched: 1 });
      expect(ownServer.requests.filter((request) => request.path.endsWith('/manifest.json')).map((request) => request.status)).toEqual([200, 304, 200]);
      expect(lines.join('\n')).not.toContain(AUTHORIZATION.slice(7));
    } finally {
      source.close();
      await ownServer.close();
      rmSync(dataPath, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
