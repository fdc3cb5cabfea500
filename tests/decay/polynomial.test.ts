import { describe, expect, it } from 'vitest';
import { applyOverrides, parseDecayingModels, type ModelOverrides } from '../../misp_modules/decay/decaying-model.js';
import { DecayParametersError } from '../../misp_modules/decay/errors/index.js';
import { isDecayedScore, lastAliveSecond, polynomialScore, SECONDS_PER_DAY, type PolynomialParameters } from '../../misp_modules/decay/polynomial.js';
import { thrown } from '../support/thrown.js';

/**
 * MISP's own computation, written again from its PHP (Polynomial::computeScore, isDecayed and
 * DecayingModel::overrideModelParameters) on the raw JSON model, without the module's code.
 */
type RawParameters = Record<string, number>;

function mispOverride(parameters: RawParameters, overrides: Record<string, number>): RawParameters {
  const allowed = new Set(['threshold', 'lifetime', 'decay_speed']);
  const result = { ...parameters };
  for (const [key, value] of Object.entries(overrides)) if (allowed.has(key)) result[key] = value;
  return result;
}

function mispDecayed(parameters: RawParameters, baseScore: number, elapsed: number): boolean {
  let score: number;
  if (elapsed < 0) {
    score = 0;
  } else {
    const raw = baseScore * (1 - Math.pow(elapsed / (parameters['lifetime']! * 24 * 60 * 60), 1 / parameters['decay_speed']!));
    score = raw < 0 ? 0 : raw;
  }
  return parameters['threshold']! > score;
}

/** The first whole second after the origin at which MISP says decayed, by bisection over MISP's verdict. */
function firstDecayedSecond(parameters: RawParameters, baseScore: number): number {
  let alive = 0;
  let decayed = Math.ceil(parameters['lifetime']! * SECONDS_PER_DAY) + 1;
  while (decayed - alive > 1) {
    const middle = Math.floor((alive + decayed) / 2);
    if (mispDecayed(parameters, baseScore, middle)) decayed = middle;
    else alive = middle;
  }
  return decayed;
}

const worked: PolynomialParameters = { lifetime: 3, decaySpeed: 2, threshold: 30 };

