/**
 * `npx vite-node --config vitest.config.ts bench/list-feed-bench.ts [N]`: reads a free-text list and a
 * CSV list of N lines (default 1,000,000; a third IPv4 addresses, a third host names, a third URLs)
 * from a local file through the list reader, as the trigger does each time a list changed, and
 * prints the time, the indicators found, the peak RSS of this process (which also holds the
 * generated lists) and the size of the list's memory saved in the data path. Every line is a distinct indicator: the reader's memory of one list's values is
 * at its largest.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock, Logger } from '@sekoia/automation-sdk-shim';
import { DocumentFeedSource } from '../misp_modules/feed/document-feed-source.js';
import { parseFeedSettings } from '../misp_modules/feed/feed-settings.js';
import { FeedSyncState } from '../misp_modules/feed/feed-sync-state.js';
import { LIST_VALUE_FILE } from '../misp_modules/feed/list-value-file.js';

const lines = Number((process.argv[2] ?? '1000000').replace(/[_,]/g, ''));
const clock: Clock = { now: () => Date.now(), sleep: async () => undefined };
const logger: Logger = { log: () => undefined };

function indicator(i: number): string {
  const address = `${10 + ((i >> 16) & 127)}.${(i >> 8) & 255}.${i & 255}.${1 + ((i * 7) % 250)}`;
  return i % 3 === 0 ? address : i % 3 === 1 ? `host${i}.evil-site${i % 97}.com` : `http://evil${i}.example.net/p/${i}.php`;
}

async function measure(format: 'csv' | 'freetext', body: string, settings: string, directory: string): Promise<void> {
  const file = path.join(directory, `list.${format}`);
  writeFileSync(file, body);
  const source = new DocumentFeedSource({ location: file, verifySsl: true, clock, logger, format, settings: parseFeedSettings(settings) }, await FeedSyncState.load(directory, logger));
  let peak = process.memoryUsage().rss;
  const started = performance.now();
  const cycle = await source.startCycle({ sinceMs: 0 }, new AbortController().signal);
  let found = 0;
  for await (const page of cycle.pages) {
    found += page.attributes.length;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  await cycle.commit(true);
  const seconds = (performance.now() - started) / 1000;
  source.close();
  const megabytes = (Buffer.byteLength(body) / 1e6).toFixed(1);
  process.stdout.write(
    `${format.padEnd(8)} ${lines.toLocaleString('en')} lines (${megabytes} MB): ${found.toLocaleString('en')} indicators in ${seconds.toFixed(2)} s ` +
      `(${Math.round(lines / seconds).toLocaleString('en')} lines/s), peak RSS ${Math.round(peak / 1e6)} MB, ` +
      `memory of the values saved: ${(statSync(path.join(directory, LIST_VALUE_FILE)).size / 1e6).toFixed(1)} MB\n`,
  );
}

const directory = mkdtempSync(path.join(os.tmpdir(), 'list-feed-bench-'));
try {
  const values = Array.from({ length: lines }, (_, i) => indicator(i));
  await measure('freetext', `# generated list\n${values.join('\n')}\n`, '{"csv":{"value":"","delimiter":","},"common":{"excluderegex":""}}', directory);
  await measure('csv', `"id","seen","value","status"\n${values.map((value, i) => `"${i}","2026-11-29 10:00:00","${value}","online"`).join('\n')}\n`, '{"csv":{"value":"3","delimiter":","}}', directory);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
