import { InvalidFeedOptionsError } from '../../feed/errors/invalid-feed-options-error.js';
import { parseFeedLocation } from '../../feed/feed-location.js';
import { isDocumentFormat } from '../../feed/feed-reader.js';
import { feedFormatOf, parseFeedSettings } from '../../feed/feed-settings.js';
import { feedHeadersOf } from './feed-account-headers.js';

const present = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

/** What `source: misp_feed` needs of both configurations: one sentence per problem, empty when they can be used. */
export function mispFeedProblems(account: Record<string, unknown>, configuration: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!present(configuration.feed_location)) {
    problems.push('In the trigger configuration, feed_location is missing; it is required when source is misp_feed, for example "https://www.circl.lu/doc/misp/feed-osint".');
  }
  problems.push(...feedArgumentProblems(configuration));
  try {
    feedHeadersOf(account);
  } catch (error) {
    problems.push(`In the module configuration, feed_headers cannot be used: ${(error as Error).message.replace(/\.?$/, '')}; expected one "Name: value" per line, for example "X-Api-Key: <key>".`);
  }
  return problems;
}

/** What is wrong with the feed arguments (format, settings, filters a list cannot carry, location). */
function feedArgumentProblems(configuration: Record<string, unknown>): string[] {
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
