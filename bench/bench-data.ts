/**
 * The benchmark's data: synthetic rows sized so that MISP serves exactly N IDS attributes, what
 * the trigger must deliver for them, and the steady-state edit of 1% of them.
 */
import type { AttributeSource, RenderedAttribute } from '../misp_modules/dev/demo-misp-server.js';
import type { DemoEventState, MispAttributeRow } from '../misp_modules/dev/misp-events.js';
import {
  expectedPushes,
  syntheticAttributeAt,
  syntheticAttributeSource,
  syntheticAttributes,
  type ExpectedPushes,
  type Observable,
  type SyntheticAttribute,
  type SyntheticOptions,
} from '../misp_modules/dev/synthetic-attributes.js';

/** Attributes per synthetic event (the generator's default). */
export const ATTRIBUTES_PER_EVENT = 250;

/** How the trigger groups observables into upload formats: hashes go as `file.hashes`. */
export function uploadFormat(observable: Observable | string): string {
  return observable.startsWith('file.hashes.') ? 'file.hashes' : observable;
}

/** Served by restSearch with `to_ids: 1`: IDS-flagged and not deleted. */
export function isServedIds(attribute: SyntheticAttribute): boolean {
  return attribute.row.to_ids && !attribute.row.deleted;
}

export interface SizedDataSet {
  options: SyntheticOptions;
  /** IDS rows served (N). */
  idsAttributes: number;
  expected: ExpectedPushes;
  /** The rows, with their JSON rendered beforehand. */
  source: AttributeSource;
}

/** Rendered rows are packed in slabs of this size, outside the JavaScript heap. */
const SLAB_BYTES = 64 * 1024 * 1024;

/**
 * The smallest data set whose served IDS rows number `idsAttributes` (the generator's shares
 * include non-IDS and deleted rows, which MISP does not serve), what the trigger must deliver for
 * it, and the rows with their JSON rendered once, here, before any measurement: the loopback MISP
 * then serves a page by copying bytes, and what the benchmark measures is the trigger.
 */
export function prepareDataSet(idsAttributes: number, base: Omit<SyntheticOptions, 'count'>): SizedDataSet {
  const upperBound = Math.ceil(idsAttributes * 1.3) + 1_000;
  const options = { ...base, attributesPerEvent: ATTRIBUTES_PER_EVENT };
  const store: RenderedRows = {
    slabs: [],
    starts: new Float64Array(upperBound),
    lengths: new Uint32Array(upperBound),
    flags: new Uint8Array(upperBound),
    timestamps: new Uint32Array(upperBound),
    typeIds: new Uint8Array(upperBound),
    types: [],
    scores: new Float64Array(upperBound),
    baseScores: new Float64Array(upperBound),
    modelIds: new Uint8Array(upperBound),
    models: [],
    events: [],
    full: () => undefined,
  };
  let used = SLAB_BYTES;
  let count = 0;
  let served = 0;
  const stream = function* (): Generator<SyntheticAttribute> {
    for (const attribute of syntheticAttributes({ ...options, count: upperBound })) {
      if (served === idsAttributes) return;
      const json = JSON.stringify(attribute.row);
      const bytes = Buffer.byteLength(json);
      if (used + bytes > SLAB_BYTES) {
        store.slabs.push(Buffer.allocUnsafe(Math.max(SLAB_BYTES, bytes)));
        used = 0;
      }
      (store.slabs[store.slabs.length - 1] as Buffer).write(json, used, 'utf8');
      store.starts[count] = (store.slabs.length - 1) * SLAB_BYTES + used;
      store.lengths[count] = bytes;
      store.flags[count] = (attribute.row.to_ids ? TO_IDS : 0) | (attribute.row.deleted ? DELETED : 0) | keepDecayScore(store, count, attribute.row.decay_score);
      store.timestamps[count] = Number(attribute.row.timestamp);
      let typeId = store.types.indexOf(attribute.row.type);
      if (typeId < 0) typeId = store.types.push(attribute.row.type) - 1;
      store.typeIds[count] = typeId;
      // Rows of an event share its state object, as the generator (and MISP) have it.
      store.events[Math.floor(count / ATTRIBUTES_PER_EVENT)] ??= attribute.event;
      used += bytes;
      count++;
      if (isServedIds(attribute)) served++;
      yield attribute;
    }
  };
  const expected = expectedPushes(stream());
  if (served !== idsAttributes) throw new RangeError(`Could not size a data set of ${idsAttributes} IDS attributes.`);
  const sized = { ...options, count };
  const generated = syntheticAttributeSource(sized);
  store.full = (index) => generated.at(index)?.row;
  const source: AttributeSource = {
    length: count,
    at(index): RenderedAttribute | undefined {
      if (!Number.isInteger(index) || index < 0 || index >= count) return undefined;
      const start = store.starts[index] as number;
      const slab = store.slabs[Math.floor(start / SLAB_BYTES)] as Buffer;
      const offset = start % SLAB_BYTES;
      return {
        row: new PreparedRow(store, index),
        event: store.events[Math.floor(index / ATTRIBUTES_PER_EVENT)] as DemoEventState,
        json: slab.subarray(offset, offset + (store.lengths[index] as number)),
      };
    },
  };
  return { options: sized, idsAttributes, expected, source };
}

