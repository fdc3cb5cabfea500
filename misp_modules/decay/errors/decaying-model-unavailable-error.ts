import { DecayError } from './decay-error.js';

/**
 * Thrown at start when `expiry: decaying_model` cannot be honoured by this MISP: a model named in
 * `decaying_model` that MISP does not have, or a MISP older than its decaying models. The message
 * says what to change; the trigger does not poll.
 */
export class DecayingModelUnavailableError extends DecayError {
  constructor(message: string) {
    super(message);
    this.name = 'DecayingModelUnavailableError';
  }
}
