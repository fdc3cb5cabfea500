import { describe, expect, it } from 'vitest';
import { sideBySide as combine, type DecayCycleFigures, type DecaySideBySide } from '../../bench/decay-side-by-side.js';
import { checkDecayTargets, formatDecayTable, formatTargets } from '../../bench/report.js';

const MB = 1024 * 1024;

function figures(variant: DecayCycleFigures['variant'], seconds: number[], megabytes: number[]): DecayCycleFigures {
  const runs = seconds.map((each, index) => ({ seconds: each, peakRssBytes: (megabytes[index] as number) * MB }));
  const middle = (values: number[]): number => [...values].sort((a, b) => a - b)[1] as number;
  return { variant, seconds: middle(seconds), peakRssBytes: middle(megabytes) * MB, attributesFetched: 92_837, runs };
}

function sideBySide(scoredSeconds: number[], scoredMegabytes: number[]): DecaySideBySide {
  const plain = figures('plain', [1.2, 1.3, 1.18], [170, 180, 175]);
  const validFor = figures('valid-for', [1.5, 1.45, 1.52], [200, 210, 205]);
  return combine(100_000, 3, plain, validFor, figures('scored', scoredSeconds, scoredMegabytes));
}

describe("the bench's decay case", () => {
  it('checks the 1.5× time and 1.2× memory targets against the cycle without scores at the defaults, met or missed', () => {
    const met = formatTargets(checkDecayTargets(sideBySide([1.6, 1.7, 1.65], [200, 205, 210])));
    expect(met).toContain('met     N = 100,000 with decay scores, against the same cycle without them (the defaults): cycle within 1.5×: 1.38× (1.65 s / 1.20 s)');
    expect(met).toContain('met     N = 100,000 with decay scores, against the same cycle without them (the defaults): peak RSS within 1.2×: 1.17× (205 MB / 175 MB)');
    const missed = checkDecayTargets(sideBySide([3.4, 3.5, 3.46], [240, 244, 250]));
    expect(missed.map((check) => check.met)).toEqual([false, false]);
    expect(formatTargets(missed)).toMatch(/^MISSED  .*cycle within 1\.5×: 2\.88×/m);
  });

  it('shows both comparisons side by side, with the spread of the rounds, and says which one the targets use', () => {
    const table = formatDecayTable(sideBySide([1.6, 1.7, 1.65], [200, 205, 210]));
    expect(table).toMatch(/100,000 without scores, the defaults \(expiry fixed, no valid_for\) +1\.20 +1\.18–1\.30 +175 +170–180/);
    expect(table).toMatch(/100,000 without scores, expiry fixed, valid_for 30 +1\.50 +1\.45–1\.52 +205 +200–210/);
    expect(table).toMatch(/100,000 with scores, expiry decaying_model +1\.65 +1\.60–1\.70 +205 +200–210 +92,837 +1\.38 \/ 1\.10 +1\.17 \/ 1\.00/);
    expect(table).toContain('The targets compare with the defaults');
  });
});
