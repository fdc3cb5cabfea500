import path from 'node:path';
import { StateFile, type Logger } from '@sekoia/automation-sdk-shim';
import { decodeDeliveredAttributes, encodeDeliveredAttributes } from './delivered-attributes-codec.js';
import { DeliveredAttributes } from './delivered-attributes.js';
import { writeDeliveredInSlices } from './delivered-file.js';
import { LiveIndicators } from './live-indicators.js';

interface CursorFile {
  version: 1;
  /** Start (epoch ms) of the last cycle that delivered everything it fetched. */
  lastCompleteCycleStartMs: number;
}

/**
 * What the trigger keeps in the data path across restarts: the cursor on event publication time
 * and the memory of delivered attributes. Both files are written crash-safe by the runtime's
 * StateFile; an unreadable file is logged and read as empty, which costs a re-push, never a loss.
 */
export class SyncState {
  private constructor(
    private readonly cursorFile: StateFile,
    private readonly deliveredFile: StateFile,
    readonly delivered: DeliveredAttributes,
    private cursorMs: number | undefined,
  ) {
    this.savedVersion = delivered.version;
  }

  /** `delivered.version` as last read or written. */
  private savedVersion: number;
  /** Saves follow one another: they share the temporary file. */
  private saving: Promise<void> = Promise.resolve();

  static async load(dataPath: string, capacity: number, logger: Logger): Promise<SyncState> {
    const cursorFile = new StateFile(path.join(dataPath, 'misp-ids-cursor.json'), logger);
    const deliveredFile = new StateFile(path.join(dataPath, 'misp-ids-delivered.bin'), logger);
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
    return new SyncState(cursorFile, deliveredFile, delivered, cursorMs);
  }

  /** The indicators submitted with an expiry (only kept with `valid_for`). */
  static async loadLiveIndicators(dataPath: string, logger: Logger): Promise<{ live: LiveIndicators; save: () => Promise<void> }> {
    const file = new StateFile(path.join(dataPath, 'misp-ids-live-indicators.json'), logger);
    let live = new LiveIndicators();
    const saved = await file.readJson<unknown>();
    if (saved !== undefined) {
      try {
        live = LiveIndicators.fromJSON(saved);
      } catch (error) {
        logger.log(`The expiry schedule could not be read (${(error as Error).message}); indicators pushed earlier will be refreshed when MISP publishes them again.`, 'warning');
      }
    }
    return { live, save: () => file.writeJson(live) };
  }

  /** Start of the last complete cycle, if any. */
  get lastCompleteCycleStartMs(): number | undefined {
    return this.cursorMs;
  }

  /**
   * Writes the delivered memory, unless it is unchanged since it was last read or written: an
   * image of a million entries is 22 MB, not to be rewritten for nothing (e.g. at a stop right
   * after a cycle's end).
   */
  async saveDelivered(): Promise<void> {
    const save = this.saving.catch(() => undefined).then(() => this.writeDelivered());
    this.saving = save;
    await save;
  }

  private async writeDelivered(): Promise<void> {
    const version = this.delivered.version;
    if (version === this.savedVersion) return;
    // In slices, so that neither memory nor the event loop pays for the whole image at once; should
    // the memory be compacted or grow during the write, a snapshot instead.
    if (await writeDeliveredInSlices(this.deliveredFile.path, this.delivered)) {
      this.savedVersion = version;
      return;
    }
    const snapshot = this.delivered.version;
    await this.deliveredFile.writeBytes(encodeDeliveredAttributes(this.delivered));
    this.savedVersion = snapshot;
  }

  async completeCycle(cycleStartMs: number): Promise<void> {
    await this.saveDelivered();
    this.cursorMs = cycleStartMs;
    await this.cursorFile.writeJson({ version: 1, lastCompleteCycleStartMs: cycleStartMs } satisfies CursorFile);
  }
}
