import type { Clock } from './types.js';

/** The real clock: wall time and timers that an abort signal cuts short. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
  every: (ms, tick, signal) => {
    if (signal.aborted) return;
    const timer = setInterval(tick, Math.max(1, ms));
    // A timer never keeps the process alive on its own.
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  },
};
