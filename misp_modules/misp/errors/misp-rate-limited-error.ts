import { MispError } from './misp-error.js';

/**
 * Thrown when MISP still answers 429 (rate limit exceeded) after every retry, each of which waited
 * as long as MISP asked. Carries the number of attempts.
 */
export class MispRateLimitedError extends MispError {
  readonly attempts: number;

  constructor(host: string, mispMessage: string, attempts: number) {
    super(
      `MISP at ${host} kept refusing the attribute search with HTTP 429 (${mispMessage || 'rate limit exceeded'}) for ${attempts} attempts. ` +
        'Raise the rate limit of this API user in MISP, or lengthen sleep_time so that the trigger asks less often.',
      host,
    );
    this.name = 'MispRateLimitedError';
    this.attempts = attempts;
  }
}
