import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
// s3rver speaks S3's REST protocol over HTTP, on loopback, from a directory of its own.
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DocumentFeedSource } from '../../misp_modules/feed/document-feed-source.js';
import { FeedDocumentUnreadableError } from '../../misp_modules/feed/errors/feed-document-unreadable-error.js';
import { S3RefusedError } from '../../misp_modules/feed/errors/s3-refused-error.js';
import { parseFeedSettings } from '../../misp_modules/feed/feed-settings.js';
import { FeedSource } from '../../misp_modules/feed/feed-source.js';
import { FeedSyncState } from '../../misp_modules/feed/feed-sync-state.js';
import type { S3Settings } from '../../misp_modules/feed/s3-feed-transport.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';
import { startDocumentServer } from './support/document-server.js';
import { startFeedServer, loadFeedFiles } from './support/feed-server.js';
import { BARE_403_BUCKET, S3_REFUSALS, startRefusingS3Server } from './support/s3-refusing-server.js';
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
      expect(denied).toBeInstanceOf(S3RefusedError);
      expect((denied as S3RefusedError).kind).toBe('denied');
      expect((denied as Error).message).toMatch(/^S3 answered InvalidAccessKeyId for the free-text feed at s3:\/\/threat-feeds\/lists\/posts\.txt: .*s3_access_key_id/);
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

