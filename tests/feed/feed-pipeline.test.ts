import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { FeedSource } from '../../misp_modules/feed/feed-source.js';
import { FeedSyncState } from '../../misp_modules/feed/feed-sync-state.js';
import { normaliseAttribute } from '../../misp_modules/iocs/normalise-attribute.js';
import type { IndicatorBatch } from '../../misp_modules/pipeline/indicator-batcher.js';
import { runSyncCycle, type BatchOutcome } from '../../misp_modules/pipeline/sync-cycle.js';
import { DeliveredAttributes } from '../../misp_modules/state/delivered-attributes.js';
import { loadFeedFiles, startFeedServer, type FeedServer } from './support/feed-server.js';
import { describeWithFixtures } from '../support/fixtures.js';
import { expectedIndicators, feedFixture, RecordingLogger, RecordingClock, temporaryDirectory } from './support/kit.js';

const CERT_FR = feedFixture('cert-fr-anssi');

let server: FeedServer;
let data: { path: string; remove: () => void };

beforeEach(async () => {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) vi.stubEnv(name, '');
  server = await startFeedServer(loadFeedFiles(CERT_FR));
  data = temporaryDirectory('feed-pipeline-');
});

afterEach(async () => {
  await server.close();
  data.remove();
  vi.unstubAllEnvs();
});

describeWithFixtures('a feed through the sync pipeline', () => {
  it('re-reads the events of a cycle whose batches failed until every IOC is accepted, then rests on the ETag', async () => {
    const clock = new RecordingClock();
    const logger = new RecordingLogger();
    const source = new FeedSource({ location: server.url, verifySsl: true, clock, logger }, await FeedSyncState.load(data.path, logger));
    const delivered = new DeliveredAttributes(100_000);
    const accepted = new Set<string>();
    let refuseUrls = true;
    const push = async (batch: IndicatorBatch): Promise<BatchOutcome> => {
      if (refuseUrls && batch.format === 'url.value') return { accepted: [], failed: batch.values };
      for (const value of batch.values) accepted.add(`${batch.format} ${value}`);
      return { accepted: batch.values, failed: [] };
    };
    const cycle = async () => {
      const feed = await source.startCycle({ sinceMs: 0 }, new AbortController().signal);
      const report = await runSyncCycle({ pages: feed.pages, normalise: normaliseAttribute, push, delivered, batchSize: 100, maxBatchesInFlight: 2, now: () => clock.now() });
      await feed.commit(report.batchesFailed === 0);
      return { feed, report };
    };

    const first = await cycle();
    expect(first.report.iocsFailed).toBeGreaterThan(0);
    expect([...accepted].some((indicator) => indicator.startsWith('url.value'))).toBe(false);

    refuseUrls = false;
    const second = await cycle();
    // Every event carrying IOCs is read again; what was accepted before is not pushed twice.
    expect(second.feed.stats.eventsFetched).toBe(13);
    expect(second.report.iocsSubmitted).toBe(first.report.iocsFailed);
    expect(second.report.batchesFailed).toBe(0);
    expect(accepted).toEqual(expectedIndicators(CERT_FR).indicators);

    const third = await cycle();
    expect(third.feed.stats.notModified).toBe(true);
    expect(third.report.attributesFetched).toBe(0);
    source.close();
  });
});
