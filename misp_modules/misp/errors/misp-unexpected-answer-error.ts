import { MispError } from './misp-error.js';

/**
 * Thrown when MISP accepts a request of the New Event trigger or of an action but its answer is not
 * the JSON that request calls for (an HTML page of a proxy or a login portal, a truncated body, an
 * object of another shape). Carries the request and a short, sanitised description of what came.
 */
export class MispUnexpectedAnswerError extends MispError {
  readonly request: string;
  readonly found: string;

  constructor(host: string, request: string, found: string, expected: string) {
    super(
      `MISP at ${host} answered ${request} with ${found} instead of ${expected}. ` +
        'Check that misp_url is the base URL of the MISP instance and that no proxy or single sign-on portal answers in its place.',
      host,
    );
    this.name = 'MispUnexpectedAnswerError';
    this.request = request;
    this.found = found;
  }
}
