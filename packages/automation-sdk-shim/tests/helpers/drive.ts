import type { FakeClock } from '../../src/testing/fake-clock.js';

/**
 * Settles `promise` while moving `clock` to each pending sleep in turn, so that code that mixes
 * real I/O with clock sleeps (retries, backoff) runs to its end without waiting real time.
 */
export async function drive<T>(clock: FakeClock, promise: Promise<T>, maxSteps = 1_000): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  for (let step = 0; step < maxSteps && !settled; step += 1) {
    await Promise.race([clock.whenSleeping(), tracked.catch(() => undefined)]);
    if (!settled) await clock.advanceToNext();
  }
  return tracked;
}
