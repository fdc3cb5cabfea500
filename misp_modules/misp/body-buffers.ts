/**
 * Answer bodies are received into buffers kept from page to page, instead of a fresh buffer of
 * several megabytes per page: a long cycle then stops carving holes in the process's memory that
 * the allocator cannot give back, and the resident size stays flat.
 */
export class BodyBuffers {
  private readonly free: Buffer[] = [];

  /** Buffers kept for reuse at most (a page being read and the next one arriving). */
  constructor(private readonly keep = 2) {}

  acquire(): BodyBuffer {
    return new BodyBuffer(this, this.free.pop() ?? Buffer.allocUnsafe(INITIAL_BYTES));
  }

  /** Takes a buffer back once what it held was read. */
  recycle(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}

const INITIAL_BYTES = 64 * 1024;

/** One body being received; `bytes()` is valid until `release()`. */
export class BodyBuffer {
  private length = 0;
  private released = false;

  constructor(
    private readonly owner: BodyBuffers,
    private buffer: Buffer,
  ) {}

  append(chunk: Buffer): void {
    if (this.length + chunk.length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + chunk.length));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.length);
    this.length += chunk.length;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.recycle(this.buffer);
  }
}
