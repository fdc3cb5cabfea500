import { describe, expect, it } from 'vitest';
import { parseDecayingModels, type DecayingModel } from '../../misp_modules/decay/decaying-model.js';
import { DecayParametersError, DecayScoreMalformedError } from '../../misp_modules/decay/errors/index.js';
import {
  attributeLifetime,
  decayOrigin,
  lastSeenSeconds,
  longest,
  parseDecayScore,
  scoredLifetime,
  scoredLifetimeRecord,
  SCORE_ORIGIN_TOLERANCE_SECONDS,
  valueLifetime,
  type DecayScoreEntry,
} from '../../misp_modules/decay/indicator-lifetime.js';

const UUID = '5f0c3b52-1111-4d2a-9a51-0a0000000001';
const DAY = 86_400;
const T0 = 1_714_636_800; // 2024-05-02T08:00:00Z

const models = new Map<string, DecayingModel>(
  parseDecayingModels([
    { DecayingModel: { id: '1', name: 'Worked example', formula: 'Polynomial', enabled: true, parameters: { lifetime: 3, decay_speed: 2, threshold: 30, default_base_score: 80 } } },
    { DecayingModel: { id: '2', name: 'Long', formula: 'polynomial', enabled: true, parameters: { lifetime: 30, decay_speed: 1, threshold: 20, default_base_score: 50 } } },
    { DecayingModel: { id: '3', name: 'Retention aware', formula: 'PolynomialExtended', enabled: true, parameters: { lifetime: 30, decay_speed: 1, threshold: 20 } } },
    { DecayingModel: { id: '4', name: 'Broken', formula: 'Polynomial', enabled: true, parameters: { lifetime: 3, decay_speed: 0, threshold: 30 } } },
  ]).map((model) => [model.id, model]),
);

/** One `decay_score` entry as MISP attaches it to a restSearch attribute. */
function entry(modelId: string, baseScore: number, score: number, decayed: boolean): DecayScoreEntry {
  return parseDecayScore(UUID, [{ score, base_score: baseScore, decayed, DecayingModel: { id: modelId, name: `model ${modelId}` } }])[0]!;
}

describe("an attribute's decay_score", () => {
  it('reads each entry MISP attached', () => {
    const raw = [
      { score: 54.12, base_score: 80, decayed: false, DecayingModel: { id: '1', name: 'NIDS Simple Decaying Model' } },
      { score: '12.5', base_score: '50', decayed: '1', DecayingModel: { id: 2, name: 'Long' } },
    ];
    expect(parseDecayScore(UUID, raw)).toEqual([
      { score: 54.12, baseScore: 80, decayed: false, modelId: '1', modelName: 'NIDS Simple Decaying Model' },
      { score: 12.5, baseScore: 50, decayed: true, modelId: '2', modelName: 'Long' },
    ]);
    expect(parseDecayScore(UUID, undefined)).toEqual([]);
  });

  it.each([
    [{ score: 1 }, /it is an object with keys "score"/],
    [[{ score: 'high', base_score: 80, decayed: false, DecayingModel: { id: '1' } }], /entry 1 has a score that is the text "high"/],
    [[{ score: 1, decayed: false, DecayingModel: { id: '1' } }], /entry 1 has a base_score that is missing/],
    [[{ score: 1, base_score: 80, decayed: 'maybe', DecayingModel: { id: '1' } }], /entry 1 has a decayed flag that is the text "maybe"/],
    [[{ score: 1, base_score: 80, decayed: false }], /entry 1 names no DecayingModel id/],
  ])('names the attribute and the fault in a malformed one (%#)', (raw, message) => {
    expect(() => parseDecayScore(UUID, raw)).toThrow(DecayScoreMalformedError);
    expect(() => parseDecayScore(UUID, raw)).toThrow(new RegExp(`attribute ${UUID} cannot be read`));
    expect(() => parseDecayScore(UUID, raw)).toThrow(message);
  });
});

describe("the origin of MISP's decay", () => {
  it("reads MISP's last_seen, with or without microseconds and offset", () => {
    expect(lastSeenSeconds('2024-05-02T08:00:00.000000+00:00')).toBe(T0);
    expect(lastSeenSeconds('2024-05-02T10:00:00.999999+02:00')).toBe(T0);
    expect(lastSeenSeconds('2024-05-02 08:00:00')).toBe(T0);
    expect(lastSeenSeconds(null)).toBeUndefined();
    expect(lastSeenSeconds('yesterday')).toBeUndefined();
  });

  it('starts from the latest sighting when the attribute was not changed since', () => {
    expect(decayOrigin({ timestamp: T0, lastSeen: T0 - DAY, lastSighting: T0 + 3600 })).toBe(T0 + 3600);
  });

  it('starts from last_seen, else the last change, when there is no sighting', () => {
    expect(decayOrigin({ timestamp: T0, lastSeen: T0 - DAY })).toBe(T0 - DAY);
    expect(decayOrigin({ timestamp: T0, lastSeen: T0 + DAY })).toBe(T0 + DAY);
    expect(decayOrigin({ timestamp: T0 })).toBe(T0);
  });

  it('restarts from last_seen, else the change, when the attribute was changed after its last sighting, as MISP does', () => {
    expect(decayOrigin({ timestamp: T0, lastSighting: T0 - 3600 })).toBe(T0);
    // MISP takes last_seen then, even when it is older than the sighting.
    expect(decayOrigin({ timestamp: T0, lastSeen: T0 - DAY, lastSighting: T0 - 3600 })).toBe(T0 - DAY);
  });
});

