/**
 * Thrown when an IOC type table cannot be used: two rows for the same MISP type, or a row naming
 * an extraction or a kind that does not exist (possible when rows come from configuration or
 * untyped code). Raised once, when a normaliser is built, never while values are normalised.
 */
export class IocTableError extends Error {
  /** The MISP type of the faulty row. */
  readonly mispType: string;

  constructor(message: string, mispType: string) {
    super(message);
    this.name = 'IocTableError';
    this.mispType = mispType;
  }
}
