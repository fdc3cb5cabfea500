export { DecayError } from './decay-error.js';
export { DecayParametersError } from './decay-parameters-error.js';
export { DecayingModelAnswerError } from './decaying-model-answer-error.js';
export { DecayScoreMalformedError } from './decay-score-malformed-error.js';
export { SightingsAnswerError } from './sightings-answer-error.js';
export { ModelOverrideError } from './model-override-error.js';
export { DecayingModelUnavailableError } from './decaying-model-unavailable-error.js';