describe("an attribute's lifetime", () => {
  const clock = { timestamp: T0 };

  it('lapses at the closed-form moment of a Polynomial model: the worked example, 101,250 s after the origin', () => {
    const lifetime = attributeLifetime({ decayScore: [entry('1', 80, 80, false)], clock, now: T0 + 60 }, models, {});
    expect(lifetime).toEqual({ kind: 'lapses', at: T0 + 101_250 });
    expect(new Date((T0 + 101_250) * 1000).toISOString()).toBe('2024-05-03T12:07:30.000Z');
  });

  it('is decayed once that moment has passed, and starts again from a new sighting', () => {
    expect(attributeLifetime({ decayScore: [entry('1', 80, 0, true)], clock, now: T0 + 101_251 }, models, {})).toEqual({ kind: 'decayed' });
    expect(attributeLifetime({ decayScore: [entry('1', 80, 80, false)], clock, now: T0 + 101_250 }, models, {})).toEqual({ kind: 'lapses', at: T0 + 101_250 });
    const sighted = { timestamp: T0, lastSighting: T0 + 2 * DAY };
    expect(attributeLifetime({ decayScore: [entry('1', 80, 80, false)], clock: sighted, now: T0 + 2 * DAY + 60 }, models, {})).toEqual({
      kind: 'lapses',
      at: T0 + 2 * DAY + 101_250,
    });
  });

  it('follows an override as MISP does', () => {
    // Threshold 60: (1 − 60/80)^2 × 3 days = 16,200 s; lifetime 10 days as well: 54,000 s.
    expect(attributeLifetime({ decayScore: [entry('1', 80, 80, false)], clock, now: T0 }, models, { threshold: 60 })).toEqual({ kind: 'lapses', at: T0 + 16_200 });
    expect(attributeLifetime({ decayScore: [entry('1', 80, 80, false)], clock, now: T0 }, models, { threshold: 60, lifetime: 10 })).toEqual({
      kind: 'lapses',
      at: T0 + 54_000,
    });
  });

  it('is decayed from the start when the base score is below the threshold', () => {
    expect(attributeLifetime({ decayScore: [entry('1', 25, 25, true)], clock, now: T0 }, models, {})).toEqual({ kind: 'decayed' });
  });

  it("takes MISP's verdict for a formula only MISP computes, or a model it did not list", () => {
    expect(attributeLifetime({ decayScore: [entry('3', 60, 41.5, false)], clock, now: T0 }, models, {})).toEqual({ kind: 'misp-verdict', score: 41.5 });
    expect(attributeLifetime({ decayScore: [entry('3', 60, 3, true)], clock, now: T0 }, models, {})).toEqual({ kind: 'decayed' });
    expect(attributeLifetime({ decayScore: [entry('99', 60, 41.5, false)], clock, now: T0 }, models, {})).toEqual({ kind: 'misp-verdict', score: 41.5 });
  });

  it('lives as long as its longest-living model', () => {
    // Model 2: 30 days × (1 − 20/50) = 18 days.
    const decayScore = [entry('1', 80, 80, false), entry('2', 50, 50, false)];
    expect(attributeLifetime({ decayScore, clock, now: T0 }, models, {})).toEqual({ kind: 'lapses', at: T0 + 18 * DAY });
    expect(attributeLifetime({ decayScore: [entry('1', 80, 0, true), entry('3', 60, 41.5, false)], clock, now: T0 + 5 * DAY }, models, {})).toEqual({
      kind: 'misp-verdict',
      score: 41.5,
    });
  });

  it('has no lifetime of its own when no model applies', () => {
    expect(attributeLifetime({ decayScore: [], clock, now: T0 }, models, {})).toBeUndefined();
  });

  it('refuses a model whose parameters cannot give a lifetime, naming it', () => {
    expect(() => attributeLifetime({ decayScore: [entry('4', 80, 80, false)], clock, now: T0 }, models, {})).toThrow(DecayParametersError);
    expect(() => attributeLifetime({ decayScore: [entry('4', 80, 80, false)], clock, now: T0 }, models, {})).toThrow(/"Broken".*decay_speed is 0/);
  });
});

