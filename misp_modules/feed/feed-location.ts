import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidFeedOptionsError } from './errors/invalid-feed-options-error.js';

/** Where a feed lives: a base URL (MISP appends /manifest.json to it) or a local directory. */
export type FeedLocation =
  | {
      kind: 'http';
      /** Base URL without a trailing slash, query string kept (some feeds authenticate with it). */
      baseUrl: URL;
      /** Shown in logs and errors: host and path, never credentials or the query string. */
      display: string;
      /** Stable identity of the feed in the sync state. */
      key: string;
      /** Credentials carried by the URL itself (userinfo, query values): secrets. */
      secrets: string[];
    }
  | { kind: 'directory'; directory: string; display: string; key: string; secrets: string[] };

const MANIFEST = 'manifest.json';

/**
 * Reads a feed location: `https://…` / `http://…` (a trailing /manifest.json is tolerated), a
 * `file://` URL or an absolute path. A relative path is refused: the trigger's working directory
 * is not something an operator controls.
 */
export function parseFeedLocation(location: string): FeedLocation {
  const text = location.trim();
  if (text === '') throw new InvalidFeedOptionsError('feed location', 'The feed location is empty: give the base URL of a MISP feed or the absolute path of a feed directory.');
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InvalidFeedOptionsError('feed location', 'The feed location is not a valid URL: give the base URL of the feed, for example https://www.circl.lu/doc/misp/feed-osint.');
    }
    url.hash = '';
    url.pathname = stripManifest(url.pathname).replace(/\/+$/, '');
    const secrets = [url.username, url.password, ...url.searchParams.values()].flatMap((part) => [part, safeDecode(part)]).filter((part) => part.length > 0);
    const display = `${url.host}${url.pathname}`;
    return { kind: 'http', baseUrl: url, display, key: `${url.protocol}//${url.host}${url.pathname}${url.search}`, secrets: [...new Set(secrets)] };
  }
  let directory: string;
  if (/^file:/i.test(text)) {
    try {
      directory = fileURLToPath(text);
    } catch {
      throw new InvalidFeedOptionsError('feed location', 'The feed location is not a valid file:// URL: give an absolute path such as file:///mnt/usb/feed.');
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new InvalidFeedOptionsError('feed location', `The feed location must start with https://, http:// or file://, or be an absolute directory path, not ${text.split(':')[0]}://.`);
  } else if (path.isAbsolute(text)) {
    directory = text;
  } else {
    throw new InvalidFeedOptionsError('feed location', 'The feed directory must be an absolute path (for example /mnt/usb/misp-feed), not a relative one.');
  }
  directory = path.resolve(stripManifest(directory));
  return { kind: 'directory', directory, display: directory, key: `file://${directory}`, secrets: [] };
}

function stripManifest(pathname: string): string {
  return pathname.endsWith(`/${MANIFEST}`) ? pathname.slice(0, -MANIFEST.length - 1) : pathname;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
