import { rm } from 'node:fs/promises';
import path from 'node:path';
import { StateFile, type Logger, type StateFileSystem } from '@sekoia/automation-sdk-shim';
import { decodeDeliveredAttributes, encodeDeliveredAttributes } from './delivered-attributes-codec.js';
import { DeliveredAttributes } from './delivered-attributes.js';
import { writeDeliveredInSlices } from './delivered-file.js';
import { decodeLiveIndicators, encodeLiveIndicators } from './live-indicators-codec.js';
import { LiveIndicators } from './live-indicators.js';

interface CursorFile {
  version: 1;
  /** Start (epoch ms) of the last cycle that delivered everything it fetched. */
  lastCompleteCycleStartMs: number;
}

/**
 * What the trigger keeps in the data path across restarts: the cursor on event publication time,
 * the memory of delivered attributes and, with `valid_for`, the expiry schedule. Each file is
 * written crash-safe by the runtime's StateFile; an unreadable file is logged and read as empty,
 * which costs a re-push, never a loss. A write that fails (a full disk) leaves the file as it was
 * and rejects with the runtime's StateWriteError; what it did not record is written at the next save.
 *
 * The delivered memory and the schedule form one state: a value delivered but missing from the
 * schedule would never be refreshed nor withdrawn. Every save writes the schedule first, then the
 * delivered memory, so a crash between the two leaves the schedule ahead. Values accepted while
 * the two are written can still reach the second file and not the first; loading therefore forgets
 * every delivered attribute the schedule does not carry, so that it is pushed again, with an
 * expiry, and scheduled. The schedule is thus always a superset of what is remembered delivered.
 *
 * The schedule was once kept as JSON (`misp-ids-live-indicators.json`): that file is read when
 * the binary one is absent, and removed once the binary one is written (or found beside it).
 */
export class SyncState {
  private constructor(
    private readonly cursorFile: StateFile,
    private readonly deliveredFile: StateFile,
    readonly delivered: DeliveredAttributes,
    private cursorMs: number | undefined,
    private readonly scheduleFile: StateFile,
    /** With `valid_for`: the indicators submitted with an expiry. */
    readonly schedule: LiveIndicators | undefined,
    /** The schedule's file of earlier versions, when the schedule was read from it. */
    private legacyScheduleFile: StateFile | undefined,
  ) {
    this.savedVersion = delivered.version;
    this.savedScheduleVersion = legacyScheduleFile === undefined ? schedule?.version : undefined;
  }

  /** `delivered.version` as last read or written. */
  private savedVersion: number;
  /** `schedule.version` as last read or written. */
  private savedScheduleVersion: number | undefined;
  /** Saves follow one another: they share the temporary files. */
  private saving: Promise<void> = Promise.resolve();

  static async load(dataPath: string, capacity: number, logger: Logger, options: { schedule?: boolean; fileSystem?: StateFileSystem } = {}): Promise<SyncState> {
    const file = (name: string): StateFile => new StateFile(path.join(dataPath, name), logger, { fileSystem: options.fileSystem });
    const cursorFile = file('misp-ids-cursor.json');
    const deliveredFile = file('misp-ids-delivered.bin');
    const scheduleFile = file('misp-ids-schedule.bin');
    const legacyScheduleFile = file('misp-ids-live-indicators.json');
    const cursor = await cursorFile.readJson<CursorFile>();
    const cursorMs =
      cursor?.version === 1 && Number.isFinite(cursor.lastCompleteCycleStartMs) ? cursor.lastCompleteCycleStartMs : undefined;
    let delivered = new DeliveredAttributes(capacity);
    const bytes = await deliveredFile.readBytes();
    if (bytes !== undefined) {
      try {
        delivered = decodeDeliveredAttributes(bytes, capacity);
      } catch (error) {
        logger.log(`The memory of delivered attributes could not be read (${(error as Error).message}); starting empty, so some indicators may be pushed again.`, 'warning');
      }
    }
    const loaded = options.schedule === true ? await loadSchedule(scheduleFile, legacyScheduleFile, logger) : undefined;
    const schedule = loaded?.schedule;
    if (schedule !== undefined) {
      const unscheduled = forgetUnscheduled(delivered, schedule);
      if (unscheduled > 0) {
        logger.log(
          `${unscheduled} attributes were delivered but missing from the expiry schedule (the process stopped between two writes, or valid_for was just set); they will be pushed again with an expiry.`,
          'warning',
        );
      }
    }
    return new SyncState(cursorFile, deliveredFile, delivered, cursorMs, scheduleFile, schedule, loaded?.migrated === true ? legacyScheduleFile : undefined);
  }

