import type { FeedLocation } from './feed-location.js';
import { DEFAULT_FEED_MAX_ATTEMPTS, DEFAULT_FEED_TIMEOUTS, type FeedSourceOptions } from './feed-source-options.js';
import { DirectoryFeedTransport, HttpFeedTransport, type FeedTransport, type HttpTransportOptions } from './feed-transport.js';
import { S3FeedTransport, type S3Settings } from './s3-feed-transport.js';

/** What every transport is built from: the HTTP options, and the S3 settings for an `s3://` location. */
export type TransportSettings = Omit<HttpTransportOptions, 'location'> & { s3?: S3Settings | undefined };

/** The transport settings of a feed source's options, with its checked headers. */
export function transportSettingsOf(options: FeedSourceOptions, headers: Record<string, string>, accept?: string): TransportSettings {
  return {
    headers,
    verifySsl: options.verifySsl,
    httpProxy: options.httpProxy,
    httpsProxy: options.httpsProxy,
    clock: options.clock,
    logger: options.logger,
    timeouts: options.timeouts ?? DEFAULT_FEED_TIMEOUTS,
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_FEED_MAX_ATTEMPTS)),
    backoff: options.backoff,
    s3: options.s3,
    accept,
  };
}

/** The transport that reads a location: HTTP(S), a local directory or file, or S3. */
export function openFeedTransport(location: FeedLocation, settings: TransportSettings): FeedTransport {
  if (location.kind === 'http') return new HttpFeedTransport({ location, ...settings });
  const unused = Object.keys(settings.headers).length > 0;
  if (location.kind === 's3') {
    if (unused) settings.logger.log(`Feed ${location.display}: the feed headers are not used for S3; the S3 keys of the account are.`, 'warning');
    return new S3FeedTransport({ location, settings: settings.s3 ?? {}, ...settings });
  }
  if (unused) settings.logger.log(`MISP feed directory ${location.display}: the feed headers are not used for a local directory.`, 'warning');
  return new DirectoryFeedTransport(location.directory);
}
