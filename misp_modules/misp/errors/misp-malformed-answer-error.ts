import { MispError } from './misp-error.js';

/**
 * Thrown when MISP answers with JSON that is not the shape of an attribute restSearch
 * (`{"response": {"Attribute": [...]}}`). Carries a short description of what came instead.
 */
export class MispMalformedAnswerError extends MispError {
  readonly found: string;

  constructor(host: string, found: string) {
    super(
      `MISP at ${host} answered the attribute search with JSON that is not a restSearch result ` +
        `(expected {"response": {"Attribute": [...]}}, got ${found}). ` +
        'Check that misp_url points at a MISP instance and not at another service, and that MISP is version 2.4.95 or later.',
      host,
    );
    this.name = 'MispMalformedAnswerError';
    this.found = found;
  }
}
