import { describe, expect, it } from 'vitest';
import { AdaptivePace } from '../../misp_modules/sekoia/adaptive-pace.js';

const PROMPT_MS = 20;

/** Sends one request at `now` and has it accepted promptly; `waited`: it was held back by the pace. */
function acceptOne(pace: AdaptivePace, now: number, waited = true): void {
  pace.recordSent(now);
  pace.accepted(now + PROMPT_MS, now, PROMPT_MS, waited);
}

describe('the adaptive push pace', () => {
  it('starts at 10 requests a second and grows by half per prompt answer while the pace holds requests back', () => {
    const pace = new AdaptivePace();
    expect(pace.requestsPerSecond).toBe(10);
    acceptOne(pace, 0);
    expect(pace.requestsPerSecond).toBeCloseTo(15, 9);
    acceptOne(pace, 100);
    expect(pace.requestsPerSecond).toBeCloseTo(22.5, 9);
  });

  it('does not grow when requests were not held back by it: a faster pace would not have sent them sooner', () => {
    const pace = new AdaptivePace();
    for (let i = 0; i < 20; i++) acceptOne(pace, i * 1000, false);
    expect(pace.requestsPerSecond).toBe(10);
  });

  it('never exceeds the ceiling', () => {
    const pace = new AdaptivePace({ ceiling: 20 });
    for (let i = 0; i < 50; i++) acceptOne(pace, i * 10);
    expect(pace.requestsPerSecond).toBe(20);
    expect(new AdaptivePace({ ceiling: 3 }).requestsPerSecond).toBe(3);
  });

  it('halves at the first refusal, and counts one slow-down per round trip however many answers refuse', () => {
    const pace = new AdaptivePace();
    // Four requests in flight, all refused: only the first refusal cuts; the others were sent before it.
    for (const at of [0, 1, 2, 3]) pace.recordSent(at);
    for (const at of [0, 1, 2, 3]) pace.refused(50 + at, at);
    expect(pace.requestsPerSecond).toBe(5);
    expect(pace.snapshot.slowDowns).toEqual({ refused: 1, slow: 0 });
    // A request sent after the cut and refused again, before the pace regained the limit: the limit
    // is lower than thought, and the pace halves again.
    pace.recordSent(100);
    pace.refused(150, 100);
    expect(pace.requestsPerSecond).toBe(2.5);
    expect(pace.snapshot.slowDowns).toEqual({ refused: 2, slow: 0 });
  });

  it('cuts by 15% only once it has climbed back to the last limit', () => {
    const pace = new AdaptivePace({ initial: 40 });
    pace.recordSent(0);
    pace.refused(10, 0);
    expect(pace.requestsPerSecond).toBe(20);
    // 25 s later the curve has passed the limit of 40.
    acceptOne(pace, 25_000);
    const regained = pace.requestsPerSecond;
    expect(regained).toBeGreaterThan(40);
    pace.recordSent(25_100);
    pace.refused(25_120, 25_100);
    expect(pace.requestsPerSecond).toBeCloseTo(regained * 0.85, 9);
  });

  it('cuts from the pace actually sent when the allowed pace ran ahead of it', () => {
    const pace = new AdaptivePace({ initial: 100 });
    // 20 requests a second for 2 s, while 100 were allowed.
    for (let at = 0; at < 2_000; at += 50) acceptOne(pace, at, false);
    pace.recordSent(2_000);
    pace.refused(2_010, 2_000);
    expect(pace.requestsPerSecond).toBeGreaterThan(9);
    expect(pace.requestsPerSecond).toBeLessThan(11);
  });

  it('climbs back to the last limit over 20 s, lingers near it, then probes beyond', () => {
    const pace = new AdaptivePace({ initial: 40 });
    const start = 10_000;
    pace.recordSent(start);
    pace.refused(start, start);
    expect(pace.requestsPerSecond).toBe(20);
    acceptOne(pace, start + 5_000);
    const early = pace.requestsPerSecond;
    acceptOne(pace, start + 18_000);
    const nearLimit = pace.requestsPerSecond;
    acceptOne(pace, start + 22_000);
    const plateau = pace.requestsPerSecond;
    acceptOne(pace, start + 40_000);
    const beyond = pace.requestsPerSecond;
    // limit 40, cut to 20: 40 + 20·((t − 20)/20)³.
    expect(early).toBeCloseTo(40 - 20 * 0.75 ** 3, 1);
    expect(nearLimit).toBeGreaterThan(39.9);
    expect(plateau).toBeLessThan(40.1);
    expect(beyond).toBeCloseTo(60, 0);
  });

  it('cuts by 30% when three answers in a row take four times the quickest recent one and 500 ms more', () => {
    const pace = new AdaptivePace({ initial: 50 });
    acceptOne(pace, 0, false);
    const answer = (at: number, latency: number): void => {
      pace.recordSent(at);
      pace.accepted(at + latency, at, latency, false);
    };
    // 400 ms is twenty times 20 ms but not 500 ms more: not slow.
    for (const at of [1_000, 2_000, 3_000]) answer(at, 400);
    expect(pace.snapshot.slowDowns).toEqual({ refused: 0, slow: 0 });
    // One late answer is not a trend; three are.
    answer(4_000, 700);
    answer(5_000, 20);
    answer(6_000, 700);
    answer(7_000, 700);
    expect(pace.snapshot.slowDowns).toEqual({ refused: 0, slow: 0 });
    answer(8_000, 700);
    expect(pace.snapshot.slowDowns).toEqual({ refused: 0, slow: 1 });
    expect(pace.requestsPerSecond).toBeCloseTo(50 * 0.7, 9);
  });

  it('never falls below one request a second', () => {
    const pace = new AdaptivePace();
    for (let i = 0; i < 30; i++) {
      pace.recordSent(i * 1000);
      pace.refused(i * 1000 + 10, i * 1000);
    }
    expect(pace.requestsPerSecond).toBe(1);
  });
});
