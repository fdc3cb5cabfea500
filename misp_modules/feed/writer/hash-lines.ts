/**
 * hashes.csv kept from one run to the next: its lines (`md5,event_uuid`) grouped by event, so that
 * a writer recomputes only the lines of the events it rewrote and never reads the others' files.
 */
export function hashLinesByEvent(text: string | undefined, wanted: (eventUuid: string) => boolean): Map<string, string[]> {
  const byEvent = new Map<string, string[]>();
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.trim();
    const comma = line.indexOf(',');
    if (comma < 0) continue;
    const uuid = line.slice(comma + 1);
    if (!wanted(uuid)) continue;
    const lines = byEvent.get(uuid);
    if (lines === undefined) byEvent.set(uuid, [line]);
    else lines.push(line);
  }
  return byEvent;
}

/** The text of hashes.csv: the lines of each event, in the manifest's order. */
export function hashesText(order: Iterable<string>, byEvent: ReadonlyMap<string, readonly string[]>): string {
  const lines: string[] = [];
  for (const uuid of order) lines.push(...(byEvent.get(uuid) ?? []));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