const TO_IDS = 1;
const DELETED = 2;
/** The row has a `decay_score` of one entry, kept in `scores`, `baseScores` and `models` (with DECAYED). */
const ONE_SCORE = 4;
const DECAYED = 8;
/** The row has a `decay_score` that is not one entry: read from the whole row. */
const OTHER_SCORES = 16;

type DecayScore = NonNullable<MispAttributeRow['decay_score']>;

/**
 * Keeps a row's `decay_score` in the compact arrays, so that the server's `excludeDecayed` and
 * `decay_score` reads do not generate the row again; returns the row's flags for it.
 */
function keepDecayScore(store: RenderedRows, index: number, decayScore: DecayScore | undefined): number {
  if (decayScore === undefined) return 0;
  const entry = decayScore[0];
  if (decayScore.length !== 1 || entry === undefined) return OTHER_SCORES;
  let model = store.models.findIndex((known) => known.id === entry.DecayingModel.id && known.name === entry.DecayingModel.name);
  if (model < 0) model = store.models.push({ ...entry.DecayingModel }) - 1;
  store.scores[index] = entry.score;
  store.baseScores[index] = entry.base_score;
  store.modelIds[index] = model;
  return ONE_SCORE | (entry.decayed ? DECAYED : 0);
}

interface RenderedRows {
  slabs: Buffer[];
  starts: Float64Array;
  lengths: Uint32Array;
  flags: Uint8Array;
  timestamps: Uint32Array;
  /** Index in `types` of each row's type. */
  typeIds: Uint8Array;
  types: string[];
  /** The one `decay_score` entry of a row flagged ONE_SCORE: score, base score, model (index in `models`). */
  scores: Float64Array;
  baseScores: Float64Array;
  modelIds: Uint8Array;
  models: Array<{ id: string; name: string }>;
  events: DemoEventState[];
  /** The whole row, generated again: only for a filter on a field kept nowhere else. */
  full: (index: number) => MispAttributeRow | undefined;
}

/**
 * A prepared row as the server filters it: what restSearch filters on for the trigger (to_ids,
 * deleted, type, id, timestamp, event) read from compact arrays; any other field generates the row again,
 * so that every filter still sees the true row.
 */
class PreparedRow implements MispAttributeRow {
  private whole: MispAttributeRow | undefined;

  constructor(
    private readonly store: RenderedRows,
    private readonly index: number,
  ) {}

  private get row(): MispAttributeRow {
    this.whole ??= this.store.full(this.index) as MispAttributeRow;
    return this.whole;
  }

  get id(): string {
    return String(this.index + 1);
  }
  get to_ids(): boolean {
    return ((this.store.flags[this.index] as number) & TO_IDS) !== 0;
  }
  get deleted(): boolean {
    return ((this.store.flags[this.index] as number) & DELETED) !== 0;
  }
  get timestamp(): string {
    return String(this.store.timestamps[this.index]);
  }
  get event_id(): string {
    return String(Math.floor(this.index / ATTRIBUTES_PER_EVENT) + 1);
  }
  get object_id(): string {
    return this.row.object_id;
  }
  get object_relation(): string | null {
    return this.row.object_relation;
  }
  get category(): string {
    return this.row.category;
  }
  get type(): string {
    return this.store.types[this.store.typeIds[this.index] as number] as string;
  }
  get uuid(): string {
    return this.row.uuid;
  }
  get distribution(): string {
    return this.row.distribution;
  }
  get sharing_group_id(): string {
    return this.row.sharing_group_id;
  }
  get comment(): string {
    return this.row.comment;
  }
  get disable_correlation(): boolean {
    return this.row.disable_correlation;
  }
  get first_seen(): string | null {
    return this.row.first_seen;
  }
  get last_seen(): string | null {
    return this.row.last_seen;
  }
  get value(): string {
    return this.row.value;
  }
  get Event(): MispAttributeRow['Event'] {
    return this.row.Event;
  }
  get Object(): MispAttributeRow['Object'] {
    return this.row.Object;
  }
  get Tag(): MispAttributeRow['Tag'] {
    return this.row.Tag;
  }
  get decay_score(): MispAttributeRow['decay_score'] {
    const flags = this.store.flags[this.index] as number;
    if ((flags & OTHER_SCORES) !== 0) return this.row.decay_score;
    if ((flags & ONE_SCORE) === 0) return undefined;
    const model = this.store.models[this.store.modelIds[this.index] as number] as { id: string; name: string };
    return [{ score: this.store.scores[this.index] as number, base_score: this.store.baseScores[this.index] as number, decayed: (flags & DECAYED) !== 0, DecayingModel: { ...model } }];
  }
}

