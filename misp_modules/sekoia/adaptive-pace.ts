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
const STARTUP_GROWTH = 1.5;
/** The first push-back halves the pace, as TCP's; later ones, whose limit is known, cut less. */
const FIRST_CUT = 0.5;
const REFUSAL_CUT = 0.85;
const SLOW_CUT = 0.7;
/** Seconds the pace takes to climb back to the last limit after a cut: the plateau where it stays. */
const PLATEAU_SECONDS = 20;
/**
 * Beyond the plateau the curve climbs at least as if the cut had been to half the limit: a small cut
 * (or one for a passing slowness) must not leave the pace creeping for minutes under a limit long gone.
 */
const MIN_PROBE_SHARE = 0.5;
/**
 * Answers are slow when the last few all took this many times the quickest recent one, and this
 * much longer: one late answer (a pause of the collector, of our own event loop) is not a trend.
 */
const SLOW_FACTOR = 4;
const SLOW_MARGIN_MS = 500;
const SLOW_ANSWERS = 3;
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
  private readonly lastLatencies: number[] = [];
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
   * by the pace, so a faster one would have sent it sooner. Returns whether the answer was slow
   * enough to cut the pace.
   */
  accepted(nowMs: number, sentMs: number, latencyMs: number, waitedForPace: boolean): boolean {
    const base = this.rememberLatency(nowMs, latencyMs);
    this.lastLatencies.push(latencyMs);
    if (this.lastLatencies.length > SLOW_ANSWERS) this.lastLatencies.shift();
    const recent = this.lastLatencies.length < SLOW_ANSWERS ? 0 : Math.min(...this.lastLatencies);
    if (recent > base * SLOW_FACTOR && recent > base + SLOW_MARGIN_MS) return this.cut(nowMs, sentMs, SLOW_CUT, 'slow');
    this.grow(nowMs, waitedForPace);
    return false;
  }

  /** The quickest answer of the last two minutes, in milliseconds (what "slow" is measured against). */
  get quickestMs(): number {
    return Math.min(...this.baseSlots.map((entry) => entry.minMs));
  }

  private grow(nowMs: number, waitedForPace: boolean): void {
    if (!waitedForPace) return;
    if (this.limit === undefined) {
      this.rate = this.bounded(this.rate * STARTUP_GROWTH);
      return;
    }
    // CUBIC: rate(t) = limit + depth * ((t - K) / K)^3, K the plateau's time; depth is the cut's
    // below the plateau, and at least half the limit beyond it.
    const t = (nowMs - this.cutAt) / 1000;
    const depth = t < PLATEAU_SECONDS ? this.limit - this.cutRate : Math.max(this.limit - this.cutRate, MIN_PROBE_SHARE * this.limit);
    const curve = this.limit + depth * ((t - PLATEAU_SECONDS) / PLATEAU_SECONDS) ** 3;
    this.rate = this.bounded(Math.max(this.rate, curve));
  }

  /** The request sent at `sentMs` was refused (429, 503): slow down at once. Returns whether the pace was cut. */
  refused(nowMs: number, sentMs: number): boolean {
    // Refused again before the pace regained the last limit: the limit is lower than thought, and
    // the pace halves as at first (CUBIC's fast convergence) rather than creeping down.
    const belowLimit = this.limit === undefined || this.rate < this.limit;
    return this.cut(nowMs, sentMs, belowLimit ? FIRST_CUT : REFUSAL_CUT, 'refused');
  }

  private cut(nowMs: number, sentMs: number, factor: number, reason: SlowDownReason): boolean {
    // Once per round trip: answers to requests sent before the last cut say nothing new.
    if (sentMs <= this.lastCutMs) return false;
    const measured = this.measuredRate(nowMs);
    const from = Math.min(this.rate, measured ?? this.rate);
    this.limit = from;
    this.rate = this.bounded(from * factor);
    this.cutRate = this.rate;
    this.cutAt = nowMs;
    this.lastCutMs = nowMs;
    this.counts[reason] += 1;
    return true;
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
