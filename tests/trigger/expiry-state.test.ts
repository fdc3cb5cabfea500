import { rmSync } from 'node:fs';
import path from 'node:path';
import { StateFile } from '@sekoia/automation-sdk-shim';
import { describe, expect, it } from 'vitest';
import { syntheticAttributes, type SyntheticAttribute } from '../../misp_modules/dev/synthetic-attributes.js';
import { decodeDeliveredAttributes } from '../../misp_modules/state/delivered-attributes-codec.js';
import { readSchedule, writeSchedule, type ScheduleContent } from '../support/schedule-file.js';
import { closedAfterEachTest, COLLECTION, START_MS } from './trigger-harness.js';

const NOW_S = Math.floor(START_MS / 1000);
const HOUR = 3_600;
const DAY = 24 * HOUR;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const quiet = { log: () => undefined };

const { world, trigger } = closedAfterEachTest();

/** Unique values, all pushable: each value has exactly one attribute. */
function rows(count: number): SyntheticAttribute[] {
  return [...syntheticAttributes({ count, now: NOW_S, seed: 11, repeatShare: 0, invalidShare: 0, unsupportedShare: 0, deletedShare: 0, nonIdsShare: 0 })];
}

/** The two files as a restarted process would read them, read here without the trigger's code. */
async function savedState(dataPath: string): Promise<{ delivered: string[]; schedule: ScheduleContent }> {
  const bytes = await new StateFile(path.join(dataPath, 'misp-ids-delivered.bin'), quiet).readBytes();
  const delivered = bytes === undefined ? [] : [...decodeDeliveredAttributes(bytes, 10_000)].map(([uuid]) => uuid);
  return { delivered, schedule: await readSchedule(dataPath) };
}

const scheduledUuids = (schedule: ScheduleContent): Set<string> => new Set(schedule.values.flatMap(([, , , carriers]) => carriers));
const scheduledValues = (schedule: ScheduleContent): Set<string> => new Set(schedule.values.map(([, value]) => value));

