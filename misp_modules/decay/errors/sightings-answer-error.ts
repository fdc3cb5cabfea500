import { DecayError } from './decay-error.js';

/**
 * Thrown when MISP's `sightings/restSearch` answer is not `{"response": [{"Sighting": {...}}]}`
 * with, for each sighting, the attribute's uuid, a type 0, 1 or 2 and a date in epoch seconds.
 * Carries where in the answer the fault is.
 */
export class SightingsAnswerError extends DecayError {
  readonly where: string;

  constructor(where: string, problem: string) {
    super(
      `MISP's sightings search (sightings/restSearch) answer cannot be read: ${where} ${problem}. ` +
        'Check that misp_url points at a MISP instance and that the search asks for includeUuid.',
    );
    this.name = 'SightingsAnswerError';
    this.where = where;
  }
}
