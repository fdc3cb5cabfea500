/**
 * The delivered-attributes memory at a million entries, measured in this process: what it holds
 * in memory, the size of its file in the data path, and how long a save holds the event loop.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SyncState } from '../misp_modules/state/sync-state.js';

export interface StateSaveFigures {
  entries: number;
  /** Memory the entries take (the typed arrays outside the heap), bytes. */
  memoryBytes: number;
  /** Size of the state file in the data path, bytes. */
  fileBytes: number;
  saveSeconds: number;
  /** Longest the event loop was held during the save, ms. */
  longestStallMs: number;
}

const DAY = 86_400_000;

function uuidOf(n: number): string {
  const head = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  return `${head}-${(n >>> 16).toString(16).padStart(4, '0')}-4${(n & 0xfff).toString(16).padStart(3, '0')}-8000-${n.toString(16).padStart(12, '0')}`;
}

export async function measureStateSave(entries = 1_000_000): Promise<StateSaveFigures> {
  const dataPath = mkdtempSync(path.join(tmpdir(), 'bench-state-'));
  try {
    const state = await SyncState.load(dataPath, entries, { log: () => undefined });
    const now = Date.now();
    for (let n = 0; n < entries; n++) state.delivered.add(uuidOf(n), 1_700_000_000 + (n % 86_400), now - (n % 3) * DAY);
    const memoryBytes = state.delivered.footprintBytes;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const startedAt = performance.now();
    await state.save();
    const saveSeconds = (performance.now() - startedAt) / 1000;
    delay.disable();
    return {
      entries,
      memoryBytes,
      fileBytes: statSync(path.join(dataPath, 'misp-ids-delivered.bin')).size,
      saveSeconds,
      longestStallMs: delay.max / 1e6,
    };
  } finally {
    rmSync(dataPath, { recursive: true, force: true });
  }
}
