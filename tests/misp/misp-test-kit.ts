import { readFileSync } from 'node:fs';
import { MispAttributeSearch, type AttributeSearchOptions, type MispPage } from '../../misp_modules/misp/attribute-search.js';
import { MispApi, type MispApiOptions } from '../../misp_modules/misp/misp-api.js';
import { fixturePath } from '../support/fixtures.js';
import type { RecordingLogger } from '../support/recording.js';

export { RecordingClock, RecordingLogger } from '../support/recording.js';

export const readJsonFixture = <T>(relative: string): T => JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as T;

/** A key shaped like a real MISP auth key (40 characters), easy to spot if it leaks. */
export const API_KEY = 'Zq8sEcReTKeY0123456789abcdefghijklmnopqr';

/** The options of an attribute search together with those of its MISP client. */
export type SearchOptions = MispApiOptions & AttributeSearchOptions;

/** An attribute search on a MISP client of its own, as the MISP API source builds them; the client is closed by the test. */
export function openSearch({ maxPages, ...options }: SearchOptions): { search: MispAttributeSearch; api: MispApi } {
  const api = new MispApi(options);
  return { search: new MispAttributeSearch(api, { maxPages }), api };
}

/** Reads a whole search into an array of pages. */
export async function allPages(pages: AsyncIterable<MispPage>): Promise<MispPage[]> {
  const seen: MispPage[] = [];
  for await (const page of pages) seen.push(page);
  return seen;
}

/** The error a search ends with; fails the test when the search ends without one. */
export async function searchError(client: MispAttributeSearch, pageSize = 100, signal?: AbortSignal): Promise<Error> {
  try {
    await allPages(client.searchAttributes({ publishedSince: 1_700_000_000, pageSize }, signal));
  } catch (error) {
    return error as Error;
  }
  throw new Error('the search ended without an error');
}

/** Everything an operator could see: message, stack, enumerable fields, and the log lines. */
export function visibleText(error: Error | undefined, logger: RecordingLogger): string {
  const parts = logger.lines.map((line) => line.message);
  if (error) parts.push(error.message, String(error.stack), JSON.stringify(error));
  return parts.join('\n');
}
