import { MispError } from './misp-error.js';

/**
 * Thrown by the feed export when MISP's event search gives no usable answer: HTTP 429 or a 5xx
 * status after every retry, an answer that is not JSON (a login page, a proxy's error page), or
 * JSON without a list of events. Carries what was asked for (the listing page or the event) and,
 * for a status, the status; the message says what was received and what to check.
 */
export class MispEventSearchError extends MispError {
  /** The HTTP status of the last answer. */
  readonly status: number;

  constructor(host: string, what: string, status: number, problem: string, advice: string) {
    super(`MISP at ${host} gave no usable answer to the event search for ${what}: ${problem}. ${advice}`, host);
    this.name = 'MispEventSearchError';
    this.status = status;
  }
}
