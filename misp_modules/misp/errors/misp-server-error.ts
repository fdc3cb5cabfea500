import { MispError } from './misp-error.js';

/**
 * Thrown when MISP keeps failing with a 5xx status after every retry. Carries the last status,
 * MISP's message and the page being read.
 */
export class MispServerError extends MispError {
  readonly status: number;
  readonly mispMessage: string;
  readonly page: number;
  readonly attempts: number;

  constructor(host: string, status: number, mispMessage: string, page: number, attempts: number) {
    super(
      `MISP at ${host} failed with HTTP ${status} (${mispMessage || 'no explanation given'}) on page ${page} of the attribute search, ` +
        `${attempts} attempt${attempts === 1 ? '' : 's'} in a row. ` +
        "Check MISP's error log; if MISP runs out of memory or time on large pages, lower the page size.",
      host,
    );
    this.name = 'MispServerError';
    this.status = status;
    this.mispMessage = mispMessage;
    this.page = page;
    this.attempts = attempts;
  }
}