  /** Start of the last complete cycle, if any. */
  get lastCompleteCycleStartMs(): number | undefined {
    return this.cursorMs;
  }

  /**
   * Writes the schedule, then the delivered memory, each unless unchanged since it was last read or
   * written: an image of a million entries is 22 MB, not to be rewritten for nothing (e.g. at a
   * stop right after a cycle's end).
   */
  async save(): Promise<void> {
    const save = this.saving.catch(() => undefined).then(async () => {
      await this.writeSchedule();
      await this.writeDelivered();
    });
    this.saving = save;
    await save;
  }

  private async writeSchedule(): Promise<void> {
    const schedule = this.schedule;
    if (schedule === undefined || schedule.version === this.savedScheduleVersion) return;
    const version = schedule.version;
    // In slices, from a copy of the tables taken now, so that the cycle goes on while it is written.
    await this.scheduleFile.writeSlices(encodeLiveIndicators(schedule.snapshot()));
    this.savedScheduleVersion = version;
    if (this.legacyScheduleFile !== undefined) {
      await rm(this.legacyScheduleFile.path, { force: true });
      this.legacyScheduleFile = undefined;
    }
  }

  private async writeDelivered(): Promise<void> {
    const version = this.delivered.version;
    if (version === this.savedVersion) return;
    // In slices, so that neither memory nor the event loop pays for the whole image at once; should
    // the memory be compacted or grow during the write, a snapshot instead.
    if (await writeDeliveredInSlices(this.deliveredFile, this.delivered)) {
      this.savedVersion = version;
      return;
    }
    const snapshot = this.delivered.version;
    await this.deliveredFile.writeBytes(encodeDeliveredAttributes(this.delivered));
    this.savedVersion = snapshot;
  }

  async completeCycle(cycleStartMs: number): Promise<void> {
    await this.save();
    this.cursorMs = cycleStartMs;
    await this.cursorFile.writeJson({ version: 1, lastCompleteCycleStartMs: cycleStartMs } satisfies CursorFile);
  }
}

/** The schedule from its file, or from the JSON file of earlier versions (`migrated`) when there is none. */
async function loadSchedule(file: StateFile, legacyFile: StateFile, logger: Logger): Promise<{ schedule: LiveIndicators; migrated: boolean }> {
  const bytes = await file.readBytes();
  const saved = bytes === undefined ? await legacyFile.readJson<unknown>() : undefined;
  try {
    if (bytes !== undefined) {
      const schedule = decodeLiveIndicators(bytes);
      // Left behind by a stop between the first write of the binary file and its removal.
      await rm(legacyFile.path, { force: true });
      return { schedule, migrated: false };
    }
    if (saved !== undefined) return { schedule: LiveIndicators.fromJSON(saved), migrated: true };
  } catch (error) {
    logger.log(`The expiry schedule could not be read (${(error as Error).message}); the indicators of the look-back window will be pushed again with an expiry.`, 'warning');
  }
  return { schedule: new LiveIndicators(), migrated: saved !== undefined };
}

/** Forgets the delivered attributes the schedule does not carry; returns how many. */
function forgetUnscheduled(delivered: DeliveredAttributes, schedule: LiveIndicators): number {
  // On the uuids' words, without making 500,000 strings at each start.
  return delivered.forgetUnless(() => schedule.carriesUuidWords());
}
