import { MispError } from './misp-error.js';

/**
 * Thrown when MISP rejects the attribute search with a 4xx status other than 401, 403, 404 and
 * 429 (for example 400 or 405): the request itself is refused, retrying would not help.
 * Carries the status and MISP's message.
 */
export class MispRequestRejectedError extends MispError {
  readonly status: number;
  readonly mispMessage: string;

  constructor(host: string, status: number, mispMessage: string) {
    super(
      `MISP at ${host} rejected the attribute search with HTTP ${status} (${mispMessage || 'no explanation given'}). ` +
        'Check the search filters of the trigger configuration, and that no proxy in front of MISP alters the request.',
      host,
    );
    this.name = 'MispRequestRejectedError';
    this.status = status;
    this.mispMessage = mispMessage;
  }
}
