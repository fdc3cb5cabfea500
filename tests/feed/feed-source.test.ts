import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { FeedAccessDeniedError } from '../../misp_modules/feed/errors/feed-access-denied-error.js';
import { FeedManifestMalformedError } from '../../misp_modules/feed/errors/feed-manifest-malformed-error.js';
import { FeedManifestMissingError } from '../../misp_modules/feed/errors/feed-manifest-missing-error.js';
import { FeedManifestNotJsonError } from '../../misp_modules/feed/errors/feed-manifest-not-json-error.js';
import { FeedUnreachableError } from '../../misp_modules/feed/errors/feed-unreachable-error.js';
import { InvalidFeedOptionsError } from '../../misp_modules/feed/errors/invalid-feed-options-error.js';
import type { FeedSourceOptions } from '../../misp_modules/feed/feed-source-options.js';
import { FeedSource } from '../../misp_modules/feed/feed-source.js';
import { FeedSyncState } from '../../misp_modules/feed/feed-sync-state.js';
import { loadFeedFiles, startFeedServer, type FeedServer } from './support/feed-server.js';
import { describeWithFixtures } from '../support/fixtures.js';
import { expectedIndicators, feedFixture, indicatorsOf, readPages, RecordingLogger, RecordingClock, temporaryDirectory } from './support/kit.js';

const CERT_FR = feedFixture('cert-fr-anssi');
const CIRCL = feedFixture('circl-osint-sample');
const ALL_TIME = { sinceMs: 0 };
const NO_JITTER = { baseMs: 1_000, maxMs: 30_000, jitter: 0 };

let server: FeedServer;
let logger: RecordingLogger;
let clock: RecordingClock;
let data: { path: string; remove: () => void };
let sources: FeedSource[];

beforeEach(async () => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy']) vi.stubEnv(name, '');
  server = await startFeedServer(loadFeedFiles(CERT_FR));
  logger = new RecordingLogger();
  clock = new RecordingClock();
  data = temporaryDirectory('feed-state-');
  sources = [];
});

afterEach(async () => {
  for (const source of sources) source.close();
  await server.close();
  data.remove();
  vi.unstubAllEnvs();
});

async function feedSource(options: Partial<FeedSourceOptions> = {}, state?: FeedSyncState): Promise<FeedSource> {
  const source = new FeedSource(
    { location: server.url, verifySsl: true, clock, logger, backoff: NO_JITTER, ...options },
    state ?? (await FeedSyncState.load(data.path, logger)),
  );
  sources.push(source);
  return source;
}

const signal = (): AbortSignal => new AbortController().signal;
const eventRequests = (): string[] => server.requests.filter((request) => request.file !== 'manifest.json').map((request) => request.file);

function manifestOf(): Record<string, { timestamp: number; date: string }> {
  return JSON.parse((server.files.get('manifest.json') as Buffer).toString('utf8')) as Record<string, { timestamp: number; date: string }>;
}
function setManifest(manifest: unknown): void {
  server.files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
}