export interface SteadyStateEdit {
  /** Share of the rows edited, e.g. 0.01. */
  share: number;
  /** Rows in the data set. */
  count: number;
  /** When the edits were made and the events republished (Unix seconds). */
  at: number;
}

/** The edited rows: the first rows of a few events spread evenly over the data set, 1% of all rows in all. */
interface EditPlan {
  /** Events whose first `rowsPerEvent` rows are edited, ascending. */
  events: Set<number>;
  rowsPerEvent: number;
}

function planOf(edit: SteadyStateEdit): EditPlan {
  const events = Math.ceil(edit.count / ATTRIBUTES_PER_EVENT);
  const edited = Math.max(1, Math.round(events * edit.share));
  const rowsPerEvent = Math.min(ATTRIBUTES_PER_EVENT, Math.max(1, Math.round((edit.count * edit.share) / edited)));
  const stride = Math.floor(events / edited);
  const chosen = new Set<number>();
  // Event 1 is left alone so that the very first page looks the same in both cycles.
  for (let k = 1; k <= edited; k++) chosen.add(Math.min(events, k * stride));
  return { events: chosen, rowsPerEvent };
}

function eventNumberOf(index: number): number {
  return Math.floor(index / ATTRIBUTES_PER_EVENT) + 1;
}

function isEdited(index: number, plan: EditPlan): boolean {
  return plan.events.has(eventNumberOf(index)) && index % ATTRIBUTES_PER_EVENT < plan.rowsPerEvent;
}

/**
 * The data set after MISP users edited 1% of the attributes, grouped in a few events as edits are:
 * each edited attribute gets a new value (a fresh synthetic row, which may change its type too) and
 * a timestamp bumped to the edit time, and its event is republished then. Ids, uuids and events
 * stay those of the original rows; the other attributes of a republished event are unchanged.
 */
export function editedSource(options: SyntheticOptions, base: AttributeSource, edit: SteadyStateEdit): AttributeSource {
  const plan = planOf(edit);
  const republished: DemoEventState = { published: true, publishTimestamp: edit.at, timestamp: edit.at };
  return {
    length: base.length,
    at(index) {
      const original = base.at(index);
      if (original === undefined || !plan.events.has(eventNumberOf(index))) return original;
      if (!isEdited(index, plan)) return { ...original, event: republished };
      return editedRow(options, original as SyntheticAttribute, index, edit, republished);
    },
  };
}

function editedRow(options: SyntheticOptions, original: SyntheticAttribute, index: number, edit: SteadyStateEdit, event: DemoEventState): SyntheticAttribute {
  // Indexes past `count` give values no row of the data set holds (except the shared hot pool).
  const fresh = syntheticAttributeAt(options, options.count + index);
  const { id, uuid, event_id, Event, object_id, object_relation } = original.row;
  // A fresh object, without the original's rendered JSON: the server serialises the edited row.
  const row = { ...fresh.row, id, uuid, event_id, Event, object_id, object_relation, timestamp: String(edit.at) };
  if (original.row.Object === undefined) delete row.Object;
  else row.Object = original.row.Object;
  return { row, event, expected: fresh.expected };
}

/** What the steady-state cycle must push: the values of the edited rows that are pushable. */
export function expectedAfterEdit(options: SyntheticOptions, base: AttributeSource, edit: SteadyStateEdit): { expected: ExpectedPushes; editedIds: number } {
  const plan = planOf(edit);
  const source = editedSource(options, base, edit);
  let editedIds = 0;
  const rows = function* (): Generator<SyntheticAttribute> {
    for (const event of plan.events) {
      const start = (event - 1) * ATTRIBUTES_PER_EVENT;
      const end = Math.min(options.count, start + plan.rowsPerEvent);
      for (let index = start; index < end; index++) {
        const row = source.at(index) as SyntheticAttribute;
        if (isServedIds(row)) editedIds++;
        yield row;
      }
    }
  };
  const expected = expectedPushes(rows());
  return { expected, editedIds };
}
