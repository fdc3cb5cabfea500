import type { Clock } from '@sekoia/automation-sdk-shim';

export { RecordingClock } from '../../support/recording.js';

interface PendingSleep {
  ms: number;
  until: number;
  resolve: () => void;
}

/** A clock that only moves when the test advances it: a sleep stays pending until then (or until aborted). */
export class ManualClock implements Clock {
  private readonly waiting = new Set<PendingSleep>();
  readonly sleeps: number[] = [];

  constructor(private current = Date.parse('2030-01-01T00:00:00Z')) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const entry: PendingSleep = {
        ms,
        until: this.current + ms,
        resolve: () => {
          this.waiting.delete(entry);
          signal?.removeEventListener('abort', entry.resolve);
          resolve();
        },
      };
      this.waiting.add(entry);
      signal?.addEventListener('abort', entry.resolve, { once: true });
    });
  }

  /** Durations of the sleeps still pending. */
  pending(): number[] {
    return [...this.waiting].map((entry) => entry.ms);
  }

  /** Moves time forward and ends every sleep that is due. */
  advance(ms: number): void {
    this.current += ms;
    for (const entry of [...this.waiting]) if (entry.until <= this.current) entry.resolve();
  }
}
