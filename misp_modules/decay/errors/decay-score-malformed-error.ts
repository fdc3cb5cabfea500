import { DecayError } from './decay-error.js';

/**
 * Thrown when an attribute of a restSearch asked with `includeDecayScore` carries a `decay_score`
 * that is not a list of `{score, base_score, decayed, DecayingModel: {id, name}}`. Carries the
 * attribute's uuid, so that only that attribute is set aside.
 */
export class DecayScoreMalformedError extends DecayError {
  readonly attributeUuid: string;

  constructor(attributeUuid: string, problem: string) {
    super(
      `The decay score MISP attached to attribute ${attributeUuid} cannot be read: ${problem} ` +
        '(expected a list of {score, base_score, decayed, DecayingModel: {id, name}}).',
    );
    this.name = 'DecayScoreMalformedError';
    this.attributeUuid = attributeUuid;
  }
}
