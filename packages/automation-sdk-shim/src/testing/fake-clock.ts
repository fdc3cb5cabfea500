import type { Clock } from '../types.js';

interface Sleeper {
  due: number;
  order: number;
  wake: () => void;
}

interface Timer {
  due: number;
  periodMs: number;
  tick: () => void;
}

/**
 * A clock that only moves when a test says so. Sleeps resolve when advance() reaches their time, in
 * order of due time, each followed by a turn of the event loop so that the code it wakes can run
 * (and sleep again) before the next one.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private timers: Timer[] = [];
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

  /** Fires `tick` each time `ms` more milliseconds go by; not a sleep, so advanceToNext() never moves time to it. */
  every(ms: number, tick: () => void, signal: AbortSignal): void {
    if (signal.aborted) return;
    const periodMs = Math.max(1, ms);
    const timer: Timer = { due: this.current + periodMs, periodMs, tick };
    this.timers.push(timer);
    signal.addEventListener('abort', () => (this.timers = this.timers.filter((other) => other !== timer)), { once: true });
  }

  /** Timers not yet stopped. */
  get pendingTimers(): number {
    return this.timers.length;
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

  /** Moves time forward by `ms`, waking every sleep and firing every timer whose time came, in order (sleeps first on a tie). */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      const next = this.sleepers[0];
      const timer = this.timers.reduce<Timer | undefined>((earliest, other) => (earliest === undefined || other.due < earliest.due ? other : earliest), undefined);
      if (timer !== undefined && timer.due <= target && (next === undefined || timer.due < next.due)) {
        this.current = Math.max(this.current, timer.due);
        timer.due += timer.periodMs;
        timer.tick();
        await settle();
        continue;
      }
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
