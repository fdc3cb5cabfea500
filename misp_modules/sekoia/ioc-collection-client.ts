import Bottleneck from 'bottleneck';
import got, { type Got, type Response } from 'got';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  formatSeconds,
  isRetriedStatus,
  processSecrets,
  readRetryAfter,
  retry,
  type Backoff,
  type Clock,
  type Logger,
  type RetryVerdict,
} from '@sekoia/automation-sdk-shim';
import { agentsFor, type AgentSet } from '../http/http-agents.js';
import { safeExcerpt } from '../http/safe-text.js';
import { USER_AGENT } from '../http/user-agent.js';
import { FatalIocCollectionError } from './errors/fatal-ioc-collection-error.js';
import { InvalidIocCollectionClientOptionsError } from './errors/invalid-ioc-collection-client-options-error.js';
import { IocCollectionClientClosedError } from './errors/ioc-collection-client-closed-error.js';
import { IocCollectionNotFoundError } from './errors/ioc-collection-not-found-error.js';
import { SekoiaAuthenticationError } from './errors/sekoia-authentication-error.js';
import { SekoiaPermissionError } from './errors/sekoia-permission-error.js';
import { AdaptivePace, type PaceSnapshot } from './adaptive-pace.js';
import { LimiterPause } from './limiter-pause.js';

export interface IocCollectionClientOptions {
  /** `ioc_collection_server`: the region's API URL, with or without a trailing slash or a path prefix. */
  serverUrl: string;
  /** `ioc_collection_uuid`: `ioc-collection--<uuid>`. */
  collectionUuid: string;
  apiKey: string;
  verifySsl: boolean;
  httpProxy?: string;
  httpsProxy?: string;
  clock: Clock;
  logger: Logger;
  /**
   * Ceiling of the pace (`push_rate_per_second`): at most this many requests start per second.
   * Unset, the pace is the collection's alone (see AdaptivePace).
   */
  requestsPerSecond?: number | undefined;
  /** Requests in flight at once; 4 by default, so that a distant collection's round trip does not set the pace. */
  maxConcurrent?: number;
  /** Budget of one whole request (connection, upload, answer); 60 s by default. */
  timeoutMs?: number;
  /** Attempts per batch when failures are transient (5xx, timeouts, resets); 5 by default. */
  maxAttempts?: number;
  /** Retries allowed across all batches until `resetRetryBudget()`; 50 by default. */
  retryBudgetPerCycle?: number;
  backoff?: Backoff;
}

export interface IocBatch {
  /** Observable format Sekoia.io reads the lines as, e.g. `ipv4-addr.value` or `one_per_line`. */
  format: string;
  values: string[];
  /** ISO 8601 expiry of the indicators, sent as `valid_until` only when given. */
  validUntil?: string;
}

export interface PushResult {
  /** Values Sekoia.io accepted (200 or 202). */
  accepted: string[];
  /** Values not accepted: they stay undelivered, for the caller to push again in a later cycle. */
  failed: string[];
  /** HTTP requests this push sent. */
  requests: number;
}

export interface IocCollectionClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
}

/** Requests sent before the pace spaces them: as many as may be in flight. */
const INITIAL_BURST = 4;
const DEFAULTS = { maxConcurrent: 4, timeoutMs: 60_000, maxAttempts: 5, retryBudgetPerCycle: 50 } as const;
const ACCEPTED = new Set([200, 202]);
/** Enough of an error body to recognise the problem, short enough for one log line. */
const BODY_EXCERPT_CHARS = 200;
const VALUE_EXCERPT_CHARS = 100;
/** Retries of a batch go before fresh batches (bottleneck: lower is sooner), so a retried batch is not starved. */
const PRIORITY_FIRST_ATTEMPT = 5;
const PRIORITY_RETRY = 4;
// A value with a line break or another control character would add, split or alter a line of `indicators`.
const UNSAFE_VALUE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

type Outcome =
  | { kind: 'accepted' }
  | { kind: 'rate-limited' }
  | { kind: 'transient'; reason: string; retryAfterMs?: number | undefined }
  | { kind: 'too-large' }
  | { kind: 'fatal' }
  | { kind: 'rejected'; status: number; excerpt: string }
  | { kind: 'deferred' }
  | { kind: 'aborted' };

