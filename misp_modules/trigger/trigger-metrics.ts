import { Counter, Histogram, type Registry } from 'prom-client';

/** The Prometheus series the README's "Metrics" section lists, registered on the runtime's registry. */
export interface TriggerMetrics {
  cycles: Counter<'outcome'>;
  attributesFetched: Counter;
  iocsPushed: Counter;
  iocsInvalid: Counter;
  cycleDuration: Histogram;
}

export function registerTriggerMetrics(registry: Registry): TriggerMetrics {
  return {
    cycles: new Counter({
      name: 'misp_trigger_cycles_total',
      help: 'Polling cycles completed, by outcome (success: everything fetched was delivered)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attributesFetched: new Counter({
      name: 'misp_trigger_attributes_fetched_total',
      help: 'Attributes received from MISP',
      registers: [registry],
    }),
    iocsPushed: new Counter({
      name: 'misp_trigger_iocs_pushed_total',
      help: 'Indicator values accepted by the Sekoia.io IOC collection',
      registers: [registry],
    }),
    iocsInvalid: new Counter({
      name: 'misp_trigger_iocs_invalid_total',
      help: 'Values dropped because they are not a valid indicator of their type',
      registers: [registry],
    }),
    cycleDuration: new Histogram({
      name: 'misp_trigger_cycle_duration_seconds',
      help: 'Duration of polling cycles',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
  };
}
