import { formatUuid, hashUuid, parseUuid, uuidWords } from './uuid-words.js';

/** A value of the schedule as it stands when asked for. */
export interface LiveValue {
  format: string;
  value: string;
  /** Epoch seconds at which the collection drops the value unless it is submitted again. */
  expiresAt: number;
  /**
   * The moment the value should lapse (epoch seconds), as its decaying model computes it: later than
   * `expiresAt` when the value was pushed early (grouped), equal otherwise.
   */
  target: number;
  /** Attributes (uuids) that carry the value. */
  carriers: Set<string>;
}

export interface IndicatorRef {
  format: string;
  value: string;
}

/** Slot of the carrier table not in use. */
const EMPTY = -1;
/** No event known. */
const NONE = -1;

/**
 * The indicators submitted with an expiry (`valid_until`), and the MISP attributes that keep each
 * one alive. A value stays alive while at least one attribute carries it; it is refreshed before
 * it lapses, and withdrawn (made to lapse at once) when its last attribute is withdrawn in MISP.
 * Attributes are followed by uuid, never by value: MISP may sanitise a deleted attribute's value.
 *
 * Held compact, for the 500,000 indicators a collection may hold: each value's text is kept once
 * (its index is the text itself, chained across formats), its format, expiry and carrier count in
 * typed arrays under a value id; the carriers are an open-addressing table keyed on the uuid's 16
 * bytes, holding the value id and the interned event of each. Keys that are not lower-case uuids
 * (none come from MISP) are kept in a plain map beside it.
 */
export class LiveIndicators {
  private readonly formats: string[] = [];
  private readonly formatIds = new Map<string, number>();
  /** By value id: the text (undefined for a free id), format, expiry, carriers, next id with the same text. */
  private texts: Array<string | undefined> = [];
  private valueFormats = new Uint16Array(1024);
  private expiries = new Float64Array(1024);
  private targets = new Float64Array(1024);
  private carrierCounts = new Uint32Array(1024);
  private sameText = new Int32Array(1024);
  /** By value id: the cycle whose lifetime computation gave its target (not saved: a loaded schedule starts at 0). */
  private targetCycles = new Uint32Array(1024);
  /** Counts the cycles, from 1: see {@link beginCycle}. */
  private cycle = 0;
  /** The first value id of each text. */
  private readonly byText = new Map<string, number>();
  private readonly freeValues: number[] = [];
  private valueCount = 0;

  /** Open addressing, linear probing: uuid words, value id (EMPTY when unused) and event id of each slot. */
  private slotKeys = new Uint32Array(1024 * 4);
  private slotValues = new Int32Array(1024).fill(EMPTY);
  private slotEvents = new Int32Array(1024).fill(NONE);
  private mask = 1023;
  private uuidCarriers = 0;
  /** Carriers that are not lower-case uuids: key → [value id, event id]. */
  private readonly otherCarriers = new Map<string, [value: number, event: number]>();

  private readonly events: Array<string | undefined> = [];
  private readonly eventIds = new Map<string, number>();
  private readonly eventRefs: number[] = [];
  private readonly freeEvents: number[] = [];

  private changes = 0;

  get size(): number {
    return this.valueCount;
  }

  get attributeCount(): number {
    return this.uuidCarriers + this.otherCarriers.size;
  }

  /** Changes with every change of the schedule: tells a saver whether there is anything new to write. */
  get version(): number {
    return this.changes;
  }

  /**
   * A batch carrying the value was accepted with this expiry, on behalf of these attributes. With a
   * `target` (the moment a decaying model gives), the value was pushed with `expiresAt` no later
   * than it: both are kept as they are, the value's new lifetime replacing the old.
   */
  accepted(
    format: string,
    value: string,
    attributeUuids: Iterable<string>,
    expiresAt: number,
    eventOf?: (uuid: string) => string | undefined,
    target?: number,
  ): void {
    this.changes++;
    let id = this.find(format, value);
    if (id < 0) {
      id = this.addValue(format, value, expiresAt, target ?? expiresAt);
    } else if (target === undefined) {
      this.expiries[id] = Math.max(this.expiries[id] as number, expiresAt);
      this.targets[id] = Math.max(this.targets[id] as number, this.expiries[id] as number);
    } else {
      this.expiries[id] = expiresAt;
      this.targets[id] = target;
    }
    if (target !== undefined) this.targetCycles[id] = this.cycle;
    for (const uuid of attributeUuids) this.carry(uuid, id, eventOf?.(uuid));
  }

