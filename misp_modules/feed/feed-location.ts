import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidFeedOptionsError } from './errors/invalid-feed-options-error.js';

/**
 * Where a feed lives: a base URL (MISP appends /manifest.json to it), a local directory, or an S3
 * bucket and prefix. A CSV or free-text feed is one file: its URL, its path or its object key.
 */
export type FeedLocation =
  | {
      kind: 'http';
      /** Base URL without a trailing slash, query string kept (some feeds authenticate with it). */
      baseUrl: URL;
      /** Shown in logs and errors: host and path, never credentials or the query string. */
      display: string;
      /** Stable identity of the feed in the sync state. */
      key: string;
    }
  | {
      kind: 'directory';
      /** The feed directory; for a CSV or free-text feed, its file. */
      directory: string;
      display: string;
      key: string;
    }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix of the feed's files, without a trailing slash; for a CSV or free-text feed, the object key. */
      prefix: string;
      display: string;
      key: string;
    };

/** How a location is read: a MISP feed is a directory of files; a CSV or free-text feed is one file, taken as written. */
export interface LocationShape {
  document?: boolean;
}

const MANIFEST = 'manifest.json';
/** S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Reads a feed location: `https://…` / `http://…` (a trailing /manifest.json is tolerated), a
 * `file://` URL, an absolute path or `s3://bucket/prefix`. A relative path is refused: the
 * trigger's working directory is not something an operator controls. With `document`, the
 * location is one file, kept exactly as written (a feed URL may end with `/` or a query).
 */
export function parseFeedLocation(location: string, shape: LocationShape = {}): FeedLocation {
  const text = location.trim();
  if (text === '') throw new InvalidFeedOptionsError('feed location', 'The feed location is empty: give the base URL of a MISP feed or the absolute path of a feed directory.');
  if (/^s3:\/\//i.test(text)) return parseS3Location(text, shape);
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InvalidFeedOptionsError('feed location', 'The feed location is not a valid URL: give the base URL of the feed, for example https://www.circl.lu/doc/misp/feed-osint.');
    }
    url.hash = '';
    if (shape.document !== true) url.pathname = stripManifest(url.pathname).replace(/\/+$/, '');
    const display = `${url.host}${url.pathname}`;
    return { kind: 'http', baseUrl: url, display, key: `${url.protocol}//${url.host}${url.pathname}${url.search}` };
  }
  let directory: string;
  if (/^file:/i.test(text)) {
    try {
      directory = fileURLToPath(text);
    } catch {
      throw new InvalidFeedOptionsError('feed location', 'The feed location is not a valid file:// URL: give an absolute path such as file:///mnt/usb/feed.');
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new InvalidFeedOptionsError('feed location', `The feed location must start with https://, http:// or file://, be s3://bucket/prefix, or be an absolute path, not ${text.split(':')[0]}://.`);
  } else if (path.isAbsolute(text)) {
    directory = text;
  } else {
    throw new InvalidFeedOptionsError('feed location', 'The feed directory must be an absolute path (for example /mnt/usb/misp-feed), not a relative one.');
  }
  directory = path.resolve(shape.document === true ? directory : stripManifest(directory));
  return { kind: 'directory', directory, display: directory, key: `file://${directory}` };
}

function parseS3Location(text: string, shape: LocationShape): FeedLocation {
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!BUCKET.test(bucket)) {
    throw new InvalidFeedOptionsError('feed location', 'The S3 feed location must be s3://<bucket>/<prefix>, with a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens.');
  }
  let prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (shape.document === true) {
    if (prefix === '' || prefix.endsWith('/')) throw new InvalidFeedOptionsError('feed location', 'A CSV or free-text feed in S3 is one object: give its key, s3://<bucket>/<key>.');
  } else {
    prefix = stripManifest(`/${prefix}`).slice(1).replace(/\/+$/, '');
  }
  const display = `s3://${bucket}/${prefix}`;
  return { kind: 's3', bucket, prefix, display, key: display };
}

function stripManifest(pathname: string): string {
  return pathname.endsWith(`/${MANIFEST}`) ? pathname.slice(0, -MANIFEST.length - 1) : pathname;
}
