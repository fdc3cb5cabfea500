/**
 * Thrown by the MISP to STIX conversion when its input is not a MISP event: not a JSON object, no
 * `Event` (nor a bare event), or an event without the uuid or the timestamp its STIX ids and dates
 * are derived from. The message names what is missing; nothing is converted.
 */
export class NotAMispEventError extends Error {
  /** What was wrong with the input, in a few words (`no Event object`, `no valid uuid`...). */
  readonly problem: string;

  constructor(problem: string) {
    super(`The input is not a MISP event: ${problem}. Give the event as MISP exports it ({"Event": {...}}).`);
    this.name = 'NotAMispEventError';
    this.problem = problem;
  }
}
