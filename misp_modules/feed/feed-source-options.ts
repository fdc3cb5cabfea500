import type { Backoff, Clock, Logger } from '@sekoia/automation-sdk-shim';
import type { LocalAttributeFilter } from '../filters/attribute-filter.js';
import type { S3Settings } from './s3-feed-transport.js';

/** What every feed reader is built from (MISP feeds, CSV and free-text lists); the transports read their part of it. */
export interface FeedSourceOptions {
  /** http(s) base URL of the feed (MISP appends /manifest.json), or an absolute directory path or file:// URL. */
  location: string;
  /** Extra HTTP headers (Authorization…). Their values are secrets: never logged, never in an error. */
  headers?: Record<string, string> | undefined;
  verifySsl: boolean;
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  clock: Clock;
  logger: Logger;
  /** Event files read at once, and so parsed events held at once. Default 4. */
  concurrency?: number | undefined;
  /** `connectMs` bounds DNS, connection and TLS handshake; `responseMs` one whole file. */
  timeouts?: { connectMs: number; responseMs: number } | undefined;
  /** Attempts per file, transient failures (network, 429, 5xx) only. Default 4. */
  maxAttempts?: number | undefined;
  backoff?: Backoff | undefined;
  /** Attributes per page handed to the pipeline; a larger event is cut into several pages. Default 5,000. */
  pageSize?: number | undefined;
  /** The trigger's tag, organisation and type filters, applied here since no MISP applies them. */
  filter?: LocalAttributeFilter | undefined;
  /** For an `s3://` location: endpoint, region and keys. */
  s3?: S3Settings | undefined;
}

export const DEFAULT_FEED_CONCURRENCY = 4;
export const DEFAULT_FEED_TIMEOUTS = { connectMs: 10_000, responseMs: 120_000 } as const;
export const DEFAULT_FEED_MAX_ATTEMPTS = 4;
export const DEFAULT_FEED_PAGE_SIZE = 5_000;
