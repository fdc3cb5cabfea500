import { FeedSyncState } from '../../feed/feed-sync-state.js';
import { openFeedReader } from '../../feed/feed-reader.js';
import { feedFormatOf } from '../../feed/feed-settings.js';
import { createLocalFilter } from '../../filters/attribute-filter.js';
import type { AttributeSource, SourceCycle, SourceOpenContext } from '../attribute-source.js';
import { feedHeadersOf } from './feed-account-headers.js';
import { FeedEventLedger } from './feed-event-ledger.js';

/** How a feed is named in logs, by format. */
const FEED_LABELS = { misp: 'MISP feed', csv: 'CSV feed', freetext: 'free-text feed' } as const;

/**
 * A MISP feed, or one CSV or free-text list, over HTTP, in a directory or on S3. A feed has no
 * publication cursor: each cycle reads the whole window, the reader skipping unchanged events
 * itself, and applies the filters here since no MISP does. A feed cannot be asked what it
 * withdrew: an event read again withdraws the attributes it no longer carries, an event the
 * manifest no longer lists withdraws all of its attributes, and an attribute is vouched for while
 * its event is listed in the window; once its event ages out of the window, it is left to lapse.
 */
export async function openMispFeedSource({ account, configuration, filters, proxies, clock, logger, dataPath, stateFileSystem, followsWithdrawals }: SourceOpenContext): Promise<AttributeSource> {
  const feed = openFeedReader(
    configuration,
    {
      location: configuration.feed_location ?? '',
      headers: feedHeadersOf({ ...account }),
      concurrency: configuration.feed_concurrency,
      filter: createLocalFilter(filters),
      s3: { endpoint: configuration.s3_endpoint, region: configuration.s3_region, accessKeyId: account.s3_access_key_id, secretAccessKey: account.s3_secret_access_key },
      clock,
      logger,
      ...proxies,
    },
    await FeedSyncState.load(dataPath, logger, stateFileSystem),
  );
  return {
    describe: `${FEED_LABELS[feedFormatOf(configuration.feed_format)]} ${feed.display}`,
    startCycle: async ({ windowStartMs }, signal): Promise<SourceCycle> => {
      const cycle = await feed.startCycle({ sinceMs: windowStartMs }, signal);
      // Only expiry reads the ledger: without `valid_for`, a large first sync keeps no map of it.
      const ledger = followsWithdrawals ? new FeedEventLedger() : undefined;
      return {
        pages: ledger === undefined ? cycle.pages : ledger.follow(cycle.pages),
        filtered: () => cycle.stats.attributesFiltered,
        eventOf: (key) => ledger?.eventOf(key),
        withdrawn: async (live) => {
          const listed = cycle.eventsListed;
          const dropped = listed === undefined ? [] : live.attributesOutside(listed);
          const edited = live.attributesOf(cycle.eventsRead).filter((uuid) => {
            const event = live.eventOf(uuid);
            return event === undefined || !(ledger?.carries(event, uuid) ?? false);
          });
          return [...dropped, ...edited];
        },
        // Delivered before its event was known: kept, rather than lapsing a valid indicator.
        confirm: async (uuids, live) =>
          new Set(
            uuids.filter((uuid) => {
              const event = live.eventOf(uuid);
              return event === undefined || cycle.eventsInScope.has(event);
            }),
          ),
        // A feed event that aged out of the window is still listed: nobody withdrew it, it runs out.
        unconfirmedRunsOut: true,
        commit: (complete) => cycle.commit(complete),
      };
    },
    close: () => feed.close(),
  };
}
