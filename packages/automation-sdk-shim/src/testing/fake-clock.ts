import type { Clock } from '../types.js';

interface Sleeper {
  due: number;
  order: number;
  wake: () => void;
}

/**
 * A clock that only moves when a test says so. Sleeps resolve when advance() reaches their time, in
 * order of due time, each followed by a turn of the event loop so that the code it wakes can run
 * (and sleep again) before the next one.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private order = 0;
  private waiters: Array<() => void> = [];

  /** Default start: 2024-01-01T00:00:00Z, so that dates in assertions are stable. */
  constructor(startMs: number = Date.UTC(2024, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = {
        due: this.current + Math.max(0, ms),
        order: (this.order += 1),
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        sleeper.wake();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.sleepers.sort((a, b) => a.due - b.due || a.order - b.order);
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter();
    });
  }

  /** Sleeps not yet resolved. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** When the earliest pending sleep is due, if any. */
  nextWakeup(): number | undefined {
    return this.sleepers[0]?.due;
  }

  /** Resolves once at least one sleep is pending (at once if one already is). */
  whenSleeping(): Promise<void> {
    if (this.sleepers.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Moves time forward by `ms`, waking every sleep whose time came, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      const next = this.sleepers[0];
      if (next === undefined || next.due > target) break;
      this.sleepers.shift();
      this.current = Math.max(this.current, next.due);
      next.wake();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Jumps to the earliest pending sleep and wakes it (and any due at the same time); false when none. */
  async advanceToNext(): Promise<boolean> {
    const due = this.nextWakeup();
    if (due === undefined) return false;
    await this.advance(due - this.current);
    return true;
  }
}

/** One turn of the event loop: pending microtasks and callbacks run before the clock moves on. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
