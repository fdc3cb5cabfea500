import { MispError } from './misp-error.js';

/**
 * Thrown when MISP answers a request of the New Event trigger or of an action with an error status
 * (4xx other than a refused key, or 5xx), or with a success status whose JSON body reports errors,
 * as events/add does for an event it will not create. Carries the request, the status and MISP's
 * reason, field errors included.
 */
export class MispRefusedError extends MispError {
  readonly request: string;
  readonly status: number;
  readonly reason: string;

  constructor(host: string, request: string, status: number, reason: string) {
    super(`MISP at ${host} refused ${request} with HTTP ${status}: ${reason || 'no explanation given'}${/[.!?]$/.test(reason) ? '' : '.'}`, host);
    this.name = 'MispRefusedError';
    this.request = request;
    this.status = status;
    this.reason = reason;
  }
}