  /**
   * A cycle begins: the targets its pages set are marked as computed in it, so that its refresh
   * does not ask again for lifetimes it has just computed ({@link due} with `freshLeftOut`).
   */
  beginCycle(): void {
    this.cycle++;
  }

  /** A further carrier keeps the value alive until `target`, when later than its own: the pushed expiry is as it was. */
  raiseTarget(format: string, value: string, target: number): void {
    const id = this.find(format, value);
    if (id < 0 || target <= (this.targets[id] as number)) return;
    this.changes++;
    this.targets[id] = target;
    this.targetCycles[id] = this.cycle;
  }

  /** The moment the value should lapse, as last computed; undefined for a value not in the schedule. */
  targetOf(format: string, value: string): number | undefined {
    const id = this.find(format, value);
    return id < 0 ? undefined : (this.targets[id] as number);
  }

  /** The earliest moments values lapse at, the soonest first (at most `limit`): what a summary shows. */
  nextLapses(after: number, limit: number): number[] {
    const moments: number[] = [];
    for (let id = 0; id < this.texts.length; id++) {
      if (this.texts[id] !== undefined && (this.targets[id] as number) > after) moments.push(this.targets[id] as number);
    }
    return moments.sort((a, b) => a - b).slice(0, limit);
  }

  /** The event an attribute was delivered from, when known. */
  eventOf(uuid: string): string | undefined {
    const event = this.carrierOf(uuid)?.[1] ?? NONE;
    return event === NONE ? undefined : this.events[event];
  }

  /** The live attributes known to belong to one of these events. */
  attributesOf(events: ReadonlySet<string>): string[] {
    return events.size === 0 ? [] : this.attributesWhere((event) => events.has(event));
  }

  /** The live attributes whose event is known and is not one of these: for a feed, those of the events it no longer lists. */
  attributesOutside(events: ReadonlySet<string>): string[] {
    return this.attributesWhere((event) => !events.has(event));
  }

  /** Whether the attribute carries a value of the schedule. */
  carries(uuid: string): boolean {
    return this.carrierOf(uuid) !== undefined;
  }

  /** Whether the uuid in `uuidWords` carries a value of the schedule. */
  carriesUuidWords(): boolean {
    return this.slotValues[this.probe()] !== EMPTY;
  }

  /** The value an attribute carries, if it is alive; its carriers are found by a walk over the carrier table. */
  carriedBy(uuid: string): LiveValue | undefined {
    const carrier = this.carrierOf(uuid);
    return carrier === undefined ? undefined : this.describe([carrier[0]])[0];
  }

  /**
   * MISP withdrew the attribute (IDS flag cleared, deleted, out of scope). Returns the value when no
   * other attribute keeps it alive: the caller makes it lapse at once.
   */
  withdraw(uuid: string): IndicatorRef | undefined {
    const id = this.release(uuid);
    if (id === undefined) return undefined;
    this.changes++;
    return this.carrierCounts[id] === 0 ? this.refOf(id) : undefined;
  }

  /** A withdrawn value's lapse was accepted: forget it. */
  forget(format: string, value: string): void {
    const id = this.find(format, value);
    if (id < 0) return;
    this.changes++;
    if ((this.carrierCounts[id] as number) > 0) for (const uuid of this.carriersOf(new Set([id])).get(id) ?? []) this.release(uuid);
    this.removeValue(id);
  }

