import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '@sekoia/automation-sdk-shim';
import { createTestRuntime } from '@sekoia/automation-sdk-shim/testing';
import { describe, expect, it } from 'vitest';
import { moduleRoot, TRIGGER_COMMAND } from '../../misp_modules/configuration/module-root.js';
import { MispIdsAttributesToIocCollectionTrigger } from '../../misp_modules/trigger/misp-ids-attributes-to-ioc-collection.js';
import { LIST_SAMPLES, type ListSample } from '../feed/support/list-samples.js';
import { closedAfterEachTest, COLLECTION, START_MS } from './trigger-harness.js';

const NOW_S = Math.floor(START_MS / 1000);
const HOUR = 3_600;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const { world, trigger } = closedAfterEachTest();

function listFile(body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'list-feed-')), 'list.txt');
  writeFileSync(file, body);
  return file;
}

describe('a CSV or free-text list as the trigger source', () => {
  it('pushes the values of a CSV list configured as MISP describes it, once', async () => {
    const sample = LIST_SAMPLES['a panel tracker (semicolons, columns 3 and 4)'] as ListSample;
    const w = await world();
    const t = trigger(w, { configuration: { source: 'misp_feed', feed_format: 'csv', feed_settings: sample.settings, feed_location: listFile(sample.body), sleep_time: HOUR } });
    await t.untilCycles(2);
    const accepted = w.collection.accepted(COLLECTION);
    expect([...accepted.all].sort()).toEqual(['203.0.113.80', '203.0.113.81', 'http://evil-site.com/panel/admin.php', 'http://other-evil.net/index.php']);
    expect(t.runtime.events[0]?.event).toMatchObject({ attributes_processed: 4, iocs_submitted: 4, iocs_skipped_invalid: 0 });
    // The second cycle found the file unchanged: no event, nothing pushed again.
    expect(t.runtime.events).toHaveLength(1);
  });

  it('with valid_for, makes a value that left the list lapse at the next refresh, and pushes host names by default', async () => {
    const file = listFile('203.0.113.5\nwww.evil-site.com\nevil-other.net\n');
    const w = await world();
    const t = trigger(w, { configuration: { source: 'misp_feed', feed_format: 'freetext', feed_location: file, valid_for: 1, sleep_time: 12 * HOUR } });
    await t.untilCycles(1);
    const accepted = () => w.collection.accepted(COLLECTION);
    expect(Object.fromEntries(accepted().validUntil)).toEqual({
      '203.0.113.5': iso(NOW_S + 24 * HOUR),
      'www.evil-site.com': iso(NOW_S + 24 * HOUR),
      'evil-other.net': iso(NOW_S + 24 * HOUR),
    });
    writeFileSync(file, '203.0.113.5\nevil-other.net\nnew-evil.org\n');
    await t.untilCycles(2);
    const cycle2 = NOW_S + 12 * HOUR;
    expect(accepted().validUntil.get('www.evil-site.com')).toBe(iso(cycle2));
    expect(accepted().validUntil.get('new-evil.org')).toBe(iso(cycle2 + 24 * HOUR));
    expect(accepted().validUntil.get('evil-other.net')).toBe(iso(cycle2 + 24 * HOUR));
    expect(t.runtime.events.at(-1)?.event).toMatchObject({ iocs_withdrawn: 1, iocs_submitted: 1 });
  });

  it('pushes again after a restart, with a fresh expiry, a value that came back while the trigger was down, and nothing that stayed', async () => {
    const file = listFile('203.0.113.5\nwww.evil-site.com\n');
    const configuration = { source: 'misp_feed', feed_format: 'freetext', feed_location: file, valid_for: 1, sleep_time: HOUR };
    const w = await world();
    const t = trigger(w, { configuration });
    await t.untilCycles(1);
    // www.evil-site.com leaves the list and lapses; new-evil.org joins it.
    writeFileSync(file, '203.0.113.5\nnew-evil.org\n');
    await t.untilCycles(2);
    const accepted = () => w.collection.accepted(COLLECTION);
    expect(accepted().validUntil.get('www.evil-site.com')).toBe(iso(NOW_S + HOUR));
    expect(accepted().validUntil.get('new-evil.org')).toBe(iso(NOW_S + HOUR + 24 * HOUR));
    await t.stop();

    writeFileSync(file, '203.0.113.5\nnew-evil.org\nwww.evil-site.com\n');
    const restartS = NOW_S + 3 * HOUR;
    const pushedBefore = accepted().all.length;
    const restarted = trigger(w, { dataPath: t.runtime.dataPath, startMs: restartS * 1000, configuration });
    await restarted.untilCycles(1);
    expect(accepted().all.slice(pushedBefore)).toEqual(['www.evil-site.com']);
    expect(accepted().validUntil.get('www.evil-site.com')).toBe(iso(restartS + 24 * HOUR));
    expect(accepted().validUntil.get('new-evil.org')).toBe(iso(NOW_S + HOUR + 24 * HOUR));
    expect(accepted().validUntil.get('203.0.113.5')).toBe(iso(NOW_S + 24 * HOUR));
  });

  it('refuses a list with an unreadable exclusion regex, and a tag filter a list cannot meet, naming both at once', () => {
    const build = (configuration: Record<string, unknown>) => () =>
      createTestRuntime(MispIdsAttributesToIocCollectionTrigger, {
        root: moduleRoot(),
        command: TRIGGER_COMMAND,
        moduleConfiguration: { sekoia_api_key: 'k' },
        configuration: { ioc_collection_uuid: COLLECTION, source: 'misp_feed', feed_location: '/tmp/list.csv', ...configuration },
      });
    const refused = build({ feed_format: 'csv', feed_settings: '{"common":{"excluderegex":"^#"}}', tags: ['tlp:clear'] });
    expect(refused).toThrow(ConfigurationError);
    expect(refused).toThrow(/feed_settings cannot be used: .*between delimiters.*tags asks for tags that a csv feed never carries/);
    expect(build({ feed_format: 'freetext', feed_location: 's3://bucket/' })).toThrow(/feed_location cannot be used: A CSV or free-text feed in S3 is one object/);
    expect(build({ feed_format: 'csv', source: 'misp_api' })).toThrow(/feed_format is "csv", which needs source misp_feed/);
    expect(build({ feed_format: 'csv', feed_settings: '{"csv":{"value":"2","delimiter":";"}}', tags: ['!tlp:red'] })).not.toThrow();
  });
});