interface PushContext {
  format: string;
  validUntil: string | undefined;
  signal: AbortSignal;
  result: PushResult;
}

/**
 * Pushes batches of IOC values to one Sekoia.io IOC collection
 * (`POST <server>/v2/inthreat/ioc-collections/<uuid>/indicators/text`).
 *
 * Every request goes through one bottleneck limiter (pace and concurrency). The pace adapts to the
 * answers (AdaptivePace); a 429, or a 503 with Retry-After, pauses the limiter as a whole. A value is reported accepted only on a 200 or 202 for the request that carried it;
 * everything else ends in `failed`, never silently dropped. `push` resolves for transient and
 * per-batch problems and for an abort (the undelivered values then end in `failed`); it rejects only
 * with a `FatalIocCollectionError` (401, 403, 404), after which every push rejects with that same error
 * and sends nothing, or with an `IocCollectionClientClosedError` when started after `close()`.
 */
export class IocCollectionClient {
  private readonly endpoint: string;
  /** The server as shown in messages: no credentials, query or fragment. */
  private readonly server: string;
  private readonly collectionUuid: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxAttempts: number;
  private readonly retryBudget: number;
  private readonly backoff: Backoff;
  private readonly agents: AgentSet;
  private readonly http: Got;
  private readonly limiter: Bottleneck;
  private readonly pause: LimiterPause;
  private readonly pace: AdaptivePace;
  /** Requests take their turn at the pace one after the other, in order; this is the last turn. */
  private paceTurn: Promise<unknown> = Promise.resolve();
  /** When the last request left, on the clock: the pace spaces the next one from it. */
  private lastSendMs = Number.NEGATIVE_INFINITY;
  private sends = 0;
  /** Aborted on close and on the first fatal error, to cut short requests and waits under way. */
  private readonly halt = new AbortController();
  private readonly counters: IocCollectionClientStats = { requests: 0, retries: 0, rateLimited: 0 };
  private retriesLeft: number;
  private budgetExhaustedLogged = false;
  /** Successive 429s across the client, for the backoff when the server gives no Retry-After. */
  private rateLimitStreak = 0;
  /** When the last 429 was answered: refusals of requests sent before it belong to the same burst. */
  private lastRefusalAt = Number.NEGATIVE_INFINITY;
  private fatal: FatalIocCollectionError | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: IocCollectionClientOptions) {
    const problems: string[] = [];
    const base = parseServerUrl(options.serverUrl, problems);
    if (typeof options.collectionUuid !== 'string' || options.collectionUuid.trim() === '') {
      problems.push('collectionUuid must be the identifier of an IOC collection (ioc-collection--<uuid>)');
    }
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') problems.push('apiKey must not be empty');
    checkPositive(problems, 'requestsPerSecond', options.requestsPerSecond, { integer: false, required: false });
    checkPositive(problems, 'maxConcurrent', options.maxConcurrent, { integer: true, required: false });
    checkPositive(problems, 'timeoutMs', options.timeoutMs, { integer: false, required: false });
    checkPositive(problems, 'maxAttempts', options.maxAttempts, { integer: true, required: false });
    if (options.retryBudgetPerCycle !== undefined && !(Number.isInteger(options.retryBudgetPerCycle) && options.retryBudgetPerCycle >= 0)) {
      problems.push('retryBudgetPerCycle must be an integer of at least 0');
    }
    if (problems.length > 0 || base === undefined) throw new InvalidIocCollectionClientOptionsError(problems);

    this.collectionUuid = options.collectionUuid.trim();
    this.server = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
    const endpoint = new URL(base.href);
    endpoint.pathname = `${base.pathname.replace(/\/+$/, '')}/v2/inthreat/ioc-collections/${encodeURIComponent(this.collectionUuid)}/indicators/text`;
    this.endpoint = endpoint.href;
    // Known to the process's one redactor: an answer that echoes the key never shows it.
    processSecrets.addSecret(options.apiKey);
    this.clock = options.clock;
    this.logger = options.logger;
    this.maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
    this.retryBudget = options.retryBudgetPerCycle ?? DEFAULTS.retryBudgetPerCycle;
    this.retriesLeft = this.retryBudget;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;

    this.agents = agentsFor(this.endpoint, { httpProxy: options.httpProxy, httpsProxy: options.httpsProxy, verifySsl: options.verifySsl });
    this.http = got.extend({
      agent: this.agents,
      // got passes its own (undefined) value over the agent's: say it here too.
      https: { rejectUnauthorized: options.verifySsl },
      headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json', 'user-agent': USER_AGENT },
      timeout: { request: options.timeoutMs ?? DEFAULTS.timeoutMs },
      // Retries, redirects and status handling are decided here, where the limiter and the budget live.
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      responseType: 'text',
    });
    this.pace = new AdaptivePace(options.requestsPerSecond === undefined ? {} : { ceiling: options.requestsPerSecond });
    // The limiter bounds concurrency and holds pauses; the pace's spacing runs on the injected clock (see send).
    this.limiter = new Bottleneck({ maxConcurrent: options.maxConcurrent ?? DEFAULTS.maxConcurrent });
    this.limiter.on('error', (error: unknown) => {
      this.logger.log(`Sekoia.io IOC collection client: internal limiter error: ${this.describeError(error)}`, 'warning');
    });
    this.pause = new LimiterPause(this.limiter, this.clock);
  }

  /** A snapshot of the counters since the client was created. */
  get stats(): Readonly<IocCollectionClientStats> {
    return { ...this.counters };
  }

  /** The current pace of pushes and the slow-downs so far. */
  get paceSnapshot(): PaceSnapshot {
    return this.pace.snapshot;
  }

  /** Gives the retry budget back in full: call it at the start of each polling cycle. */
  resetRetryBudget(): void {
    this.retriesLeft = this.retryBudget;
    this.budgetExhaustedLogged = false;
  }

  /**
   * Pushes one batch. Resolves with what was accepted and what was not (transient failures once
   * retries are spent, a value too large on its own, other 4xx answers, an abort, a close under way).
   * Rejects only with the client's fatal error, or when started after `close()`.
   */
  async push(batch: IocBatch, signal?: AbortSignal): Promise<PushResult> {
    if (this.fatal) throw this.fatal;
    if (this.closing) throw new IocCollectionClientClosedError();
    const result: PushResult = { accepted: [], failed: [], requests: 0 };
    const values = Array.isArray(batch.values) ? batch.values : [];
    if (values.length === 0) return result;

    const problem = batchProblem(batch);
    if (problem !== undefined) {
      this.logger.log(`Sekoia.io IOC collection: a batch of ${values.length} values was not sent: ${problem}. The values stay undelivered.`, 'error');
      result.failed.push(...values);
      return result;
    }
    const sendable: string[] = [];
    const unsafe: string[] = [];
    for (const value of values) (isSafeValue(value) ? sendable : unsafe).push(value);
    if (unsafe.length > 0) {
      this.logger.log(
        `Sekoia.io IOC collection: ${unsafe.length} of ${values.length} ${batch.format} values were not sent because they are empty or hold a line break ` +
          `or another control character (first: ${safeExcerpt(JSON.stringify(String(unsafe[0])), VALUE_EXCERPT_CHARS)}).`,
        'error',
      );
      result.failed.push(...unsafe);
    }
    if (sendable.length === 0) return result;

    // One signal per push, so that listeners never pile up on the client-wide one.
    const combined = AbortSignal.any(signal ? [signal, this.halt.signal] : [this.halt.signal]);
    await this.pushValues(sendable, { format: batch.format, validUntil: batch.validUntil, signal: combined, result });
    return result;
  }

  /** Stops the limiter (queued requests are dropped, their values reported failed) and destroys the agents. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.halt.abort();
    this.pause.stop();
    try {
      await this.limiter.stop({ dropWaitingJobs: true });
    } finally {
      this.agents.http.destroy();
      this.agents.https.destroy();
    }
  }

  /**
   * Sends `values` until accepted, split, rejected or given up; the values always end in one of the
   * lists. Retries go through the shared retry(): a transient failure waits its backoff and counts
   * against maxAttempts; a 429 waits in the pause that holds every request (see rateLimited) and
   * does not count. Every retry spends one of the cycle's budget.
   */
  private async pushValues(values: string[], context: PushContext): Promise<void> {
    const { result, signal } = context;
    const run = await retry((attempt) => this.attemptWhenOpen(values, context, attempt === 1 ? PRIORITY_FIRST_ATTEMPT : PRIORITY_RETRY), {
      maxAttempts: this.maxAttempts,
      backoff: this.backoff,
      clock: this.clock,
      signal,
      classify: retryVerdict,
      onRetry: ({ outcome, failures, summary, waitMs }) => {
        if (!this.takeRetry(values, context, summary)) return false;
        if (outcome.kind === 'transient') {
          this.logger.log(
            `Sekoia.io IOC collection: attempt ${failures} of ${this.maxAttempts} for ${values.length} values failed (${summary}); retrying in ${formatSeconds(waitMs)}.`,
            'debug',
          );
        }
        return true;
      },
    });
    const { outcome } = run;
    if (run.end === 'declined') return;
    if (run.end === 'exhausted' && outcome.kind === 'transient') {
      this.logger.log(
        `Sekoia.io IOC collection: ${values.length} ${context.format} values not delivered after ${this.maxAttempts} attempts ` +
          `(last: ${outcome.reason}); they stay pending for a later cycle.`,
        'warning',
      );
      result.failed.push(...values);
      return;
    }
    switch (outcome.kind) {
      case 'accepted':
        result.accepted.push(...values);
        return;
      case 'fatal':
        throw this.fatal ?? new Error('unreachable: fatal outcome without an error');
      case 'too-large':
        if (values.length === 1) {
          this.logger.log(
            `Sekoia.io IOC collection: a single ${context.format} value is too large to be accepted (HTTP 413) and stays undelivered: ` +
              `${safeExcerpt(String(values[0]), VALUE_EXCERPT_CHARS)} (${String(values[0]).length} characters).`,
            'error',
          );
          result.failed.push(...values);
          return;
        }
        {
          // Halves until each part fits: the size limit is the server's, not ours to guess.
          const middle = Math.ceil(values.length / 2);
          await this.pushValues(values.slice(0, middle), context);
          await this.pushValues(values.slice(middle), context);
        }
        return;
      case 'rejected':
        this.logger.log(
          `Sekoia.io IOC collection: a batch of ${values.length} ${context.format} values was refused with HTTP ${outcome.status} and stays undelivered: ${outcome.excerpt || '(empty body)'}`,
          'error',
        );
        result.failed.push(...values);
        return;
      default:
        // Aborted, or stopped between attempts: a fatal error elsewhere aborts the requests under way, and that is the fatal error, not a stop.
        if (this.fatal) throw this.fatal;
        result.failed.push(...values);
    }
  }

  /**
   * One attempt through the limiter. A job let through just before a pause began steps back and
   * waits for the pause to end: that is its turn coming later, not a failed attempt.
   */
  private async attemptWhenOpen(values: string[], context: PushContext, priority: number): Promise<Outcome> {
    let outcome: Outcome = { kind: 'deferred' };
    while (outcome.kind === 'deferred') {
      if (this.fatal) return { kind: 'fatal' };
      if (context.signal.aborted) return { kind: 'aborted' };
      outcome = await this.schedule(values, context, priority);
      if (outcome.kind === 'deferred') await raceAbort(this.pause.whenOver(), context.signal);
    }
    return outcome;
  }

  /**
   * A 429: every request pauses, the pace shrinks. Requests already in flight when a 429 came are
   * refused with it: one burst, one step of backoff. The server's Retry-After is a floor; successive
   * 429s keep stretching the wait.
   */
  private rateLimited(retryAfterMs: number | undefined, sentAt: number): void {
    this.counters.rateLimited += 1;
    this.pace.refused(this.clock.now(), sentAt);
    if (sentAt > this.lastRefusalAt) this.rateLimitStreak += 1;
    this.lastRefusalAt = this.clock.now();
    const wait = backoffDelay(this.rateLimitStreak, this.backoff, retryAfterMs);
    const pausedFor = Math.max(wait, this.pause.remainingMs);
    this.pause.extend(wait);
    this.pace.resumed(this.clock.now() + pausedFor);
    this.logger.log(
      `Sekoia.io IOC collection: rate limited (HTTP 429), every request pauses for ${formatSeconds(pausedFor)}` +
        (retryAfterMs === undefined ? ' (no Retry-After given)' : '') +
        `, then goes on at ${formatPace(this.pace.requestsPerSecond)} requests per second.`,
      'warning',
    );
  }

  /** Spends one retry of the cycle's budget; when none is left, the values are reported failed. */
  private takeRetry(values: string[], context: PushContext, reason: string): boolean {
    if (this.retriesLeft > 0) {
      this.retriesLeft -= 1;
      this.counters.retries += 1;
      return true;
    }
    if (!this.budgetExhaustedLogged) {
      this.budgetExhaustedLogged = true;
      this.logger.log(
        `Sekoia.io IOC collection: the ${this.retryBudget} retries allowed per cycle are spent; batches failing from now on ` +
          `stay pending until the next cycle (first of them: ${values.length} values, ${reason}).`,
        'warning',
      );
    }
    context.result.failed.push(...values);
    return false;
  }

  /** One attempt through the limiter; an abort answers at once even while the job is still queued. */
  private schedule(values: string[], context: PushContext, priority: number): Promise<Outcome> {
    const job = this.limiter
      .schedule({ priority }, () => this.send(values, context))
      .catch((error: unknown): Outcome => (this.closing || context.signal.aborted ? { kind: 'aborted' } : { kind: 'transient', reason: this.describeError(error) }));
    return raceAbort(job, context.signal).then((outcome) => outcome ?? { kind: 'aborted' });
  }

  private async send(values: string[], context: PushContext): Promise<Outcome> {
    if (this.fatal) return { kind: 'fatal' };
    if (context.signal.aborted) return { kind: 'aborted' };
    // Let through before the pause emptied the limiter's reservoir: step back rather than send.
    if (this.pause.active) return { kind: 'deferred' };
    const waitedForPace = await this.awaitSlot(context.signal);
    if (this.fatal) return { kind: 'fatal' };
    if (context.signal.aborted) return { kind: 'aborted' };
    if (this.pause.active) return { kind: 'deferred' };

    const body: Record<string, string> = { indicators: values.join('\n'), format: context.format };
    if (context.validUntil !== undefined) body.valid_until = context.validUntil;
    this.counters.requests += 1;
    context.result.requests += 1;
    const sentAt = this.clock.now();
    this.pace.recordSent(sentAt);
    let response: Response<string>;
    try {
      response = await this.http.post(this.endpoint, { json: body, signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) return { kind: 'aborted' };
      return { kind: 'transient', reason: this.describeError(error) };
    }
    return this.classify(response, sentAt, waitedForPace);
  }

  private classify(response: Response<string>, sentAt: number, waitedForPace: boolean): Outcome {
    const status = response.statusCode;
    if (status !== 429) this.rateLimitStreak = 0;
    const answeredAt = this.clock.now();
    if (ACCEPTED.has(status)) {
      const latencyMs = answeredAt - sentAt;
      if (this.pace.accepted(answeredAt, sentAt, latencyMs, waitedForPace)) {
        this.logger.log(
          `Sekoia.io IOC collection: answers slowed down (the last one took ${Math.round(latencyMs)} ms, the quickest recent one ${Math.round(this.pace.quickestMs)} ms); ` +
            `the pace goes down to ${formatPace(this.pace.requestsPerSecond)} requests per second.`,
          'info',
        );
      }
      return { kind: 'accepted' };
    }
    const retryAfterMs = readRetryAfter(response.headers['retry-after'], this.clock.now());
    if (status === 429) {
      this.rateLimited(retryAfterMs, sentAt);
      return { kind: 'rate-limited' };
    }
    if (status === 503) {
      // Overloaded: the pace shrinks as for a 429, and a Retry-After holds every request, not only this one.
      this.pace.refused(answeredAt, sentAt);
      if (retryAfterMs !== undefined) {
        this.pause.extend(retryAfterMs);
        this.pace.resumed(answeredAt + retryAfterMs);
      }
    }
    if (status === 413) return { kind: 'too-large' };
    if (status === 401 || status === 403 || status === 404) {
      this.fatal ??= this.fatalError(status);
      this.halt.abort();
      return { kind: 'fatal' };
    }
    // 408: the server gave up waiting for the request, which says nothing about the batch itself.
    if (isRetriedStatus(status)) return { kind: 'transient', reason: `HTTP ${status}`, retryAfterMs };
    return { kind: 'rejected', status, excerpt: this.excerpt(String(response.body ?? '')) };
  }

  /**
   * Waits for this request's turn at the pace: after the previous request's, one interval after the
   * last send, the interval read again on waking (the pace may have changed meanwhile). Resolves true
   * when the pace held the request back (or would have, in the initial burst): a faster pace would
   * have sent it sooner, which alone lets the pace grow.
   */
  private awaitSlot(signal: AbortSignal): Promise<boolean> {
    const turn = this.paceTurn.then(async () => {
      let wait = this.lastSendMs + this.pace.intervalMs - this.clock.now();
      const heldBack = wait >= 1;
      // The first requests go at once, as TCP's initial window: a short cycle need not wait for the pace to grow.
      if (this.sends < INITIAL_BURST) wait = 0;
      // Below a millisecond a timer cannot wait precisely; the request goes at once.
      while (wait >= 1 && !signal.aborted) {
        await this.clock.sleep(wait, signal);
        wait = this.lastSendMs + this.pace.intervalMs - this.clock.now();
      }
      this.sends += 1;
      this.lastSendMs = this.clock.now();
      return heldBack;
    });
    this.paceTurn = turn.catch(() => undefined);
    return turn;
  }

  private fatalError(status: 401 | 403 | 404): FatalIocCollectionError {
    const error =
      status === 401
        ? new SekoiaAuthenticationError(this.collectionUuid, this.server)
        : status === 403
          ? new SekoiaPermissionError(this.collectionUuid, this.server)
          : new IocCollectionNotFoundError(this.collectionUuid, this.server);
    // Not logged here: the caller reports it once, as the reason the trigger stops.
    return error;
  }

  private describeError(error: unknown): string {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return this.excerpt(code && !message.includes(code) ? `${code}: ${message}` : message);
  }

  /** Foreign text (a body, an error) fit for a log line, the API key never in it. */
  private excerpt(text: string): string {
    return safeExcerpt(text, BODY_EXCERPT_CHARS);
  }
}

