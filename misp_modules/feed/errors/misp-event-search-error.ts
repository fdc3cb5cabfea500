import { MispError } from '../../misp/errors/misp-error.js';

/**
 * Thrown by the feed export when MISP's event search still fails with HTTP 429 or a 5xx status
 * after every retry. Carries the last status, MISP's message, what was asked for (the listing page
 * or the event) and the number of attempts.
 */
export class MispEventSearchError extends MispError {
  readonly status: number;
  readonly attempts: number;

  constructor(host: string, status: number, mispMessage: string, what: string, attempts: number) {
    super(
      `MISP at ${host} kept failing the event search for ${what} with HTTP ${status} (${mispMessage || 'no explanation given'}), ` +
        `${attempts} attempt${attempts === 1 ? '' : 's'} in a row. ` +
        (status === 429
          ? 'Raise the rate limit of this API user in MISP, or run the export later.'
          : "Check MISP's error log; a very large event can exhaust MISP's memory or time limits."),
      host,
    );
    this.name = 'MispEventSearchError';
    this.status = status;
    this.attempts = attempts;
  }
}
