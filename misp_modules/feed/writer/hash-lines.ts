/**
 * hashes.csv kept from one run to the next: the lines (`md5,event_uuid`) of each event as one
 * block of text, so that a writer recomputes only the blocks of the events it rewrote, never reads
 * the others' files, and holds a few strings per event rather than one per attribute.
 */
export function hashLinesByEvent(text: string | undefined, wanted: (eventUuid: string) => boolean): Map<string, string> {
  const byEvent = new Map<string, string>();
  if (text === undefined) return byEvent;
  // PyMISP writes each event's lines together: a run of lines with the same uuid is one slice of the text.
  let runStart = 0;
  let runUuid: string | undefined;
  let position = 0;
  const close = (end: number): void => {
    if (runUuid === undefined || end <= runStart || !wanted(runUuid)) return;
    const block = text.slice(runStart, end).replace(/\r/g, '');
    const earlier = byEvent.get(runUuid);
    byEvent.set(runUuid, earlier === undefined ? block : `${earlier}\n${block}`);
  };
  while (position < text.length) {
    let end = text.indexOf('\n', position);
    if (end < 0) end = text.length;
    const comma = text.lastIndexOf(',', end);
    const uuid = comma >= position ? text.slice(comma + 1, end).trim() : undefined;
    if (uuid !== runUuid) {
      close(position - 1);
      runStart = position;
      runUuid = uuid;
    }
    position = end + 1;
  }
  close(Math.min(position - 1, text.length));
  return byEvent;
}

/** The lines of one event as a block. */
export function hashBlock(lines: readonly string[]): string {
  return lines.join('\n');
}

/** The text of hashes.csv: the block of each event, in the manifest's order. */
export function hashesText(order: Iterable<string>, byEvent: ReadonlyMap<string, string>): string {
  const blocks: string[] = [];
  for (const uuid of order) {
    const block = byEvent.get(uuid);
    if (block !== undefined && block !== '') blocks.push(block);
  }
  return blocks.length === 0 ? '' : `${blocks.join('\n')}\n`;
}
