import path from 'node:path';
import { StateFile, type Logger } from '@sekoia/automation-sdk-shim';
import { decodeDeliveredAttributes, encodeDeliveredAttributes } from './delivered-attributes-codec.js';
import { DeliveredAttributes } from './delivered-attributes.js';

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
  ) {}

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

  /** Start of the last complete cycle, if any. */
  get lastCompleteCycleStartMs(): number | undefined {
    return this.cursorMs;
  }

  async saveDelivered(): Promise<void> {
    await this.deliveredFile.writeBytes(encodeDeliveredAttributes(this.delivered));
  }

  async completeCycle(cycleStartMs: number): Promise<void> {
    await this.saveDelivered();
    this.cursorMs = cycleStartMs;
    await this.cursorFile.writeJson({ version: 1, lastCompleteCycleStartMs: cycleStartMs } satisfies CursorFile);
  }
}
