/**
 * Thrown by `sendEvent` when url_callback did not accept an event: a 4xx answer (not retried, the
 * same request would be refused again), every attempt failing with 5xx or network errors, or a stop
 * requested while waiting to retry.
 */
export class EventDeliveryError extends Error {
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  readonly attempts: number;

  constructor(message: string, attempts: number, status?: number) {
    super(message);
    this.name = 'EventDeliveryError';
    this.attempts = attempts;
    this.status = status;
  }
}
