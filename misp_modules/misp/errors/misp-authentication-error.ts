import { MispError } from './misp-error.js';

/**
 * Thrown when MISP answers 401 or 403: the API key is wrong, expired, or belongs to a user that is
 * disabled or has no API access. Not retried: nothing changes until the key or the user does.
 * Carries the HTTP status and MISP's own explanation.
 */
export class MispAuthenticationError extends MispError {
  readonly status: number;
  readonly mispMessage: string;

  constructor(host: string, status: number, mispMessage: string) {
    super(
      `MISP at ${host} refused the API key (HTTP ${status}: ${mispMessage || 'no explanation given'}). ` +
        'Check the misp_api_key of the module configuration, and that the MISP user it belongs to is enabled and has a role with API access.',
      host,
    );
    this.name = 'MispAuthenticationError';
    this.status = status;
    this.mispMessage = mispMessage;
  }
}
