import { got, type Agents } from 'got';
import { systemClock } from '../clock.js';
import { backoffDelay } from '../retry/backoff.js';
import { isRetriedStatus } from '../retry/retry.js';
import { LOG_LEVELS, type Clock, type Logger, type LogLevel } from '../types.js';
import type { SecretRedactor } from './secret-redactor.js';

export interface LogShipperOptions {
  /** `url_logs`; undefined → stdout only. */
  url?: string;
  /** Sent as `Authorization: Bearer <token>`; also registered as a secret. */
  token: string;
  redactor: SecretRedactor;
  /** Drives the batching timer, the retry delay and the identical-message window. */
  clock: Clock;
  /** Receives each printed line, without its line break. Default: process.stdout. */
  write?: (line: string) => void;
  /** Entries per POST, and the count of pending entries that sends a batch at once. Default 50. */
  maxBatch?: number;
  /** A batch goes at the latest this long after its oldest entry was queued. Default 5000 ms. */
  flushIntervalMs?: number;
  /** An identical message (same level and text) is shipped once per window. Default 60000 ms; 0 disables. */
  duplicateWindowMs?: number;
  /** Timeout of one POST. Default 10000 ms. */
  timeoutMs?: number;
  /** Entries kept while the endpoint fails; the oldest beyond are dropped (they stay on stdout). Default 10000. */
  maxPending?: number;
  /** Longest wait between two tries after failed POSTs. Default 60000 ms. */
  maxRetryDelayMs?: number;
  /** Wall-time bound of the final flush done by close(). Default 5000 ms. */
  closeTimeoutMs?: number;
  /** HTTP agents for the POSTs, e.g. a proxy agent. */
  agent?: Agents;
}

/** One entry of the `logs` array of the log endpoint. */
export interface ShippedLogEntry {
  date: string;
  level: LogLevel;
  message: string;
}

interface PendingEntry extends ShippedLogEntry {
  queuedAt: number;
}

interface RecentMessage {
  until: number;
  suppressed: number;
}

type PostOutcome = { kind: 'sent' } | { kind: 'transient' | 'rejected'; reason: string };

// An aborted request settles at once; this only guards against a stuck socket.
const ABORT_GRACE_MS = 500;

// As many distinct messages as the Python SDK's rate-limit cache remembers.
const MAX_RECENT_MESSAGES = 4096;

/**
 * Prints every log line to stdout and ships it to the Sekoia.io log endpoint in batches, as the
 * Python SDK's Trigger.log does. Secrets are redacted before a line is printed or queued.
 */
export class LogShipper implements Logger {
  private readonly url: string | undefined;
  private readonly token: string;
  private readonly redactor: SecretRedactor;
  private readonly clock: Clock;
  private readonly write: (line: string) => void;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly duplicateWindowMs: number;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly maxRetryDelayMs: number;
  private readonly closeTimeoutMs: number;
  private readonly agent: Agents | undefined;

  private pending: PendingEntry[] = [];
  private readonly recent = new Map<string, RecentMessage>();
  private droppedUnreported = 0;
  private consecutiveFailures = 0;
  private retryAt = 0;
  private timer: AbortController | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly requests = new AbortController();
  private closed = false;
  private closing: Promise<void> | undefined;
  private inFlight = 0;

  constructor(options: LogShipperOptions) {
    this.url = options.url === undefined || options.url === '' ? undefined : options.url;
    this.token = options.token;
    this.redactor = options.redactor;
    this.clock = options.clock;
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.maxBatch = Math.max(1, options.maxBatch ?? 50);
    this.flushIntervalMs = options.flushIntervalMs ?? 5_000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxPending = Math.max(this.maxBatch, options.maxPending ?? 10_000);
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.agent = options.agent;
    this.redactor.addSecret(this.token);
  }

  /** Entries waiting to be shipped. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Prints the line and queues it for shipping. Never throws. Once close() was called, lines are
   * only printed.
   */
  log(message: string, level: LogLevel = 'info'): void {
    try {
      const safeLevel: LogLevel = (LOG_LEVELS as readonly string[]).includes(level) ? level : 'info';
      const text = this.redactor.redact(typeof message === 'string' ? message : String(message));
      const now = this.clock.now();
      const date = new Date(now).toISOString();
      this.print(date, safeLevel, text);
      if (this.url === undefined || this.closed) return;

      const shipped = this.admit(safeLevel, text, now);
      if (shipped === undefined) return;
      this.enqueue({ date, level: safeLevel, message: shipped, queuedAt: now });
      if (safeLevel === 'error' || safeLevel === 'critical' || this.pending.length >= this.maxBatch) {
        this.sendSoon();
      } else {
        this.arm();
      }
    } catch {
      // Logging must never break the caller.
    }
  }

