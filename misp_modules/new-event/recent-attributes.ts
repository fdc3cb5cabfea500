import QuickLRU from 'quick-lru';

/** Attributes remembered as sent, by uuid, for `attributes_filter` (as many as the Python trigger keeps). */
export const SENT_ATTRIBUTES_CAPACITY = 100_000;

// Kept beside recent attributes as context for an analyst, as the Python trigger does.
const CONTEXT_CATEGORY = 'External analysis';
const CONTEXT_TYPES = new Set(['link', 'text', 'comment']);

type Row = Record<string, unknown>;

/** What `recentPart` keeps of an event, and what to remember once it is sent. */
export interface RecentPart {
  event: Row;
  /** uuid → timestamp of the attributes and objects kept. */
  sentVersions: Array<[string, number]>;
}

/**
 * The part of an event that `attributes_filter` lets through: attributes and objects changed within
 * the last `windowSeconds` and not sent before in that version, plus the event's external analysis
 * links, texts and comments as context. Undefined when nothing is new.
 */
export function recentPart(event: Row, nowSeconds: number, windowSeconds: number, sent: QuickLRU<string, number>): RecentPart | undefined {
  const from = nowSeconds - windowSeconds;
  const sentVersions: Array<[string, number]> = [];
  const isNew = (row: Row): boolean => {
    const timestamp = Number(row.timestamp);
    const uuid = row.uuid;
    if (!Number.isFinite(timestamp) || timestamp < from || typeof uuid !== 'string') return false;
    if ((sent.get(uuid) ?? -Infinity) >= timestamp) return false;
    sentVersions.push([uuid, timestamp]);
    return true;
  };
  const attributes = rows(event.Attribute).filter(isNew);
  const objects = rows(event.Object).filter(isNew);
  if (attributes.length === 0 && objects.length === 0) return undefined;
  const context = rows(event.Attribute).filter((row) => row.category === CONTEXT_CATEGORY && CONTEXT_TYPES.has(String(row.type)) && !attributes.includes(row));
  return { event: { ...event, Attribute: [...attributes, ...context], Object: objects }, sentVersions };
}

function rows(value: unknown): Row[] {
  return Array.isArray(value) ? value.filter((row): row is Row => typeof row === 'object' && row !== null) : [];
}
