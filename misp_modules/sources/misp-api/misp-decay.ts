import type { Clock } from '@sekoia/automation-sdk-shim';
import { applyOverrides, decayScoreFilters, parseDecayingModels, withThresholdOverride, type DecayingModel, type ModelOverrides } from '../../decay/decaying-model.js';
import { DecayingModelUnavailableError } from '../../decay/errors/decaying-model-unavailable-error.js';
import { scoredLifetime, scoredLifetimeRecord } from '../../decay/indicator-lifetime.js';
import { parseSightings, sightingsByAttribute, type SightingsByAttribute } from '../../decay/sightings.js';
import { MispRefusedError } from '../../misp/errors/misp-refused-error.js';
import type { MispApi } from '../../misp/misp-api.js';
import { DECAYING_MODELS_SINCE, formatMispVersion, isAtLeast, type MispVersion } from '../../misp/misp-version.js';
import type { SourceAttribute, SourceLifetime, SourcePage } from '../../pipeline/sync-cycle.js';

/** Asked with a limit above MISP's index page of 50: an instance rarely holds more models than this. */
const MODELS_PATH = '/decayingModel/index?limit=1000';
const SIGHTINGS_PATH = '/sightings/restSearch';

export interface MispDecayOptions {
  json: Pick<MispApi, 'get' | 'post'>;
  version(signal: AbortSignal): Promise<MispVersion | undefined>;
  host: string;
  /** `decaying_model`: ids or names; empty for MISP's enabled models. */
  requested: readonly string[];
  /** `decay_threshold`. */
  threshold: number | undefined;
  /** How long a value lives on MISP's word alone (a formula only MISP computes): asked again before then. */
  verdictSeconds: number;
  clock: Clock;
}

/**
 * `expiry: decaying_model` on the MISP API: checks once that MISP has decaying models and the ones
 * named, then gives each attribute a search returns its lifetime, and reads the sightings of a cycle.
 */
export class MispDecay {
  private models = new Map<string, DecayingModel>();
  private modelIds: string[] = [];
  private readonly overrides: ModelOverrides;
  private ready: Promise<void> | undefined;
  /** Reused from row to row: the lifetime computation allocates nothing per row. */
  private readonly scratch = scoredLifetimeRecord();
  /** `decayed` by model: one shared lifetime each. */
  private readonly decayedBy = new Map<string, SourceLifetime>();

  constructor(private readonly options: MispDecayOptions) {
    this.overrides = withThresholdOverride({}, options.threshold);
  }

  /**
   * Reads MISP's version and models once. Throws a DecayingModelUnavailableError for a MISP older
   * than its decaying models, or a model named that MISP does not have.
   */
  prepare(signal: AbortSignal): Promise<void> {
    const ready = (this.ready ??= this.load(signal));
    // A failure of the network is tried again next cycle.
    ready.catch(() => {
      if (this.ready === ready) this.ready = undefined;
    });
    return ready;
  }

  /** The restSearch filters that make MISP attach the scores of these models under these overrides. */
  filters(): Record<string, unknown> {
    return decayScoreFilters(this.modelIds, this.overrides);
  }

  /** The page with each attribute's lifetime set. */
  async *withLifetimes(pages: AsyncIterable<SourcePage>): AsyncGenerator<SourcePage> {
    for await (const page of pages) {
      const now = Math.floor(this.options.clock.now() / 1000);
      for (const attribute of page.attributes) {
        const lifetime = this.lifetimeOf(attribute, now);
        if (lifetime !== undefined) attribute.lifetime = lifetime;
        // Read: the page, alive until the pipeline is through with it, no longer holds them.
        attribute.decay = undefined;
      }
      yield page;
    }
  }

  /** The attribute's lifetime from the scores MISP attached; undefined when no model applies. */
  lifetimeOf(attribute: SourceAttribute, now: number): SourceLifetime | undefined {
    if (attribute.decay === undefined || attribute.decay.length === 0) return undefined;
    const lifetime = scoredLifetime(this.scratch, attribute.decay, this.models, attribute.timestamp, attribute.lastSeen, now);
    switch (lifetime.kind) {
      case 'none':
      case 'withdrawn':
        return undefined;
      case 'decayed': {
        let decayed = this.decayedBy.get(lifetime.model);
        if (decayed === undefined) this.decayedBy.set(lifetime.model, (decayed = { kind: 'decayed', model: lifetime.model }));
        return decayed;
      }
      case 'lapses':
        return { kind: 'lapses', at: lifetime.at, model: lifetime.model };
      case 'misp-verdict':
        return { kind: 'lapses', at: now + this.options.verdictSeconds, model: lifetime.model };
    }
  }

  /** The sightings MISP recorded within [from, to] (epoch seconds), of any attribute, by attribute. */
  async sightings(from: number, to: number, signal: AbortSignal): Promise<SightingsByAttribute> {
    const answer = await this.options.json.post(SIGHTINGS_PATH, { returnFormat: 'json', context: 'attribute', from, to, includeUuid: true }, signal);
    return sightingsByAttribute(parseSightings(answer));
  }

  private async load(signal: AbortSignal): Promise<void> {
    const { host, requested } = this.options;
    const version = await this.options.version(signal);
    if (version !== undefined && !isAtLeast(version, DECAYING_MODELS_SINCE)) throw tooOld(host, `is version ${formatMispVersion(version)}`);
    let answer: unknown;
    try {
      answer = await this.options.json.get(MODELS_PATH, signal);
    } catch (error) {
      // A MISP of unknown version without the controller answers 404.
      if (error instanceof MispRefusedError && error.status === 404) throw tooOld(host, 'has no decayingModel/index');
      throw error;
    }
    const models = parseDecayingModels(answer);
    // The overrides applied once here rather than for every score entry.
    this.models = new Map(models.map((model) => [model.id, applyOverrides(model, this.overrides)]));
    const unknown: string[] = [];
    const ids: string[] = [];
    for (const wanted of requested) {
      const model = models.find((candidate) => candidate.id === wanted) ?? models.find((candidate) => candidate.name.toLowerCase() === wanted.toLowerCase());
      if (model === undefined) unknown.push(wanted);
      else ids.push(model.id);
    }
    if (unknown.length > 0) {
      const known = models.length === 0 ? 'it has none' : `it has ${models.map((model) => `${model.id} ("${model.name}")`).join(', ')}`;
      throw new DecayingModelUnavailableError(
        `In the trigger configuration, decaying_model names ${unknown.map((name) => JSON.stringify(name)).join(', ')}, which MISP at ${host} does not have; ` +
          `expected the id or name of one of its decaying models (${known}), or decaying_model left empty for the models MISP enables.`,
      );
    }
    this.modelIds = [...new Set(ids)];
  }
}

function tooOld(host: string, what: string): DecayingModelUnavailableError {
  return new DecayingModelUnavailableError(
    `MISP at ${host} ${what}: decaying models came with MISP ${formatMispVersion(DECAYING_MODELS_SINCE)}; ` +
      'expected expiry "fixed" (with valid_for) on this MISP, or MISP updated to that version or later.',
  );
}
