/** A batch ready for the IOC collection: values of one upload format. */
export interface IndicatorBatch {
  format: string;
  values: string[];
}

/**
 * Collects values per upload format and hands out a batch as soon as one format holds `batchSize`
 * values, so that a batch always carries one observable format and memory holds at most one partial
 * batch per format.
 */
export class IndicatorBatcher {
  private readonly pending = new Map<string, string[]>();

  constructor(private readonly batchSize: number) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  }

  /** Adds a value; returns the batch it completed, if any. */
  add(format: string, value: string): IndicatorBatch | undefined {
    let values = this.pending.get(format);
    if (values === undefined) {
      values = [];
      this.pending.set(format, values);
    }
    values.push(value);
    if (values.length < this.batchSize) return undefined;
    this.pending.delete(format);
    return { format, values };
  }

  /** The partial batches, emptied. */
  drain(): IndicatorBatch[] {
    const batches = [...this.pending].map(([format, values]) => ({ format, values }));
    this.pending.clear();
    return batches;
  }
}
