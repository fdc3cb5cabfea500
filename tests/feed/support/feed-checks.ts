import type { Clock } from '@sekoia/automation-sdk-shim';
import { FeedSource } from '../../../misp_modules/feed/feed-source.js';
import { FeedSyncState } from '../../../misp_modules/feed/feed-sync-state.js';
import type { FeedFiles } from '../../../misp_modules/feed/writer/feed-files.js';
import { indicatorsOf, readPages, RecordingLogger, temporaryDirectory } from './kit.js';

/** What the trigger's own feed source pushes from a feed directory, as `format value` strings. */
export async function triggerReads(directory: string, clock: Clock): Promise<Set<string>> {
  const logger = new RecordingLogger();
  const state = temporaryDirectory('feed-read-back-state-');
  try {
    const source = new FeedSource({ location: directory, verifySsl: true, clock, logger }, await FeedSyncState.load(state.path, logger));
    const cycle = await source.startCycle({ sinceMs: 0 }, new AbortController().signal);
    return indicatorsOf(await readPages(cycle.pages));
  } finally {
    state.remove();
  }
}

/** The same files, with every read, write and removal recorded by name. */
export function countingFiles(files: FeedFiles): FeedFiles & { reads: string[]; writes: string[]; removes: string[] } {
  const reads: string[] = [];
  const writes: string[] = [];
  const removes: string[] = [];
  return {
    location: files.location,
    read: (name) => {
      reads.push(name);
      return files.read(name);
    },
    write: (name, content) => {
      writes.push(name);
      return files.write(name, content);
    },
    remove: (name) => {
      removes.push(name);
      return files.remove(name);
    },
    reads,
    writes,
    removes,
  };
}
