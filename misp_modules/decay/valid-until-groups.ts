/**
 * Which `valid_until` each value of a cycle is pushed with, when every value has its own moment M
 * (the last second it is alive) and the IOC collection takes one `valid_until` per request.
 *
 * One request per distinct second would be one request per indicator. Values are grouped instead,
 * by format and by a key that is never later than M, so that a decayed value never stays in the
 * collection:
 * - while the cycle's distinct (format, M) fit the budget of open groups, the key is M itself;
 * - beyond, keys are coarsened to the floor of M on a ladder of grids (1 min, 15 min, 1 h, 4 h,
 *   1 day), one step at a time, the open groups merged onto the coarser grid, until they fit;
 * - on the coarsest grid, a value whose key has no open group joins the latest open group of its
 *   format that is still no later than M; only when there is none does the fullest open group go
 *   out before its time, to make room.
 * A value pushed before its moment is early: the batch says so (its `moments`), and
 * `refreshValidUntil` says when and with what it is pushed again, exactly M once M is near.
 *
 * With the schedule's refresh given (`refresh`: when the next one comes, and the end of its
 * horizon, before which it brings each value to its moment), the floors are bounded below: a value
 * whose moment lies beyond the horizon is keyed after it, so it is not due again at once; one whose
 * moment lies within it no earlier than the next refresh, which brings it to its moment; one that
 * lapses before then is floored to a minute at most. No value goes out with a `valid_until` already
 * past unless its moment is within the minute.
 *
 * The grids nest (each divides the next), so a key floored onto a coarser grid is the floor of M
 * on that grid, whichever grid it came from.
 */

/** The coarsening ladder, in seconds. */
export const VALID_UNTIL_GRIDS: readonly number[] = [60, 900, 3_600, 14_400, 86_400];

export interface ValidUntilGroupsOptions {
  /** Values per request: a group goes out as soon as it holds this many. */
  batchSize: number;
  /** Groups holding values at once, at most: the requests a cycle's end may send in one go. */
  maxOpenGroups: number;
  /** The schedule's refresh, in epoch seconds: when the next comes, and the end of its horizon (none: keys are plain floors). */
  refresh?: { nextAt: number; dueUntil: number };
}

/** The coarsest grid a value lapsing before the next refresh is floored to: nothing brings it nearer later. */
const LAST_GRID = 60;

/** One request's worth: values of one format sharing one `valid_until`. */
export interface ValidUntilBatch {
  format: string;
  /** Epoch seconds: the `valid_until` to push the values with; never later than any of their moments. */
  validUntil: number;
  values: string[];
  /** Each value's own moment M (same order as `values`); where it is later than `validUntil`, the value is early. */
  moments: number[];
}

interface Group {
  values: string[];
  moments: number[];
}

const NO_BATCHES: readonly ValidUntilBatch[] = Object.freeze([]) as readonly ValidUntilBatch[];

/**
 * The grouping of one cycle. `add` each (format, value, M) as the cycle meets it and send the
 * batches it hands back; `drain` at the cycle's end for what is left. A drained grouping starts
 * afresh (exact keys again) for the next cycle.
 */
export class ValidUntilGroups {
  private readonly batchSize: number;
  private readonly maxOpenGroups: number;
  /** Whole epoch seconds: the next refresh, and the end of its horizon (-Infinity without `refresh`). */
  private readonly nextAt: number;
  private readonly dueUntil: number;
  /** Format → key → group. */
  private groups = new Map<string, Map<number, Group>>();
  private open = 0;
  /** 0: exact seconds; n: the grid VALID_UNTIL_GRIDS[n - 1]. */
  private level = 0;

