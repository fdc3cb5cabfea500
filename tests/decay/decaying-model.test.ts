import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  decayScoreFilters,
  isPolynomial,
  parseDecayingModels,
  parseModelOverrides,
  withThresholdOverride,
} from '../../misp_modules/decay/decaying-model.js';
import { DecayingModelAnswerError, ModelOverrideError } from '../../misp_modules/decay/errors/index.js';
import { thrown } from '../support/thrown.js';

/** A `decayingModel/index` answer as MISP writes it: ids and versions as strings, a mapping list beside each model. */
const indexAnswer = [
  {
    DecayingModel: {
      id: '1',
      uuid: '8e2b1c4a-0000-4000-8000-000000000001',
      name: 'NIDS Simple Decaying Model',
      description: 'Simple decaying model for Network Intrusion Detection System (NIDS).',
      parameters: {
        lifetime: 120,
        decay_speed: 2,
        threshold: 30,
        default_base_score: 80,
        base_score_config: { 'false-positive:risk': 0.1667, retention: 0.1667 },
      },
      attribute_types: ['domain', 'ip-dst', 'url'],
      org_id: '1',
      enabled: true,
      all_orgs: true,
      ref: ['https://arxiv.org/abs/1902.03914'],
      formula: 'Polynomial',
      version: '2',
      default: true,
    },
    DecayingModelMapping: [],
  },
  {
    DecayingModel: {
      id: '12',
      name: 'Saved from the form',
      // Older saves kept what the form sent: numbers as text, an empty weight table as [].
      parameters: { lifetime: '3', decay_speed: '2.3', threshold: '30', default_base_score: '80', base_score_config: [] },
      attribute_types: [],
      enabled: false,
      formula: '',
    },
  },
  {
    DecayingModel: {
      id: '13',
      name: 'Retention aware',
      parameters: { lifetime: 30, decay_speed: 1, threshold: 20, base_score_config: 0 },
      enabled: '1',
      formula: 'PolynomialExtended',
    },
  },
];

describe('decaying models from decayingModel/index', () => {
  it('reads each model with its parameters, whether MISP wrote them as numbers or as text', () => {
    const [nids, form, retention] = parseDecayingModels(indexAnswer);
    expect(nids).toEqual({
      id: '1',
      name: 'NIDS Simple Decaying Model',
      formula: 'Polynomial',
      enabled: true,
      attributeTypes: ['domain', 'ip-dst', 'url'],
      parameters: {
        lifetime: 120,
        decaySpeed: 2,
        threshold: 30,
        defaultBaseScore: 80,
        baseScoreConfig: { 'false-positive:risk': 0.1667, retention: 0.1667 },
      },
    });
    expect(form!.parameters).toEqual({ lifetime: 3, decaySpeed: 2.3, threshold: 30, defaultBaseScore: 80, baseScoreConfig: {} });
    expect(form!.enabled).toBe(false);
    expect(retention!.enabled).toBe(true);
    expect(retention!.parameters.defaultBaseScore).toBe(0);
    expect(retention!.parameters.baseScoreConfig).toEqual({});
  });

  it('knows the Polynomial formula under the names MISP finds its class by, and no other', () => {
    const [nids, form, retention] = parseDecayingModels(indexAnswer);
    expect([nids, form, retention].map((model) => isPolynomial(model!))).toEqual([true, true, false]);
    expect(isPolynomial({ formula: 'polynomial' })).toBe(true);
    expect(isPolynomial({ formula: 'POLYNOMIAL' })).toBe(false);
  });

  it('reads an instance without models', () => {
    expect(parseDecayingModels([])).toEqual([]);
  });

  it.each([
    [{ response: [] }, /the answer is an object with keys "response", not a list of models/],
    [['x'], /model 1 is the text "x", not \{"DecayingModel": \{...\}\}/],
    [[{ DecayingModel: { name: 'No id', parameters: {} } }], /model 1 has no id/],
    [[{ DecayingModel: { id: '4', parameters: {} } }], /model 4 has no name/],
    [[{ DecayingModel: { id: '4', name: 'Half', parameters: { decay_speed: 2, threshold: 30 } } }], /model 4 \("Half"\) has no lifetime parameter/],
    [[{ DecayingModel: { id: '4', name: 'Typed', parameters: { lifetime: 3, decay_speed: 'fast', threshold: 30 } } }], /decay_speed parameter that is the text "fast", not a number/],
    [[{ DecayingModel: { id: '4', name: 'Bare', parameters: '{"lifetime": 3}' } }], /parameters that are a text of|parameters that are the text/],
    [[{ DecayingModel: { id: '4', name: 'Formula', formula: 3, parameters: {} } }], /has a formula that is number 3, not a name/],
    [[{ DecayingModel: { id: '4', name: 'Types', attribute_types: 'ip-dst', parameters: { lifetime: 3, decay_speed: 2, threshold: 30 } } }], /attribute_types that are the text "ip-dst"/],
    [[{ DecayingModel: { id: '4', name: 'Weights', parameters: { lifetime: 3, decay_speed: 2, threshold: 30, base_score_config: { tlp: 'high' } } } }], /weight for "tlp" that is the text "high"/],
  ])('names what is wrong in a malformed answer (%#)', (answer, message) => {
    const error = thrown(() => parseDecayingModels(answer), DecayingModelAnswerError);
    expect(error.message).toMatch(/^MISP's list of decaying models \(decayingModel\/index\) cannot be read: /);
    expect(error.message).toMatch(message);
  });
});

describe('model overrides', () => {
  const [nids] = parseDecayingModels(indexAnswer);

  it("replaces threshold, lifetime and decay_speed as MISP's modelOverrides does, leaving the model as it was", () => {
    const overridden = applyOverrides(nids!, parseModelOverrides({ lifetime: '10', decay_speed: 1.5 }));
    expect(overridden.parameters).toMatchObject({ lifetime: 10, decaySpeed: 1.5, threshold: 30, defaultBaseScore: 80 });
    expect(nids!.parameters.lifetime).toBe(120);
  });

  it('lets a decay_threshold setting win over modelOverrides.threshold, as MISP lets its score filter', () => {
    const overrides = withThresholdOverride(parseModelOverrides({ threshold: 40, lifetime: 7 }), 55);
    expect(overrides).toEqual({ threshold: 55, lifetime: 7 });
    expect(applyOverrides(nids!, overrides).parameters.threshold).toBe(55);
    expect(withThresholdOverride({ lifetime: 7 }, undefined)).toEqual({ lifetime: 7 });
  });

  it.each([
    [{ delta: 2 }, /"delta" is not a parameter MISP overrides/],
    [{ threshold: 'high' }, /"threshold" is the text "high", not a number/],
    [['threshold'], /"modelOverrides" is an array of 1 item, not an object/],
  ])('refuses an override MISP would not apply, in a sentence (%o)', (raw, message) => {
    expect(() => parseModelOverrides(raw)).toThrow(ModelOverrideError);
    expect(() => parseModelOverrides(raw)).toThrow(message);
  });

  it('refuses a decay_threshold that is not a number', () => {
    expect(() => withThresholdOverride({}, Number.NaN)).toThrow(/"decay_threshold" is NaN, not a number/);
  });

  it('asks restSearch for the scores under the same models and overrides', () => {
    expect(decayScoreFilters([], {})).toEqual({ includeDecayScore: 1 });
    expect(decayScoreFilters(['1', '12'], { threshold: 55 })).toEqual({
      includeDecayScore: 1,
      decayingModel: ['1', '12'],
      modelOverrides: { threshold: 55 },
    });
  });
});
