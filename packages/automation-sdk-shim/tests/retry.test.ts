import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/retry/backoff.js';
import { MAX_RETRY_AFTER_MS, readRetryAfter } from '../src/retry/retry-after.js';
import { retry, type RetryOptions, type RetryStep, type RetryVerdict } from '../src/retry/retry.js';

const FIXED = { baseMs: 1_000, maxMs: 8_000, jitter: 0 };

describe('backoffDelay', () => {
  it('doubles from the base after each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(failures, FIXED))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('draws the jittered share at random, never above the exponential delay', () => {
    const backoff = { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 };
    expect(backoffDelay(3, backoff, undefined, () => 0)).toBe(3_200);
    expect(backoffDelay(3, backoff, undefined, () => 0.5)).toBe(3_600);
    expect(backoffDelay(3, backoff, undefined, () => 1)).toBe(4_000);
  });

  it("takes the server's Retry-After as a floor: obeyed when longer, the backoff kept when longer", () => {
    expect(backoffDelay(1, FIXED, 7_000)).toBe(7_000);
    expect(backoffDelay(3, FIXED, 1_000)).toBe(4_000);
    expect(backoffDelay(1, { ...FIXED, jitter: 0.5 }, 1_000, () => 0)).toBe(1_000);
  });
});

describe('readRetryAfter', () => {
  const now = Date.parse('2030-01-01T12:00:00Z');

  it('reads seconds and HTTP dates', () => {
    expect(readRetryAfter('7', now)).toBe(7_000);
    expect(readRetryAfter(' 120 ', now)).toBe(120_000);
    expect(readRetryAfter('Tue, 01 Jan 2030 12:00:42 GMT', now)).toBe(42_000);
    expect(readRetryAfter(['3', '9'], now)).toBe(3_000);
    expect(readRetryAfter('Tuesday, 01-Jan-30 12:00:42 GMT', now)).toBe(42_000);
  });

  it('reads a date in the past as no wait', () => {
    expect(readRetryAfter('Tue, 01 Jan 2030 11:00:00 GMT', now)).toBe(0);
  });

  it('caps a wait of hours at ten minutes, seconds or date alike', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(600_000);
    expect(readRetryAfter('86400', now)).toBe(600_000);
    expect(readRetryAfter('Wed, 02 Jan 2030 12:00:00 GMT', now)).toBe(600_000);
  });

  it('answers undefined for what it cannot read, so that the backoff applies', () => {
    for (const header of [undefined, '', '  ', 'soon', '-5', '1.5']) expect(readRetryAfter(header, now)).toBeUndefined();
  });
});

type Outcome = { ok: true } | { ok: false; status: number; retryAfterMs?: number };

const classify = (outcome: Outcome): RetryVerdict => {
  if (outcome.ok || outcome.status < 500) return { retry: false };
  return { retry: true, summary: `HTTP ${outcome.status}`, retryAfterMs: outcome.retryAfterMs, heldElsewhere: outcome.status === 529 };
};

/** Runs retry() over the given outcomes, one per attempt, recording the pauses and the steps. */
async function run(outcomes: Outcome[], options: Partial<RetryOptions<Outcome>> = {}) {
  const sleeps: number[] = [];
  const steps: RetryStep<Outcome>[] = [];
  const attempts: number[] = [];
  const result = await retry(
    async (attempt) => {
      attempts.push(attempt);
      const outcome = outcomes[attempt - 1];
      if (outcome === undefined) throw new Error('no outcome left');
      return outcome;
    },
    {
      maxAttempts: 4,
      backoff: FIXED,
      classify,
      clock: { sleep: async (ms) => void sleeps.push(ms) },
      onRetry: (step) => void steps.push(step),
      ...options,
    },
  );
  return { result, sleeps, steps, attempts };
}

describe('retry', () => {
  it('returns at once an outcome not worth retrying, a success or a refusal alike', async () => {
    expect((await run([{ ok: true }])).result).toEqual({ outcome: { ok: true }, attempts: 1, end: 'done' });
    const refused = await run([{ ok: false, status: 404 }]);
    expect(refused.result).toEqual({ outcome: { ok: false, status: 404 }, attempts: 1, end: 'done' });
    expect(refused.sleeps).toEqual([]);
  });

  it('retries with backoff, a Retry-After as its floor, and tells each retry before its pause', async () => {
    const { result, sleeps, steps, attempts } = await run([{ ok: false, status: 503 }, { ok: false, status: 503, retryAfterMs: 7_000 }, { ok: false, status: 500 }, { ok: true }]);
    expect(result).toEqual({ outcome: { ok: true }, attempts: 4, end: 'done' });
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(sleeps).toEqual([1_000, 7_000, 4_000]);
    expect(steps.map(({ attempt, failures, maxAttempts, summary, waitMs }) => ({ attempt, failures, maxAttempts, summary, waitMs }))).toEqual([
      { attempt: 1, failures: 1, maxAttempts: 4, summary: 'HTTP 503', waitMs: 1_000 },
      { attempt: 2, failures: 2, maxAttempts: 4, summary: 'HTTP 503', waitMs: 7_000 },
      { attempt: 3, failures: 3, maxAttempts: 4, summary: 'HTTP 500', waitMs: 4_000 },
    ]);
  });

  it('gives up after maxAttempts failures with the last outcome, without a pause after it', async () => {
    const { result, sleeps } = await run([500, 502, 503, 504].map((status) => ({ ok: false, status })));
    expect(result).toEqual({ outcome: { ok: false, status: 504 }, attempts: 4, end: 'exhausted' });
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it('neither pauses nor counts a failure whose wait is held elsewhere', async () => {
    const held = { ok: false, status: 529 } as const;
    const { result, sleeps, steps } = await run([held, held, held, held, held, { ok: false, status: 500 }, { ok: true }]);
    expect(result).toEqual({ outcome: { ok: true }, attempts: 7, end: 'done' });
    expect(sleeps).toEqual([1_000]);
    expect(steps.map((step) => step.failures)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('ends declined when onRetry refuses, with no pause', async () => {
    const { result, sleeps } = await run([{ ok: false, status: 500 }, { ok: true }], { onRetry: () => false });
    expect(result).toEqual({ outcome: { ok: false, status: 500 }, attempts: 1, end: 'declined' });
    expect(sleeps).toEqual([]);
  });

  it('ends stopped when the signal aborts during a pause, with no further attempt', async () => {
    const controller = new AbortController();
    const { result, attempts } = await run([{ ok: false, status: 500 }, { ok: true }], {
      signal: controller.signal,
      clock: { sleep: async () => controller.abort() },
    });
    expect(result).toEqual({ outcome: { ok: false, status: 500 }, attempts: 1, end: 'stopped' });
    expect(attempts).toEqual([1]);
  });

  it('lets an error thrown by the attempt pass through', async () => {
    await expect(run([{ ok: false, status: 500 }])).rejects.toThrow('no outcome left');
  });
});
