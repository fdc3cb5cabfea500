import type { Clock } from '@sekoia/automation-sdk-shim';
import { emptyCycleReport, type CycleReport } from '../pipeline/sync-cycle.js';
import { describeProgress } from './cycle-summary.js';

export interface CycleProgressOptions {
  cycle: number;
  startedAt: number;
  intervalMs: number;
  clock: Clock;
  log(line: string): void;
  /** The push pace now, in requests per second. */
  pace(): number;
}

/** The progress lines of a long cycle: at most one per interval, prompted by pages, pushes and a timer. */
export class CycleProgress {
  private report: Readonly<CycleReport> = emptyCycleReport();
  private lastLine: number;
  private readonly timer = new AbortController();

  constructor(private readonly options: CycleProgressOptions) {
    this.lastLine = options.startedAt;
    // A timer, so that a cycle held up in one long wait (a Retry-After, a slow page) still reports;
    // pages and pushes prompt too, for a clock without timers. A real timer may fire a hair before
    // the wall clock shows a full period: half a period is no repeat.
    options.clock.every?.(options.intervalMs, () => this.prompt(options.intervalMs / 2), this.timer.signal);
  }

  /** The cycle's report so far, as the pipeline hands it to each page's callback. */
  update(report: Readonly<CycleReport>): void {
    this.report = report;
    this.prompt();
  }

  /** Logs a line unless the last one is more recent than `minimumGapMs`. */
  prompt(minimumGapMs = this.options.intervalMs): void {
    const now = this.options.clock.now();
    if (now - this.lastLine < minimumGapMs) return;
    this.lastLine = now;
    this.options.log(describeProgress(this.options.cycle, (now - this.options.startedAt) / 1000, this.report, this.options.pace()));
  }

  stop(): void {
    this.timer.abort();
  }
}