describeWithFixtures('reading a real feed', () => {
  it('delivers exactly the IDS, non-deleted values of the CERT-FR feed, event and object attributes', async () => {
    const source = await feedSource();
    const cycle = await source.startCycle(ALL_TIME, signal());
    const pages = await readPages(cycle.pages);
    const expected = expectedIndicators(CERT_FR);
    expect(indicatorsOf(pages)).toEqual(expected.indicators);
    // Nothing lost on the way: every IDS attribute reaches the pipeline, including those with no pushable type.
    const delivered = new Set(pages.flatMap((page) => page.attributes.map((attribute) => attribute.uuid)));
    expect(delivered).toEqual(expected.attributeUuids);
    expect(cycle.stats).toMatchObject({ manifestEvents: 13, eventsInWindow: 13, eventsFetched: 13, eventsFailed: 0, notModified: false });
    expect(cycle.stats.attributesEmitted).toBe(expected.attributeUuids.size);
    expect(cycle.stats.attributesEmitted + cycle.stats.attributesNotIds + cycle.stats.attributesDeleted).toBe(1913);
    for (const page of pages) for (const attribute of page.attributes) expect(typeof attribute.timestamp).toBe('number');
  });

  it('delivers exactly the IDS values of the CIRCL OSINT sample (46 events, old and new layouts, empty events)', async () => {
    server.files = loadFeedFiles(CIRCL);
    const source = await feedSource({ concurrency: 8 });
    const cycle = await source.startCycle(ALL_TIME, signal());
    const pages = await readPages(cycle.pages);
    const expected = expectedIndicators(CIRCL);
    expect(indicatorsOf(pages)).toEqual(expected.indicators);
    expect(new Set(pages.flatMap((page) => page.attributes.map((attribute) => attribute.uuid)))).toEqual(expected.attributeUuids);
    expect(cycle.stats).toMatchObject({ eventsFetched: 46, eventsFailed: 0, attributesMalformed: 0 });
  });

  it('the local-directory transport gives the same values as HTTP, by path and by file:// URL', async () => {
    const overHttp = indicatorsOf(await readPages((await (await feedSource()).startCycle(ALL_TIME, signal())).pages));
    for (const location of [CERT_FR, pathToFileURL(CERT_FR).href, `${CERT_FR}/manifest.json`]) {
      const state = await FeedSyncState.load(temporaryDirectory('feed-dir-').path, logger);
      const source = await feedSource({ location }, state);
      const cycle = await source.startCycle(ALL_TIME, signal());
      expect(indicatorsOf(await readPages(cycle.pages))).toEqual(overHttp);
      expect(cycle.stats.eventsFetched).toBe(13);
    }
    expect(overHttp.size).toBeGreaterThan(1_000);
  });

  it('cuts a large event into pages of the configured size', async () => {
    const source = await feedSource({ pageSize: 100 });
    const pages = await readPages((await source.startCycle(ALL_TIME, signal())).pages);
    expect(Math.max(...pages.map((page) => page.attributes.length))).toBe(100);
    expect(indicatorsOf(pages)).toEqual(expectedIndicators(CERT_FR).indicators);
  });
});

