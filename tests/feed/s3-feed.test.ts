import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
// s3rver speaks S3's REST protocol over HTTP, on loopback, from a directory of its own.
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DocumentFeedSource } from '../../misp_modules/feed/document-feed-source.js';
import { FeedDocumentUnreadableError } from '../../misp_modules/feed/errors/feed-document-unreadable-error.js';
import { parseFeedSettings } from '../../misp_modules/feed/feed-settings.js';
import { FeedSource } from '../../misp_modules/feed/feed-source.js';
import { FeedSyncState } from '../../misp_modules/feed/feed-sync-state.js';
import type { S3Settings } from '../../misp_modules/feed/s3-feed-transport.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';
import { startDocumentServer } from './support/document-server.js';
import { startFeedServer, loadFeedFiles } from './support/feed-server.js';
import { indicatorsOf, readPages, RecordingClock, RecordingLogger, temporaryDirectory } from './support/kit.js';
import { LIST_SAMPLES, type ListSample } from './support/list-samples.js';

const BUCKET = 'threat-feeds';
/** s3rver's built-in account. */
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const SAMPLE = LIST_SAMPLES['a list of defanged indicators from posts (free text, an exclusion regex)'] as ListSample;
const NOW = { sinceMs: 0 };

let s3rver: S3rver;
let endpoint: string;
let client: S3Client;
let storage: { path: string; remove: () => void };
let data: { path: string; remove: () => void };
const logger = new RecordingLogger();
const clock = new RecordingClock();

beforeAll(async () => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) vi.stubEnv(name, '');
  storage = temporaryDirectory('s3rver-');
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: storage.path });
  const { port } = await s3rver.run();
  endpoint = `http://127.0.0.1:${port}`;
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: KEYS });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await put('lists/posts.txt', SAMPLE.body);
});

afterAll(async () => {
  client.destroy();
  await s3rver.close();
  storage.remove();
  vi.unstubAllEnvs();
});

beforeEach(() => {
  data = temporaryDirectory('s3-feed-state-');
  return () => data.remove();
});

async function put(key: string, body: string | Buffer): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

function s3Settings(overrides: Partial<S3Settings> = {}): S3Settings {
  return { endpoint, region: 'eu-west-3', ...KEYS, ...overrides };
}

async function valuesOf(source: DocumentFeedSource | FeedSource): Promise<{ values: string[]; cycle: Awaited<ReturnType<FeedSource['startCycle']>> }> {
  const cycle = await source.startCycle(NOW, new AbortController().signal);
  const pages = await readPages(cycle.pages);
  await cycle.commit(true);
  return { values: pages.flatMap((page) => page.attributes.map((attribute) => `${attribute.type} ${attribute.value}`)), cycle };
}

describe('a free-text feed in an S3 bucket', () => {
  it('delivers the same values as the same list over HTTP, and an unchanged object is not read again', async () => {
    const state = await FeedSyncState.load(data.path, logger);
    const settings = parseFeedSettings(SAMPLE.settings);
    const fromS3 = new DocumentFeedSource({ location: `s3://${BUCKET}/lists/posts.txt`, s3: s3Settings(), verifySsl: true, clock, logger, format: 'freetext', settings, maxAttempts: 1 }, state);
    const http = await startDocumentServer(SAMPLE.body);
    const fromHttp = new DocumentFeedSource({ location: http.url, verifySsl: true, clock, logger, format: 'freetext', settings }, state);
    try {
      const first = await valuesOf(fromS3);
      expect(first.values).toEqual(SAMPLE.expected);
      expect((await valuesOf(fromHttp)).values).toEqual(first.values);
      expect(first.cycle.stats.bytes).toBe(Buffer.byteLength(SAMPLE.body));
      const second = await valuesOf(fromS3);
      expect(second.values).toEqual([]);
      expect(second.cycle.stats).toMatchObject({ notModified: true, bytes: 0 });
      await put('lists/posts.txt', `${SAMPLE.body}evil-third[.]org\n`);
      const third = await valuesOf(fromS3);
      expect(third.values).toEqual([...SAMPLE.expected, 'domain evil-third.org']);
    } finally {
      fromS3.close();
      fromHttp.close();
      await http.close();
      await put('lists/posts.txt', SAMPLE.body);
    }
  });

  it('names a missing object and an unknown access key, never showing the keys', async () => {
    const state = await FeedSyncState.load(data.path, logger);
    const settings = parseFeedSettings(SAMPLE.settings);
    const missing = new DocumentFeedSource({ location: `s3://${BUCKET}/lists/none.txt`, s3: s3Settings(), verifySsl: true, clock, logger, format: 'freetext', settings, maxAttempts: 1 }, state);
    const secret = 'unknown-secret-key-7f3a9c';
    const refused = new DocumentFeedSource({ location: `s3://${BUCKET}/lists/posts.txt`, s3: s3Settings({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: secret }), verifySsl: true, clock, logger, format: 'freetext', settings, maxAttempts: 1 }, state);
    try {
      const notFound = await missing.startCycle(NOW, new AbortController().signal).catch((error: unknown) => error);
      expect(notFound).toBeInstanceOf(FeedDocumentUnreadableError);
      expect((notFound as FeedDocumentUnreadableError).kind).toBe('missing');
      expect((notFound as Error).message).toMatch(/^The free-text feed at s3:\/\/threat-feeds\/lists\/none\.txt could not be read \(HTTP 404: S3 NoSuchKey/);
      const denied = await refused.startCycle(NOW, new AbortController().signal).catch((error: unknown) => error);
      expect((denied as FeedDocumentUnreadableError).kind).toBe('denied');
      expect((denied as Error).message).toContain('S3 keys of the account');
      expect((denied as Error).message).not.toContain(secret);
      expect((denied as Error).message).not.toContain('AKIAUNKNOWNKEY000000');
    } finally {
      missing.close();
      refused.close();
    }
  });
});

describeWithFixtures('a MISP feed in an S3 bucket', () => {
  it('delivers the same indicators as the same feed over HTTP, and an unchanged manifest is not read again', async () => {
    const directory = fixturePath('misp-feeds/cert-fr-anssi');
    for (const name of readdirSync(directory)) await put(`misp/cert-fr/${name}`, readFileSync(path.join(directory, name)));
    const state = await FeedSyncState.load(data.path, logger);
    const fromS3 = new FeedSource({ location: `s3://${BUCKET}/misp/cert-fr`, s3: s3Settings(), verifySsl: true, clock, logger }, state);
    const http = await startFeedServer(loadFeedFiles(directory));
    const fromHttp = new FeedSource({ location: http.url, verifySsl: true, clock, logger }, await FeedSyncState.load(data.path, logger));
    try {
      const s3Cycle = await fromS3.startCycle(NOW, new AbortController().signal);
      const s3Pages = await readPages(s3Cycle.pages);
      await s3Cycle.commit(true);
      const httpCycle = await fromHttp.startCycle(NOW, new AbortController().signal);
      const httpPages = await readPages(httpCycle.pages);
      expect(s3Cycle.stats.eventsFetched).toBe(13);
      expect(indicatorsOf(s3Pages)).toEqual(indicatorsOf(httpPages));
      expect(indicatorsOf(s3Pages).size).toBeGreaterThan(100);
      const again = await fromS3.startCycle(NOW, new AbortController().signal);
      expect(again.stats).toMatchObject({ notModified: true, eventsFetched: 0, bytes: 0 });
    } finally {
      fromS3.close();
      fromHttp.close();
      await http.close();
    }
  });
});
