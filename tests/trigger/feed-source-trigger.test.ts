import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@sekoia/automation-sdk-shim';
import { createTestRuntime } from '@sekoia/automation-sdk-shim/testing';
import { moduleRoot, TRIGGER_COMMAND } from '../../misp_modules/configuration/module-root.js';
import { MispIdsAttributesToIocCollectionTrigger } from '../../misp_modules/trigger/misp-ids-attributes-to-ioc-collection.js';
import { expectedIndicators, feedFixture } from '../feed/support/kit.js';
import { itWithFixtures } from '../support/fixtures.js';
import { loadFeedFiles, startFeedServer, type FeedServer } from '../feed/support/feed-server.js';
import { closedAfterEachTest, COLLECTION, SEKOIA_KEY, type Runtime, type World } from './trigger-harness.js';

const FEED = feedFixture('cert-fr-anssi');
const FEED_TOKEN = 's3cr3t-feed-token-4242';
// The fixture's events date from 2020–2022: a ten-year window takes them all.
const WINDOW = { publish_timestamp: '3650' };

const { world, trigger, keep } = closedAfterEachTest();

function delivered(w: World): Set<string> {
  const result = new Set<string>();
  for (const [format, values] of w.collection.accepted(COLLECTION).byFormat) for (const value of values) result.add(`${format} ${value}`);
  return result;
}

describe('the trigger with a MISP feed as its source', () => {
  itWithFixtures('delivers every IDS indicator of a feed directory, then nothing again', async () => {
    const w = await world();
    const t: Runtime = trigger(w, { configuration: { source: 'misp_feed', feed_location: FEED, ...WINDOW } });
    await t.untilCycles(2);
    expect(delivered(w)).toEqual(expectedIndicators(FEED).indicators);
    const all = w.collection.accepted(COLLECTION).all;
    expect(all.length).toBe(new Set(all).size);
    expect(t.cycleLogs()[1]).toMatch(/ 0 new IOCs pushed/);
  });

  itWithFixtures('reads a feed over HTTP with the account\'s Authorization header, re-reading only what changed, with the header in no log', async () => {
    const w = await world();
    const server: FeedServer = await startFeedServer(loadFeedFiles(FEED));
    keep(server);
    server.requiredAuthorization = `Bearer ${FEED_TOKEN}`;
    const t = trigger(w, {
      account: { feed_authorization: `Bearer ${FEED_TOKEN}` },
      configuration: { source: 'misp_feed', feed_location: server.url, ...WINDOW },
    });
    await t.untilCycles(2);
    expect(delivered(w)).toEqual(expectedIndicators(FEED).indicators);
    const eventFiles = server.requests.filter((request) => request.file !== 'manifest.json');
    expect(eventFiles).toHaveLength(13); // each event once: the second cycle found the manifest unchanged
    expect(JSON.stringify(t.runtime.logs)).not.toContain(FEED_TOKEN);
  });

  it('refuses a configuration that lacks what its source needs, naming every missing key at once', () => {
    const build = (account: Record<string, unknown>, configuration: Record<string, unknown>) => () =>
      createTestRuntime(MispIdsAttributesToIocCollectionTrigger, {
        root: moduleRoot(),
        command: TRIGGER_COMMAND,
        moduleConfiguration: { sekoia_api_key: SEKOIA_KEY, ...account },
        configuration: { ioc_collection_uuid: COLLECTION, ...configuration },
      });
    expect(build({}, {})).toThrow(ConfigurationError);
    expect(build({}, {})).toThrow(/misp_url.*misp_api_key/);
    expect(build({}, { source: 'misp_feed' })).toThrow(/feed_location is missing/);
    expect(build({ feed_headers: 'not a header line' }, { source: 'misp_feed', feed_location: FEED })).toThrow(/feed_headers/);
    expect(build({}, { source: 'misp_feed', feed_location: FEED })).not.toThrow();
    expect(build({ misp_url: 'https://misp.example.org', misp_api_key: 'k' }, {})).not.toThrow();
  });
});
