import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../feed/support/kit.js';
import { LIST_SAMPLES, type ListSample } from '../feed/support/list-samples.js';
import { startRefusingS3Server } from '../feed/support/s3-refusing-server.js';
import { closedAfterEachTest, COLLECTION } from './trigger-harness.js';

const SAMPLE = LIST_SAMPLES['a malware URL dump (CSV, quoted cells holding commas, column 3)'] as ListSample;
/** s3rver knows this access key id; it does not check version 4 signatures, so the secret is ours to choose. */
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 's3-secret-0f9e8d7c6b5a4f3e2d1c';

const { world, trigger } = closedAfterEachTest();
let s3rver: S3rver;
let endpoint: string;
let storage: { path: string; remove: () => void };

beforeAll(async () => {
  storage = temporaryDirectory('s3rver-trigger-');
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: storage.path });
  endpoint = `http://127.0.0.1:${(await s3rver.run()).port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  await client.send(new CreateBucketCommand({ Bucket: 'lists' }));
  await client.send(new PutObjectCommand({ Bucket: 'lists', Key: 'urls/recent.csv', Body: SAMPLE.body }));
  client.destroy();
});

afterAll(async () => {
  await s3rver.close();
  storage.remove();
});

describe('a list in an S3 bucket as the trigger source', () => {
  it('reads it with the account keys and the trigger arguments, pushes its values once, and never logs the secret key', async () => {
    const w = await world();
    const t = trigger(w, {
      account: { s3_access_key_id: ACCESS_KEY, s3_secret_access_key: SECRET_KEY },
      configuration: { source: 'misp_feed', feed_format: 'csv', feed_settings: SAMPLE.settings, feed_location: 's3://lists/urls/recent.csv', s3_endpoint: endpoint, s3_region: 'eu-west-3' },
    });
    await t.untilCycles(2);
    expect([...w.collection.accepted(COLLECTION).all].sort()).toEqual(['http://203.0.113.50:44123/i', 'https://evil-site.com/wp-content/x.zip']);
    const messages = t.runtime.logs.map((entry) => entry.message);
    expect(messages.some((message) => message.startsWith('Starting: CSV feed s3://lists/urls/recent.csv'))).toBe(true);
    expect(messages).toContain('CSV feed at s3://lists/urls/recent.csv: unchanged since the last sync; nothing to read.');
    expect(JSON.stringify(t.runtime.logs)).not.toContain(SECRET_KEY);
  });
});

describe('an S3 service that refuses the keys', () => {
  it('fails the cycle with one sentence naming the S3 code and the account setting, and no key in any log line', async () => {
    const refusing = await startRefusingS3Server();
    try {
      const w = await world();
      const t = trigger(w, {
        account: { s3_access_key_id: 'AKIAREFUSEDKEY000042', s3_secret_access_key: SECRET_KEY },
        configuration: { source: 'misp_feed', feed_format: 'csv', feed_settings: SAMPLE.settings, feed_location: 's3://wrong-secret/urls/recent.csv', s3_endpoint: refusing.endpoint },
      });
      await t.untilCycles(1);
      const failures = t.runtime.logs.filter((entry) => entry.level === 'error').map((entry) => entry.message);
      expect(failures[0]).toBe(
        'Cycle 1 failed: S3 answered SignatureDoesNotMatch for the CSV feed at s3://wrong-secret/urls/recent.csv: the secret access key does not go with the access key id, ' +
          'so check that s3_secret_access_key in the account is the secret of s3_access_key_id. Nothing is lost: the next cycle starts again from the last complete one.',
      );
      const everything = JSON.stringify(t.runtime.logs);
      expect(everything).not.toContain('AKIAREFUSEDKEY000042');
      expect(everything).not.toContain(SECRET_KEY);
    } finally {
      await refusing.close();
    }
  });
});