  /**
   * POSTs everything pending, in batches of at most maxBatch, after any send already under way.
   * A failed POST keeps its entries, in order, for the next try. Never rejects.
   */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and makes a last flush, bounded by closeTimeoutMs of wall time. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.cancelTimer();
    if (this.url === undefined) return;
    const flushed = this.flush();
    if (!(await settlesWithin(flushed, this.closeTimeoutMs))) {
      // Abandon the POST under way: its entries go back to the queue and are counted below.
      this.requests.abort();
      await settlesWithin(flushed, ABORT_GRACE_MS);
    }
    const lost = this.pending.length + this.inFlight + this.droppedUnreported;
    if (lost > 0) {
      this.notice(`${lost} log lines could not be shipped to Sekoia.io before the shutdown; they are only in this output.`);
    }
  }

  /** The message to ship, or undefined while an identical one is inside its window (as the SDK). */
  private admit(level: LogLevel, message: string, now: number): string | undefined {
    // The SDK never rate-limits critical lines.
    if (this.duplicateWindowMs <= 0 || level === 'critical') return message;
    const key = `${level}:${message}`;
    const seen = this.recent.get(key);
    if (seen !== undefined && now < seen.until) {
      seen.suppressed += 1;
      return undefined;
    }
    this.recent.delete(key);
    this.recent.set(key, { until: now + this.duplicateWindowMs, suppressed: 0 });
    this.forgetOldMessages(now);
    if (seen === undefined || seen.suppressed === 0) return message;
    const seconds = Math.round(this.duplicateWindowMs / 1000);
    return `${message} (repeated ${seen.suppressed} more times in the previous ${seconds} s)`;
  }

  private forgetOldMessages(now: number): void {
    if (this.recent.size <= MAX_RECENT_MESSAGES) return;
    for (const [key, entry] of this.recent) {
      if (entry.until <= now) this.recent.delete(key);
    }
    for (const key of this.recent.keys()) {
      if (this.recent.size <= MAX_RECENT_MESSAGES) break;
      this.recent.delete(key);
    }
  }

  private enqueue(entry: PendingEntry): void {
    this.pending.push(entry);
    this.trim();
  }

  private trim(): void {
    const excess = this.pending.length - this.maxPending;
    if (excess > 0) {
      this.pending.splice(0, excess);
      this.droppedUnreported += excess;
    }
  }

  /** Sends now, unless the endpoint failed recently: then the retry timer decides. */
  private sendSoon(): void {
    if (this.consecutiveFailures > 0 && this.clock.now() < this.retryAt) {
      this.arm();
      return;
    }
    void this.flush();
  }

  private async drain(): Promise<void> {
    this.cancelTimer();
    while (this.url !== undefined && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight = batch.length;
      const outcome = await this.post(this.url, batch);
      this.inFlight = 0;
      if (outcome.kind === 'transient') {
        this.pending.unshift(...batch);
        this.trim();
        this.consecutiveFailures += 1;
        const delay = backoffDelay(this.consecutiveFailures, { baseMs: this.flushIntervalMs, maxMs: this.maxRetryDelayMs, jitter: 0 });
        this.retryAt = this.clock.now() + delay;
        this.notice(
          `Could not ship ${batch.length} log lines to Sekoia.io (${outcome.reason}); ` +
            `${this.pending.length} lines are kept and will be sent again.`,
        );
        break;
      }
      this.consecutiveFailures = 0;
      if (outcome.kind === 'rejected') {
        // The endpoint refused this content: sending it again would be refused again.
        this.notice(`Sekoia.io refused ${batch.length} log lines (${outcome.reason}); they were dropped.`);
      }
      if (this.droppedUnreported > 0) {
        const dropped = this.droppedUnreported;
        this.droppedUnreported = 0;
        this.log(
          `${dropped} log lines were dropped while the Sekoia.io log endpoint was unreachable; ` +
            'they are in the standard output of the trigger.',
          'warning',
        );
      }
    }
    this.arm();
  }

  private async post(url: string, batch: PendingEntry[]): Promise<PostOutcome> {
    const logs: ShippedLogEntry[] = batch.map(({ date, level, message }) => ({ date, level, message }));
    try {
      const response = await got.post(url, {
        json: { logs },
        headers: { authorization: `Bearer ${this.token}` },
        timeout: { request: this.timeoutMs },
        // Retries are the shipper's own: the batch stays queued and the timer tries again after a backoff.
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        signal: this.requests.signal,
        ...(this.agent === undefined ? {} : { agent: this.agent }),
      });
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { kind: 'sent' };
      const reason = `status ${status}`;
      if (isRetriedStatus(status)) return { kind: 'transient', reason };
      return { kind: 'rejected', reason };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { kind: 'transient', reason: this.redactor.redact(reason) };
    }
  }

  /** Arms the batch timer for the oldest pending entry, or for the retry time after a failure. */
  private arm(): void {
    const oldest = this.pending[0];
    if (this.closed || this.timer !== undefined || oldest === undefined) return;
    const now = this.clock.now();
    let delay = this.flushIntervalMs - (now - oldest.queuedAt);
    if (this.consecutiveFailures > 0) delay = Math.max(delay, this.retryAt - now);
    const timer = new AbortController();
    this.timer = timer;
    void sleepOn(this.clock, Math.max(0, delay), timer.signal).then(() => {
      if (timer.signal.aborted) return;
      this.timer = undefined;
      void this.flush();
    });
  }

  private cancelTimer(): void {
    this.timer?.abort();
    this.timer = undefined;
  }

  /** A line about the shipping itself: printed only, so that a failing endpoint cannot feed itself. */
  private notice(message: string): void {
    try {
      this.print(new Date(this.clock.now()).toISOString(), 'warning', this.redactor.redact(message));
    } catch {
      // Same as log(): never throws.
    }
  }

  private print(date: string, level: LogLevel, message: string): void {
    try {
      this.write(`${date} ${level.toUpperCase().padEnd(8)} ${oneLine(message)}`);
    } catch {
      // A closed stdout must not stop the trigger.
    }
  }
}

/** Escapes line breaks and control characters, so that one log call is one printed line. */
export function oneLine(message: string): string {
  return message.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (character) => {
    if (character === '\n') return '\\n';
    if (character === '\r') return '\\r';
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Whether the promise settled within `ms` of wall time; the bound never keeps the process alive. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let bound: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    bound = setTimeout(() => resolve(false), ms);
    bound.unref();
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(bound);
  }
}

/** The clock's sleep, except that the real clock's timer must not keep the process alive. */
function sleepOn(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (clock !== systemClock) return clock.sleep(ms, signal);
  return new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
