/**
 * The pace of pushes (requests per second), learnt from the collection's answers as TCP learns a
 * network's: it starts moderate and grows quickly while requests are accepted promptly; a refusal
 * (429, 503) or a climbing latency cuts it at once; then it grows back, slowly near the pace at
 * which the collection last pushed back and faster beyond it (CUBIC's curve), so that it settles
 * just under the collection's limit instead of sawing between half of it and all of it.
 *
 * Pure: every method takes the time, so tests drive it; the caller measures latencies and tells
 * whether a request waited for the pace (only then does a faster pace help).
 */

export interface AdaptivePaceOptions {
  /** Requests per second at the start; at most `ceiling`. */
  initial?: number;
  /** The user's cap (`push_rate_per_second`); none by default. */
  ceiling?: number;
  /** The pace never falls below this, so that a slow collection is still tried. */
  floor?: number;
}

export type SlowDownReason = 'refused' | 'slow';

export interface PaceSnapshot {
  requestsPerSecond: number;
  slowDowns: Readonly<Record<SlowDownReason, number>>;
}

/** Moderate: a collection that refuses at once costs a few 429s, one that does not is reached in well under a second. */
const INITIAL_RATE = 10;
/** One request every millisecond: beyond this the pace no longer limits anything on a real network. */
const MAX_RATE = 1_000;
/** A collection that refuses or slows down is still asked once a second, so that its recovery is seen. */
const MIN_RATE = 1;
/** Before the first push-back, each promptly accepted request that waited for the pace grows it by this factor. */
const STARTUP_GROWTH = 1.25;
/** The first push-back halves the pace, as TCP's; later ones, whose limit is known, cut less. */
const FIRST_CUT = 0.5;
const REFUSAL_CUT = 0.85;
const SLOW_CUT = 0.7;
/** Seconds the pace takes to climb back to the last limit after a cut: the plateau where it stays. */
const PLATEAU_SECONDS = 20;
/** An answer is slow when it takes this many times the quickest recent one, and this much longer. */
const SLOW_FACTOR = 4;
const SLOW_MARGIN_MS = 250;
/** The quickest answer is remembered per slot of this length, over this many slots. */
const BASE_SLOT_MS = 10_000;
const BASE_SLOTS = 12;
/** The pace actually sent is measured over this window, since a pace can run ahead of the sends. */
const SENT_WINDOW_MS = 2_000;
const MIN_MEASURED_REQUESTS = 4;

export class AdaptivePace {
  private rate: number;
  private readonly ceiling: number;
  private readonly floor: number;
  /** The pace at the last push-back, and when it happened: the origin of the curve. */
  private limit: number | undefined;
  private cutAt = 0;
  private cutRate = 0;
  /** Requests sent before this moment were answered under the old pace: they do not cut it again. */
  private lastCutMs = Number.NEGATIVE_INFINITY;
  private readonly counts: Record<SlowDownReason, number> = { refused: 0, slow: 0 };
  private readonly baseSlots: Array<{ slot: number; minMs: number }> = [];
  private readonly sent: number[] = [];
  /** Sends are measured from here: the first send, or the end of the last pause. */
  private sentFrom: number | undefined;

  constructor(options: AdaptivePaceOptions = {}) {
    this.ceiling = Math.min(MAX_RATE, options.ceiling ?? MAX_RATE);
    this.floor = Math.min(this.ceiling, options.floor ?? MIN_RATE);
    this.rate = this.bounded(options.initial ?? INITIAL_RATE);
  }

  /** Requests per second now. */
  get requestsPerSecond(): number {
    return this.rate;
  }

  /** Milliseconds between the starts of two requests at the current pace. */
  get intervalMs(): number {
    return 1000 / this.rate;
  }

  get snapshot(): PaceSnapshot {
    return { requestsPerSecond: this.rate, slowDowns: { ...this.counts } };
  }

  /** A request leaves now. */
  recordSent(nowMs: number): void {
    this.sentFrom ??= nowMs;
    this.sent.push(nowMs);
    while (this.sent.length > 0 && (this.sent[0] as number) < nowMs - SENT_WINDOW_MS) this.sent.shift();
  }

  /** Nothing was sent for a while (a pause on the collection's word): the measured pace starts again. */
  resumed(nowMs: number): void {
    this.sentFrom = nowMs;
    this.sent.length = 0;
  }

  /**
   * The request sent at `sentMs` was accepted after `latencyMs`. `waitedForPace`: it was held back
   * by the pace, so a faster one would have sent it sooner.
   */
  accepted(nowMs: number, sentMs: number, latencyMs: number, waitedForPace: boolean): void {
    const base = this.rememberLatency(nowMs, latencyMs);
    if (latencyMs > base * SLOW_FACTOR && latencyMs > base + SLOW_MARGIN_MS) {
      this.cut(nowMs, sentMs, SLOW_CUT, 'slow');
      return;
    }
    if (!waitedForPace) return;
    if (this.limit === undefined) {
      this.rate = this.bounded(this.rate * STARTUP_GROWTH);
      return;
    }
    // CUBIC: rate(t) = limit + (limit - cutRate) * ((t - K) / K)^3, K the plateau's time.
    const t = (nowMs - this.cutAt) / 1000;
    const curve = this.limit + (this.limit - this.cutRate) * ((t - PLATEAU_SECONDS) / PLATEAU_SECONDS) ** 3;
    this.rate = this.bounded(Math.max(this.rate, curve));
  }

  /** The request sent at `sentMs` was refused (429, 503): slow down at once. */
  refused(nowMs: number, sentMs: number): void {
    this.cut(nowMs, sentMs, this.limit === undefined ? FIRST_CUT : REFUSAL_CUT, 'refused');
  }

  private cut(nowMs: number, sentMs: number, factor: number, reason: SlowDownReason): void {
    // Once per round trip: answers to requests sent before the last cut say nothing new.
    if (sentMs <= this.lastCutMs) return;
    const measured = this.measuredRate(nowMs);
    const from = Math.min(this.rate, measured ?? this.rate);
    this.limit = from;
    this.rate = this.bounded(from * factor);
    this.cutRate = this.rate;
    this.cutAt = nowMs;
    this.lastCutMs = nowMs;
    this.counts[reason] += 1;
  }

  /** Requests per second actually sent over the last window, when the window is long enough to say. */
  private measuredRate(nowMs: number): number | undefined {
    if (this.sentFrom === undefined) return undefined;
    const windowMs = Math.min(SENT_WINDOW_MS, nowMs - this.sentFrom);
    if (windowMs < SENT_WINDOW_MS / 2) return undefined;
    const count = this.sent.filter((at) => at >= nowMs - windowMs).length;
    // A few requests say more about the demand than about the collection.
    return count < MIN_MEASURED_REQUESTS ? undefined : (count * 1000) / windowMs;
  }

  /** Keeps the quickest answer per slot and returns the quickest of the recent slots. */
  private rememberLatency(nowMs: number, latencyMs: number): number {
    const slot = Math.floor(nowMs / BASE_SLOT_MS);
    const last = this.baseSlots.at(-1);
    if (last !== undefined && last.slot === slot) last.minMs = Math.min(last.minMs, latencyMs);
    else this.baseSlots.push({ slot, minMs: latencyMs });
    while (this.baseSlots.length > 0 && (this.baseSlots[0] as { slot: number }).slot <= slot - BASE_SLOTS) this.baseSlots.shift();
    return Math.min(...this.baseSlots.map((entry) => entry.minMs));
  }

  private bounded(rate: number): number {
    return Math.min(this.ceiling, Math.max(this.floor, rate));
  }
}