describe('valid_for: the schedule is saved with the delivered memory, as one state', () => {
  it('saves both when stopped in the middle of a cycle, and a restart schedules every value it delivered', async () => {
    const data = rows(1_500);
    const w = await world(data);
    // Slow batches, so that the stop lands in the middle of the cycle.
    w.collection.faults.push({ delayMs: 15, times: Infinity });
    const configuration = { valid_for: 30, sleep_time: HOUR, batch_size: 10, misp_page_size: 100 };
    const t = trigger(w, { configuration });
    const accepted = () => w.collection.accepted(COLLECTION);
    const deadline = Date.now() + 10_000;
    while (accepted().all.length < 60 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await t.stop();
    const stopped = await savedState(t.runtime.dataPath);
    expect(stopped.delivered.length).toBeGreaterThanOrEqual(20);
    expect(stopped.delivered.length).toBeLessThan(data.length);
    const scheduled = scheduledUuids(stopped.schedule);
    expect(stopped.delivered.filter((uuid) => !scheduled.has(uuid))).toEqual([]);

    w.collection.faults.length = 0;
    const restarted = trigger(w, { dataPath: t.runtime.dataPath, startMs: START_MS + 60_000, configuration });
    await restarted.untilCycles(1);
    await restarted.stop();
    const after = await savedState(t.runtime.dataPath);
    expect(scheduledValues(after.schedule)).toEqual(new Set(accepted().all));
    expect(accepted().validUntil.size).toBe(data.length);
  });

  it('saves both when the collection disappears in the middle of a cycle (a fatal error)', async () => {
    const data = rows(600);
    const w = await world(data);
    // Five batches are answered, then the collection is gone.
    w.collection.faults.push({ delayMs: 1, times: 5 }, { status: 404, body: { message: 'Not found' }, times: Infinity });
    const t = trigger(w, { configuration: { valid_for: 30, sleep_time: HOUR, batch_size: 10, misp_page_size: 100 } });
    await t.untilDone();
    expect(t.runtime.logs.map((entry) => entry.message).join('\n')).toMatch(/does not exist|not found/i);
    const saved = await savedState(t.runtime.dataPath);
    expect(saved.delivered.length).toBeGreaterThanOrEqual(10);
    const scheduled = scheduledUuids(saved.schedule);
    expect(saved.delivered.filter((uuid) => !scheduled.has(uuid))).toEqual([]);
  });

  it('after a crash between the two files, schedules again what was delivered but left out of the schedule', async () => {
    const data = rows(200);
    const w = await world(data);
    const configuration = { valid_for: 30, sleep_time: HOUR };
    const t = trigger(w, { configuration });
    await t.untilCycles(1);
    await t.stop();
    const all = new Set(w.collection.accepted(COLLECTION).all);
    expect(all.size).toBe(data.length);

    // The process died in a cycle, after writing the delivered memory and before writing the
    // schedule that went with it: the schedule on disk is an older one that lacks the last half of
    // the values, and the cursor was not moved (the cycle did not complete).
    rmSync(path.join(t.runtime.dataPath, 'misp-ids-cursor.json'), { force: true });
    const full = await readSchedule(t.runtime.dataPath);
    const kept = full.values.slice(0, full.values.length / 2);
    const lost = full.values.slice(full.values.length / 2).map(([, value]) => value);
    await writeSchedule(t.runtime.dataPath, { ...full, values: kept });

    const before = w.collection.accepted(COLLECTION).all.length;
    const restartS = NOW_S + HOUR;
    const restarted = trigger(w, { dataPath: t.runtime.dataPath, startMs: restartS * 1000, configuration });
    await restarted.untilCycles(1);
    await restarted.stop();
    // Pushed once more, with an expiry counted from now, and scheduled: they will be refreshed and withdrawn.
    expect(new Set(w.collection.accepted(COLLECTION).all.slice(before))).toEqual(new Set(lost));
    for (const value of lost) expect(w.collection.accepted(COLLECTION).validUntil.get(value)).toBe(iso(restartS + 30 * DAY));
    expect(scheduledValues((await savedState(t.runtime.dataPath)).schedule)).toEqual(all);
    expect(restarted.runtime.logs.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^100 attributes were delivered but missing from the expiry schedule/));
  });

  it('reads the JSON schedule of earlier versions once, and keeps it in the binary file from then on', async () => {
    const data = rows(120);
    const w = await world(data);
    const configuration = { valid_for: 30, sleep_time: HOUR };
    const t = trigger(w, { configuration });
    await t.untilCycles(1);
    await t.stop();
    const dataPath = t.runtime.dataPath;
    const current = await readSchedule(dataPath);
    expect(current.values.length).toBe(data.length);

    // The data path as an earlier version left it: the schedule in JSON, no binary file.
    rmSync(path.join(dataPath, 'misp-ids-schedule.bin'), { force: true });
    const legacy = new StateFile(path.join(dataPath, 'misp-ids-live-indicators.json'), quiet);
    await legacy.writeJson({ version: 1, values: current.values, events: current.events });

    const before = w.collection.accepted(COLLECTION).all.length;
    const restarted = trigger(w, { dataPath, startMs: START_MS + 60_000, configuration });
    await restarted.untilCycles(1);
    await restarted.stop();
    // Nothing was forgotten: no value went out again.
    expect(w.collection.accepted(COLLECTION).all.length).toBe(before);
    expect(restarted.runtime.logs.map((entry) => entry.message)).not.toContainEqual(expect.stringMatching(/missing from the expiry schedule/));
    const migrated = await readSchedule(dataPath);
    const sorted = (content: ScheduleContent) => content.values.map(([format, value, expiresAt, carriers]) => [format, value, expiresAt, [...carriers].sort()]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(sorted(migrated)).toEqual(sorted(current));
    expect(await legacy.readJson()).toBeUndefined();

    // A JSON file left beside the binary one (a stop between the write of one and the removal of
    // the other) is stale: the binary one is read, and the JSON one removed.
    await legacy.writeJson({ version: 1, values: [] });
    const again = trigger(w, { dataPath, startMs: START_MS + 120_000, configuration });
    await again.untilCycles(1);
    await again.stop();
    expect(w.collection.accepted(COLLECTION).all.length).toBe(before);
    expect(sorted(await readSchedule(dataPath))).toEqual(sorted(current));
    expect(await legacy.readJson()).toBeUndefined();
  });
});