describe('S3 refusals, named as S3 names them', () => {
  const ACCESS_KEY = 'AKIAREFUSEDKEY000042';
  const SECRET_KEY = 'refused-secret-key-9b8a7c6d5e';
  const EXPECTED: Record<keyof typeof S3_REFUSALS, string> = {
    'wrong-secret': 'the secret access key does not go with the access key id, so check that s3_secret_access_key in the account is the secret of s3_access_key_id.',
    'unknown-key': 'this S3 service knows no such access key id, so check s3_access_key_id in the account (and s3_endpoint, since keys of one S3 service mean nothing to another).',
    'no-permission':
      'the keys are valid but have no permission on that bucket or object, so grant the user of s3_access_key_id s3:GetObject on it (and s3:ListBucket on the bucket, without which S3 answers AccessDenied for a missing object too), or set keys that have it.',
    'no-such-bucket': 'there is no such bucket at this S3 endpoint, so check the bucket name in feed_location, and s3_endpoint and s3_region.',
  };

  it.each(Object.entries(S3_REFUSALS))('%s: one sentence naming %j, its meaning and the settings to check, never a key', async (bucket, { code }) => {
    const server = await startRefusingS3Server();
    const logger = new RecordingLogger();
    const state = await FeedSyncState.load(data.path, logger);
    const s3 = { endpoint: server.endpoint, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY };
    const list = new DocumentFeedSource({ location: `s3://${bucket}/lists/posts.txt`, s3, verifySsl: true, clock, logger, format: 'freetext', settings: parseFeedSettings(SAMPLE.settings), maxAttempts: 1 }, state);
    const feed = new FeedSource({ location: `s3://${bucket}/misp/cert-fr`, s3, verifySsl: true, clock, logger, maxAttempts: 1 }, state);
    try {
      const fromList = await list.startCycle(NOW, new AbortController().signal).catch((error: unknown) => error);
      const fromFeed = await feed.startCycle(NOW, new AbortController().signal).catch((error: unknown) => error);
      const meaning = EXPECTED[bucket as keyof typeof S3_REFUSALS];
      expect(fromList).toBeInstanceOf(S3RefusedError);
      expect(fromFeed).toBeInstanceOf(S3RefusedError);
      expect((fromList as S3RefusedError).code).toBe(code);
      expect((fromList as Error).message).toBe(`S3 answered ${code} for the free-text feed at s3://${bucket}/lists/posts.txt: ${meaning}`);
      expect((fromFeed as Error).message).toBe(`S3 answered ${code} for the manifest.json of the MISP feed at s3://${bucket}/misp/cert-fr: ${meaning}`);
      for (const message of [(fromList as Error).message, (fromFeed as Error).message]) {
        // One sentence: a single full stop, at its end.
        expect(message.match(/\.(\s|$)/g)).toHaveLength(1);
        expect(message).not.toMatch(/HTTP 403|feed headers|Authorization/);
      }
      const everything = [(fromList as Error).message, (fromFeed as Error).message, logger.text].join('\n');
      expect(everything).not.toContain(ACCESS_KEY);
      expect(everything).not.toContain(SECRET_KEY);
    } finally {
      list.close();
      feed.close();
      await server.close();
    }
  });

  it('a bare 403 without a code: the S3 keys of the account, not feed headers', async () => {
    const server = await startRefusingS3Server();
    const state = await FeedSyncState.load(data.path, logger);
    const feed = new FeedSource({ location: `s3://${BARE_403_BUCKET}/misp`, s3: { endpoint: server.endpoint, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, verifySsl: true, clock, logger, maxAttempts: 1 }, state);
    try {
      const error = await feed.startCycle(NOW, new AbortController().signal).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(S3RefusedError);
      expect((error as Error).message).toMatch(
        new RegExp(`^S3 answered HTTP 403 for the manifest\\.json of the MISP feed at s3://${BARE_403_BUCKET}/misp: S3 refused the keys or their permission, so check s3_access_key_id and s3_secret_access_key in the account, and that they may read that object\\.$`),
      );
    } finally {
      feed.close();
      await server.close();
    }
  });

  it('no credentials anywhere: says so, and where to set them, without asking S3', async () => {
    const server = await startRefusingS3Server();
    const nowhere = path.join(data.path, 'no-such-aws-file');
    // Nothing for the AWS SDK's chain to find, and no instance metadata service to ask off this host.
    for (const [name, value] of Object.entries({ AWS_SHARED_CREDENTIALS_FILE: nowhere, AWS_CONFIG_FILE: nowhere, AWS_EC2_METADATA_DISABLED: 'true' })) vi.stubEnv(name, value);
    const state = await FeedSyncState.load(data.path, logger);
    const feed = new FeedSource({ location: 's3://wrong-secret/misp', s3: { endpoint: server.endpoint }, verifySsl: true, clock, logger, maxAttempts: 1 }, state);
    try {
      const error = await feed.startCycle(NOW, new AbortController().signal).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(S3RefusedError);
      expect((error as Error).message).toBe(
        'No AWS credentials were found to read the manifest.json of the MISP feed at s3://wrong-secret/misp: the account has no S3 keys and the environment no AWS credentials, ' +
          'so set s3_access_key_id and s3_secret_access_key in the account, or give the container AWS credentials.',
      );
    } finally {
      feed.close();
      await server.close();
      for (const name of ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED']) vi.stubEnv(name, '');
    }
  });

  it('without keys in the account, points to the AWS credentials of the environment as well', async () => {
    const server = await startRefusingS3Server();
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET_KEY);
    const state = await FeedSyncState.load(data.path, logger);
    const list = new DocumentFeedSource(
      { location: 's3://wrong-secret/lists/posts.txt', s3: { endpoint: server.endpoint }, verifySsl: true, clock, logger, format: 'freetext', settings: parseFeedSettings(SAMPLE.settings), maxAttempts: 1 },
      state,
    );
    try {
      const error = await list.startCycle(NOW, new AbortController().signal).catch((caught: unknown) => caught);
      expect((error as Error).message).toBe(
        'S3 answered SignatureDoesNotMatch for the free-text feed at s3://wrong-secret/lists/posts.txt: the secret access key does not go with the access key id, ' +
          'so check the AWS credentials of the environment (AWS_SECRET_ACCESS_KEY with AWS_ACCESS_KEY_ID, or the profile or role in use), or set s3_access_key_id and s3_secret_access_key in the account.',
      );
      expect((error as Error).message).not.toContain(ACCESS_KEY);
    } finally {
      list.close();
      await server.close();
      vi.stubEnv('AWS_ACCESS_KEY_ID', '');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    }
  });
});
