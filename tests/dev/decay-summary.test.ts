import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { decayCounts, decaySummaryLines, lapsesByModel, modelsByValue } from '../../misp_modules/dev/decay-summary.js';
import { flattenEvent, MispIdAllocator } from '../../misp_modules/dev/misp-events.js';
import { registerTriggerMetrics } from '../../misp_modules/trigger/trigger-metrics.js';

const at = (iso: string): number => Date.parse(iso);

describe('the decay lines of the trigger:dev summary', () => {
  it('reads the counts by model from the trigger metrics, pushed and skipped alike', async () => {
    const registry = new Registry();
    const metrics = registerTriggerMetrics(registry, () => undefined);
    expect(await decayCounts(registry)).toEqual([]);
    metrics.decayPushed.labels('Model A').inc(61);
    metrics.decaySkipped.labels('Model A').inc(59);
    metrics.decaySkipped.labels('Model B').inc(4);
    expect(await decayCounts(registry)).toEqual([
      { model: 'Model A', pushed: 61, skipped: 59 },
      { model: 'Model B', pushed: 0, skipped: 4 },
    ]);
    expect(await decayCounts(undefined)).toEqual([]);
  });

  it('gives each value in the collection to the models that scored it', () => {
    const validUntil = new Map([
      ['198.51.100.1', '2026-12-06T23:14:05Z'],
      ['198.51.100.2', '2026-12-06T23:14:05.000Z'],
      ['example.com', '2026-12-08T10:00:00Z'],
      ['unscored.example.com', '2026-12-09T10:00:00Z'],
      ['broken.example.com', 'not a date'],
    ]);
    const models: Record<string, string[]> = { '198.51.100.1': ['A'], '198.51.100.2': ['A', 'B'], 'example.com': ['B'], 'broken.example.com': ['A'] };
    expect(lapsesByModel(validUntil, (value) => models[value] ?? [])).toEqual(
      new Map([
        ['A', [at('2026-12-06T23:14:05Z'), at('2026-12-06T23:14:05Z')]],
        ['B', [at('2026-12-06T23:14:05Z'), at('2026-12-08T10:00:00Z')]],
      ]),
    );
  });

  it('joins the attributes the demo MISP scored to the values the trigger pushes, normalised', () => {
    const attributes = flattenEvent(
      {
        Event: {
          uuid: 'event-1',
          info: 'decay',
          published: true,
          Attribute: [
            { uuid: 'a1', type: 'domain', category: 'Network activity', value: 'Example.COM', to_ids: true },
            { uuid: 'a2', type: 'filename|md5', category: 'Payload delivery', value: `x.exe|${'A'.repeat(32)}`, to_ids: true },
            { uuid: 'a3', type: 'ip-dst', category: 'Network activity', value: '198.51.100.7', to_ids: true },
            { uuid: 'a4', type: 'domain', category: 'Network activity', value: 'example.com', to_ids: true },
          ],
        },
      },
      new MispIdAllocator(),
    );
    const scoredBy = new Map([
      ['a1', ['Demo decay']],
      ['a2', ['Demo decay', 'Demo retention']],
      ['a3', []],
      ['a4', ['Demo retention']],
    ]);
    expect(modelsByValue(attributes, scoredBy)).toEqual(
      new Map([
        ['example.com', new Set(['Demo decay', 'Demo retention'])],
        ['a'.repeat(32), new Set(['Demo decay', 'Demo retention'])],
      ]),
    );
  });

  it('prints per model the counts and the earliest moments with how many IOCs lapse then', () => {
    const moments = ['2026-12-08T10:00:00Z', '2026-12-06T23:14:05Z', '2026-12-06T23:14:05Z', '2026-12-07T01:00:00Z', '2026-12-06T23:14:05Z', '2026-12-09T00:00:00Z', '2026-12-10T12:30:00Z'];
    const lines = decaySummaryLines(
      [
        { model: 'Demo decay', pushed: 7, skipped: 59 },
        { model: 'Two', pushed: 1, skipped: 0 },
        { model: 'Gone "all"', pushed: 0, skipped: 3 },
      ],
      new Map([
        ['Demo decay', moments.map(at)],
        ['Two', [at('2026-12-07T01:00:00Z')]],
      ]),
    );
    expect(lines).toEqual([
      'Decay "Demo decay": 7 IOCs pushed, 59 skipped as decayed; next lapses 2026-12-06 23:14:05Z (3 IOCs), then 2026-12-07 01:00:00Z (1 IOC), then 2026-12-08 10:00:00Z (1 IOC), then 2 IOCs more until 2026-12-10 12:30:00Z',
      'Decay "Two": 1 IOC pushed, 0 skipped as decayed; next lapses 2026-12-07 01:00:00Z (1 IOC)',
      'Decay "Gone \\"all\\"": 0 IOCs pushed, 3 skipped as decayed; none in the collection.',
    ]);
    expect(decaySummaryLines([{ model: 'Demo decay', pushed: 7, skipped: 59 }], undefined)).toEqual(['Decay "Demo decay": 7 IOCs pushed, 59 skipped as decayed.']);
  });
});
