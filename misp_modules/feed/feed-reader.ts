import { DocumentFeedSource } from './document-feed-source.js';
import { feedFormatOf, parseFeedSettings, type FeedFormat } from './feed-settings.js';
import type { FeedSourceOptions } from './feed-source-options.js';
import { FeedSource } from './feed-source.js';
import type { FeedSyncState } from './feed-sync-state.js';

/** What the trigger's arguments say of the feed: its format and MISP's settings for it. */
export interface FeedReaderArguments {
  feed_format?: string | undefined;
  feed_settings?: unknown;
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
