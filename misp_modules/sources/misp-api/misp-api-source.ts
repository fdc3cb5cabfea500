import { restSearchFilters } from '../../filters/attribute-filter.js';
import { MispAttributeSearch } from '../../misp/attribute-search.js';
import { MispApi } from '../../misp/misp-api.js';
import { WarninglistCatalogue } from '../../warninglists/misp-warninglists.js';
import { WarninglistEnforcement } from '../../warninglists/warninglist-enforcement.js';
import type { AttributeSource, SourceCycle, SourceOpenContext } from '../attribute-source.js';
import { confirmedAttributes, withdrawnSince } from './misp-withdrawals.js';

/**
 * The MISP API: a cycle asks restSearch for the IDS attributes of events published since the
 * cursor, with the filters applied by MISP itself. MISP can be asked again afterwards, so it tells
 * which attributes it withdrew and which it still holds. Warninglists are MISP's to apply where it
 * reports the rows they drop from a page; on an older MISP, they are read from it and applied here.
 */
export function openMispApiSource({ account, configuration, filters, proxies, clock, logger }: SourceOpenContext): AttributeSource {
  const mispUrl = account.misp_url ?? '';
  const api = new MispApi({ baseUrl: mispUrl, apiKey: account.misp_api_key ?? '', clock, logger, ...proxies });
  const misp = new MispAttributeSearch(api);
  const query = restSearchFilters(filters);
  const pageSize = configuration.misp_page_size;
  const warninglists = new WarninglistEnforcement({ version: (signal) => misp.version(signal), catalogue: new WarninglistCatalogue(api, logger), host: api.host, logger });
  return {
    describe: `MISP ${new URL(mispUrl).host}`,
    startCycle: async ({ sinceMs }, signal): Promise<SourceCycle> => {
      const screen = await warninglists.forCycle(query, signal);
      return {
        pages: screen.screen(misp.searchAttributes({ publishedSince: Math.floor(sinceMs / 1000), pageSize, filters: screen.filters }, signal)),
        // MISP applies the tag, organisation and type filters itself: nothing reaches the trigger to be left out.
        filtered: () => 0,
        warninglisted: () => screen.skipped(),
        withdrawn: (_live, cycleSignal) => withdrawnSince(misp, Math.floor(sinceMs / 1000), filters.types, pageSize, cycleSignal),
        // A value on a warninglist applied here is not vouched for: it lapses rather than being refreshed.
        confirm: (uuids, _live, cycleSignal) => confirmedAttributes(misp, uuids, screen.filters, pageSize, cycleSignal, screen.accepts),
        // What MISP no longer confirms was taken back (IDS flag cleared, deleted, unpublished): withdrawn at once.
        unconfirmedRunsOut: false,
        commit: async () => undefined,
      };
    },
    close: () => api.close(),
  };
}
