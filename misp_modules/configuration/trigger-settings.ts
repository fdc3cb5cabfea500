import type { AttributeFilterSettings } from '../filters/attribute-filter.js';
import { DEFAULT_IOC_TYPE_ROWS } from '../iocs/normalise-attribute.js';
import type { SourceKind } from '../sources/attribute-source.js';
import type { MispIdsTriggerConfiguration } from './configuration.generated.js';

/** The trigger configuration once validated: every argument with a default is present. */
export type ValidatedTriggerConfiguration = MispIdsTriggerConfiguration &
  Required<Pick<MispIdsTriggerConfiguration, 'ioc_collection_server' | 'source' | 'publish_timestamp' | 'sleep_time' | 'verify_ssl' | 'batch_size' | 'misp_page_size' | 'feed_concurrency' | 'tags' | 'organisations' | 'enforce_warninglist'>>;

/** The look-back window in days. `lookback_days` (the later Python name) counts when publish_timestamp is left at its default. */
export function lookbackDays(configuration: ValidatedTriggerConfiguration, defaultPublishTimestamp: string): number {
  const chosen =
    configuration.lookback_days !== undefined && configuration.publish_timestamp === defaultPublishTimestamp
      ? configuration.lookback_days
      : configuration.publish_timestamp;
  return Number.parseInt(chosen, 10);
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
