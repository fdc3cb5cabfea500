export { FeedSource, type FeedCycle, type FeedCycleStats } from './feed-source.js';
export {
  DEFAULT_FEED_CONCURRENCY,
  DEFAULT_FEED_MAX_ATTEMPTS,
  DEFAULT_FEED_PAGE_SIZE,
  DEFAULT_FEED_TIMEOUTS,
  type FeedSourceOptions,
} from './feed-source-options.js';
export { FeedSyncState, FEED_STATE_FILE } from './feed-sync-state.js';
export { checkFeedHeaders, parseFeedHeaders } from './feed-headers.js';
export { parseFeedLocation, type FeedLocation } from './feed-location.js';
export { FeedWriter, type FeedIndicator, type FeedWriteReport, type FeedWriterOptions } from './writer/feed-writer.js';
export * from './errors/index.js';
export { FeedGenerator, type FeedGeneratorOptions, type GeneratedAttribute, type GeneratedObjectOptions } from './writer/feed-generator.js';
export { OBJECT_TEMPLATES, type ObjectRelation, type ObjectTemplate } from './writer/object-templates.js';
export { directoryFiles, type FeedFiles } from './writer/feed-files.js';
