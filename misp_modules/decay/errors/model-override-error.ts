import { DecayError } from './decay-error.js';

/**
 * Thrown when a decaying-model override from the trigger settings is not one MISP applies:
 * an unknown parameter (MISP overrides only threshold, lifetime and decay_speed) or a value that
 * is not a number. Carries the parameter at fault.
 */
export class ModelOverrideError extends DecayError {
  readonly parameter: string;

  constructor(parameter: string, problem: string) {
    super(`The decaying-model override "${parameter}" ${problem}. MISP overrides only threshold, lifetime (days) and decay_speed, each a number.`);
    this.name = 'ModelOverrideError';
    this.parameter = parameter;
  }
}
