/**
 * `trigger:dev --catalogue`: reads a MISP feed list (MISP's defaults.json, or an export of a MISP's
 * feeds) from a file or a URL, lists its feeds, or turns one of them into the feed to run.
 */
import { readFile } from 'node:fs/promises';
import got from 'got';
import { InvalidFeedOptionsError } from '../feed/errors/invalid-feed-options-error.js';
import { findCatalogueFeed, readFeedCatalogue, type CatalogueFeed } from '../feed/feed-catalogue.js';
import { CATALOGUE_LOCATION, TriggerDevUsageError, type TriggerDevOptions } from './trigger-dev-options.js';

/** The lines of `--list-feeds`: one per feed, its format, name and location, with the counts by format. */
export function catalogueListing(feeds: readonly CatalogueFeed[]): string[] {
  // Names past this width push their location further right rather than widening every line.
  const width = Math.min(48, Math.max(...feeds.map((feed) => feed.name.length), 4));
  const counts = new Map<string, number>();
  for (const feed of feeds) counts.set(feed.format, (counts.get(feed.format) ?? 0) + 1);
  return [
    `${feeds.length} feeds: ${[...counts].map(([format, count]) => `${count} ${format}`).join(', ')}`,
    ...feeds.map((feed) => `${feed.format.padEnd(8)} ${feed.name.padEnd(width)}  ${feed.url}`),
  ];
}

/**
 * Reads the catalogue asked for. With `--list-feeds`, prints it and answers the exit code; with
 * `--catalogue-feed`, answers the options with that feed's format and settings, read from
 * `--feed-location` or else from the feed's own location.
 *
 * @throws TriggerDevUsageError when the list cannot be read or holds no such feed.
 */
export async function applyCatalogue(options: TriggerDevOptions, write: (line: string) => void): Promise<{ exitCode: number } | { options: TriggerDevOptions }> {
  const choice = options.catalogue;
  if (choice === undefined) return { options };
  let text: string;
  try {
    text = /^https?:\/\//i.test(choice.source) ? await got(choice.source, { timeout: { request: 60_000 }, retry: { limit: 1 } }).text() : await readFile(choice.source, 'utf8');
  } catch (error) {
    throw new TriggerDevUsageError(`--catalogue: ${choice.source} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  let feeds: CatalogueFeed[];
  try {
    feeds = readFeedCatalogue(text);
  } catch (error) {
    if (error instanceof InvalidFeedOptionsError) throw new TriggerDevUsageError(`--catalogue: ${error.message}`);
    throw error;
  }
  if (choice.list) {
    for (const line of catalogueListing(feeds)) write(line);
    if (choice.feed === undefined) return { exitCode: 0 };
  }
  const name = choice.feed as string;
  const feed = findCatalogueFeed(feeds, name);
  if (feed === undefined) {
    const near = feeds.filter((candidate) => candidate.name.toLowerCase().includes(name.trim().toLowerCase())).map((candidate) => `"${candidate.name}"`);
    throw new TriggerDevUsageError(
      `--catalogue-feed: the list has no feed named "${name}"${near.length > 0 ? `; did you mean ${near.slice(0, 5).join(', ')}?` : '; --list-feeds lists them.'}`,
    );
  }
  const chosen = options.feed?.kind === 'location' ? options.feed : { kind: 'location' as const, location: CATALOGUE_LOCATION, authorization: undefined };
  return {
    options: {
      ...options,
      feed: { ...chosen, location: chosen.location === CATALOGUE_LOCATION ? feed.url : chosen.location, format: feed.format, settings: feed.format === 'misp' ? undefined : feed.settings },
    },
  };
}