describe('the Polynomial formula', () => {
  it('works the README example: base score 80, lifetime 3 days, decay speed 2, threshold 30', () => {
    // t* = 3 days × (1 − 30/80)^2 = 3 × 0.390625 days = 1.171875 days = 101,250 s = 28 h 7 min 30 s.
    expect(lastAliveSecond('NIDS', 80, worked)).toBe(101_250);
    expect(polynomialScore(80, 0, worked)).toBe(80);
    expect(polynomialScore(80, SECONDS_PER_DAY, worked)).toBeCloseTo(33.81, 2);
    expect(polynomialScore(80, 101_250, worked)).toBe(30);
    expect(isDecayedScore(polynomialScore(80, 101_250, worked), 30)).toBe(false);
    expect(isDecayedScore(polynomialScore(80, 101_251, worked), 30)).toBe(true);
    expect(polynomialScore(80, 2 * SECONDS_PER_DAY, worked)).toBeCloseTo(14.68, 2);
    expect(polynomialScore(80, 3 * SECONDS_PER_DAY, worked)).toBe(0);
    expect(polynomialScore(80, -1, worked)).toBe(0);
  });

  const cases: Array<{ name: string; parameters: RawParameters; baseScore: number; overrides?: Record<string, number> }> = [
    { name: 'the worked example', parameters: { lifetime: 3, decay_speed: 2, threshold: 30 }, baseScore: 80 },
    { name: "MISP's NIDS model", parameters: { lifetime: 120, decay_speed: 2, threshold: 30 }, baseScore: 80 },
    { name: 'a fast, linear decay', parameters: { lifetime: 0.5, decay_speed: 1, threshold: 50 }, baseScore: 75.5 },
    { name: 'a slow start (decay speed below 1)', parameters: { lifetime: 14, decay_speed: 0.3, threshold: 20 }, baseScore: 90 },
    { name: 'a steep decay speed', parameters: { lifetime: 30, decay_speed: 5.7, threshold: 12.5 }, baseScore: 61.3 },
    // (1 − 28/35)^2 × 14 days is 48,384 s exactly, which the closed form computes as 48,383.99999999998.
    { name: 'a crossing on a whole second that floating point puts just before it', parameters: { lifetime: 14, decay_speed: 2, threshold: 28 }, baseScore: 35 },
    { name: 'a base score derived from weighted tags', parameters: { lifetime: 7, decay_speed: 2.3, threshold: 30 }, baseScore: 58.3333 },
    {
      name: 'the NIDS model under an override of all three parameters',
      parameters: { lifetime: 120, decay_speed: 2, threshold: 30 },
      baseScore: 80,
      overrides: { lifetime: 10, decay_speed: 1.5, threshold: 45 },
    },
    { name: 'a threshold override alone', parameters: { lifetime: 3, decay_speed: 2, threshold: 30 }, baseScore: 80, overrides: { threshold: 60 } },
  ];

  it.each(cases)('finds the second MISP starts calling decayed: $name', ({ parameters, baseScore, overrides }) => {
    const [model] = parseDecayingModels([
      { DecayingModel: { id: '7', name: 'Under test', formula: 'Polynomial', enabled: true, parameters: { ...parameters, default_base_score: 0 } } },
    ]);
    const effective = applyOverrides(model!, (overrides ?? {}) as ModelOverrides).parameters;
    const alive = lastAliveSecond(model!.name, baseScore, effective);
    const expected = firstDecayedSecond(mispOverride(parameters, overrides ?? {}), baseScore) - 1;
    expect(alive).toBe(expected);
  });

  it('moves the moment as MISP does under a threshold override', () => {
    // (1 − 60/80)^2 × 3 days = 0.0625 × 259,200 s.
    expect(lastAliveSecond('NIDS', 80, { ...worked, threshold: 60 })).toBe(16_200);
    expect(firstDecayedSecond(mispOverride({ lifetime: 3, decay_speed: 2, threshold: 30 }, { threshold: 60 }), 80)).toBe(16_201);
  });

  it('is decayed from the origin when the base score is below the threshold, and alive at the origin only when equal', () => {
    expect(lastAliveSecond('m', 29.9, worked)).toBeUndefined();
    expect(lastAliveSecond('m', 30, worked)).toBe(0);
    expect(lastAliveSecond('m', -5, worked)).toBeUndefined();
  });

  it('lets a threshold of 0 lapse at the end of the lifetime, where the score reaches 0', () => {
    expect(lastAliveSecond('m', 80, { ...worked, threshold: 0 })).toBe(3 * SECONDS_PER_DAY);
    expect(lastAliveSecond('m', 80, { lifetime: 0.1234567, decaySpeed: 2, threshold: 0 })).toBe(Math.floor(0.1234567 * SECONDS_PER_DAY));
    expect(lastAliveSecond('m', 0, { ...worked, threshold: 0 })).toBe(0);
  });

  it.each([
    [{ ...worked, decaySpeed: 0 }, /"NIDS".*decay_speed is 0.*above 0/],
    [{ ...worked, decaySpeed: -1 }, /decay_speed is -1/],
    [{ ...worked, lifetime: 0 }, /lifetime is 0 days/],
    [{ ...worked, lifetime: -3 }, /lifetime is -3 days/],
    [{ ...worked, lifetime: 365_000 }, /lifetime is 365000 days: more than a century/],
    [{ ...worked, lifetime: Number.NaN }, /lifetime is NaN/],
    [{ ...worked, threshold: -1 }, /threshold is -1.*0 or more/],
    [{ ...worked, threshold: Number.POSITIVE_INFINITY }, /threshold is Infinity/],
  ])('refuses parameters it cannot use with a sentence naming the model and the parameter (%o)', (parameters, message) => {
    const error = thrown(() => lastAliveSecond('NIDS', 80, parameters), DecayParametersError);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/Correct the model in MISP/);
  });

  it('refuses a base score that is not a number', () => {
    expect(() => lastAliveSecond('NIDS', Number.NaN, worked)).toThrow(/base score is NaN/);
  });
});
