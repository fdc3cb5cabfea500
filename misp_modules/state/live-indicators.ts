/**
 * The indicators submitted with an expiry (`valid_until`), and the MISP attributes that keep each
 * one alive. A value stays alive while at least one attribute carries it; it is refreshed before
 * it lapses, and withdrawn (made to lapse at once) when its last attribute is withdrawn in MISP.
 * Attributes are followed by uuid, never by value: MISP may sanitise a deleted attribute's value.
 */
export interface LiveValue {
  format: string;
  value: string;
  /** Epoch seconds at which the collection drops the value unless it is submitted again. */
  expiresAt: number;
  /** Attributes (uuids) that carry the value. */
  carriers: Set<string>;
}

export interface IndicatorRef {
  format: string;
  value: string;
}

export class LiveIndicators {
  private readonly values = new Map<string, LiveValue>();
  private readonly byAttribute = new Map<string, string>();
  /** The event of an attribute, where the source tells it (a feed, which cannot be asked by uuid). */
  private readonly events = new Map<string, string>();
  private changes = 0;

  get size(): number {
    return this.values.size;
  }

  get attributeCount(): number {
    return this.byAttribute.size;
  }

  /** Changes with every change of the schedule: tells a saver whether there is anything new to write. */
  get version(): number {
    return this.changes;
  }

  /** A batch carrying the value was accepted with this expiry, on behalf of these attributes. */
  accepted(format: string, value: string, attributeUuids: Iterable<string>, expiresAt: number, eventOf?: (uuid: string) => string | undefined): void {
    const key = keyOf(format, value);
    this.changes++;
    let live = this.values.get(key);
    if (live === undefined) {
      live = { format, value, expiresAt, carriers: new Set() };
      this.values.set(key, live);
    }
    live.expiresAt = Math.max(live.expiresAt, expiresAt);
    for (const uuid of attributeUuids) {
      const previous = this.byAttribute.get(uuid);
      // An edited attribute that now carries another value no longer keeps the old one alive.
      if (previous !== undefined && previous !== key) this.values.get(previous)?.carriers.delete(uuid);
      this.byAttribute.set(uuid, key);
      live.carriers.add(uuid);
      const event = eventOf?.(uuid);
      if (event !== undefined) this.events.set(uuid, event);
    }
  }

  /** The event an attribute was delivered from, when known. */
  eventOf(uuid: string): string | undefined {
    return this.events.get(uuid);
  }

  /** The live attributes known to belong to one of these events. */
  attributesOf(events: ReadonlySet<string>): string[] {
    const found: string[] = [];
    if (events.size === 0) return found;
    for (const [uuid, event] of this.events) if (events.has(event) && this.byAttribute.has(uuid)) found.push(uuid);
    return found;
  }

  /** The live attributes whose event is known and is not one of these: for a feed, those of the events it no longer lists. */
  attributesOutside(events: ReadonlySet<string>): string[] {
    const found: string[] = [];
    for (const [uuid, event] of this.events) if (!events.has(event) && this.byAttribute.has(uuid)) found.push(uuid);
    return found;
  }

  /** The value an attribute carries, if it is alive. */
  carriedBy(uuid: string): LiveValue | undefined {
    const key = this.byAttribute.get(uuid);
    return key === undefined ? undefined : this.values.get(key);
  }

  /**
   * MISP withdrew the attribute (IDS flag cleared, deleted, out of scope). Returns the value when no
   * other attribute keeps it alive: the caller makes it lapse at once.
   */
  withdraw(uuid: string): IndicatorRef | undefined {
    const key = this.byAttribute.get(uuid);
    if (key === undefined) return undefined;
    this.changes++;
    this.byAttribute.delete(uuid);
    this.events.delete(uuid);
    const live = this.values.get(key);
    if (live === undefined) return undefined;
    live.carriers.delete(uuid);
    return live.carriers.size === 0 ? { format: live.format, value: live.value } : undefined;
  }

  /** A withdrawn value's lapse was accepted: forget it. */
  forget(format: string, value: string): void {
    const key = keyOf(format, value);
    const live = this.values.get(key);
    if (live === undefined) return;
    this.changes++;
    for (const uuid of live.carriers) {
      if (this.byAttribute.get(uuid) !== key) continue;
      this.byAttribute.delete(uuid);
      this.events.delete(uuid);
    }
    this.values.delete(key);
  }

  /** Values still carried that lapse before `horizon`, the soonest first, at most `limit`. */
  due(horizon: number, limit: number): LiveValue[] {
    const due: LiveValue[] = [];
    for (const live of this.values.values()) if (live.carriers.size > 0 && live.expiresAt <= horizon) due.push(live);
    due.sort((a, b) => a.expiresAt - b.expiresAt);
    return due.slice(0, limit);
  }

  /** Drops values that lapsed with no attribute left to keep them; returns how many. */
  prune(now: number): number {
    let dropped = 0;
    for (const [key, live] of this.values) {
      if (live.carriers.size > 0 || live.expiresAt > now) continue;
      this.values.delete(key);
      dropped++;
    }
    if (dropped > 0) this.changes++;
    return dropped;
  }

  toJSON(): LiveIndicatorsFile {
    return {
      version: 1,
      values: [...this.values.values()].map((live) => [live.format, live.value, live.expiresAt, [...live.carriers]]),
      events: [...this.events],
    };
  }

  /** Throws a RangeError when the data is not a saved LiveIndicators. */
  static fromJSON(data: unknown): LiveIndicators {
    const file = data as LiveIndicatorsFile | undefined;
    if (file?.version !== 1 || !Array.isArray(file.values)) throw new RangeError('not a live-indicators file');
    const live = new LiveIndicators();
    for (const entry of file.values) {
      const [format, value, expiresAt, carriers] = entry;
      if (typeof format !== 'string' || typeof value !== 'string' || typeof expiresAt !== 'number' || !Array.isArray(carriers)) {
        throw new RangeError('a live-indicators entry is malformed');
      }
      live.accepted(format, value, carriers.filter((uuid): uuid is string => typeof uuid === 'string'), expiresAt);
    }
    for (const entry of Array.isArray(file.events) ? file.events : []) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string' && live.byAttribute.has(entry[0])) live.events.set(entry[0], entry[1]);
    }
    return live;
  }
}

export interface LiveIndicatorsFile {
  version: 1;
  values: Array<[format: string, value: string, expiresAt: number, carriers: string[]]>;
  /** attribute uuid → event uuid, for the attributes of a feed. */
  events?: Array<[attribute: string, event: string]>;
}

function keyOf(format: string, value: string): string {
  return `${format}\u0000${value}`;
}
