/**
 * The TLP marking definitions of the STIX 2.1 specification (section 7.2.1.4), with their fixed
 * ids, and the MISP `tlp:` tags they stand for. TLP 2.0's `clear` is TLP 1.0's `white`; its
 * `amber+strict` is marked TLP:AMBER, the closest standard marking (the tag itself stays a label).
 */
import type { StixMarkingDefinition } from './stix-objects.js';

const TLP_CREATED = '2017-01-20T00:00:00.000Z';

function tlpMarking(id: string, level: string): StixMarkingDefinition {
  return Object.freeze({
    type: 'marking-definition',
    spec_version: '2.1',
    id: `marking-definition--${id}`,
    created: TLP_CREATED,
    name: `TLP:${level.toUpperCase()}`,
    definition_type: 'tlp',
    definition: Object.freeze({ tlp: level }),
  });
}

const WHITE = tlpMarking('613f2e26-407d-48c7-9eca-b8e91df99dc9', 'white');
const GREEN = tlpMarking('34098fce-860f-48ae-8e50-ebd3cc5e41da', 'green');
const AMBER = tlpMarking('f88d31f6-486f-44da-b317-01333bde0b82', 'amber');
const RED = tlpMarking('5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'red');

/** MISP tag (lower case) → the marking definition it stands for. */
const MARKING_BY_TAG: ReadonlyMap<string, StixMarkingDefinition> = new Map([
  ['tlp:white', WHITE],
  ['tlp:clear', WHITE],
  ['tlp:green', GREEN],
  ['tlp:amber', AMBER],
  ['tlp:amber+strict', AMBER],
  ['tlp:red', RED],
]);

/** The marking definitions the `tlp:` tags among `tags` stand for, without repeats, in tag order. */
export function tlpMarkingsOfTags(tags: readonly string[]): StixMarkingDefinition[] {
  const markings = tags.map((tag) => MARKING_BY_TAG.get(tag.trim().toLowerCase())).filter((marking) => marking !== undefined);
  return [...new Set(markings)];
}
