import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { StateFile } from '@sekoia/automation-sdk-shim';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DocumentFeedSource, type DocumentFeedOptions } from '../../misp_modules/feed/document-feed-source.js';
import { FeedDocumentUnreadableError } from '../../misp_modules/feed/errors/feed-document-unreadable-error.js';
import { parseFeedSettings } from '../../misp_modules/feed/feed-settings.js';
import { FeedSyncState } from '../../misp_modules/feed/feed-sync-state.js';
import { LIST_VALUE_FILE } from '../../misp_modules/feed/list-value-file.js';
import { startDocumentServer, type DocumentServer } from './support/document-server.js';
import { readPages, RecordingClock, RecordingLogger, temporaryDirectory } from './support/kit.js';
import { LIST_SAMPLES, type ListSample } from './support/list-samples.js';

let server: DocumentServer;
let logger: RecordingLogger;
let clock: RecordingClock;
let data: { path: string; remove: () => void };
let sources: DocumentFeedSource[];

beforeEach(async () => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy']) vi.stubEnv(name, '');
  server = await startDocumentServer('');
  logger = new RecordingLogger();
  clock = new RecordingClock();
  data = temporaryDirectory('document-feed-');
  sources = [];
});

afterEach(async () => {
  for (const source of sources) source.close();
  await server.close();
  data.remove();
  vi.unstubAllEnvs();
});

async function documentSource(sample: Pick<ListSample, 'format' | 'settings'>, options: Partial<DocumentFeedOptions> = {}, state?: FeedSyncState): Promise<DocumentFeedSource> {
  const source = new DocumentFeedSource(
    { location: server.url, verifySsl: true, clock, logger, maxAttempts: 1, format: sample.format, settings: parseFeedSettings(sample.settings), ...options },
    state ?? (await FeedSyncState.load(data.path, logger)),
  );
  sources.push(source);
  return source;
}

const signal = (): AbortSignal => new AbortController().signal;
const NOW = { sinceMs: 0 };

async function readValues(source: DocumentFeedSource): Promise<{ values: string[]; stamps: Map<string, number>; cycle: Awaited<ReturnType<DocumentFeedSource['startCycle']>> }> {
  const cycle = await source.startCycle(NOW, signal());
  const pages = await readPages(cycle.pages);
  const attributes = pages.flatMap((page) => page.attributes);
  return { values: attributes.map((attribute) => `${attribute.type} ${attribute.value}`), stamps: new Map(attributes.map((attribute) => [attribute.value, attribute.timestamp])), cycle };
}

describe('CSV and free-text lists in the shapes of real feeds', () => {
  it.each(Object.entries(LIST_SAMPLES))('reads %s to the exact values', async (_name, sample) => {
    server.body = sample.body;
    const source = await documentSource(sample);
    const { values, cycle } = await readValues(source);
    expect(values).toEqual(sample.expected);
    expect(cycle.stats).toMatchObject({ eventsFetched: 1, attributesEmitted: sample.expected.length, bytes: Buffer.byteLength(sample.body) });
    expect(server.requests[0]?.path).toBe('/downloads/list/?format=text');
  });
});

