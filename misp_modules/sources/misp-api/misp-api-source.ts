import { restSearchFilters } from '../../filters/attribute-filter.js';
import { MispAttributeSearch } from '../../misp/attribute-search.js';
import { MispApi } from '../../misp/misp-api.js';
import { WarninglistCatalogue } from '../../warninglists/misp-warninglists.js';
import { WarninglistEnforcement } from '../../warninglists/warninglist-enforcement.js';
import { FatalTriggerError } from '@sekoia/automation-sdk-shim';
import { DecayingModelUnavailableError } from '../../decay/errors/decaying-model-unavailable-error.js';
import type { SightingsByAttribute } from '../../decay/sightings.js';
import type { SourceLifetime } from '../../pipeline/sync-cycle.js';
import type { AttributeSource, SourceCycle, SourceOpenContext } from '../attribute-source.js';
import { MispDecay } from './misp-decay.js';
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
  const decay =
    configuration.expiry === 'decaying_model'
      ? new MispDecay({
          json: api,
          version: (signal) => misp.version(signal),
          host: api.host,
          requested: configuration.decaying_model,
          threshold: configuration.decay_threshold,
          // A value alive on MISP's word alone is asked about again before this passes.
          verdictSeconds: 2 * configuration.sleep_time,
          clock,
        })
      : undefined;
  return {
    describe: `MISP ${new URL(mispUrl).host}`,
    startCycle: async ({ sinceMs }, signal): Promise<SourceCycle> => {
      if (decay !== undefined) await prepareDecay(decay, signal);
      const screen = await warninglists.forCycle(query, signal);
      const searchFilters = decay === undefined ? screen.filters : { ...screen.filters, ...decay.filters() };
      const pages = screen.screen(misp.searchAttributes({ publishedSince: Math.floor(sinceMs / 1000), pageSize, filters: searchFilters }, signal));
      // The sightings since the cursor, asked once a cycle for both withdrawals and refreshes.
      let sightings: Promise<SightingsByAttribute> | undefined;
      const sightingsOnce = (cycleSignal: AbortSignal): Promise<SightingsByAttribute> =>
        (sightings ??= (decay as MispDecay).sightings(Math.floor(sinceMs / 1000), Math.floor(clock.now() / 1000), cycleSignal));
      const decayParts: Partial<SourceCycle> =
        decay === undefined
          ? {}
          : {
              lifetimes: async (uuids, _live, cycleSignal) => {
                const lifetimes = new Map<string, SourceLifetime | undefined>();
                const now = Math.floor(clock.now() / 1000);
                await confirmedAttributes(misp, uuids, searchFilters, pageSize, cycleSignal, screen.accepts, (attribute) => {
                  lifetimes.set(attribute.uuid.toLowerCase(), decay.lifetimeOf(attribute, now));
                });
                return lifetimes;
              },
              resighted: async (live, cycleSignal) => [...(await sightingsOnce(cycleSignal)).lastSighting.keys()].map((uuid) => uuid.toLowerCase()).filter((uuid) => live.carries(uuid)),
            };
      return {
        ...decayParts,
        pages: decay === undefined ? pages : decay.withLifetimes(pages),
        // MISP applies the tag, organisation and type filters itself: nothing reaches the trigger to be left out.
        filtered: () => 0,
        warninglisted: () => screen.skipped(),
        withdrawn: async (live, cycleSignal) => {
          const withdrawn = await withdrawnSince(misp, Math.floor(sinceMs / 1000), filters.types, pageSize, cycleSignal);
          // A false-positive sighting withdraws its attribute at once, as MISP users mean it.
          if (decay !== undefined) for (const uuid of (await sightingsOnce(cycleSignal)).falsePositive) if (live.carries(uuid.toLowerCase())) withdrawn.add(uuid.toLowerCase());
          return withdrawn;
        },
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

/** A MISP that cannot honour `expiry: decaying_model` is a configuration problem: the trigger stops with its sentence. */
async function prepareDecay(decay: MispDecay, signal: AbortSignal): Promise<void> {
  try {
    await decay.prepare(signal);
  } catch (error) {
    if (error instanceof DecayingModelUnavailableError) throw new FatalTriggerError(error.message, { cause: error });
    throw error;
  }
}
