/**
 * Thrown inside the STIX pattern checker at the first fault of a pattern (a token the grammar does
 * not allow there, a malformed literal, an object type name out of the rules, comparisons joined by
 * AND over several object types). The checker catches it and answers with its reason and offset;
 * it never leaves `checkStixPattern`.
 */
export class StixPatternSyntaxError extends Error {
  /** Index in the pattern text where the fault starts. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'StixPatternSyntaxError';
    this.offset = offset;
  }
}