describe("an attribute's lifetime as the MISP search scored it", () => {
  /** The worked example's score `elapsed` seconds after the origin: 80 × (1 − (t / 3 days)^(1/2)). */
  const scoreAfter = (elapsed: number): number => 80 * (1 - Math.sqrt(elapsed / (3 * DAY)));

  it("reads the origin back from MISP's score, so that a sighting MISP counted needs no query", () => {
    const record = scoredLifetimeRecord();
    // The row's timestamp says T0, but MISP's score says the decay restarted at T0 + DAY (a sighting).
    const now = T0 + DAY + 3_600;
    expect(scoredLifetime(record, [entry('1', 80, scoreAfter(3_600), false)], models, T0, undefined, now)).toEqual({ kind: 'lapses', at: T0 + DAY + 101_250, score: scoreAfter(3_600), model: 'model 1' });
    // A score at the base tells nothing of the elapsed time: the row's fields give the origin.
    expect(scoredLifetime(record, [entry('1', 80, 80, false)], models, T0, T0 + 600, T0 + 700)).toMatchObject({ kind: 'lapses', at: T0 + 600 + 101_250 });
  });

  it("takes the row's own origin, to the second, when MISP's score differs from it only by the time the page took to arrive", () => {
    const record = scoredLifetimeRecord();
    // MISP scored the row 40 s before the page reached the trigger: the score alone would move the moment 40 s later.
    const scoredAt = T0 + 3_600;
    const now = scoredAt + 40;
    expect(scoredLifetime(record, [entry('1', 80, scoreAfter(3_600), false)], models, T0, undefined, now)).toMatchObject({ kind: 'lapses', at: T0 + 101_250 });
    // Past the tolerance, the score wins: MISP counted a sighting the row's fields do not show.
    const sighted = T0 + SCORE_ORIGIN_TOLERANCE_SECONDS + 60;
    expect(scoredLifetime(record, [entry('1', 80, scoreAfter(now - sighted), false)], models, T0, undefined, now)).toMatchObject({ kind: 'lapses', at: sighted + 101_250 });
  });

  it('ranks as attributeLifetime does, names the deciding model, and leaves nothing of one row in the next', () => {
    const record = scoredLifetimeRecord();
    const rows: Array<[DecayScoreEntry[], Record<string, unknown>]> = [
      [[entry('1', 80, 80, false), entry('2', 50, 50, false)], { kind: 'lapses', at: T0 + 18 * DAY, model: 'model 2' }],
      [[entry('1', 80, 0, true), entry('3', 60, 41.5, false), entry('99', 60, 45, false)], { kind: 'misp-verdict', score: 45, model: 'model 99' }],
      [[entry('1', 25, 25, true)], { kind: 'decayed', model: 'model 1' }],
      [[], { kind: 'none' }],
      [[entry('1', 80, 80, false)], { kind: 'lapses', at: T0 + 101_250, model: 'model 1' }],
    ];
    for (const [decayScore, expected] of rows) {
      expect(scoredLifetime(record, decayScore, models, T0, undefined, T0)).toMatchObject(expected);
      expect(scoredLifetime(record, decayScore, models, T0, undefined, T0)).toBe(record);
    }
  });

  it('refuses a model whose parameters cannot give a lifetime, on every row', () => {
    const record = scoredLifetimeRecord();
    for (let row = 0; row < 2; row++) expect(() => scoredLifetime(record, [entry('4', 80, 80, false)], models, T0, undefined, T0)).toThrow(/"Broken".*decay_speed is 0/);
  });
});

describe("a value's lifetime", () => {
  it('is the longest of the attributes that carry it', () => {
    const carriers = new Map([
      ['a', { kind: 'lapses', at: T0 + 100 } as const],
      ['b', { kind: 'lapses', at: T0 + 900 } as const],
      ['c', { kind: 'decayed' } as const],
    ]);
    expect(valueLifetime(carriers, new Set())).toEqual({ kind: 'lapses', at: T0 + 900 });
    expect(valueLifetime(new Map([['c', { kind: 'decayed' }]]), new Set())).toEqual({ kind: 'decayed' });
  });

  it('is withdrawn at once when one carrier is reported as a false positive', () => {
    const carriers = new Map([
      ['a', { kind: 'lapses', at: T0 + 100 } as const],
      ['b', { kind: 'lapses', at: T0 + 900 } as const],
    ]);
    expect(valueLifetime(carriers, new Set(['a']))).toEqual({ kind: 'withdrawn' });
  });

  it('is left to the ordinary validity when one carrier has no model', () => {
    expect(valueLifetime(new Map([['a', { kind: 'decayed' }], ['b', undefined]]), new Set())).toBeUndefined();
  });

  it("ranks MISP's open verdict above a known end, and the higher of two verdicts first", () => {
    expect(longest([{ kind: 'lapses', at: T0 + 900 }, { kind: 'misp-verdict', score: 31 }, { kind: 'misp-verdict', score: 44 }])).toEqual({
      kind: 'misp-verdict',
      score: 44,
    });
    expect(longest([])).toBeUndefined();
  });
});
