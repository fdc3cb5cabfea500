/**
 * The STIX 2.1 objects the converter writes, as plain JSON-ready shapes (property names as the
 * specification spells them). Optional properties are left out rather than set to undefined.
 */

export interface StixKillChainPhase {
  readonly kill_chain_name: string;
  readonly phase_name: string;
}

export interface StixExternalReference {
  readonly source_name: string;
  readonly external_id?: string;
  readonly url?: string;
  readonly description?: string;
}

/** Common properties of the domain, relationship and marking objects. */
export interface StixCommonProperties {
  readonly type: string;
  readonly spec_version: '2.1';
  readonly id: string;
  readonly created: string;
  readonly modified?: string;
  readonly created_by_ref?: string;
  readonly labels?: readonly string[];
  readonly object_marking_refs?: readonly string[];
  readonly external_references?: readonly StixExternalReference[];
  readonly [property: string]: unknown;
}

export interface StixMarkingDefinition extends StixCommonProperties {
  readonly type: 'marking-definition';
  readonly name: string;
  readonly definition_type: 'tlp';
  readonly definition: { readonly tlp: string };
}

export interface StixIdentity extends StixCommonProperties {
  readonly type: 'identity';
  readonly name: string;
  readonly identity_class: 'organization';
}

export interface StixReport extends StixCommonProperties {
  readonly type: 'report';
  readonly name: string;
  readonly published: string;
  readonly report_types: readonly string[];
  readonly object_refs: readonly string[];
}

export interface StixIndicator extends StixCommonProperties {
  readonly type: 'indicator';
  readonly pattern: string;
  readonly pattern_type: string;
  readonly valid_from: string;
}

export interface StixObservedData extends StixCommonProperties {
  readonly type: 'observed-data';
  readonly first_observed: string;
  readonly last_observed: string;
  readonly number_observed: number;
  readonly object_refs: readonly string[];
}

/** A cyber observable (file, ipv4-addr, domain-name…): type, id and its own properties. */
export interface StixCyberObservable {
  readonly type: string;
  readonly spec_version: '2.1';
  readonly id: string;
  readonly [property: string]: unknown;
}

export type StixObject = StixCommonProperties | StixCyberObservable;

export interface StixBundle {
  readonly type: 'bundle';
  readonly id: string;
  readonly objects: readonly StixObject[];
}
