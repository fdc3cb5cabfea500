/** What the reader needs of one manifest entry. */
export interface ManifestEntry {
  /** Last change of the event, epoch seconds (0 when the manifest gives none). */
  timestamp: number;
  /** Event date, `YYYY-MM-DD`, when given. */
  date: string | undefined;
}

export type ManifestReading =
  | { ok: true; entries: Map<string, ManifestEntry>; ignored: number }
  | { ok: false; found: string };

/** Event uuids as MISP writes them; anything else could name a file outside the feed. */
export const EVENT_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads a parsed manifest.json: an object mapping event uuids to `{info, date, timestamp, …}`.
 * Entries whose key is not a uuid or whose value is not an object are ignored and counted, not
 * fatal: one bad entry must not hide the others. Timestamps come as numbers or digit strings.
 */
export function readManifest(document: unknown): ManifestReading {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { ok: false, found: Array.isArray(document) ? `a list of ${document.length} items` : document === null ? 'null' : `a ${typeof document}` };
  }
  const entries = new Map<string, ManifestEntry>();
  let ignored = 0;
  for (const [uuid, raw] of Object.entries(document as Record<string, unknown>)) {
    if (!EVENT_UUID.test(uuid) || typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      ignored++;
      continue;
    }
    const entry = raw as Record<string, unknown>;
    const stamp = entry['timestamp'];
    const timestamp = typeof stamp === 'number' ? stamp : typeof stamp === 'string' && /^\d+$/.test(stamp.trim()) ? Number(stamp.trim()) : 0;
    const date = typeof entry['date'] === 'string' && DATE.test(entry['date']) ? entry['date'] : undefined;
    entries.set(uuid, { timestamp: Number.isSafeInteger(timestamp) && timestamp > 0 ? timestamp : 0, date });
  }
  if (entries.size === 0 && ignored > 0) return { ok: false, found: `an object none of whose ${ignored} keys is an event uuid with a summary` };
  return { ok: true, entries, ignored };
}

/**
 * The look-back rule: an event is in scope when its last change (`timestamp`) or its date falls in
 * the window. The timestamp catches events edited lately, whatever their date; the date catches
 * events a producer dated into the window without a recent timestamp (MISP's own feed rules look
 * at both). The date is compared by UTC day, so the day the window starts in counts whole.
 */
export function inWindow(entry: ManifestEntry, sinceMs: number): boolean {
  if (entry.timestamp * 1000 >= sinceMs) return true;
  return entry.date !== undefined && entry.date >= new Date(sinceMs).toISOString().slice(0, 10);
}
