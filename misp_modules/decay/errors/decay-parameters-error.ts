import { DecayError } from './decay-error.js';

/**
 * Thrown when a decaying model's parameters (as MISP holds them, or after an override) cannot give
 * a lifetime: a decay speed of 0 (MISP's formula divides by it), a lifetime of 0 days or of more
 * than a century, a negative threshold, a value that is not a finite number. Carries the model's
 * name and the parameter at fault.
 */
export class DecayParametersError extends DecayError {
  readonly model: string;
  readonly parameter: string;

  constructor(model: string, parameter: string, problem: string) {
    super(
      `The decaying model "${model}" cannot give indicator lifetimes: its ${parameter} ${problem}. ` +
        'Correct the model in MISP (Decaying Models) or the override in the trigger settings.',
    );
    this.name = 'DecayParametersError';
    this.model = model;
    this.parameter = parameter;
  }
}
