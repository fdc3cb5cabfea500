import type { FeedSettings } from './feed-settings.js';
import { lines, resolveCsvCell, type ExtractedIndicator } from './indicator-extractor.js';

/**
 * The indicators of a CSV feed as MISP reads one: rows split on the settings' delimiter (double
 * quotes protect it, `""` is a quote), rows whose first cell starts with `#` skipped as comments,
 * the cells of the chosen columns (every column when none is chosen) trimmed of blanks and quotes,
 * left out when the exclusion matches, and typed by the free-text rules. A header row falls away by
 * itself: its cells are not indicators. Each value once, in the order met.
 */
export function* extractFromCsv(text: string, settings: FeedSettings): Generator<ExtractedIndicator> {
  const seen = new Set<string>();
  const wanted = settings.columns.length === 0 ? undefined : new Set(settings.columns);
  for (const line of lines(text)) {
    if (line.trim() === '') continue;
    const cells = splitCsvRow(line, settings.delimiter);
    if ((cells[0] ?? '').startsWith('#')) continue;
    for (let index = 0; index < cells.length; index++) {
      if (wanted !== undefined && !wanted.has(index + 1)) continue;
      const indicator = resolveCsvCell(cells[index] as string, settings.exclude);
      if (indicator === undefined || seen.has(indicator.value)) continue;
      seen.add(indicator.value);
      yield indicator;
    }
  }
}

/** One CSV row's cells. A quote opens a protected run only at the start of a cell, as PHP's reader does. */
export function splitCsvRow(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let position = 0;
  let atCellStart = true;
  while (position < line.length) {
    if (atCellStart && line.charAt(position) === '"') {
      position++;
      while (position < line.length) {
        if (line.charAt(position) === '"') {
          if (line.charAt(position + 1) === '"') {
            cell += '"';
            position += 2;
            continue;
          }
          position++;
          break;
        }
        cell += line.charAt(position++);
      }
      atCellStart = false;
      continue;
    }
    if (line.startsWith(delimiter, position)) {
      cells.push(cell);
      cell = '';
      position += delimiter.length;
      atCellStart = true;
      continue;
    }
    cell += line.charAt(position++);
    atCellStart = false;
  }
  cells.push(cell);
  return cells;
}
