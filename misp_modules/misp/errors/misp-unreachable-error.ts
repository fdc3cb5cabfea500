import { MispError } from './misp-error.js';

/**
 * Thrown when no answer could be had from MISP: DNS failure, connection refused or reset, timeout.
 * Transient causes are retried first, so this means every attempt failed. Carries the system error
 * code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT…) and the number of attempts.
 */
export class MispUnreachableError extends MispError {
  readonly code: string;
  readonly attempts: number;

  constructor(host: string, code: string, description: string, attempts: number) {
    super(
      `MISP at ${host} could not be reached (${code}: ${description}) after ${attempts} attempt${attempts === 1 ? '' : 's'}. ` +
        'Check misp_url, that MISP is running, and the network path from this container (DNS, firewall, the http_proxy/https_proxy settings).',
      host,
    );
    this.name = 'MispUnreachableError';
    this.code = code;
    this.attempts = attempts;
  }
}
