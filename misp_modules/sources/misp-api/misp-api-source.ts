import { restSearchFilters } from '../../filters/attribute-filter.js';
import { MispClient } from '../../misp/misp-client.js';
import type { AttributeSource, SourceCycle, SourceOpenContext } from '../attribute-source.js';
import { confirmedAttributes, withdrawnSince } from './misp-withdrawals.js';

/**
 * The MISP API: a cycle asks restSearch for the IDS attributes of events published since the
 * cursor, with the filters applied by MISP itself. MISP can be asked again afterwards, so it tells
 * which attributes it withdrew and which it still holds.
 */
export function openMispApiSource({ account, configuration, filters, proxies, clock, logger }: SourceOpenContext): AttributeSource {
  const mispUrl = account.misp_url ?? '';
  const misp = new MispClient({ baseUrl: mispUrl, apiKey: account.misp_api_key ?? '', clock, logger, ...proxies });
  const query = restSearchFilters(filters);
  const pageSize = configuration.misp_page_size;
  return {
    describe: `MISP ${new URL(mispUrl).host}`,
    startCycle: async ({ sinceMs }, signal): Promise<SourceCycle> => ({
      pages: misp.searchAttributes({ publishedSince: Math.floor(sinceMs / 1000), pageSize, filters: query }, signal),
      // MISP applies the filters itself: nothing reaches the trigger to be left out.
      filtered: () => 0,
      withdrawn: (_live, cycleSignal) => withdrawnSince(misp, Math.floor(sinceMs / 1000), filters.types, pageSize, cycleSignal),
      confirm: (uuids, _live, cycleSignal) => confirmedAttributes(misp, uuids, query, pageSize, cycleSignal),
      // What MISP no longer confirms was taken back (IDS flag cleared, deleted, unpublished): withdrawn at once.
      unconfirmedRunsOut: false,
      commit: async () => undefined,
    }),
    close: () => misp.close(),
  };
}
