/**
 * MISP → STIX 2.1, pure (no I/O). `mispEventToStixBundle(event)` gives the bundle and throws
 * `NotAMispEventError` for an input that is not a MISP event; `convertMispEvent(event)` also gives
 * the elements left out, and `summariseSkipped` turns those into one log sentence.
 */
export { convertMispEvent, mispEventToStixBundle, type SkippedElement, type StixConversion, type StixConversionOptions } from './misp-event-to-stix.js';
export { NotAMispEventError } from './errors/not-a-misp-event-error.js';
export { checkStixPattern, type PatternCheck } from './pattern-validator.js';
export { quoteStixString } from './pattern-writer.js';
export { summariseSkipped } from './skipped-summary.js';
export { RULE_TYPE_TABLE, STIX_TYPE_TABLE } from './stix-type-table.js';
export type { StixBundle, StixObject } from './stix-objects.js';
