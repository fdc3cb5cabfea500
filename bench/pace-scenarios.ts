/**
 * The benchmark's scenarios for the push pace, at the defaults, against a loopback collection that
 * pushes back: one that accepts R requests a second (a token bucket) and answers 429 with
 * `Retry-After` beyond; one whose answers slow down from 10 ms to 2 s.
 */
import type { AnsweredPush, DemoIocCollectionServer } from '../misp_modules/dev/demo-ioc-collection-server.js';
import { runBenchCase, type BenchCaseResult } from './bench-case.js';
import type { TargetCheck } from './report.js';

/** Share of IDS attributes that become distinct values to push, in the benchmark's data (767,982 of 1,000,000). */
const VALUES_PER_ATTRIBUTE = 0.77;
/** The rate-limited run lasts about this long, so that there is a steady state after its first 30 s. */
const RATE_LIMITED_SECONDS = 75;
const STEADY_AFTER_MS = 30_000;
const LARGEST_DATA_SET = 1_000_000;
const DEFAULT_BATCH_SIZE = 1_000;

export interface RateLimitedFigures {
  limitPerSecond: number;
  idsAttributes: number;
  /** The default, unless the largest data set could not last the run at it. */
  batchSize: number;
  pushSeconds: number;
  requests: number;
  refused: number;
  /** Accepted requests per second from 30 s after the first answer to the last. */
  sustainedPerSecond: number;
  correct: boolean;
  problems: string[];
}

export interface SlowingFigures {
  idsAttributes: number;
  pushSeconds: number;
  /** Requests per second over the first 5 s of pushes, and over the last 20 s. */
  earlyPerSecond: number;
  latePerSecond: number;
  /** "the pace goes down" lines the trigger logged. */
  paceCuts: number;
  /** Lines of the trigger that tell of a request that timed out. */
  timeouts: number;
  failed: number;
  correct: boolean;
  problems: string[];
}

function pushSpan(answers: readonly AnsweredPush[]): { start: number; end: number } {
  const start = answers[0]?.at ?? 0;
  return { start, end: answers.at(-1)?.at ?? start };
}

function perSecond(answers: readonly AnsweredPush[], from: number, to: number, status?: number): number {
  if (to <= from) return 0;
  const count = answers.filter((answer) => answer.at >= from && answer.at < to && (status === undefined || answer.status === status)).length;
  return (count * 1000) / (to - from);
}

/** N and batch_size for a run of about RATE_LIMITED_SECONDS at `limit` requests a second. */
export function rateLimitedSizing(limit: number): { idsAttributes: number; batchSize: number } {
  const wanted = Math.ceil((limit * DEFAULT_BATCH_SIZE * RATE_LIMITED_SECONDS) / VALUES_PER_ATTRIBUTE / 10_000) * 10_000;
  if (wanted <= LARGEST_DATA_SET) return { idsAttributes: wanted, batchSize: DEFAULT_BATCH_SIZE };
  // More requests from the same data: smaller batches (the pace is a matter of requests, not values).
  const batchSize = Math.floor((LARGEST_DATA_SET * VALUES_PER_ATTRIBUTE) / (limit * RATE_LIMITED_SECONDS) / 10) * 10;
  return { idsAttributes: LARGEST_DATA_SET, batchSize };
}

export async function runRateLimited(limit: number): Promise<RateLimitedFigures> {
  const { idsAttributes, batchSize } = rateLimitedSizing(limit);
  let answers: AnsweredPush[] = [];
  const result: BenchCaseResult = await runBenchCase({
    idsAttributes,
    firstCycleOnly: true,
    timeoutMs: 10 * RATE_LIMITED_SECONDS * 1000,
    tuning: batchSize === DEFAULT_BATCH_SIZE ? {} : { batch_size: batchSize },
    collection: { rateLimitPerSecond: limit },
    observeFirstCycle: (collection: DemoIocCollectionServer) => {
      answers = [...collection.answered];
    },
  });
  const { start, end } = pushSpan(answers);
  return {
    limitPerSecond: limit,
    idsAttributes,
    batchSize,
    pushSeconds: (end - start) / 1000,
    requests: answers.length,
    refused: answers.filter((answer) => answer.status === 429).length,
    sustainedPerSecond: perSecond(answers, start + STEADY_AFTER_MS, end, 202),
    correct: result.first.correct,
    problems: result.first.problems,
  };
}

/** Latency of the slowing collection: 10 ms rising to 2 s over its first 20 s, then 2 s. */
export function slowingLatencyMs(elapsedMs: number): number {
  return Math.round(10 + 1_990 * Math.min(1, elapsedMs / 20_000));
}

export async function runSlowing(idsAttributes = 200_000): Promise<SlowingFigures> {
  let answers: AnsweredPush[] = [];
  let output = '';
  const result = await runBenchCase({
    idsAttributes,
    firstCycleOnly: true,
    timeoutMs: 600_000,
    collection: { latencyMs: slowingLatencyMs },
    observeFirstCycle: (collection, triggerOutput) => {
      answers = [...collection.answered];
      output = triggerOutput;
    },
  });
  const { start, end } = pushSpan(answers);
  const failed = /, (\d[\d,]*) failed \(/.exec(output)?.[1];
  return {
    idsAttributes,
    pushSeconds: (end - start) / 1000,
    earlyPerSecond: perSecond(answers, start, start + 5_000),
    latePerSecond: perSecond(answers, Math.max(start, end - 20_000), end),
    paceCuts: output.split('\n').filter((line) => line.includes('the pace goes down')).length,
    timeouts: output.split('\n').filter((line) => /timeout|timed out/i.test(line)).length,
    failed: Number((failed ?? '0').replaceAll(',', '')),
    correct: result.first.correct,
    problems: result.first.problems,
  };
}

const share = (part: number, whole: number): string => `${((part / Math.max(1, whole)) * 100).toFixed(1)}%`;

export function checkRateLimited(figures: RateLimitedFigures): TargetCheck[] {
  const label = `Collection limited to ${figures.limitPerSecond} requests/s`;
  return [
    { target: `${label}: all expected IOCs delivered`, met: figures.correct, figure: figures.problems.join('; ') || 'yes' },
    {
      target: `${label}: after the first 30 s, at least 90% of the limit sustained`,
      met: figures.sustainedPerSecond >= 0.9 * figures.limitPerSecond,
      figure: `${figures.sustainedPerSecond.toFixed(2)} requests/s (${share(figures.sustainedPerSecond, figures.limitPerSecond)}) over ${figures.pushSeconds.toFixed(0)} s of pushes`,
    },
    {
      target: `${label}: at most 5% of the requests refused`,
      met: figures.refused <= 0.05 * figures.requests,
      figure: `${figures.refused} of ${figures.requests} (${share(figures.refused, figures.requests)})`,
    },
  ];
}

export function checkSlowing(figures: SlowingFigures): TargetCheck[] {
  const label = 'Collection slowing from 10 ms to 2 s';
  return [
    { target: `${label}: all expected IOCs delivered, none failed`, met: figures.correct && figures.failed === 0, figure: figures.problems.join('; ') || `${figures.failed} failed` },
    {
      target: `${label}: the pace falls`,
      met: figures.paceCuts > 0 && figures.latePerSecond < figures.earlyPerSecond,
      figure: `${figures.earlyPerSecond.toFixed(1)} requests/s in the first 5 s, ${figures.latePerSecond.toFixed(1)} in the last 20 s; ${figures.paceCuts} cuts`,
    },
    { target: `${label}: no request times out`, met: figures.timeouts === 0, figure: `${figures.timeouts} timeouts` },
  ];
}
