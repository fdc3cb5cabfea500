import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { FakeClock } from '../../src/testing/index.js';

describe('FakeClock', () => {
  it('wakes sleepers in order of due time as time advances, letting each run before the next', async () => {
    const clock = new FakeClock(1_000);
    const order: string[] = [];
    void clock.sleep(300).then(() => order.push(`b@${clock.now()}`));
    void clock.sleep(100).then(async () => {
      order.push(`a@${clock.now()}`);
      // Sleeping again from a woken sleeper lands inside the same advance.
      await clock.sleep(100);
      order.push(`a2@${clock.now()}`);
    });
    await clock.advance(250);
    expect(order).toEqual(['a@1100', 'a2@1200']);
    expect(clock.now()).toBe(1_250);
    await clock.advance(50);
    expect(order).toEqual(['a@1100', 'a2@1200', 'b@1300']);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('ends a sleep at once when its signal aborts', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    expect(clock.pendingSleeps).toBe(1);
    controller.abort();
    await sleeping;
    expect(clock.pendingSleeps).toBe(0);
    await expect(clock.sleep(5, controller.signal)).resolves.toBeUndefined();
  });

  it('tells when someone sleeps and jumps to the next wake-up', async () => {
    const clock = new FakeClock(0);
    const waiting = clock.whenSleeping();
    let woke = false;
    void clock.sleep(42_000).then(() => (woke = true));
    await waiting;
    expect(clock.nextWakeup()).toBe(42_000);
    expect(await clock.advanceToNext()).toBe(true);
    expect(woke).toBe(true);
    expect(clock.now()).toBe(42_000);
    expect(await clock.advanceToNext()).toBe(false);
  });

  it('fires a timer as time goes by, between the sleeps it passes, but never moves time to it nor counts it as a sleep', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const order: string[] = [];
    clock.every(30_000, () => order.push(`tick@${clock.now()}`), controller.signal);
    expect(clock.pendingSleeps).toBe(0);
    expect(clock.nextWakeup()).toBeUndefined();
    expect(await clock.advanceToNext()).toBe(false);
    expect(clock.now()).toBe(0);
    void clock.sleep(100_000).then(() => order.push(`woke@${clock.now()}`));
    expect(await clock.advanceToNext()).toBe(true);
    expect(order).toEqual(['tick@30000', 'tick@60000', 'tick@90000', 'woke@100000']);
    await clock.advance(20_000);
    expect(order.slice(4)).toEqual(['tick@120000']);
    expect(clock.pendingTimers).toBe(1);
    controller.abort();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(order).toHaveLength(5);
  });
});

describe('systemClock', () => {
  it('fires a timer on its period until its signal aborts, and then lets go of the signal', async () => {
    const controller = new AbortController();
    let ticks = 0;
    systemClock.every?.(5, () => ticks++, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ticks).toBeGreaterThanOrEqual(2);
    controller.abort();
    const stoppedAt = ticks;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ticks).toBe(stoppedAt);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