  /**
   * Values still carried that lapse before `horizon`, the soonest first, at most `limit`; with
   * `freshLeftOut`, not those whose target this cycle computed (since {@link beginCycle}).
   */
  due(horizon: number, limit: number, freshLeftOut = false): LiveValue[] {
    const due: number[] = [];
    const fresh = freshLeftOut && this.cycle > 0 ? this.cycle : -1;
    for (let id = 0; id < this.texts.length; id++) {
      if (this.texts[id] !== undefined && (this.carrierCounts[id] as number) > 0 && (this.expiries[id] as number) <= horizon && this.targetCycles[id] !== fresh) due.push(id);
    }
    due.sort((a, b) => (this.expiries[a] as number) - (this.expiries[b] as number));
    return this.describe(due.slice(0, limit));
  }

  /** Drops values that lapsed with no attribute left to keep them; returns how many. */
  prune(now: number): number {
    let dropped = 0;
    for (let id = 0; id < this.texts.length; id++) {
      if (this.texts[id] === undefined || (this.carrierCounts[id] as number) > 0 || (this.expiries[id] as number) > now) continue;
      this.removeValue(id);
      dropped++;
    }
    if (dropped > 0) this.changes++;
    return dropped;
  }

  /**
   * The schedule as it is now, for a save that runs while the cycle goes on: copies of the tables
   * (the texts are shared, being immutable), about 70 bytes a value.
   */
  snapshot(): LiveIndicatorsSnapshot {
    const slots = this.slotValues.length;
    return {
      formats: [...this.formats],
      texts: this.texts.slice(),
      valueFormats: this.valueFormats.slice(0, this.texts.length),
      expiries: this.expiries.slice(0, this.texts.length),
      targets: this.targets.slice(0, this.texts.length),
      valueCount: this.valueCount,
      slotKeys: this.slotKeys.slice(0, slots * 4),
      slotValues: this.slotValues.slice(),
      slotEvents: this.slotEvents.slice(),
      uuidCarriers: this.uuidCarriers,
      otherCarriers: [...this.otherCarriers].map(([key, [value, event]]) => [key, value, event]),
      events: this.events.slice(),
    };
  }

  /** Makes room at once for this many values and uuid carriers, as a load knows them. */
  reserve(values: number, uuidCarriers: number): void {
    if (values > this.expiries.length) this.growValues(2 ** Math.ceil(Math.log2(values)));
    let slots = this.slotValues.length;
    while (uuidCarriers * 2 > slots) slots *= 2;
    if (slots !== this.slotValues.length) this.rehash(slots);
  }

  /** Restores a value as it was saved (its target moment: its expiry, when the file kept none); returns its id, for {@link restoreCarrier}. */
  restoreValue(format: string, value: string, expiresAt: number, target: number = expiresAt): number {
    let id = this.find(format, value);
    if (id < 0) {
      id = this.addValue(format, value, expiresAt, target);
    } else {
      this.expiries[id] = Math.max(this.expiries[id] as number, expiresAt);
      this.targets[id] = Math.max(this.targets[id] as number, target);
    }
    return id;
  }

  /** Restores a carrier as it was saved: the uuid in `uuidWords`, or `key` when it is not one. */
  restoreCarrier(key: string | undefined, valueId: number, event: string | undefined): void {
    if (key === undefined) this.carryUuid(valueId, event);
    else this.carry(key, valueId, event);
  }

