import { oneLine } from '../logging/log-shipper.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { LOG_LEVELS, type Clock, type Logger, type LogLevel } from '../types.js';

/** One line of an action's log. */
export interface ActionLogEntry {
  date: string;
  level: LogLevel;
  message: string;
}

/** Lines kept for the finished callback; beyond, the oldest are dropped (they stay on stdout). */
export const MAX_ACTION_LOG_ENTRIES = 5_000;

/**
 * The log of one action run: each line printed at once (secrets redacted) and kept for the
 * `logs` field of the finished callback, which the SDK sends as one text, a line per entry.
 */
export class ActionLog implements Logger {
  readonly entries: ActionLogEntry[] = [];
  private dropped = 0;

  constructor(
    private readonly redactor: SecretRedactor,
    private readonly clock: Clock,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  log(message: string, level: LogLevel = 'info'): void {
    const safeLevel: LogLevel = (LOG_LEVELS as readonly string[]).includes(level) ? level : 'info';
    const entry = { date: new Date(this.clock.now()).toISOString(), level: safeLevel, message: this.redactor.redact(String(message)) };
    this.write(`${entry.date} ${entry.level.toUpperCase().padEnd(8)} ${oneLine(entry.message)}`);
    this.entries.push(entry);
    if (this.entries.length > MAX_ACTION_LOG_ENTRIES) {
      this.entries.shift();
      this.dropped += 1;
    }
  }

  /** `<date>: <level>: <message>` per line, as the SDK formats an action's logs. */
  text(): string {
    const lines = this.entries.map((entry) => `${entry.date}: ${entry.level}: ${entry.message}`);
    if (this.dropped > 0) lines.unshift(`${this.entries[0]?.date ?? ''}: warning: ${this.dropped} earlier log lines were dropped to keep the report small`);
    return lines.join('\n');
  }
}
