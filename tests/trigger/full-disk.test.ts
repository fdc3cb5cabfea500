import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateFile } from '@sekoia/automation-sdk-shim';
import { FailingFileSystem } from '@sekoia/automation-sdk-shim/testing';
import { describe, expect, it } from 'vitest';
import { syntheticAttributes, type SyntheticAttribute } from '../../misp_modules/dev/synthetic-attributes.js';
import { decodeDeliveredAttributes } from '../../misp_modules/state/delivered-attributes-codec.js';
import { closedAfterEachTest, COLLECTION, START_MS, type Runtime, type World } from './trigger-harness.js';

const NOW_S = Math.floor(START_MS / 1000);
const HOUR = 3_600;
const quiet = { log: () => undefined };

const { world, trigger } = closedAfterEachTest();

/** Unique pushable values, each of one attribute, published in the 6 hours before `now`. */
function rows(count: number, now: number, seed: number): SyntheticAttribute[] {
  return [...syntheticAttributes({ count, now, seed, repeatShare: 0, invalidShare: 0, unsupportedShare: 0, deletedShare: 0, nonIdsShare: 0 })];
}

function listFile(body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'full-disk-list-')), 'list.txt');
  writeFileSync(file, body);
  return file;
}

const bytesOf = (dataPath: string, name: string): Buffer => readFileSync(path.join(dataPath, name));
const deliveredUuids = async (dataPath: string): Promise<string[]> => {
  const bytes = await new StateFile(path.join(dataPath, 'misp-ids-delivered.bin'), quiet).readBytes();
  return bytes === undefined ? [] : [...decodeDeliveredAttributes(bytes, 10_000)].map(([uuid]) => uuid);
};
const pushed = (attributes: SyntheticAttribute[]): string[] => attributes.flatMap((row) => (row.expected.kind === 'push' ? [row.expected.value] : []));
const uuids = (attributes: SyntheticAttribute[]): string[] => attributes.map((row) => row.row.uuid);
const successiveErrors = (t: Runtime): number => t.runtime.health().context.successive_errors as number;
const errorLogs = (t: Runtime): string[] => t.runtime.logs.filter((entry) => entry.level === 'error').map((entry) => entry.message);

interface Scenario {
  file: string;
  configuration: Record<string, unknown>;
  /** The source's first content, and what it adds before the cycle whose save fails. */
  start(w: World): Promise<Record<string, unknown>> | Record<string, unknown>;
  grow(w: World, configuration: Record<string, unknown>): void;
  values: string[];
}

const first = rows(10, NOW_S, 11);
const second = rows(10, NOW_S + 7 * HOUR, 12);
const misp = (extra: Record<string, unknown> = {}): Omit<Scenario, 'file'> => ({
  configuration: { sleep_time: 8 * HOUR, ...extra },
  start: (w) => {
    w.misp.attributes = [...first];
    return {};
  },
  grow: (w) => {
    w.misp.attributes = [...first, ...second];
  },
  values: pushed([...first, ...second]),
});
const list = (extra: Record<string, unknown> = {}): Omit<Scenario, 'file'> => {
  let file = '';
  return {
    configuration: { source: 'misp_feed', feed_format: 'freetext', sleep_time: HOUR, ...extra },
    start: () => {
      file = listFile('203.0.113.5\nwww.evil-site.com\n');
      return { feed_location: file };
    },
    grow: () => writeFileSync(file, '203.0.113.5\nwww.evil-site.com\nnew-evil.org\n198.51.100.7\n'),
    values: ['203.0.113.5', 'www.evil-site.com', 'new-evil.org', '198.51.100.7'],
  };
};

const SCENARIOS: Scenario[] = [
  { file: 'misp-ids-delivered.bin', ...misp() },
  { file: 'misp-ids-cursor.json', ...misp() },
  { file: 'misp-ids-schedule.bin', ...misp({ valid_for: 30 }) },
  { file: 'misp-feed-sync.json', ...list() },
  { file: 'misp-feed-list-values.bin', ...list({ valid_for: 1 }) },
];

