export { convertMispEvent, mispEventToStixBundle, type SkippedElement, type StixConversion, type StixConversionOptions } from './misp-event-to-stix.js';
export { NotAMispEventError } from './errors/not-a-misp-event-error.js';
export { checkStixPattern, type PatternCheck } from './pattern-validator.js';
export { quoteStixString } from './pattern-writer.js';
export { RULE_TYPE_TABLE, STIX_TYPE_TABLE } from './stix-type-table.js';
export type { StixBundle, StixObject } from './stix-objects.js';