/** The client's classification for retry(): 429 waits in the shared pause, other transient failures back off. */
function retryVerdict(outcome: Outcome): RetryVerdict {
  if (outcome.kind === 'rate-limited') return { retry: true, summary: 'HTTP 429', heldElsewhere: true };
  if (outcome.kind === 'transient') return { retry: true, summary: outcome.reason, retryAfterMs: outcome.retryAfterMs };
  return { retry: false };
}

function formatPace(requestsPerSecond: number): string {
  return requestsPerSecond >= 10 ? requestsPerSecond.toFixed(0) : requestsPerSecond.toFixed(1);
}

function parseServerUrl(serverUrl: unknown, problems: string[]): URL | undefined {
  if (typeof serverUrl === 'string') {
    try {
      const url = new URL(serverUrl.trim());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.search === '' && url.hash === '') {
        return url;
      }
    } catch {
      // Reported below.
    }
  }
  problems.push('serverUrl must be an http:// or https:// URL without credentials, query or fragment, such as https://api.sekoia.io');
  return undefined;
}

function checkPositive(problems: string[], name: string, value: number | undefined, { integer, required }: { integer: boolean; required: boolean }): void {
  if (value === undefined && !required) return;
  const valid = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!valid) problems.push(`${name} must be a ${integer ? 'positive integer' : 'positive number'}`);
}

function batchProblem(batch: IocBatch): string | undefined {
  if (typeof batch.format !== 'string' || batch.format.trim() === '' || UNSAFE_VALUE.test(batch.format)) return 'its format is empty or unreadable';
  if (batch.validUntil !== undefined && (typeof batch.validUntil !== 'string' || Number.isNaN(Date.parse(batch.validUntil)))) {
    return `its valid_until ${safeExcerpt(JSON.stringify(String(batch.validUntil)), VALUE_EXCERPT_CHARS)} is not an ISO 8601 date`;
  }
  return undefined;
}

function isSafeValue(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !UNSAFE_VALUE.test(value);
}

/** One line, control characters and runs of blanks folded, cut to `limit` characters. */

/** Resolves with the promise's value, or with undefined as soon as the signal aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
