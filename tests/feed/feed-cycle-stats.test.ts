import { expect, it } from 'vitest';
import { emptyFeedCycleStats } from '../../misp_modules/feed/feed-source.js';

it('starts every feed cycle, of either reader, from one set of zeroed statistics, a fresh object each time', () => {
  const first = emptyFeedCycleStats();
  expect(first).toEqual({
    manifestEvents: 0,
    eventsInWindow: 0,
    eventsFetched: 0,
    eventsSkippedUnchanged: 0,
    eventsFailed: 0,
    bytes: 0,
    notModified: false,
    attributesEmitted: 0,
    attributesNotIds: 0,
    attributesDeleted: 0,
    attributesMalformed: 0,
    attributesFiltered: 0,
  });
  first.eventsFetched = 3;
  expect(emptyFeedCycleStats().eventsFetched).toBe(0);
});
