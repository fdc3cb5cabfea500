import type Bottleneck from 'bottleneck';
import type { Clock } from '@sekoia/automation-sdk-shim';

/**
 * Holds every job of a limiter until a moment has passed: what a 429 asks of the whole client, not
 * only of the request that received it. While the pause lasts the limiter's reservoir is empty, so
 * queued jobs stay queued; `active` lets a job that slipped through before the reservoir emptied
 * step back instead of sending. The wait runs on the injected clock.
 */
export class LimiterPause {
  private until = 0;
  /** Bumped on every extension, so the holder knows to sleep again rather than poll the clock. */
  private generation = 0;
  private holding = false;
  private over: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;
  private readonly stopper = new AbortController();

  constructor(
    private readonly limiter: Bottleneck,
    private readonly clock: Clock,
  ) {}

  /** True from the first `extend` until the pause has run out (or was stopped). */
  get active(): boolean {
    return this.holding;
  }

  /** Milliseconds left in the current pause, 0 when there is none. */
  get remainingMs(): number {
    return this.holding ? Math.max(0, this.until - this.clock.now()) : 0;
  }

  /** Pauses everything for at least `ms` from now; an ongoing longer pause is kept as is. */
  extend(ms: number): void {
    if (this.stopper.signal.aborted) return;
    const until = this.clock.now() + Math.max(0, ms);
    if (this.holding && until <= this.until) return;
    this.until = until;
    this.generation += 1;
    if (this.holding) return;
    this.holding = true;
    this.over = new Promise<void>((resolve) => {
      this.release = resolve;
    });
    this.setReservoir(0);
    void this.hold();
  }

  /** Resolves when no pause is under way (at once when there is none). */
  whenOver(): Promise<void> {
    return this.over;
  }

  /** Ends any pause at once without reopening the limiter: the owner is shutting it down. */
  stop(): void {
    this.stopper.abort();
  }

  private async hold(): Promise<void> {
    let seen: number;
    do {
      seen = this.generation;
      const remaining = this.until - this.clock.now();
      if (remaining > 0) await this.clock.sleep(remaining, this.stopper.signal);
    } while (seen !== this.generation && !this.stopper.signal.aborted);
    this.holding = false;
    if (!this.stopper.signal.aborted) this.setReservoir(null);
    this.release();
  }

  private setReservoir(reservoir: number | null): void {
    // Typed as synchronous, but bottleneck applies settings asynchronously and returns a promise.
    void Promise.resolve(this.limiter.updateSettings({ reservoir })).catch(() => undefined);
  }
}