  /** Throws a RangeError when the data is not a schedule saved in the JSON form of earlier versions (read once, to migrate it). */
  static fromJSON(data: unknown): LiveIndicators {
    const file = data as LiveIndicatorsFile | undefined;
    if (file?.version !== 1 || !Array.isArray(file.values)) throw new RangeError('not a live-indicators file');
    const live = new LiveIndicators();
    const events = new Map<string, string>();
    for (const entry of Array.isArray(file.events) ? file.events : []) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string') events.set(entry[0], entry[1]);
    }
    for (const entry of file.values) {
      const [format, value, expiresAt, carriers] = entry;
      if (typeof format !== 'string' || typeof value !== 'string' || typeof expiresAt !== 'number' || !Array.isArray(carriers)) {
        throw new RangeError('a live-indicators entry is malformed');
      }
      live.accepted(format, value, carriers.filter((uuid): uuid is string => typeof uuid === 'string'), expiresAt, (uuid) => events.get(uuid));
    }
    live.changes = 0;
    return live;
  }

  private find(format: string, value: string): number {
    for (let id = this.byText.get(value) ?? -1; id >= 0; id = this.sameText[id] as number) {
      if (this.formats[this.valueFormats[id] as number] === format) return id;
    }
    return -1;
  }

  private addValue(format: string, value: string, expiresAt: number, target: number): number {
    let formatId = this.formatIds.get(format);
    if (formatId === undefined) {
      formatId = this.formats.push(format) - 1;
      this.formatIds.set(format, formatId);
    }
    let id = this.freeValues.pop();
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(undefined);
      if (id >= this.expiries.length) this.growValues(this.expiries.length * 2);
    }
    this.texts[id] = value;
    this.valueFormats[id] = formatId;
    this.expiries[id] = expiresAt;
    this.targets[id] = target;
    this.targetCycles[id] = 0;
    this.carrierCounts[id] = 0;
    this.sameText[id] = this.byText.get(value) ?? -1;
    this.byText.set(value, id);
    this.valueCount++;
    return id;
  }

  private removeValue(id: number): void {
    const text = this.texts[id] as string;
    const next = this.sameText[id] as number;
    let at = this.byText.get(text) ?? -1;
    if (at === id) {
      if (next < 0) this.byText.delete(text);
      else this.byText.set(text, next);
    } else {
      while (at >= 0 && this.sameText[at] !== id) at = this.sameText[at] as number;
      if (at >= 0) this.sameText[at] = next;
    }
    this.texts[id] = undefined;
    this.freeValues.push(id);
    this.valueCount--;
  }

  private growValues(length: number): void {
    const grow = <T extends Uint16Array | Float64Array | Uint32Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.valueFormats = grow(this.valueFormats, new Uint16Array(length));
    this.expiries = grow(this.expiries, new Float64Array(length));
    this.targets = grow(this.targets, new Float64Array(length));
    this.carrierCounts = grow(this.carrierCounts, new Uint32Array(length));
    this.sameText = grow(this.sameText, new Int32Array(length));
    this.targetCycles = grow(this.targetCycles, new Uint32Array(length));
  }

  /** Counts one carrier more (1) or less (-1) for value `id`. */
  private count(id: number, delta: number): void {
    this.carrierCounts[id] = (this.carrierCounts[id] as number) + delta;
  }

  private refOf(id: number): IndicatorRef {
    return { format: this.formats[this.valueFormats[id] as number] as string, value: this.texts[id] as string };
  }

  /** The values of these ids with their carriers, in this order. */
  private describe(ids: readonly number[]): LiveValue[] {
    if (ids.length === 0) return [];
    const carriers = this.carriersOf(new Set(ids));
    return ids.map((id) => ({ ...this.refOf(id), expiresAt: this.expiries[id] as number, target: this.targets[id] as number, carriers: new Set(carriers.get(id)) }));
  }

  /** The carriers of these value ids: one walk over the carrier table. */
  private carriersOf(ids: ReadonlySet<number>): Map<number, string[]> {
    const found = new Map<number, string[]>();
    const add = (id: number, uuid: string): void => {
      const list = found.get(id);
      if (list === undefined) found.set(id, [uuid]);
      else list.push(uuid);
    };
    for (let slot = 0; slot < this.slotValues.length; slot++) {
      const id = this.slotValues[slot] as number;
      if (id !== EMPTY && ids.has(id)) add(id, formatUuid(this.slotKeys, slot * 4));
    }
    for (const [key, [id]] of this.otherCarriers) if (ids.has(id)) add(id, key);
    return found;
  }

  private attributesWhere(test: (event: string) => boolean): string[] {
    const found: string[] = [];
    for (let slot = 0; slot < this.slotValues.length; slot++) {
      const event = this.slotEvents[slot] as number;
      if (this.slotValues[slot] !== EMPTY && event !== NONE && test(this.events[event] as string)) found.push(formatUuid(this.slotKeys, slot * 4));
    }
    for (const [key, [, event]] of this.otherCarriers) if (event !== NONE && test(this.events[event] as string)) found.push(key);
    return found;
  }

  /** [value id, event id] of a carrier, or undefined. */
  private carrierOf(uuid: string): [value: number, event: number] | undefined {
    if (!isLowerCaseUuid(uuid)) return this.otherCarriers.get(uuid);
    const slot = this.probe();
    const id = this.slotValues[slot] as number;
    return id === EMPTY ? undefined : [id, this.slotEvents[slot] as number];
  }

  /** The attribute now carries value `id`; an edited attribute no longer keeps its old value alive. */
  private carry(uuid: string, id: number, event: string | undefined): void {
    if (isLowerCaseUuid(uuid)) {
      this.carryUuid(id, event);
      return;
    }
    let carrier = this.otherCarriers.get(uuid);
    if (carrier === undefined) this.otherCarriers.set(uuid, (carrier = [EMPTY, NONE]));
    if (carrier[0] !== id) {
      if (carrier[0] !== EMPTY) this.count(carrier[0], -1);
      carrier[0] = id;
      this.count(id, 1);
    }
    if (event !== undefined) carrier[1] = this.swapEvent(carrier[1], event);
  }

  /** As {@link carry}, for the uuid in `uuidWords`. */
  private carryUuid(id: number, event: string | undefined): void {
    let slot = this.probe();
    if (this.slotValues[slot] === EMPTY) {
      if ((this.uuidCarriers + 1) * 2 > this.slotValues.length) {
        this.rehash(this.slotValues.length * 2);
        slot = this.probe();
      }
      this.slotKeys.set(uuidWords, slot * 4);
      this.slotEvents[slot] = NONE;
      this.slotValues[slot] = id;
      this.uuidCarriers++;
      this.count(id, 1);
    } else if (this.slotValues[slot] !== id) {
      this.count(this.slotValues[slot] as number, -1);
      this.slotValues[slot] = id;
      this.count(id, 1);
    }
    if (event !== undefined) this.slotEvents[slot] = this.swapEvent(this.slotEvents[slot] as number, event);
  }

  /** Drops the carrier; returns the value id it carried, or undefined when it carried none. */
  private release(uuid: string): number | undefined {
    if (!isLowerCaseUuid(uuid)) {
      const carrier = this.otherCarriers.get(uuid);
      if (carrier === undefined) return undefined;
      this.otherCarriers.delete(uuid);
      this.swapEvent(carrier[1], undefined);
      this.count(carrier[0], -1);
      return carrier[0];
    }
    const slot = this.probe();
    const id = this.slotValues[slot] as number;
    if (id === EMPTY) return undefined;
    this.swapEvent(this.slotEvents[slot] as number, undefined);
    this.count(id, -1);
    this.uuidCarriers--;
    this.emptySlot(slot);
    return id;
  }

  /** Interns `event` in place of event id `previous`; returns its id. */
  private swapEvent(previous: number, event: string | undefined): number {
    if (previous !== NONE && this.events[previous] === event) return previous;
    if (previous !== NONE) {
      const references = (this.eventRefs[previous] as number) - 1;
      this.eventRefs[previous] = references;
      if (references === 0) {
        this.eventIds.delete(this.events[previous] as string);
        this.events[previous] = undefined;
        this.freeEvents.push(previous);
      }
    }
    if (event === undefined) return NONE;
    let id = this.eventIds.get(event);
    if (id === undefined) {
      id = this.freeEvents.pop() ?? this.events.length;
      this.events[id] = event;
      this.eventRefs[id] = 0;
      this.eventIds.set(event, id);
    }
    this.eventRefs[id] = (this.eventRefs[id] as number) + 1;
    return id;
  }

  /** The slot holding the uuid in `uuidWords`, or the empty slot where it would go. */
  private probe(): number {
    const keys = this.slotKeys;
    const values = this.slotValues;
    const k0 = uuidWords[0] as number;
    const k1 = uuidWords[1] as number;
    const k2 = uuidWords[2] as number;
    const k3 = uuidWords[3] as number;
    for (let slot = hashUuid(k0, k1, k2, k3) & this.mask; ; slot = (slot + 1) & this.mask) {
      if (values[slot] === EMPTY) return slot;
      const at = slot * 4;
      if (keys[at] === k0 && keys[at + 1] === k1 && keys[at + 2] === k2 && keys[at + 3] === k3) return slot;
    }
  }

  private homeOf(slot: number): number {
    const at = slot * 4;
    return hashUuid(this.slotKeys[at] as number, this.slotKeys[at + 1] as number, this.slotKeys[at + 2] as number, this.slotKeys[at + 3] as number) & this.mask;
  }

  /** Empties a slot by backward shifting, which keeps probes short without tombstones. */
  private emptySlot(slot: number): void {
    const mask = this.mask;
    let hole = slot;
    this.slotValues[hole] = EMPTY;
    for (let at = (hole + 1) & mask; this.slotValues[at] !== EMPTY; at = (at + 1) & mask) {
      // The entry may fill the hole only if its home is not in the cyclic range (hole, at].
      if (((at - this.homeOf(at)) & mask) < ((at - hole) & mask)) continue;
      this.slotKeys.copyWithin(hole * 4, at * 4, at * 4 + 4);
      this.slotValues[hole] = this.slotValues[at] as number;
      this.slotEvents[hole] = this.slotEvents[at] as number;
      this.slotValues[at] = EMPTY;
      hole = at;
    }
  }

  private rehash(slots: number): void {
    const keys = this.slotKeys;
    const values = this.slotValues;
    const events = this.slotEvents;
    this.slotKeys = new Uint32Array(slots * 4);
    this.slotValues = new Int32Array(slots).fill(EMPTY);
    this.slotEvents = new Int32Array(slots).fill(NONE);
    this.mask = slots - 1;
    for (let from = 0; from < values.length; from++) {
      if (values[from] === EMPTY) continue;
      const at = from * 4;
      let slot = hashUuid(keys[at] as number, keys[at + 1] as number, keys[at + 2] as number, keys[at + 3] as number) & this.mask;
      while (this.slotValues[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slotKeys.set(keys.subarray(at, at + 4), slot * 4);
      this.slotValues[slot] = values[from] as number;
      this.slotEvents[slot] = events[from] as number;
    }
  }
}

/** The schedule at a moment, as {@link LiveIndicators.snapshot} copies it. */
export interface LiveIndicatorsSnapshot {
  readonly formats: readonly string[];
  /** By value id: the text, undefined for an unused id. */
  readonly texts: ReadonlyArray<string | undefined>;
  readonly valueFormats: Uint16Array;
  readonly expiries: Float64Array;
  /** By value id: the moment the value should lapse (its expiry, unless it was pushed early). */
  readonly targets: Float64Array;
  readonly valueCount: number;
  /** The carrier table: uuid words, value id (-1 for an unused slot), event id (-1 for none). */
  readonly slotKeys: Uint32Array;
  readonly slotValues: Int32Array;
  readonly slotEvents: Int32Array;
  readonly uuidCarriers: number;
  readonly otherCarriers: ReadonlyArray<readonly [key: string, value: number, event: number]>;
  readonly events: ReadonlyArray<string | undefined>;
}

/** The JSON form earlier versions saved the schedule in, read once to migrate it. */
export interface LiveIndicatorsFile {
  version: 1;
  values: Array<[format: string, value: string, expiresAt: number, carriers: string[]]>;
  /** attribute uuid → event uuid, for the attributes of a feed. */
  events?: Array<[attribute: string, event: string]>;
}

/** Parses `uuid` into `uuidWords` when it is a canonical lower-case uuid, as MISP and the feeds write them. */
function isLowerCaseUuid(uuid: string): boolean {
  if (!parseUuid(uuid)) return false;
  for (let i = 0; i < 36; i++) {
    const code = uuid.charCodeAt(i);
    if (code >= 0x41 && code <= 0x46) return false;
  }
  return true;
}