describeWithFixtures('incremental sync', () => {
  it('asks with If-None-Match after a clean cycle; a 304 reads no event', async () => {
    const source = await feedSource();
    const first = await source.startCycle(ALL_TIME, signal());
    await readPages(first.pages);
    await first.commit(true);
    expect(eventRequests()).toHaveLength(13);

    const second = await source.startCycle(ALL_TIME, signal());
    const pages = await readPages(second.pages);
    await second.commit(true);
    const manifestRequests = server.requests.filter((request) => request.file === 'manifest.json');
    expect(manifestRequests[0]?.headers['if-none-match']).toBeUndefined();
    expect(manifestRequests[1]?.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
    expect(manifestRequests[1]?.status).toBe(304);
    expect(second.stats.notModified).toBe(true);
    expect(pages).toHaveLength(0);
    expect(eventRequests()).toHaveLength(13);
  });

  it('reads again an event whose manifest timestamp changed, and not the unchanged ones', async () => {
    const source = await feedSource();
    const first = await source.startCycle(ALL_TIME, signal());
    await readPages(first.pages);
    await first.commit(true);

    const manifest = manifestOf();
    const changed = '6181159d-d7e0-422f-b7f5-26cc0abe1822';
    (manifest[changed] as { timestamp: number }).timestamp += 60;
    setManifest(manifest);
    const second = await source.startCycle(ALL_TIME, signal());
    const pages = await readPages(second.pages);
    await second.commit(true);
    expect(second.stats).toMatchObject({ eventsFetched: 1, eventsSkippedUnchanged: 12, notModified: false });
    expect(server.count(`${changed}.json`)).toBe(2);
    expect(eventRequests()).toHaveLength(14);
    expect(pages.length).toBeGreaterThan(0);

    // And the state survives a restart: a fresh state file reader sees the same sync.
    const restarted = await feedSource({}, await FeedSyncState.load(data.path, logger));
    const third = await restarted.startCycle(ALL_TIME, signal());
    expect(third.stats.notModified).toBe(true);
    expect(eventRequests()).toHaveLength(14);
  });

  it('keeps to the look-back window, on the manifest timestamp or the date', async () => {
    const manifest = manifestOf();
    const sinceMs = Date.UTC(2023, 1, 1);
    const recent = Object.keys(manifest).filter((uuid) => (manifest[uuid] as { timestamp: number }).timestamp * 1000 >= sinceMs);
    const dated = Object.keys(manifest).find((uuid) => !recent.includes(uuid)) as string;
    (manifest[dated] as { date: string }).date = '2023-02-01';
    setManifest(manifest);
    const source = await feedSource();
    const cycle = await source.startCycle({ sinceMs: sinceMs + 3_600_000 }, signal());
    await readPages(cycle.pages);
    expect(recent).toHaveLength(3);
    expect(new Set(eventRequests())).toEqual(new Set([...recent, dated].map((uuid) => `${uuid}.json`)));
    expect(cycle.stats).toMatchObject({ manifestEvents: 13, eventsInWindow: 4 });
  });

  it('reads the manifest again without If-None-Match when the window grows', async () => {
    const source = await feedSource();
    const first = await source.startCycle({ sinceMs: Date.UTC(2023, 1, 1) }, signal());
    await readPages(first.pages);
    await first.commit(true);
    const second = await source.startCycle(ALL_TIME, signal());
    await readPages(second.pages);
    expect(second.stats.notModified).toBe(false);
    expect(second.stats.eventsFetched).toBe(10);
  });

  it('after a cycle whose delivery failed, commits only the events with nothing to push', async () => {
    const manifest = manifestOf();
    const empty = 'aaaaaaaa-0000-4000-8000-000000000001';
    manifest[empty] = { timestamp: 1_700_000_000, date: '2023-11-14' };
    setManifest(manifest);
    server.files.set(`${empty}.json`, Buffer.from(JSON.stringify({ Event: { uuid: empty, info: 'no IDS', Attribute: [{ uuid: 'aaaaaaaa-0000-4000-8000-0000000000a1', type: 'text', value: 'x', to_ids: false }] } })));
    const source = await feedSource();
    const first = await source.startCycle(ALL_TIME, signal());
    await readPages(first.pages);
    await first.commit(false);

    const second = await source.startCycle(ALL_TIME, signal());
    await readPages(second.pages);
    expect(server.requests.filter((request) => request.file === 'manifest.json')[1]?.headers['if-none-match']).toBeUndefined();
    expect(second.stats).toMatchObject({ eventsFetched: 13, eventsSkippedUnchanged: 1 });
    expect(server.count(`${empty}.json`)).toBe(1);
  });

  it('commits nothing read after the consumer stopped early', async () => {
    const source = await feedSource({ concurrency: 1 });
    const first = await source.startCycle(ALL_TIME, signal());
    let seen = 0;
    for await (const page of first.pages) {
      expect(page.attributes.length).toBeGreaterThan(0);
      if (++seen === 3) break;
    }
    await first.commit(true);
    // The first two events were handed over whole; the third was in the consumer's hands when it stopped.
    const second = await source.startCycle(ALL_TIME, signal());
    expect(second.stats).toMatchObject({ notModified: false, eventsSkippedUnchanged: 2 });
    expect(await readPages(second.pages)).toHaveLength(11);
  });
});

describeWithFixtures('faults', () => {
  it('skips a missing and a broken event, reads the others, and reads those two again next cycle', async () => {
    const uuids = Object.keys(manifestOf());
    const [gone, broken] = uuids as [string, string];
    const goneBody = server.files.get(`${gone}.json`) as Buffer;
    const brokenBody = server.files.get(`${broken}.json`) as Buffer;
    server.files.delete(`${gone}.json`);
    server.files.set(`${broken}.json`, brokenBody.subarray(0, 1_000));

    const source = await feedSource();
    const first = await source.startCycle(ALL_TIME, signal());
    const pages = await readPages(first.pages);
    await first.commit(true);
    expect(first.stats).toMatchObject({ eventsFetched: 11, eventsFailed: 2 });
    const warnings = logger.at('warning').join('\n');
    expect(warnings).toContain(`event ${gone} was skipped (HTTP 404`);
    expect(warnings).toContain(`event ${broken} was skipped (the file is not JSON`);
    const withoutTwo = expectedIndicators(CERT_FR);
    expect(indicatorsOf(pages).size).toBeGreaterThan(0);
    expect(indicatorsOf(pages).size).toBeLessThan(withoutTwo.indicators.size);

    server.files.set(`${gone}.json`, goneBody);
    server.files.set(`${broken}.json`, brokenBody);
    const second = await source.startCycle(ALL_TIME, signal());
    const again = await readPages(second.pages);
    await second.commit(true);
    // Not committed, and no ETag kept: the manifest is read whole and only the two owed events are fetched.
    expect(second.stats).toMatchObject({ notModified: false, eventsFetched: 2, eventsSkippedUnchanged: 11, eventsFailed: 0 });
    expect(new Set([...indicatorsOf(pages), ...indicatorsOf(again)])).toEqual(withoutTwo.indicators);
    const third = await source.startCycle(ALL_TIME, signal());
    expect(third.stats.notModified).toBe(true);
  });

  it('an event answered with an HTML page or a JSON that is not an event is skipped', async () => {
    const [html, other] = Object.keys(manifestOf()) as [string, string];
    server.faults.set(`${html}.json`, { status: 200, body: '<html><title>Login</title></html>', headers: { 'content-type': 'text/html' } });
    server.faults.set(`${other}.json`, { status: 200, body: '{"response": []}' });
    const source = await feedSource();
    const cycle = await source.startCycle(ALL_TIME, signal());
    await readPages(cycle.pages);
    expect(cycle.stats).toMatchObject({ eventsFetched: 11, eventsFailed: 2 });
    expect(logger.at('warning').join('\n')).toContain('JSON but not a MISP event');
  });

  it('retries an event after 503 and 429 (Retry-After) through the clock', async () => {
    const [first] = Object.keys(manifestOf()) as [string];
    server.faults.set(`${first}.json`, { status: 503, times: 1 });
    const source = await feedSource({ concurrency: 1 });
    server.faults.set('manifest.json', { status: 429, headers: { 'retry-after': '7' } });
    const cycle = await source.startCycle(ALL_TIME, signal());
    await readPages(cycle.pages);
    expect(cycle.stats).toMatchObject({ eventsFetched: 13, eventsFailed: 0 });
    expect(clock.sleeps).toEqual([7_000, 1_000]);
  });

  it('fails the cycle with a named error for a manifest that is missing, HTML, not a manifest, refused or unreachable', async () => {
    const source = await feedSource({ maxAttempts: 2 });
    server.files.delete('manifest.json');
    const missing = await source.startCycle(ALL_TIME, signal()).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(FeedManifestMissingError);
    expect((missing as Error).message).toContain('has no manifest.json (HTTP 404)');

    server.files.set('manifest.json', Buffer.from('<!DOCTYPE html><html><head><title>Sign in - Portal</title></head><body>…</body></html>'));
    const html = await source.startCycle(ALL_TIME, signal()).catch((error: unknown) => error);
    expect(html).toBeInstanceOf(FeedManifestNotJsonError);
    expect((html as Error).message).toContain('page title "Sign in - Portal"');

    server.files.set('manifest.json', Buffer.from('[{"uuid": "x"}]'));
    const list = await source.startCycle(ALL_TIME, signal()).catch((error: unknown) => error);
    expect(list).toBeInstanceOf(FeedManifestMalformedError);
    expect((list as Error).message).toContain('a list of 1 items');

    server.faults.set('manifest.json', { status: 403 });
    expect(await source.startCycle(ALL_TIME, signal()).catch((error: unknown) => error)).toBeInstanceOf(FeedAccessDeniedError);

    server.faults.set('manifest.json', { status: 502, times: 2 });
    const down = await source.startCycle(ALL_TIME, signal()).catch((error: unknown) => error);
    expect(down).toBeInstanceOf(FeedUnreachableError);
    expect((down as Error).message).toMatch(/HTTP 502.*after 2 attempts/);
    expect(eventRequests()).toHaveLength(0);
  });

  it('reports a server that does not listen, and a directory without a manifest', async () => {
    const port = Number(new URL(server.url).port);
    await server.close();
    const refused = await (await feedSource({ location: `http://127.0.0.1:${port}/feed`, maxAttempts: 2 })).startCycle(ALL_TIME, signal()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FeedUnreachableError);
    expect((refused as FeedUnreachableError).code).toBe('ECONNREFUSED');
    server = await startFeedServer(new Map());

    const empty = temporaryDirectory('feed-empty-');
    try {
      const missing = await (await feedSource({ location: empty.path })).startCycle(ALL_TIME, signal()).catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(FeedManifestMissingError);
      expect((missing as Error).message).toContain(empty.path);
    } finally {
      empty.remove();
    }
  });

  it('refuses a relative directory, another scheme and a header that could forge another', async () => {
    const state = await FeedSyncState.load(data.path, logger);
    const build = (options: Partial<FeedSourceOptions>) => () => new FeedSource({ location: server.url, verifySsl: true, clock, logger, ...options }, state);
    expect(build({ location: 'feeds/cert-fr' })).toThrow(InvalidFeedOptionsError);
    expect(build({ location: 'ftp://example.org/feed' })).toThrow(/https:\/\/, http:\/\/ or file:\/\//);
    expect(build({ headers: { Authorization: 'Bearer abc\r\nX-Evil: 1' } })).toThrow(/line break/);
    expect(build({ concurrency: 0 })).toThrow(InvalidFeedOptionsError);
  });

  it('ignores manifest keys that are not event uuids instead of reading files outside the feed', async () => {
    const manifest = manifestOf() as Record<string, unknown>;
    manifest['../../etc/passwd'] = { timestamp: 1_700_000_000, date: '2023-01-01' };
    setManifest(manifest);
    const source = await feedSource();
    const cycle = await source.startCycle(ALL_TIME, signal());
    await readPages(cycle.pages);
    expect(cycle.stats.manifestEvents).toBe(13);
    expect(eventRequests()).toHaveLength(13);
    expect(logger.at('warning').join('\n')).toContain('1 manifest entries');
  });

  it('stops at once when the signal aborts', async () => {
    server.delayMs = 30;
    const controller = new AbortController();
    const source = await feedSource({ concurrency: 2 });
    const cycle = await source.startCycle(ALL_TIME, controller.signal);
    const reading = readPages(cycle.pages);
    controller.abort(new Error('stop requested'));
    await expect(reading).rejects.toThrow('stop requested');
    await cycle.commit(false);
    expect(cycle.stats.eventsFetched).toBe(0);
  });
});

describeWithFixtures('memory and secrets', () => {
  it('has at most `concurrency` event requests in flight', async () => {
    server.files = loadFeedFiles(CIRCL);
    server.delayMs = 15;
    const source = await feedSource({ concurrency: 3 });
    let slowest = 0;
    const cycle = await source.startCycle(ALL_TIME, signal());
    for await (const page of cycle.pages) {
      slowest = Math.max(slowest, page.attributes.length);
      // A slow consumer must not make the reader run ahead.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(cycle.stats.eventsFetched).toBe(46);
    expect(server.maxConcurrent).toBeLessThanOrEqual(3);
    expect(server.maxConcurrent).toBeGreaterThanOrEqual(2);
    expect(slowest).toBeGreaterThan(0);
  });

  it('sends the feed headers and never shows their values, even when the server echoes them', async () => {
    const token = 's3cr3t-feed-token';
    server.requiredAuthorization = `Bearer ${token}`;
    const source = await feedSource({ headers: { Authorization: `Bearer ${token}` } });
    const cycle = await source.startCycle(ALL_TIME, signal());
    await readPages(cycle.pages);
    await cycle.commit(false);
    expect(cycle.stats.eventsFetched).toBe(13);
    expect(server.requests.every((request) => request.headers.authorization === `Bearer ${token}`)).toBe(true);

    const errors: unknown[] = [];
    const [event] = Object.keys(manifestOf()) as [string];
    server.faults.set(`${event}.json`, { status: 500, body: `invalid token ${token} for Bearer ${token}`, times: 10 });
    const echoed = await source.startCycle({ sinceMs: 0 }, signal());
    await readPages(echoed.pages);
    server.faults.set('manifest.json', { status: 200, body: `<html><title>Bad token ${token}</title>Bearer ${token}</html>` });
    errors.push(await source.startCycle({ sinceMs: 0 }, signal()).catch((error: unknown) => error));
    server.faults.set('manifest.json', { status: 500, body: `token ${token}`, times: 10 });
    errors.push(await source.startCycle({ sinceMs: 0 }, signal()).catch((error: unknown) => error));
    const wrong = await feedSource({ headers: { Authorization: 'Bearer wrong-token-value' } });
    errors.push(await wrong.startCycle(ALL_TIME, signal()).catch((error: unknown) => error));

    expect(errors[0]).toBeInstanceOf(FeedManifestNotJsonError);
    expect(errors[1]).toBeInstanceOf(FeedUnreachableError);
    expect(errors[2]).toBeInstanceOf(FeedAccessDeniedError);
    const visible = [logger.text, ...errors.map((error) => `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`)].join('\n');
    expect(visible).toContain('[REDACTED]');
    expect(visible).not.toContain(token);
    expect(visible).not.toContain('wrong-token-value');
    // The state file holds no credential either.
    expect(readFileSync(path.join(data.path, 'misp-feed-sync.json')).toString('latin1')).not.toContain(token);
  });

  it('does not carry the feed headers along a redirect to another site', async () => {
    const elsewhere = await startFeedServer(loadFeedFiles(CERT_FR));
    try {
      server.faults.set('manifest.json', { status: 302, headers: { location: `${elsewhere.url}/manifest.json` } });
      const source = await feedSource({ headers: { Authorization: 'Bearer s3cr3t-feed-token', 'X-Api-Key': 'k3y-s3cr3t' } });
      const cycle = await source.startCycle(ALL_TIME, signal());
      expect(cycle.stats.manifestEvents).toBe(13);
      const redirected = elsewhere.requests[0];
      expect(redirected?.file).toBe('manifest.json');
      expect(redirected?.headers.authorization).toBeUndefined();
      expect(redirected?.headers['x-api-key']).toBeUndefined();
      expect(server.requests[0]?.headers['x-api-key']).toBe('k3y-s3cr3t');
    } finally {
      await elsewhere.close();
    }
  });

  it('keeps a token in the feed URL out of logs, errors and the state file', async () => {
    const source = await feedSource({ location: `${server.url}?key=url-s3cr3t-token` });
    const cycle = await source.startCycle(ALL_TIME, signal());
    await readPages(cycle.pages);
    await cycle.commit(true);
    expect(server.requests[0]?.file).toBe('manifest.json');
    server.files.delete('manifest.json');
    const error = (await source.startCycle(ALL_TIME, signal()).catch((failure: unknown) => failure)) as Error;
    expect(error).toBeInstanceOf(FeedManifestMissingError);
    expect(`${logger.text}\n${error.message}`).not.toContain('url-s3cr3t-token');
    expect(readFileSync(path.join(data.path, 'misp-feed-sync.json')).toString('latin1')).not.toContain('url-s3cr3t-token');
  });
});
