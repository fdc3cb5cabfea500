import type { Clock, Logger, LogLevel } from '@sekoia/automation-sdk-shim';

/** Keeps every log line, so that tests can read what an operator would see. */
export class RecordingLogger implements Logger {
  readonly lines: { message: string; level: LogLevel }[] = [];

  log(message: string, level: LogLevel = 'info'): void {
    this.lines.push({ message, level });
  }

  at(level: LogLevel): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }

  get text(): string {
    return this.lines.map((line) => `${line.level}: ${line.message}`).join('\n');
  }
}

/**
 * Time that moves only when the code under test sleeps: every sleep is recorded and ends on the
 * next turn of the event loop, so backoffs and Retry-After waits cost no real time.
 */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  /** Called on every sleep, e.g. to abort in the middle of a wait. */
  onSleep: ((ms: number) => void) | undefined;

  constructor(public nowMs = Date.UTC(2025, 0, 15, 12, 0, 0)) {}

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.onSleep?.(ms);
    if (!signal?.aborted) this.nowMs += Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
