import { describe, expect, it } from 'vitest';
import { prepareDataSet } from '../../bench/bench-data.js';

describe("the benchmark's prepared rows", () => {
  it("serve each row's decay_score as the generator wrote it, from the compact arrays, without generating the row again", () => {
    const data = prepareDataSet(2_000, { now: 1_800_000_000, seed: 7, decayScores: true });
    let scored = 0;
    for (let index = 0; index < data.source.length; index++) {
      const attribute = data.source.at(index) as NonNullable<ReturnType<typeof data.source.at>> & { json: Buffer };
      const written = (JSON.parse(attribute.json.toString('utf8')) as { decay_score?: unknown }).decay_score;
      expect(attribute.row.decay_score).toEqual(written);
      if (written !== undefined) scored++;
      // The row's other fields are generated again on demand only: reading the scores did not need them.
      expect((attribute.row as unknown as { whole?: unknown }).whole).toBeUndefined();
    }
    expect(scored).toBeGreaterThan(1_000);
  });
});
