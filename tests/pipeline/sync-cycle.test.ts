import { describe, expect, it } from 'vitest';
import { normaliseAttribute } from '../../misp_modules/iocs/normalise-attribute.js';
import type { IndicatorBatch } from '../../misp_modules/pipeline/indicator-batcher.js';
import { ValidUntilGroups } from '../../misp_modules/decay/valid-until-groups.js';
import { runSyncCycle, type BatchOutcome, type SourceAttribute, type SourcePage, type ValueTiming } from '../../misp_modules/pipeline/sync-cycle.js';
import { DeliveredAttributes } from '../../misp_modules/state/delivered-attributes.js';

const uuid = (n: number): string => `11111111-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const attribute = (n: number, type: string, value: string, extra: Partial<SourceAttribute> = {}): SourceAttribute => ({
  id: String(n),
  uuid: uuid(n),
  type,
  value,
  timestamp: 1_700_000_000,
  toIds: true,
  deleted: false,
  ...extra,
});

async function* pagesOf(...pages: SourceAttribute[][]): AsyncGenerator<SourcePage> {
  for (const attributes of pages) yield { attributes };
}

function recordingPush(decide: (batch: IndicatorBatch) => BatchOutcome = (batch) => ({ accepted: batch.values, failed: [] })) {
  const batches: IndicatorBatch[] = [];
  return {
    batches,
    push: async (batch: IndicatorBatch): Promise<BatchOutcome> => {
      batches.push({ format: batch.format, values: [...batch.values] });
      return decide(batch);
    },
  };
}

const base = { normalise: normaliseAttribute, batchSize: 2, maxBatchesInFlight: 2, now: () => Date.UTC(2026, 10, 23) };

describe('runSyncCycle', () => {
  it('keeps every carrier of thousands of values waiting in their groups, in the order met, and remembers each once accepted', async () => {
    const at = 1_800_000_000;
    const delivered = new DeliveredAttributes(10_000);
    const told = new Map<string, string[]>();
    const page = Array.from({ length: 6_000 }, (_, index) =>
      attribute(index + 1, 'domain', `host-${index % 3_000}.example.net`, { timestamp: 1_700_000_000 + index, lifetime: { kind: 'lapses', at: at + (index % 3_000) * 7, model: 'M' } }),
    );
    // Upper-case uuids are remembered under their lower-case form, as attributeKey gives it.
    page[0] = { ...(page[0] as SourceAttribute), uuid: uuid(1).toUpperCase() };
    await runSyncCycle({
      ...base,
      delivered,
      push: async (batch) => ({ accepted: batch.values, failed: [] }),
      lifetimes: { grouping: new ValidUntilGroups({ batchSize: 1_000, maxOpenGroups: 64 }) },
      onAccepted: (_format, value, keys) => told.set(value, [...(told.get(value) ?? []), ...keys]),
      pages: pagesOf(page),
    });
    expect(told.size).toBe(3_000);
    expect(told.get('host-7.example.net')).toEqual([uuid(8), uuid(3_008)]);
    const missing = Array.from({ length: 6_000 }, (_, index) => index).filter((index) => !delivered.has(uuid(index + 1), 1_700_000_000 + index));
    expect(missing).toEqual([]);
  });

  it('with lifetimes, pushes a value once with its first moment, keeps the latest of its carriers, and counts by the deciding model', async () => {
    const at = 1_800_000_000;
    const told: Array<[string, string[], ValueTiming | undefined]> = [];
    const validUntils: number[] = [];
    const report = await runSyncCycle({
      ...base,
      delivered: new DeliveredAttributes(100),
      push: async (batch) => {
        if ('validUntil' in batch) validUntils.push(batch.validUntil);
        return { accepted: batch.values, failed: [] };
      },
      lifetimes: { grouping: new ValidUntilGroups({ batchSize: 10, maxOpenGroups: 8 }) },
      onAccepted: (_format, value, keys, timing) => told.push([value, [...keys], timing]),
      pages: pagesOf(
        [
          attribute(1, 'domain', 'a.example.net', { lifetime: { kind: 'lapses', at, model: 'Short' } }),
          attribute(2, 'domain', 'a.example.net', { lifetime: { kind: 'lapses', at: at + 500, model: 'Long' } }),
          attribute(3, 'domain', 'a.example.net', { lifetime: { kind: 'lapses', at: at + 100, model: 'Short' } }),
          attribute(4, 'domain', 'b.example.net', { lifetime: { kind: 'decayed', model: 'Short' } }),
        ],
      ),
    });
    expect(validUntils).toEqual([at]);
    expect(told).toEqual([['a.example.net', [uuid(1), uuid(2), uuid(3)], { pushed: at, target: at + 500 }]]);
    expect(report.decay).toEqual({ Short: { pushed: 0, decayed: 1 }, Long: { pushed: 1, decayed: 0 } });
  });

  it('sends each value once per format, extracts composites, and remembers every carrier once accepted', async () => {
    const delivered = new DeliveredAttributes(100);
    const sink = recordingPush();
    const report = await runSyncCycle({
      ...base,
      delivered,
      push: sink.push,
      pages: pagesOf(
        [attribute(1, 'ip-dst', '198.51.100.7'), attribute(2, 'ip-dst|port', '198.51.100.7|443'), attribute(3, 'domain', 'Evil.Example.com')],
        [attribute(4, 'filename|sha256', `dropper.exe|${'ab'.repeat(32)}`), attribute(5, 'comment', 'not an indicator')],
      ),
    });
    const sent = sink.batches.flatMap((batch) => batch.values.map((value) => `${batch.format} ${value}`)).sort();
    expect(sent).toEqual(['domain-name.value evil.example.com', `file.hashes ${'ab'.repeat(32)}`, 'ipv4-addr.value 198.51.100.7']);
    expect(report).toMatchObject({ attributesFetched: 5, iocsSubmitted: 3, alreadyDelivered: 1, unsupported: 1, iocsInvalid: 0, iocsFailed: 0 });
    for (const n of [1, 2, 3, 4]) expect(delivered.has(uuid(n), 1_700_000_000)).toBe(true);
    expect(delivered.has(uuid(5), 1_700_000_000)).toBe(false);
  });

  it('skips attributes already delivered and pushes an edited one again', async () => {
    const delivered = new DeliveredAttributes(100);
    delivered.add(uuid(1), 1_700_000_000, base.now());
    delivered.add(uuid(2), 1_600_000_000, base.now());
    const sink = recordingPush();
    const report = await runSyncCycle({
      ...base,
      delivered,
      push: sink.push,
      pages: pagesOf([attribute(1, 'domain', 'one.example.net'), attribute(2, 'domain', 'two.example.net')]),
    });
    expect(sink.batches.flatMap((batch) => batch.values)).toEqual(['two.example.net']);
    expect(report.alreadyDelivered).toBe(1);
  });

  it('leaves the attributes of a refused batch undelivered and counts them failed', async () => {
    const delivered = new DeliveredAttributes(100);
    const sink = recordingPush((batch) =>
      batch.values.includes('bad.example.net') ? { accepted: [], failed: batch.values } : { accepted: batch.values, failed: [] },
    );
    const report = await runSyncCycle({
      ...base,
      batchSize: 1,
      delivered,
      push: sink.push,
      pages: pagesOf([attribute(1, 'domain', 'good.example.net'), attribute(2, 'domain', 'bad.example.net'), attribute(3, 'domain', 'bad.example.net')]),
    });
    expect(report.iocsFailed).toBe(1);
    expect(delivered.has(uuid(1), 1_700_000_000)).toBe(true);
    expect(delivered.has(uuid(2), 1_700_000_000)).toBe(false);
    expect(delivered.has(uuid(3), 1_700_000_000)).toBe(false);
  });

  it('counts invalid values, quotes a few, and never sends one', async () => {
    const sink = recordingPush();
    const report = await runSyncCycle({
      ...base,
      invalidExamples: 2,
      delivered: new DeliveredAttributes(100),
      push: sink.push,
      pages: pagesOf([
        attribute(1, 'ip-dst', '203.0.113.9\n198.51.100.1'),
        attribute(2, 'domain', 'evil[.]example'),
        attribute(3, 'md5', 'not-a-hash'),
        attribute(4, 'url', 'http://fine.example.net/path'),
      ]),
    });
    expect(report.iocsInvalid).toBe(3);
    expect(report.invalidExamples).toHaveLength(2);
    expect(report.invalidExamples[0]).toMatchObject({ type: 'ip-dst', value: '203.0.113.9\n198.51.100.1' });
    expect(sink.batches.flatMap((batch) => batch.values)).toEqual(['http://fine.example.net/path']);
  });

  it('records the batches accepted before a fatal error, then throws it', async () => {
    const delivered = new DeliveredAttributes(100);
    let calls = 0;
    const fatal = new Error('collection gone');
    await expect(
      runSyncCycle({
        ...base,
        batchSize: 1,
        maxBatchesInFlight: 1,
        delivered,
        push: async (batch) => {
          calls++;
          if (calls > 1) throw fatal;
          return { accepted: batch.values, failed: [] };
        },
        pages: pagesOf([attribute(1, 'domain', 'a.example.net'), attribute(2, 'domain', 'b.example.net'), attribute(3, 'domain', 'c.example.net')]),
      }),
    ).rejects.toBe(fatal);
    expect(calls).toBe(2);
    expect(delivered.has(uuid(1), 1_700_000_000)).toBe(true);
    expect(delivered.has(uuid(2), 1_700_000_000)).toBe(false);
  });

  it('never has more batches in flight than allowed', async () => {
    let inFlight = 0;
    let peak = 0;
    const attributes = Array.from({ length: 40 }, (_, n) => attribute(n, 'domain', `host${n}.example.net`));
    const report = await runSyncCycle({
      ...base,
      batchSize: 2,
      maxBatchesInFlight: 3,
      delivered: new DeliveredAttributes(100),
      push: async (batch) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        return { accepted: batch.values, failed: [] };
      },
      pages: pagesOf(attributes),
    });
    expect(report.iocsSubmitted).toBe(40);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });
});
