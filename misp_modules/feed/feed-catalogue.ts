import { InvalidFeedOptionsError } from './errors/invalid-feed-options-error.js';
import { FEED_FORMATS, type FeedFormat } from './feed-settings.js';

/** One feed of a MISP feed list (MISP's `defaults.json`, or the export of a MISP's feed list). */
export interface CatalogueFeed {
  name: string;
  provider: string;
  /** The feed's URL: a MISP feed's base URL, or the file of a CSV or free-text feed. */
  url: string;
  format: FeedFormat;
  /** MISP's settings of the feed, as MISP writes them (a JSON text). */
  settings: string | undefined;
}

/** The trigger arguments that read a catalogue feed, from its own location or from a local copy of its data. */
export interface CatalogueFeedArguments {
  source: 'misp_feed';
  feed_location: string;
  feed_format: FeedFormat;
  feed_settings?: string;
}

/**
 * Reads a MISP feed list: a JSON array of `{"Feed": {name, provider, url, source_format, settings, ...}}`,
 * as MISP ships it in `app/files/feed-metadata/defaults.json` and exports it from its feed index.
 *
 * @throws InvalidFeedOptionsError when the text is not such a list, naming the first entry at fault.
 */
export function readFeedCatalogue(text: string): CatalogueFeed[] {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new InvalidFeedOptionsError('feed catalogue', 'The feed catalogue is not JSON: give MISP\'s defaults.json or an export of a MISP feed list.');
  }
  if (!Array.isArray(document)) throw new InvalidFeedOptionsError('feed catalogue', 'The feed catalogue must be a JSON list of {"Feed": {...}} entries, as MISP\'s defaults.json is.');
  return document.map((item: unknown, index) => {
    const feed = typeof item === 'object' && item !== null ? (item as { Feed?: unknown }).Feed : undefined;
    if (typeof feed !== 'object' || feed === null) throw new InvalidFeedOptionsError('feed catalogue', `Entry ${index + 1} of the feed catalogue has no "Feed" object.`);
    const fields = feed as Record<string, unknown>;
    const name = typeof fields['name'] === 'string' ? fields['name'] : '';
    const url = typeof fields['url'] === 'string' ? fields['url'] : '';
    const format = fields['source_format'];
    if (name === '' || url === '') throw new InvalidFeedOptionsError('feed catalogue', `Entry ${index + 1} of the feed catalogue lacks a name or a url.`);
    if (typeof format !== 'string' || !(FEED_FORMATS as readonly string[]).includes(format)) {
      throw new InvalidFeedOptionsError('feed catalogue', `The feed "${name}" has the source_format ${JSON.stringify(format)}; the known formats are ${FEED_FORMATS.join(', ')}.`);
    }
    return {
      name,
      provider: typeof fields['provider'] === 'string' ? fields['provider'] : '',
      url,
      format: format as FeedFormat,
      settings: typeof fields['settings'] === 'string' && fields['settings'] !== '' ? fields['settings'] : undefined,
    };
  });
}

/** The feed named `name` (exactly, or else without case); undefined when none or several match. */
export function findCatalogueFeed(feeds: readonly CatalogueFeed[], name: string): CatalogueFeed | undefined {
  const exact = feeds.filter((feed) => feed.name === name);
  if (exact.length === 1) return exact[0];
  const loose = feeds.filter((feed) => feed.name.trim().toLowerCase() === name.trim().toLowerCase());
  return loose.length === 1 ? loose[0] : undefined;
}

/** The trigger arguments for a catalogue feed, read where the catalogue says or from `location`. */
export function catalogueFeedArguments(feed: CatalogueFeed, location: string = feed.url): CatalogueFeedArguments {
  return {
    source: 'misp_feed',
    feed_location: location,
    feed_format: feed.format,
    ...(feed.format === 'misp' || feed.settings === undefined ? {} : { feed_settings: feed.settings }),
  };
}
