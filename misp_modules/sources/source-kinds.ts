import type { ValidatedTriggerConfiguration } from '../configuration/trigger-settings.js';
import type { AttributeFilterSettings } from '../filters/attribute-filter.js';
import { DEFAULT_IOC_TYPE_ROWS } from '../iocs/normalise-attribute.js';
import type { SourceKind } from './attribute-source.js';
import { mispApiKind } from './misp-api/misp-api-kind.js';
import { mispFeedKind } from './misp-feed/misp-feed-kind.js';

/**
 * The kinds of source the IDS trigger reads, keyed by its `source` argument: one row per kind. The
 * trigger JSON's `source` enum lists the same names (a test keeps the two in step).
 */
const SOURCE_KINDS: readonly SourceKind[] = [mispApiKind, mispFeedKind];

const table = new Map<string, SourceKind>(SOURCE_KINDS.map((kind) => [kind.source, kind]));

/** The kind a `source` argument names; undefined for a name no kind answers to (the schema reports it). */
export function sourceKindOf(source: string): SourceKind | undefined {
  return table.get(source);
}

/** The names the table answers to, in the order of its rows. */
export function sourceKindNames(): string[] {
  return [...table.keys()];
}

/**
 * Adds a kind under its `source` name, beside the table's own rows, and returns how to take it out
 * again. For a kind that lives outside the module (a test's); a name already taken is refused.
 */
export function registerSourceKind(kind: SourceKind): () => void {
  if (table.has(kind.source)) throw new Error(`A source kind named "${kind.source}" is already registered; choose another name for the source argument.`);
  table.set(kind.source, kind);
  return () => {
    if (table.get(kind.source) === kind) table.delete(kind.source);
  };
}

/** The trigger's filter arguments, with the documented types (and the source kind's own) when it names none. */
export function filterSettingsOf(configuration: ValidatedTriggerConfiguration, kind: SourceKind): AttributeFilterSettings {
  return {
    tags: configuration.tags,
    organisations: configuration.organisations,
    types: configuration.attribute_types ?? [...DEFAULT_IOC_TYPE_ROWS.map((row) => row.mispType), ...(kind.defaultTypes?.(configuration) ?? [])],
    enforceWarninglist: configuration.enforce_warninglist,
  };
}
