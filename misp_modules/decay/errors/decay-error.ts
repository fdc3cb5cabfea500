/**
 * Base of every error the decay computation throws, so that a caller can tell a decaying-model or
 * sighting problem (the operator's to fix, in MISP or in the settings) from a bug.
 */
export class DecayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecayError';
  }
}