describe('incremental and polite', () => {
  const sample = LIST_SAMPLES['a phishing URL list (free text, one URL a line)'] as ListSample;

  it('asks again with the ETag and reads nothing when the list did not change', async () => {
    server.body = sample.body;
    const source = await documentSource(sample);
    const first = await readValues(source);
    await first.cycle.commit(true);
    const second = await readValues(source);
    await second.cycle.commit(true);
    expect(second.values).toEqual([]);
    expect(second.cycle.stats.notModified).toBe(true);
    expect(server.requests.map((request) => request.status)).toEqual([200, 304]);
    expect(server.requests[1]?.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
    // The unchanged list is still what the feed holds: its event stays in scope, so nothing lapses.
    expect([...second.cycle.eventsInScope]).toEqual([source.documentEvent]);
    expect(second.cycle.eventsRead.size).toBe(0);
  });

  it('uses Last-Modified when the server gives no ETag, across a restart', async () => {
    server.body = sample.body;
    server.etags = false;
    server.lastModified = 'Sun, 29 Nov 2026 08:00:00 GMT';
    const first = await readValues(await documentSource(sample));
    await first.cycle.commit(true);
    const restarted = await documentSource(sample);
    const second = await readValues(restarted);
    expect(second.cycle.stats.notModified).toBe(true);
    expect(server.requests[1]?.headers['if-modified-since']).toBe('Sun, 29 Nov 2026 08:00:00 GMT');
    expect(server.requests[1]?.headers['if-none-match']).toBeUndefined();
  });

  it('reads a changed list whole: a value that left is no longer carried, a new one is, and one that comes back is new again', async () => {
    server.body = 'https://a.evil-site.com/x\nhttps://b.evil-site.com/y\n';
    const source = await documentSource(sample);
    const first = await readValues(source);
    await first.cycle.commit(true);
    expect([...first.cycle.eventsRead]).toEqual([source.documentEvent]);
    clock.nowMs += 3_600_000;
    server.body = 'https://b.evil-site.com/y\nhttps://c.evil-site.com/z\n';
    const second = await readValues(source);
    await second.cycle.commit(true);
    expect(second.values).toEqual(['url https://b.evil-site.com/y', 'url https://c.evil-site.com/z']);
    // Still there: the same attribute, so the memory of delivered attributes skips it.
    expect(second.stamps.get('https://b.evil-site.com/y')).toBe(first.stamps.get('https://b.evil-site.com/y'));
    expect(second.stamps.get('https://c.evil-site.com/z')).not.toBe(first.stamps.get('https://b.evil-site.com/y'));
    clock.nowMs += 3_600_000;
    server.body = 'https://a.evil-site.com/x\nhttps://b.evil-site.com/y\n';
    const third = await readValues(source);
    await third.cycle.commit(true);
    // Back after it left (and lapsed, with valid_for): a new version of the attribute, pushed again.
    expect(third.stamps.get('https://a.evil-site.com/x')).not.toBe(first.stamps.get('https://a.evil-site.com/x'));
    expect(third.stamps.get('https://b.evil-site.com/y')).toBe(first.stamps.get('https://b.evil-site.com/y'));
  });

  it('keeps the timestamps across a restart: a value that came back meanwhile is new, one that stayed is not', async () => {
    server.body = 'https://a.evil-site.com/x\nhttps://b.evil-site.com/y\n';
    const before = await documentSource(sample);
    const first = await readValues(before);
    await first.cycle.commit(true);
    clock.nowMs += 3_600_000;
    server.body = 'https://b.evil-site.com/y\nhttps://c.evil-site.com/z\n';
    const second = await readValues(before);
    await second.cycle.commit(true);
    before.close();

    clock.nowMs += 3_600_000;
    server.body = 'https://a.evil-site.com/x\nhttps://b.evil-site.com/y\nhttps://c.evil-site.com/z\n';
    const after = await documentSource(sample);
    const third = await readValues(after);
    await third.cycle.commit(true);
    expect(third.stamps.get('https://a.evil-site.com/x')).toBe(Math.floor(clock.nowMs / 1000));
    expect(third.stamps.get('https://b.evil-site.com/y')).toBe(first.stamps.get('https://b.evil-site.com/y'));
    expect(third.stamps.get('https://c.evil-site.com/z')).toBe(second.stamps.get('https://c.evil-site.com/z'));
    expect(logger.at('info')).toContain(`free-text feed at ${after.display}: 2 values remembered from the last sync.`);
  });

  it('saves no timestamps from a cycle that did not deliver everything, and reads a damaged memory as none', async () => {
    server.body = 'https://a.evil-site.com/x\n';
    const source = await documentSource(sample);
    await (await readValues(source)).cycle.commit(false);
    expect(existsSync(path.join(data.path, LIST_VALUE_FILE))).toBe(false);
    await (await readValues(source)).cycle.commit(true);
    expect(existsSync(path.join(data.path, LIST_VALUE_FILE))).toBe(true);

    // A valid frame around bytes that are not a list memory.
    await new StateFile(path.join(data.path, LIST_VALUE_FILE), logger).writeBytes(Buffer.from('not a list memory'));
    clock.nowMs += 3_600_000;
    server.body = 'https://a.evil-site.com/x\nhttps://b.evil-site.com/y\n';
    const restarted = await readValues(await documentSource(sample));
    // Read as a first sync: every value taken as present from the start.
    expect(new Set(restarted.stamps.values())).toEqual(new Set([1]));
    expect(logger.at('warning').some((message) => message.startsWith(`The list memory ${LIST_VALUE_FILE} is ignored because it does not start with the list memory header`))).toBe(true);
  });

  it('reads the list again, with the timestamps of the last saved sync, when its memory cannot be written', async () => {
    server.body = 'https://a.evil-site.com/x\n';
    const source = await documentSource(sample);
    const first = await readValues(source);
    await first.cycle.commit(true);
    // The crash-safe write goes through a temporary file beside the memory: a directory there makes it fail.
    mkdirSync(path.join(data.path, `${LIST_VALUE_FILE}.tmp`));
    clock.nowMs += 3_600_000;
    server.body = 'https://a.evil-site.com/x\nhttps://b.evil-site.com/y\n';
    const second = await readValues(source);
    await expect(second.cycle.commit(true)).rejects.toThrow(/EISDIR/);
    rmSync(path.join(data.path, `${LIST_VALUE_FILE}.tmp`), { recursive: true });
    clock.nowMs += 3_600_000;
    const third = await readValues(await documentSource(sample));
    expect(third.values).toEqual(['url https://a.evil-site.com/x', 'url https://b.evil-site.com/y']);
    expect(server.requests.at(-1)?.status).toBe(200);
    expect(third.stamps.get('https://a.evil-site.com/x')).toBe(first.stamps.get('https://a.evil-site.com/x'));
    expect(third.stamps.get('https://b.evil-site.com/y')).toBe(Math.floor(clock.nowMs / 1000));
  });

  it('reads the list again when the last cycle did not deliver everything', async () => {
    server.body = sample.body;
    const source = await documentSource(sample);
    const first = await readValues(source);
    await first.cycle.commit(false);
    const second = await readValues(source);
    expect(second.values).toEqual(sample.expected);
    expect(server.requests[1]?.headers['if-none-match']).toBeUndefined();
  });
});

describe('failures', () => {
  const sample = LIST_SAMPLES['a phishing URL list (free text, one URL a line)'] as ListSample;

  it('names a refused list, a missing one and an unreachable one, without a credential', async () => {
    server.status = 403;
    const source = await documentSource(sample, { headers: { authorization: 'Bearer list-token-123' } });
    const denied = await source.startCycle(NOW, signal()).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(FeedDocumentUnreadableError);
    expect((denied as FeedDocumentUnreadableError).kind).toBe('denied');
    expect((denied as Error).message).toMatch(/^The free-text feed at 127\.0\.0\.1:\d+\/downloads\/list\/ could not be read \(HTTP 403: refused.*feed_authorization/);
    expect((denied as Error).message).not.toContain('list-token-123');
    server.status = 404;
    const missing = await source.startCycle(NOW, signal()).catch((error: unknown) => error);
    expect((missing as FeedDocumentUnreadableError).kind).toBe('missing');
    expect((missing as Error).message).toContain('the file itself');
  });

  it('refuses an HTML page answered in place of the list, and pushes none of its links', async () => {
    server.body = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><a href="https://sso.example.org/login">Sign in</a></body></html>\n';
    const source = await documentSource(sample);
    const error = await source.startCycle(NOW, signal()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedDocumentUnreadableError);
    expect((error as Error).message).toMatch(/could not be read \(HTML page: the server answered an HTML page \(.*\/plain; charset=utf-8\) instead of the list\)\. .*nothing was pushed/);
    server.body = '<pre>\nhttp://evil-site.com/a.exe\n</pre>\n';
    expect((await readValues(source)).values).toEqual(['url http://evil-site.com/a.exe']);
  });

  it('reads a local file, and refuses a relative path', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = `${data.path}/list.txt`;
    writeFileSync(file, sample.body);
    const { values } = await readValues(await documentSource(sample, { location: file }));
    expect(values).toEqual(sample.expected);
    expect(() => new DocumentFeedSource({ location: 'lists/list.txt', verifySsl: true, clock, logger, format: 'csv', settings: parseFeedSettings('') }, {} as FeedSyncState)).toThrow(/absolute path/);
  });
});
