import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CycleReport } from '../pipeline/sync-cycle.js';
import type { PaceSnapshot, SlowDownReason } from '../sekoia/adaptive-pace.js';

/** The Prometheus series the README's "Metrics" section lists, registered on the runtime's registry. */
export interface TriggerMetrics {
  cycles: Counter<'outcome'>;
  attributesFetched: Counter;
  iocsPushed: Counter;
  iocsInvalid: Counter;
  cycleDuration: Histogram;
  pace: Gauge;
  slowDowns: Counter<'reason'>;
  warninglistSkipped: Counter<'list'>;
  decayPushed: Counter<'model'>;
  decaySkipped: Counter<'model'>;
  sightingRefreshes: Counter;
}

/**
 * `pace` reads the push pace when /metrics is scraped (undefined before the first cycle). The
 * slow-downs are counted by the pace itself; the counter catches up with it at each scrape.
 */
export function registerTriggerMetrics(registry: Registry, pace: () => PaceSnapshot | undefined): TriggerMetrics {
  const counted: Record<SlowDownReason, number> = { refused: 0, slow: 0 };
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
    pace: new Gauge({
      name: 'misp_trigger_push_pace_requests_per_second',
      help: 'Current pace of pushes to the Sekoia.io IOC collection, learnt from its answers',
      registers: [registry],
      collect() {
        const snapshot = pace();
        if (snapshot !== undefined) this.set(snapshot.requestsPerSecond);
      },
    }),
    warninglistSkipped: new Counter({
      name: 'misp_trigger_warninglist_skipped_total',
      help: 'Values left out because they are on one of MISP\'s enabled warninglists, by list, where the trigger applies them (MISP older than 2.4.196)',
      labelNames: ['list'],
      registers: [registry],
    }),
    decayPushed: new Counter({
      name: 'misp_trigger_decay_values_pushed_total',
      help: 'With expiry decaying_model: values pushed with the moment their decaying model gives, by model',
      labelNames: ['model'],
      registers: [registry],
    }),
    decaySkipped: new Counter({
      name: 'misp_trigger_decay_skipped_total',
      help: 'With expiry decaying_model: attributes not pushed because their decaying model says they decayed, by model',
      labelNames: ['model'],
      registers: [registry],
    }),
    sightingRefreshes: new Counter({
      name: 'misp_trigger_sighting_refreshes_total',
      help: 'With expiry decaying_model: values pushed again with a new valid_until because their attribute was sighted in MISP',
      registers: [registry],
    }),
    slowDowns: new Counter({
      name: 'misp_trigger_push_slowdowns_total',
      help: 'Cuts of the push pace, by reason (refused: 429 or 503; slow: climbing latency)',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        const snapshot = pace();
        for (const reason of ['refused', 'slow'] as const) {
          // Counters only go up: a new client (after a restart of run()) starts its own count from 0.
          const total = snapshot?.slowDowns[reason] ?? 0;
          if (total < counted[reason]) counted[reason] = 0;
          this.labels(reason).inc(total - counted[reason]);
          counted[reason] = total;
        }
      },
    }),
  };
}

/** A cycle's numbers, added to the series. */
export function recordCycle(
  metrics: TriggerMetrics,
  report: CycleReport,
  durationSeconds: number,
  warninglisted: ReadonlyMap<string, number> = new Map(),
  sightingRefreshes = 0,
): void {
  for (const [list, count] of warninglisted) metrics.warninglistSkipped.labels(list).inc(count);
  for (const [model, counts] of Object.entries(report.decay ?? {})) {
    metrics.decayPushed.labels(model).inc(counts.pushed);
    metrics.decaySkipped.labels(model).inc(counts.decayed);
  }
  metrics.sightingRefreshes.inc(sightingRefreshes);
  metrics.attributesFetched.inc(report.attributesFetched);
  metrics.iocsPushed.inc(report.iocsSubmitted);
  metrics.iocsInvalid.inc(report.iocsInvalid);
  metrics.cycleDuration.observe(durationSeconds);
}
