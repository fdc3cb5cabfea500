import { FeedError } from './feed-error.js';

/**
 * Thrown when manifest.json is JSON but not a MISP feed manifest, which is an object mapping each
 * event uuid to its summary (for example a list, as some "MISP-like" feeds publish). Carries what
 * was found instead.
 */
export class FeedManifestMalformedError extends FeedError {
  readonly found: string;

  constructor(feed: string, found: string) {
    super(
      `The manifest.json of the MISP feed at ${feed} is JSON but not a MISP feed manifest: expected an object mapping event uuids ` +
        `to {info, date, timestamp, ...}, found ${found}. Check that the feed is in MISP format (not CSV or free text).`,
      feed,
    );
    this.name = 'FeedManifestMalformedError';
    this.found = found;
  }
}