describe('a full or read-only data path', () => {
  it.each(SCENARIOS.map((scenario) => [scenario.file, scenario] as const))(
    'when %s cannot be written: the cycle fails in one sentence, the old file stays, and the next cycle after space returns completes',
    async (file, scenario) => {
      const w = await world([]);
      const fileSystem = new FailingFileSystem();
      const configuration = { ...scenario.configuration, ...(await scenario.start(w)) };
      const t = trigger(w, { configuration, stateFileSystem: fileSystem });
      await t.untilCycles(1);
      expect(successiveErrors(t)).toBe(0);
      const dataPath = t.runtime.dataPath;
      const before = bytesOf(dataPath, file);

      scenario.grow(w, configuration);
      fileSystem.failWrites({ code: 'ENOSPC', file });
      await t.untilCycles(2);
      expect(fileSystem.failed).toBeGreaterThan(0);
      const where = path.join(dataPath, file);
      expect(errorLogs(t)).toEqual([
        `Cycle 2 failed: The data path is full: ${where} could not be written (ENOSPC); its previous content is kept. Nothing is lost: the next cycle starts again from the last complete one.`,
      ]);
      expect(successiveErrors(t)).toBe(1);
      expect(bytesOf(dataPath, file).equals(before)).toBe(true);
      expect(await new StateFile(where, quiet).readBytes()).toBeDefined();
      expect(readdirSync(dataPath).filter((name) => name.endsWith('.tmp'))).toEqual([]);

      fileSystem.heal();
      await t.untilCycles(3);
      expect(t.cycleLogs()[2]).toMatch(/^Cycle 3: /);
      expect(successiveErrors(t)).toBe(0);
      expect(bytesOf(dataPath, file).equals(before)).toBe(false);
      expect(new Set(w.collection.accepted(COLLECTION).all)).toEqual(new Set(scenario.values));
    },
  );

  it('counts every failed cycle for /health, which turns unhealthy at the fifth and healthy again once space returns', async () => {
    const w = await world(first);
    const fileSystem = new FailingFileSystem().failWrites({ code: 'EROFS', file: 'misp-ids-delivered.bin' });
    const t = trigger(w, { configuration: { sleep_time: HOUR }, stateFileSystem: fileSystem });
    await t.untilCycles(5);
    expect(errorLogs(t).filter((message) => message.includes('The data path is read-only: '))).toHaveLength(5);
    expect(t.runtime.health()).toMatchObject({ healthy: false, context: { successive_errors: 5, reason: '5 cycles in a row failed' } });
    expect(t.runtime.logs.filter((entry) => entry.level === 'critical')).toHaveLength(1);
    fileSystem.heal();
    await t.untilCycles(6);
    expect(t.runtime.health()).toMatchObject({ healthy: true, context: { successive_errors: 0 } });
    expect((await deliveredUuids(t.runtime.dataPath)).length).toBe(first.length);
    // Remembered in memory meanwhile: nothing was pushed twice.
    expect(w.collection.accepted(COLLECTION).all).toHaveLength(first.length);
  });

  it('stopped while full: no crash, the old files stay, and a restart pushes again what was pushed but not recorded', async () => {
    const w = await world(first);
    const fileSystem = new FailingFileSystem();
    const configuration = { sleep_time: 8 * HOUR };
    const t = trigger(w, { configuration, stateFileSystem: fileSystem });
    await t.untilCycles(1);
    w.misp.attributes = [...first, ...second];
    fileSystem.failWrites({ code: 'ENOSPC' });
    await t.untilCycles(2);
    const failedSaves = fileSystem.failed;
    await t.stop();
    await t.done;
    expect(t.runtime.outcome).toBe('stopped');
    // The stop saved again, and was refused again: a warning, not a crash.
    expect(fileSystem.failed).toBeGreaterThan(failedSaves);
    expect(t.runtime.logs.at(-1)).toMatchObject({ level: 'warning', message: expect.stringMatching(/^The data path is full: .*What was not recorded is pushed again later\.$/) });
    expect((await deliveredUuids(t.runtime.dataPath)).sort()).toEqual(uuids(first).sort());
    const accepted = () => w.collection.accepted(COLLECTION).all;
    expect(accepted()).toHaveLength(first.length + second.length);

    const restarted = trigger(w, { dataPath: t.runtime.dataPath, startMs: START_MS + 9 * HOUR * 1000, configuration });
    await restarted.untilCycles(1);
    expect(restarted.cycleLogs()[0]).toMatch(/^Cycle 1: /);
    expect(accepted().slice(first.length + second.length).sort()).toEqual(pushed(second).sort());
    expect((await deliveredUuids(t.runtime.dataPath)).length).toBe(first.length + second.length);
  });
});
