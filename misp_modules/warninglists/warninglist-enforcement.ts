/**
 * Where `enforce_warninglist` is carried out, decided at the start of each cycle. MISP 2.4.196 and
 * later drop warninglisted rows themselves and report how many a page lost
 * (`X-Skipped-Elements-Count`), so paging stays exact: they are asked to. An older MISP, or one
 * that does not tell its version, drops them after cutting the page and does not say so: a page
 * can come back short or empty while more follow, and no paging rule can tell. Such a MISP is
 * asked without `enforceWarninglist`, and its enabled warninglists are applied here, as MISP would.
 */
import type { Logger } from '@sekoia/automation-sdk-shim';
import { isOn } from '../misp/loose-fields.js';
import { formatMispVersion, isAtLeast, SKIPPED_COUNT_SINCE, type MispVersion } from '../misp/misp-version.js';
import type { WarninglistCatalogue } from './misp-warninglists.js';
import type { WarninglistMatcher } from './warninglist-matcher.js';

/** What one cycle asks MISP, and what it leaves out of the answers. */
export interface AttributeScreen {
  /** The restSearch filters to send. */
  filters: Record<string, unknown>;
  /** False for a value on a warninglist applied here (always true where MISP applies them). */
  accepts(attribute: { type: string; value: string }): boolean;
  /** The pages without the values on a warninglist applied here, each counted. */
  screen<P extends { attributes: ReadonlyArray<{ type: string; value: string }> }>(pages: AsyncIterable<P>): AsyncGenerator<P>;
  /** Values left out so far, by list name (empty where MISP applies the lists). */
  skipped(): ReadonlyMap<string, number>;
}

export interface WarninglistEnforcementOptions {
  /** MISP's version, as the MISP client asks it once (undefined: MISP did not tell). */
  version(signal?: AbortSignal): Promise<MispVersion | undefined>;
  catalogue: WarninglistCatalogue;
  host: string;
  logger: Logger;
}

export class WarninglistEnforcement {
  private told = false;

  constructor(private readonly options: WarninglistEnforcementOptions) {}

  /** The screen for a cycle that sends `filters` (restSearchFilters' output). */
  async forCycle(filters: Record<string, unknown>, signal?: AbortSignal): Promise<AttributeScreen> {
    if (!isOn(filters['enforceWarninglist'])) return passThrough(filters);
    const version = await this.options.version(signal);
    if (version !== undefined && isAtLeast(version, SKIPPED_COUNT_SINCE)) return passThrough(filters);
    if (!this.told) {
      this.told = true;
      const shown = version === undefined ? 'of unknown version' : `version ${formatMispVersion(version)}`;
      this.options.logger.log(
        `MISP at ${this.options.host} is ${shown}: before ${formatMispVersion(SKIPPED_COUNT_SINCE)} it does not report the rows its warninglists drop from a page, ` +
          'so the trigger reads MISP\'s enabled warninglists and applies them itself.',
      );
    }
    const matcher = await this.options.catalogue.refresh(signal);
    const { enforceWarninglist: _asked, ...withoutWarninglists } = filters;
    return localScreen(withoutWarninglists, matcher);
  }
}

function passThrough(filters: Record<string, unknown>): AttributeScreen {
  return { filters, accepts: () => true, screen: (pages) => relay(pages), skipped: () => new Map() };
}

async function* relay<P>(pages: AsyncIterable<P>): AsyncGenerator<P> {
  yield* pages;
}

function localScreen(filters: Record<string, unknown>, matcher: WarninglistMatcher): AttributeScreen {
  const counts = new Map<string, number>();
  return {
    filters,
    accepts: (attribute) => matcher.listOf(attribute.type, attribute.value) === undefined,
    async *screen(pages) {
      for await (const page of pages) {
        const kept = page.attributes.filter((attribute) => {
          const list = matcher.listOf(attribute.type, attribute.value);
          if (list === undefined) return true;
          counts.set(list, (counts.get(list) ?? 0) + 1);
          return false;
        });
        yield kept.length === page.attributes.length ? page : { ...page, attributes: kept };
      }
    },
    skipped: () => counts,
  };
}
