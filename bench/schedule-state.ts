/**
 * `npx vite-node --config vitest.config.ts bench/schedule-state.ts [N]`: the expiry schedule
 * (`valid_for`) at N live values (default 500,000, the most an IOC collection holds), each carried
 * by one attribute, with the delivered memory of those attributes beside it, as the trigger keeps
 * them. Prints what the schedule adds to the process's memory, the size of its file in the data
 * path, how long a save of the state takes and holds the event loop at most, and how long a
 * restart takes to load the state.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SyncState } from '../misp_modules/state/sync-state.js';

const values = Number((process.argv[2] ?? '500000').replace(/[_,]/g, ''));
const quiet = { log: () => undefined };
const NOW_S = 1_795_435_200;
const FORMATS = ['ipv4-addr.value', 'domain-name.value', 'url.value'];

function uuidOf(n: number): string {
  const head = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  return `${head}-${(n >>> 16).toString(16).padStart(4, '0')}-4${(n & 0xfff).toString(16).padStart(3, '0')}-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A distinct indicator per n, of one of three formats, 12 to 45 characters long. */
function indicatorOf(n: number): [format: string, value: string] {
  const format = FORMATS[n % 3] as string;
  if (n % 3 === 0) return [format, `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`];
  if (n % 3 === 1) return [format, `host-${n.toString(36)}.example-${n % 97}.net`];
  return [format, `https://files-${n.toString(36)}.example.org/get/${n}.bin`];
}

function settle(): NodeJS.MemoryUsage {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
}

const dataPath = mkdtempSync(path.join(os.tmpdir(), 'bench-schedule-'));
try {
  const before = settle();
  const state = await SyncState.load(dataPath, values, quiet, { schedule: true });
  const schedule = state.schedule;
  if (schedule === undefined) throw new Error('the schedule was not loaded');
  const nowMs = NOW_S * 1000;
  for (let n = 0; n < values; n++) {
    const [format, value] = indicatorOf(n);
    const uuid = uuidOf(n);
    state.delivered.add(uuid, NOW_S - (n % 86_400), nowMs);
    schedule.accepted(format, value, [uuid], NOW_S + 30 * 86_400 + (n % 86_400));
  }
  const filled = settle();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const savedAt = performance.now();
  await state.save();
  const saveSeconds = (performance.now() - savedAt) / 1000;
  delay.disable();
  const scheduleFile = ['misp-ids-schedule.bin', 'misp-ids-live-indicators.json'].map((name) => path.join(dataPath, name)).find((file) => {
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
  const fileBytes = scheduleFile === undefined ? 0 : statSync(scheduleFile).size;
  const deliveredBytes = statSync(path.join(dataPath, 'misp-ids-delivered.bin')).size;
  const loadedAt = performance.now();
  const restarted = await SyncState.load(dataPath, values, quiet, { schedule: true });
  const loadSeconds = (performance.now() - loadedAt) / 1000;
  if (restarted.schedule?.size !== values || restarted.delivered.size !== values) {
    throw new Error(`the restart read ${restarted.schedule?.size} scheduled values and ${restarted.delivered.size} delivered attributes, expected ${values} of each`);
  }
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
  const lines = [
    `${values.toLocaleString('en')} live values, one attribute each (Node ${process.version}${'gc' in globalThis ? ', --expose-gc' : ''})`,
    `memory of the filled state: RSS +${mb(filled.rss - before.rss)} (RSS ${mb(filled.rss)}), heap +${mb(filled.heapUsed - before.heapUsed)}, array buffers +${mb(filled.arrayBuffers - before.arrayBuffers)}`,
    `schedule file: ${mb(fileBytes)} (${scheduleFile === undefined ? 'none' : path.basename(scheduleFile)}); delivered memory file: ${mb(deliveredBytes)}`,
    `save of both files: ${saveSeconds.toFixed(2)} s, longest event-loop hold ${(delay.max / 1e6).toFixed(1)} ms`,
    `load at a restart: ${loadSeconds.toFixed(2)} s; peak RSS of the process ${mb(process.resourceUsage().maxRSS * 1024)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(dataPath, { recursive: true, force: true });
}
