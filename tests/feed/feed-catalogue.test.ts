import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createValidator } from '@sekoia/automation-sdk-shim';
import { expect, it } from 'vitest';
import { moduleRoot, TRIGGER_DEFINITION_FILE } from '../../misp_modules/configuration/module-root.js';
import { catalogueFeedArguments, findCatalogueFeed, readFeedCatalogue } from '../../misp_modules/feed/feed-catalogue.js';
import { openFeedReader } from '../../misp_modules/feed/feed-reader.js';
import { parseFeedSettings } from '../../misp_modules/feed/feed-settings.js';
import { FeedSyncState } from '../../misp_modules/feed/feed-sync-state.js';
import { MispIdsAttributesToIocCollectionTrigger } from '../../misp_modules/trigger/misp-ids-attributes-to-ioc-collection.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';
import { RecordingClock, RecordingLogger, temporaryDirectory } from './support/kit.js';

const trigger = JSON.parse(readFileSync(path.join(moduleRoot(), TRIGGER_DEFINITION_FILE), 'utf8')) as { arguments: Record<string, unknown> };
const COLLECTION = 'ioc-collection--6a1e3c1e-9c1a-4f59-8e0e-5d3e2f6a7b01';

describeWithFixtures("MISP's default feed catalogue", () => {
  const feeds = readFeedCatalogue(readFileSync(fixturePath('misp-data/feed-metadata-defaults.json'), 'utf8'));

  it('lists 84 feeds: 7 MISP feeds, 42 CSV and 35 free-text lists', () => {
    expect(feeds).toHaveLength(84);
    expect(feeds.filter((feed) => feed.format === 'misp')).toHaveLength(7);
    expect(feeds.filter((feed) => feed.format === 'csv')).toHaveLength(42);
    expect(feeds.filter((feed) => feed.format === 'freetext')).toHaveLength(35);
  });

  it('accepts every entry as feed_format + feed_settings + feed_location, and builds its reader', async () => {
    const ajv = createValidator();
    const validate = ajv.compile(trigger.arguments);
    const data = temporaryDirectory('catalogue-');
    const logger = new RecordingLogger();
    const state = await FeedSyncState.load(data.path, logger);
    try {
      for (const feed of feeds) {
        const configuration = { ioc_collection_uuid: COLLECTION, ...catalogueFeedArguments(feed) };
        expect(validate(configuration), `${feed.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(MispIdsAttributesToIocCollectionTrigger.checkConfiguration({ sekoia_api_key: 'k' }, configuration), feed.name).toEqual([]);
        const reader = openFeedReader(configuration, { location: feed.url, verifySsl: true, clock: new RecordingClock(), logger }, state);
        expect(reader.display, feed.name).not.toBe('');
        reader.close();
      }
    } finally {
      data.remove();
    }
  });

  it("reads MISP's settings of the lists as MISP does: columns, delimiters, exclusion regexes, and the entry encoded twice", () => {
    const settingsOf = (name: string) => parseFeedSettings(findCatalogueFeed(feeds, name)?.settings);
    expect(settingsOf('Panels Tracker')).toMatchObject({ columns: [3, 4], delimiter: ';' });
    expect(settingsOf('VNC RFB')).toMatchObject({ columns: [3], delimiter: '|' });
    expect(settingsOf('alienvault reputation generic')).toMatchObject({ columns: [1], delimiter: ' ' });
    expect(settingsOf('Tor exit nodes')).toMatchObject({ columns: [], delimiter: ',' });
    expect(settingsOf('cybercrime-tracker.net - all')).toMatchObject({ columns: [], delimiter: ',', exclude: undefined });
    const phishtank = settingsOf('Phishtank online valid phishing').exclude as RegExp;
    expect(phishtank.test('HTTP://www.phishtank.com/phish_detail.php?phish_id=1')).toBe(true);
    expect(phishtank.test('http://evil-site.com/login')).toBe(false);
    const threatview = settingsOf('Threatview.io - C2 Hunt Feed');
    expect(threatview.columns).toEqual([1, 3]);
    expect(threatview.exclude?.test('# a comment')).toBe(true);
    expect(threatview.exclude?.test('threatview.io feed')).toBe(true);
    expect(threatview.exclude?.test('203.0.113.7')).toBe(false);
  });
});

it('refuses settings that cannot be read, naming what is wrong', () => {
  expect(() => parseFeedSettings('{"csv":')).toThrow(/not JSON/);
  expect(() => parseFeedSettings('{"csv":{"value":"two"}}')).toThrow(/column numbers/);
  expect(() => parseFeedSettings('{"csv":{"value":"0"}}')).toThrow(/from 1/);
  expect(() => parseFeedSettings('{"common":{"excluderegex":"^#"}}')).toThrow(/between delimiters/);
  expect(() => parseFeedSettings('{"common":{"excluderegex":"/^#/x"}}')).toThrow(/flag "x"/);
  expect(() => parseFeedSettings('{"common":{"excluderegex":"/(/"}}')).toThrow(/not a valid regular expression/);
  expect(() => parseFeedSettings('[1]')).toThrow(/not a list/);
  expect(parseFeedSettings('{"csv":{"delimiter":"\\\\t"}}').delimiter).toBe('\t');
  expect(parseFeedSettings({ csv: { value: '2' } }).columns).toEqual([2]);
  expect(() => readFeedCatalogue('{}')).toThrow(/JSON list/);
  expect(() => readFeedCatalogue('[{"Feed":{"name":"x","url":"https://a.example/x","source_format":"stix"}}]')).toThrow(/source_format "stix"/);
});
