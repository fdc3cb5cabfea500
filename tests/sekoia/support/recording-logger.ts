import type { Logger, LogLevel } from '@sekoia/automation-sdk-shim';

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
