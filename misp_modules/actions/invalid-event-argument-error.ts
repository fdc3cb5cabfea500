/**
 * Thrown by an action when the event it was given cannot be a MISP event: not a JSON object, or
 * without the fields MISP cannot do without. Nothing is sent to MISP. The message says what is wrong
 * with the event, never what it holds.
 */
export class InvalidEventArgumentError extends Error {
  constructor(problem: string) {
    super(`The event given to the action ${problem}.`);
    this.name = 'InvalidEventArgumentError';
  }
}
