import type { MispIdsTriggerConfiguration } from './configuration.generated.js';

/** The trigger configuration once validated: every argument with a default is present. */
export type ValidatedTriggerConfiguration = MispIdsTriggerConfiguration &
  Required<Pick<MispIdsTriggerConfiguration, 'ioc_collection_server' | 'source' | 'publish_timestamp' | 'sleep_time' | 'verify_ssl' | 'batch_size' | 'misp_page_size' | 'feed_concurrency' | 'tags' | 'organisations' | 'enforce_warninglist' | 'expiry' | 'decaying_model'>>;

/** The look-back window in days. `lookback_days` (the later Python name) counts when publish_timestamp is left at its default. */
export function lookbackDays(configuration: ValidatedTriggerConfiguration, defaultPublishTimestamp: string): number {
  const chosen =
    configuration.lookback_days !== undefined && configuration.publish_timestamp === defaultPublishTimestamp
      ? configuration.lookback_days
      : configuration.publish_timestamp;
  return Number.parseInt(chosen, 10);
}