  constructor(options: ValidUntilGroupsOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a whole number above 0, not ${options.batchSize}`);
    if (!Number.isInteger(options.maxOpenGroups) || options.maxOpenGroups < 1) {
      throw new RangeError(`maxOpenGroups must be a whole number above 0, not ${options.maxOpenGroups}`);
    }
    this.batchSize = options.batchSize;
    this.maxOpenGroups = options.maxOpenGroups;
    this.nextAt = options.refresh === undefined ? -Infinity : Math.ceil(options.refresh.nextAt);
    this.dueUntil = options.refresh === undefined ? -Infinity : Math.max(this.nextAt, Math.floor(options.refresh.dueUntil));
  }

  /** The grid keys are floored to now: 1 for exact seconds, else a step of VALID_UNTIL_GRIDS. */
  get grid(): number {
    return this.level === 0 ? 1 : (VALID_UNTIL_GRIDS[this.level - 1] as number);
  }

  /** Groups holding values now. */
  get openGroups(): number {
    return this.open;
  }

  /**
   * Places `value`, alive through `moment` (epoch seconds), in a group; returns the batches that
   * are ready to go (usually none: a shared empty list, so that the common case allocates nothing).
   */
  add(format: string, value: string, moment: number): readonly ValidUntilBatch[] {
    let byKey = this.groups.get(format);
    if (byKey === undefined) {
      byKey = new Map();
      this.groups.set(format, byKey);
    }
    let key = this.keyOf(moment);
    let group = byKey.get(key);
    let ready: ValidUntilBatch[] | undefined;
    if (group === undefined) {
      if (this.open >= this.maxOpenGroups) {
        ready = this.makeRoom(format, moment);
        // Regrouping replaced the format's groups and may have coarsened the grid.
        byKey = this.groups.get(format) as Map<number, Group>;
        key = this.keyOf(moment);
        group = byKey.get(key);
        if (group === undefined && this.open >= this.maxOpenGroups) {
          key = latestKeyUpTo(byKey, moment) as number;
          group = byKey.get(key);
        }
      }
      if (group === undefined) {
        group = { values: [], moments: [] };
        byKey.set(key, group);
        this.open += 1;
      }
    }
    group.values.push(value);
    group.moments.push(moment);
    if (group.values.length >= this.batchSize) {
      (ready ??= []).push(...this.takeFull(format, key, group));
    }
    return ready ?? NO_BATCHES;
  }

  /** The partial groups at the cycle's end; the grouping is empty and exact afterwards. */
  drain(): ValidUntilBatch[] {
    const batches: ValidUntilBatch[] = [];
    for (const [format, byKey] of this.groups) {
      for (const [key, group] of byKey) batches.push({ format, validUntil: key, values: group.values, moments: group.moments });
    }
    this.groups = new Map();
    this.open = 0;
    this.level = 0;
    return batches;
  }

  /**
   * Makes a place for a value of `format` alive through `moment`: coarsens the grid while the
   * budget is full; on the coarsest grid, when the format has no open group early enough to take
   * the value, sends the fullest group before its time. Returns the batches that went out.
   */
  private makeRoom(format: string, moment: number): ValidUntilBatch[] {
    const ready: ValidUntilBatch[] = [];
    while (this.open >= this.maxOpenGroups && this.level < VALID_UNTIL_GRIDS.length) {
      this.level += 1;
      ready.push(...this.regroup());
    }
    const byKey = this.groups.get(format) as Map<number, Group>;
    if (this.open >= this.maxOpenGroups && !byKey.has(this.keyOf(moment)) && latestKeyUpTo(byKey, moment) === undefined) {
      const fullest = this.fullest();
      if (fullest !== undefined) {
        const [format, key, group] = fullest;
        this.remove(format, key);
        ready.push({ format, validUntil: key, values: group.values, moments: group.moments });
      }
    }
    return ready;
  }

  /**
   * The key of a moment on the current grid (of a key too, when regrouping: each band's rule gives
   * the same key either way): its floor, raised to the band's lower bound (see the module's comment).
   */
  private keyOf(moment: number): number {
    if (moment > this.dueUntil) return Math.max(floorTo(moment, this.grid), this.dueUntil + 1);
    if (moment >= this.nextAt) return Math.max(floorTo(moment, this.grid), this.nextAt);
    return floorTo(moment, Math.min(this.grid, LAST_GRID));
  }

  /** Merges the open groups onto the current grid; sends what reaches a full batch. */
  private regroup(): ValidUntilBatch[] {
    const ready: ValidUntilBatch[] = [];
    let open = 0;
    for (const [format, byKey] of this.groups) {
      const merged = new Map<number, Group>();
      for (const [key, group] of byKey) {
        const coarse = this.keyOf(key);
        const into = merged.get(coarse);
        if (into === undefined) {
          merged.set(coarse, group);
        } else {
          for (let index = 0; index < group.values.length; index++) {
            into.values.push(group.values[index] as string);
            into.moments.push(group.moments[index] as number);
          }
        }
      }
      for (const [key, group] of merged) {
        if (group.values.length >= this.batchSize) {
          for (const batch of this.split(format, key, group)) ready.push(batch);
        }
        if (group.values.length === 0) merged.delete(key);
      }
      open += merged.size;
      this.groups.set(format, merged);
    }
    this.open = open;
    return ready;
  }

  /** Sends the full batches of a group, keeping the rest open (or closing it when nothing is left). */
  private takeFull(format: string, key: number, group: Group): ValidUntilBatch[] {
    const batches = this.split(format, key, group);
    if (group.values.length === 0) this.remove(format, key);
    return batches;
  }

  /** Cuts full batches off the front of a group, in place. */
  private split(format: string, key: number, group: Group): ValidUntilBatch[] {
    const batches: ValidUntilBatch[] = [];
    while (group.values.length >= this.batchSize) {
      batches.push({ format, validUntil: key, values: group.values.splice(0, this.batchSize), moments: group.moments.splice(0, this.batchSize) });
    }
    return batches;
  }

  private fullest(): [string, number, Group] | undefined {
    let best: [string, number, Group] | undefined;
    for (const [format, byKey] of this.groups) {
      for (const [key, group] of byKey) {
        if (best === undefined || group.values.length > best[2].values.length) best = [format, key, group];
      }
    }
    return best;
  }

  private remove(format: string, key: number): void {
    if (this.groups.get(format)?.delete(key) === true) this.open -= 1;
  }
}

/** The latest key of these groups that is no later than `moment`. */
function latestKeyUpTo(byKey: ReadonlyMap<number, Group>, moment: number): number | undefined {
  let latest: number | undefined;
  for (const key of byKey.keys()) if (key <= moment && (latest === undefined || key > latest)) latest = key;
  return latest;
}

function floorTo(moment: number, grid: number): number {
  return Math.floor(moment / grid) * grid;
}

/**
 * For a value pushed with `pushed` whose own moment is `target` (epoch seconds), what to push it
 * with now (`now`, epoch seconds), or undefined when nothing is due: it was pushed exact, or its
 * `valid_until` is still more than `horizonSeconds` away. Once the target is within the horizon,
 * the answer is the target itself; before, the floor of the target on the coarsest grid no wider
 * than the horizon (later than `pushed`, never later than the target), which groups well and
 * leaves the exact push for a later refresh.
 */
export function refreshValidUntil(pushed: number, target: number, now: number, horizonSeconds: number): number | undefined {
  if (pushed >= target) return undefined;
  if (pushed - now > horizonSeconds) return undefined;
  if (target - now <= horizonSeconds) return target;
  let grid: number | undefined;
  for (const step of VALID_UNTIL_GRIDS) if (step <= horizonSeconds) grid = step;
  if (grid === undefined) return target;
  const next = floorTo(target, grid);
  return next > pushed ? next : target;
}
