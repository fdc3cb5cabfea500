/**
 * `npx vite-node --config vitest.config.ts bench/new-event-backlog.ts [N]`: the New Event trigger
 * catching up on a backlog of N events (default 2,000) published while it was down, in one poll,
 * against the loopback MISP: wall time, events per second, peak RSS and the bytes its state took.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestRuntime, FakeClock } from '@sekoia/automation-sdk-shim/testing';
import { moduleRoot } from '../misp_modules/configuration/module-root.js';
import { startMispEventServer } from '../misp_modules/dev/demo-misp-event-server.js';
import { NEW_EVENT_COMMAND, NewEventTrigger } from '../misp_modules/new-event/new-event-trigger.js';

const count = Number(process.argv[2] ?? 2_000);
const key = 'bench-misp-key';
const startMs = Date.UTC(2026, 10, 29, 12, 0, 0);
const misp = await startMispEventServer(key);
const dataPath = mkdtempSync(path.join(tmpdir(), 'new-event-bench-'));
const clock = new FakeClock(startMs);
const runtime = createTestRuntime(NewEventTrigger, {
  root: moduleRoot(),
  command: NEW_EVENT_COMMAND,
  clock,
  dataPath,
  moduleConfiguration: { misp_url: misp.url, misp_api_key: key },
  // The second poll comes after every publication of the backlog, as it would after a downtime.
  configuration: { sleep_time: count + 120 },
});
const done = runtime.run();
// The first poll finds nothing: the cursor starts at the trigger's first start.
while (clock.pendingSleeps === 0) await new Promise((resolve) => setTimeout(resolve, 5));
for (let index = 0; index < count; index++) {
  misp.events.push({
    id: String(index + 1),
    uuid: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
    info: `Backlog event ${index + 1}`,
    published: true,
    publish_timestamp: String(startMs / 1000 + 1 + index),
    Attribute: Array.from({ length: 10 }, (_, n) => ({ uuid: `attr-${index}-${n}`, type: 'ip-dst', value: `198.51.${index % 250}.${n}`, timestamp: String(startMs / 1000) })),
  });
}
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const started = performance.now();
await clock.advance((count + 120) * 1000);
// Done when the poll is complete: every event sent and the cursor moved past them.
while (!runtime.logs.some((entry) => entry.message.startsWith('Poll 2:'))) await new Promise((resolve) => setTimeout(resolve, 5));
if (runtime.events.length !== count) throw new Error(`${runtime.events.length} events sent instead of ${count}`);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
await runtime.stop();
await done;
await misp.close();
const stateBytes = readdirSync(dataPath).reduce((total, name) => total + statSync(path.join(dataPath, name)).size, 0);
console.log(
  `${count} events in one poll: ${seconds.toFixed(2)} s, ${Math.round(count / seconds)} events/s, peak RSS ${Math.round(peakRss / 2 ** 20)} MiB, state ${stateBytes} bytes`,
);
