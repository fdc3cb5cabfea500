import { DecayError } from './decay-error.js';

/**
 * Thrown when MISP's `decayingModel/index` answer is not a list of `{"DecayingModel": {...}}` with
 * an id, a name, a formula and numeric lifetime, decay_speed and threshold parameters. Carries
 * where in the answer the fault is.
 */
export class DecayingModelAnswerError extends DecayError {
  readonly where: string;

  constructor(where: string, problem: string) {
    super(
      `MISP's list of decaying models (decayingModel/index) cannot be read: ${where} ${problem}. ` +
        'Check that misp_url points at a MISP instance with decaying models and that the API key may read them.',
    );
    this.name = 'DecayingModelAnswerError';
    this.where = where;
  }
}
