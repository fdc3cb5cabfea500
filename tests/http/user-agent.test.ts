import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { startLoopbackServer, type LoopbackServer } from '../../misp_modules/dev/loopback-http.js';
import { HttpFeedTransport } from '../../misp_modules/feed/feed-transport.js';
import { parseFeedLocation } from '../../misp_modules/feed/feed-location.js';
import { MispAttributeSearch } from '../../misp_modules/misp/attribute-search.js';
import { MispApi } from '../../misp_modules/misp/misp-api.js';
import { IocCollectionClient } from '../../misp_modules/sekoia/ioc-collection-client.js';
import { RecordingClock, RecordingLogger } from '../support/recording.js';

const manifest = JSON.parse(readFileSync(path.join(moduleRoot(), 'manifest.json'), 'utf8')) as { slug: string; version: string };
const expected = `sekoia-automation-module-${manifest.slug}/${manifest.version} (trigger misp-ids-attributes-to-ioc-collection; node ${process.version})`;

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers every request with `body`, keeping the requests. */
async function answering(status: number, body: unknown): Promise<LoopbackServer> {
  server = await startLoopbackServer((exchange) => exchange.send(status, body));
  return server;
}

describe('the User-Agent of every request', () => {
  it('names the module and its version, as manifest.json states them', () => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(expected).toMatch(/^sekoia-automation-module-misp\/\d+\.\d+\.\d+ /);
  });

  it('is sent to the Sekoia.io IOC collection', async () => {
    const collection = await answering(202, { task_id: 't' });
    const client = new IocCollectionClient({
      serverUrl: collection.url,
      collectionUuid: 'ioc-collection--0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      apiKey: 'key',
      verifySsl: true,
      clock: new RecordingClock(),
      logger: new RecordingLogger(),
    });
    await client.push({ format: 'ipv4-addr.value', values: ['192.0.2.1'] });
    await client.close();
    expect(collection.requests.map((request) => request.headers['user-agent'])).toEqual([expected]);
  });

  it('is sent to MISP', async () => {
    const misp = await answering(200, { response: { Attribute: [] } });
    const client = new MispApi({ baseUrl: misp.url, apiKey: 'key', verifySsl: true, clock: new RecordingClock(), logger: new RecordingLogger() });
    for await (const page of new MispAttributeSearch(client).searchAttributes({ publishedSince: 0, pageSize: 100 })) void page;
    client.close();
    expect(misp.requests.map((request) => request.headers['user-agent'])).toEqual([expected]);
  });

  it('is sent to a MISP feed', async () => {
    const feed = await answering(200, {});
    const location = parseFeedLocation(feed.url);
    if (location.kind !== 'http') throw new Error('an http location was expected');
    const transport = new HttpFeedTransport({
      location,
      headers: {},
      verifySsl: true,
      clock: new RecordingClock(),
      logger: new RecordingLogger(),
      timeouts: { connectMs: 5_000, responseMs: 5_000 },
      maxAttempts: 1,
    });
    await transport.get('manifest.json', undefined, new AbortController().signal);
    transport.close();
    expect(feed.requests.map((request) => request.headers['user-agent'])).toEqual([expected]);
  });
});
