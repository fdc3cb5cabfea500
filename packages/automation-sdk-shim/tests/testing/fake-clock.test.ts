import { describe, expect, it } from 'vitest';
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
});
