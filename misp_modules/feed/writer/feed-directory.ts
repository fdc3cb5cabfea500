import { FeedDirectoryError } from '../errors/feed-directory-error.js';
import { eventOf } from '../feed-event.js';
import { EVENT_UUID } from '../feed-manifest.js';
import type { FeedFiles } from './feed-files.js';

type Json = Record<string, unknown>;

export const MANIFEST_FILE = 'manifest.json';
export const HASHES_FILE = 'hashes.csv';
export const TAG_COLOUR = '#ffffff';

/** The manifest already in the directory, in its order; refuses a file that is not a feed manifest. */
export async function readOwnManifest(files: FeedFiles): Promise<Map<string, Json>> {
  const text = await files.read(MANIFEST_FILE);
  if (text === undefined) return new Map();
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new FeedDirectoryError(files.location, 'its manifest.json is not JSON. Choose an empty directory or an existing MISP feed.');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document) || !Object.keys(document).every((key) => EVENT_UUID.test(key))) {
    throw new FeedDirectoryError(files.location, 'its manifest.json is not a MISP feed manifest. Choose an empty directory or an existing MISP feed.');
  }
  return new Map(Object.entries(document as Record<string, Json>));
}

/** The `Event` of an existing event file, or undefined when there is none; refuses a file that is not one. */
export async function readOwnEvent(files: FeedFiles, uuid: string): Promise<Json | undefined> {
  const text = await files.read(`${uuid}.json`);
  if (text === undefined) return undefined;
  let event: Json | undefined;
  try {
    event = eventOf(JSON.parse(text));
  } catch {
    event = undefined;
  }
  if (event === undefined) throw new FeedDirectoryError(files.location, `${uuid}.json exists but is not a MISP event; move it away or choose another directory.`);
  return event;
}

/** The manifest entry of an event, as PyMISP writes it: creator organisation, tags, info, date, analysis, threat level, timestamp. */
export function manifestEntryOf(event: Json): Json {
  const orgc = (event['Orgc'] ?? {}) as Json;
  const tags = Array.isArray(event['Tag']) ? (event['Tag'] as Json[]) : [];
  return {
    Orgc: { name: orgc['name'], uuid: orgc['uuid'] },
    Tag: tags.map((tag) => ({ colour: tag['colour'] ?? TAG_COLOUR, name: tag['name'] })),
    info: event['info'],
    date: event['date'],
    analysis: Number(event['analysis']) || 0,
    threat_level_id: Number(event['threat_level_id']) || 4,
    timestamp: Number(event['timestamp']) || 0,
  };
}

/** Every attribute of an event, event-level first, then each object's. */
export function allAttributes(event: Json): Json[] {
  const attributes: Json[] = [];
  const collect = (list: unknown): void => {
    if (Array.isArray(list)) for (const attribute of list) if (typeof attribute === 'object' && attribute !== null) attributes.push(attribute as Json);
  };
  collect(event['Attribute']);
  if (Array.isArray(event['Object'])) for (const object of event['Object'] as Json[]) collect(object?.['Attribute']);
  return attributes;
}
