/**
 * One log sentence for the elements a conversion left out: how many, and the first few with
 * their reasons, so that an operator sees what the bundle lacks without one line per element.
 */
import type { SkippedElement } from './misp-event-reader.js';

function describe(item: SkippedElement): string {
  const type = item.mispType === undefined ? '' : ` (${item.mispType})`;
  return `${item.element} ${item.reference}${type}: ${item.reason}`;
}

/** The sentence, or undefined when nothing was left out. */
export function summariseSkipped(eventUuid: string, skipped: readonly SkippedElement[], shown = 5): string | undefined {
  if (skipped.length === 0) return undefined;
  const listed = skipped.slice(0, shown).map(describe).join('; ');
  const more = skipped.length > shown ? `; and ${skipped.length - shown} more` : '';
  const count = skipped.length === 1 ? '1 element' : `${skipped.length.toLocaleString('en-US')} elements`;
  return `MISP event ${eventUuid}: ${count} left out of the STIX bundle: ${listed}${more}.`;
}
