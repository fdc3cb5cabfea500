import { DocumentFeedSource } from './document-feed-source.js';
import { InvalidFeedOptionsError } from './errors/invalid-feed-options-error.js';
import { parseFeedLocation } from './feed-location.js';
import { feedFormatOf, parseFeedSettings, type FeedFormat } from './feed-settings.js';
import type { FeedSourceOptions } from './feed-source-options.js';
import { FeedSource } from './feed-source.js';
import type { FeedSyncState } from './feed-sync-state.js';

/** What the trigger's arguments say of the feed: its format and MISP's settings for it. */
export interface FeedReaderArguments {
  feed_format?: string | undefined;
  feed_settings?: unknown;
  feed_location?: string | undefined;
  tags?: unknown;
  organisations?: unknown;
}

/** A feed reader, whatever the format: a MISP feed or one CSV or free-text file. */
export type FeedReader = FeedSource | DocumentFeedSource;

/** True for the formats that are one file (CSV, free text). */
export function isDocumentFormat(format: unknown): format is Exclude<FeedFormat, 'misp'> {
  return format === 'csv' || format === 'freetext';
}

/** The reader for the configured format: MISP's manifest and events, or one CSV or free-text file. */
export function openFeedReader(configuration: FeedReaderArguments, options: FeedSourceOptions, state: FeedSyncState): FeedReader {
  const format = feedFormatOf(configuration.feed_format);
  if (!isDocumentFormat(format)) return new FeedSource(options, state);
  return new DocumentFeedSource({ ...options, format, settings: parseFeedSettings(configuration.feed_settings) }, state);
}

/** What is wrong with the feed arguments, in the words of the configuration error; empty when they can be used. */
export function feedReaderProblems(configuration: FeedReaderArguments): string[] {
  const problems: string[] = [];
  const format = feedFormatOf(configuration.feed_format);
  try {
    parseFeedSettings(configuration.feed_settings);
  } catch (error) {
    problems.push(`In the trigger configuration, feed_settings cannot be used: ${(error as Error).message.replace(/\.?$/, '')}; expected MISP's feed settings, for example {"csv":{"value":"2","delimiter":","}}.`);
  }
  if (isDocumentFormat(format)) {
    // A list carries no tags and no organisation: such a filter would silently keep nothing.
    const tags: unknown[] = Array.isArray(configuration.tags) ? configuration.tags : [];
    if (tags.some((tag) => typeof tag === 'string' && !tag.startsWith('!'))) problems.push(`In the trigger configuration, tags asks for tags that a ${format} feed never carries; expected only exclusions, for example ["!tlp:red"], or no tags.`);
    if (Array.isArray(configuration.organisations) && configuration.organisations.length > 0) problems.push(`In the trigger configuration, organisations is given, but a ${format} feed has no creating organisation; expected no organisations.`);
  }
  if (typeof configuration.feed_location === 'string' && configuration.feed_location.trim() !== '') {
    try {
      parseFeedLocation(configuration.feed_location, { document: isDocumentFormat(format) });
    } catch (error) {
      if (!(error instanceof InvalidFeedOptionsError)) throw error;
      problems.push(`In the trigger configuration, feed_location cannot be used: ${error.message.replace(/\.?$/, '')}.`);
    }
  }
  return problems;
}
