import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateFile } from '@sekoia/automation-sdk-shim';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../misp_modules/dev/synthetic-attributes.js';
import { decodeLiveIndicators, encodeLiveIndicators } from '../../misp_modules/state/live-indicators-codec.js';
import { LiveIndicators } from '../../misp_modules/state/live-indicators.js';
import { decodeSchedule, encodeSchedule, type ScheduleContent } from '../support/schedule-file.js';

const NOW = 1_795_435_200;
const uuid = (n: number): string => {
  const head = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  return `${head}-${(n & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${n.toString(16).padStart(12, '0')}`;
};

/** The schedule as plain maps, written from its documented rules: the reference the compact one must match. */
class MapModel {
  readonly values = new Map<string, { format: string; value: string; expiresAt: number; carriers: Set<string> }>();
  readonly byAttribute = new Map<string, string>();
  readonly events = new Map<string, string>();

  accepted(format: string, value: string, uuids: string[], expiresAt: number, event?: string): void {
    const key = `${format} ${value}`;
    const live = this.values.get(key) ?? { format, value, expiresAt, carriers: new Set<string>() };
    this.values.set(key, live);
    live.expiresAt = Math.max(live.expiresAt, expiresAt);
    for (const id of uuids) {
      const previous = this.byAttribute.get(id);
      if (previous !== undefined && previous !== key) this.values.get(previous)?.carriers.delete(id);
      this.byAttribute.set(id, key);
      live.carriers.add(id);
      if (event !== undefined) this.events.set(id, event);
    }
  }

  withdraw(id: string): { format: string; value: string } | undefined {
    const key = this.byAttribute.get(id);
    if (key === undefined) return undefined;
    this.byAttribute.delete(id);
    this.events.delete(id);
    const live = this.values.get(key);
    live?.carriers.delete(id);
    return live !== undefined && live.carriers.size === 0 ? { format: live.format, value: live.value } : undefined;
  }

  forget(format: string, value: string): void {
    const key = `${format} ${value}`;
    for (const id of this.values.get(key)?.carriers ?? []) {
      this.byAttribute.delete(id);
      this.events.delete(id);
    }
    this.values.delete(key);
  }

  prune(now: number): number {
    let dropped = 0;
    for (const [key, live] of this.values) if (live.carriers.size === 0 && live.expiresAt <= now && this.values.delete(key)) dropped++;
    return dropped;
  }
}

/** Everything observable of a schedule, in an order that does not depend on how it is stored. */
function observe(live: LiveIndicators, attributes: string[], events: string[]) {
  const due = live.due(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).map(({ format, value, expiresAt, carriers }) => `${format} ${value} ${expiresAt} ${[...carriers].sort().join(',')}`);
  return {
    size: live.size,
    attributeCount: live.attributeCount,
    due: due.sort(),
    carried: attributes.map((id) => `${id}:${live.carriedBy(id)?.value ?? '-'}:${live.eventOf(id) ?? '-'}`),
    of: live.attributesOf(new Set(events.slice(0, 2))).sort(),
    outside: live.attributesOutside(new Set(events.slice(0, 2))).sort(),
  };
}

function observeModel(model: MapModel, attributes: string[], events: string[]) {
  const carried = [...model.values.values()].filter((live) => live.carriers.size > 0);
  const listed = [...model.events].filter(([id]) => model.byAttribute.has(id));
  return {
    size: model.values.size,
    attributeCount: model.byAttribute.size,
    due: carried.map(({ format, value, expiresAt, carriers }) => `${format} ${value} ${expiresAt} ${[...carriers].sort().join(',')}`).sort(),
    carried: attributes.map((id) => {
      const key = model.byAttribute.get(id);
      return `${id}:${key === undefined ? '-' : model.values.get(key)?.value}:${model.events.get(id) ?? '-'}`;
    }),
    of: listed.filter(([, event]) => events.slice(0, 2).includes(event)).map(([id]) => id).sort(),
    outside: listed.filter(([, event]) => !events.slice(0, 2).includes(event)).map(([id]) => id).sort(),
  };
}

/** The whole payload: each slice copied before the next is asked for, since the encoder reuses its buffer. */
function payloadOf(live: LiveIndicators): Buffer {
  const parts: Buffer[] = [];
  for (const slice of encodeLiveIndicators(live.snapshot())) parts.push(Buffer.from(slice));
  return Buffer.concat(parts);
}

describe('LiveIndicators, held compact', () => {
  it('matches the plain-map schedule through thousands of acceptances, edits, withdrawals, forgets and prunes, and its saved form too', () => {
    // Seeded, so that a failure replays.
    const next = mulberry32(7);
    const pick = (count: number): number => Math.floor(next() * count);
    const live = new LiveIndicators();
    const model = new MapModel();
    // Uuids, upper-case uuids and other keys: the last two are kept apart from the uuid table.
    const attributes = Array.from({ length: 600 }, (_, n) => (n % 10 === 9 ? `key-${n}` : n % 10 === 8 ? uuid(n).toUpperCase() : uuid(n)));
    const events = ['e-1', 'e-2', 'e-3', 'e-4'];
    const formats = ['ipv4-addr.value', 'domain-name.value', 'url.value'];
    for (let step = 0; step < 6_000; step++) {
      const roll = next();
      const format = formats[pick(3)] as string;
      // The same text under two formats is two values.
      const value = `v${pick(400)}.example`;
      if (roll < 0.55) {
        const uuids = Array.from({ length: pick(3) }, () => attributes[pick(attributes.length)] as string);
        const event = next() < 0.5 ? events[pick(events.length)] : undefined;
        const expiresAt = NOW + pick(1_000);
        live.accepted(format, value, uuids, expiresAt, () => event);
        model.accepted(format, value, uuids, expiresAt, event);
      } else if (roll < 0.85) {
        const id = attributes[pick(attributes.length)] as string;
        expect(live.withdraw(id)).toEqual(model.withdraw(id));
      } else if (roll < 0.95) {
        live.forget(format, value);
        model.forget(format, value);
      } else {
        const now = NOW + pick(1_000);
        expect(live.prune(now)).toBe(model.prune(now));
      }
      if (step % 500 === 499) {
        expect(observe(live, attributes, events)).toEqual(observeModel(model, attributes, events));
        const restored = decodeLiveIndicators(payloadOf(live));
        expect(observe(restored, attributes, events)).toEqual(observeModel(model, attributes, events));
      }
    }
    expect(live.attributeCount).toBeGreaterThan(50);
  });

  it('lists what is due soonest first, at most `limit`, and only values still carried', () => {
    const live = new LiveIndicators();
    live.accepted('domain-name.value', 'late.example', [uuid(1)], NOW + 300);
    live.accepted('domain-name.value', 'soon.example', [uuid(2)], NOW + 100);
    live.accepted('domain-name.value', 'middle.example', [uuid(3)], NOW + 200);
    live.accepted('domain-name.value', 'orphan.example', [uuid(4)], NOW + 50);
    live.withdraw(uuid(4));
    expect(live.due(NOW + 250, 10).map(({ value, carriers }) => [value, [...carriers]])).toEqual([
      ['soon.example', [uuid(2)]],
      ['middle.example', [uuid(3)]],
    ]);
    expect(live.due(NOW + 1_000, 1).map(({ value }) => value)).toEqual(['soon.example']);
  });

  it('leaves out of what is due the values whose target this cycle computed, when asked to', () => {
    const live = new LiveIndicators();
    live.accepted('domain-name.value', 'earlier.example', [uuid(1)], NOW + 100, undefined, NOW + 100);
    live.beginCycle();
    live.accepted('domain-name.value', 'scored-now.example', [uuid(2)], NOW + 60, undefined, NOW + 90);
    live.accepted('domain-name.value', 'fixed.example', [uuid(3)], NOW + 80);
    const values = (due: readonly { value: string }[]): string[] => due.map(({ value }) => value);
    expect(values(live.due(NOW + 200, 10, true))).toEqual(['fixed.example', 'earlier.example']);
    expect(values(live.due(NOW + 200, 10))).toEqual(['scored-now.example', 'fixed.example', 'earlier.example']);
    live.beginCycle();
    expect(values(live.due(NOW + 200, 10, true))).toEqual(['scored-now.example', 'fixed.example', 'earlier.example']);
  });

  it('raises a target for a further carrier without touching the pushed expiry, and never lowers it', () => {
    const live = new LiveIndicators();
    live.accepted('domain-name.value', 'a.example', [uuid(1)], NOW + 60, undefined, NOW + 90);
    live.raiseTarget('domain-name.value', 'a.example', NOW + 500);
    live.raiseTarget('domain-name.value', 'a.example', NOW + 200);
    live.raiseTarget('domain-name.value', 'absent.example', NOW + 200);
    expect(live.due(NOW + 1_000, 10).map(({ value, expiresAt, target }) => [value, expiresAt, target])).toEqual([['a.example', NOW + 60, NOW + 500]]);
  });
});

describe('the expiry schedule file', () => {
  const content: ScheduleContent = {
    values: [
      ['domain-name.value', 'bücher.example', NOW + 10, [uuid(1), 'key-2']],
      ['ipv4-addr.value', '198.51.100.7', NOW + 20.5, [uuid(3)]],
      ['url.value', 'https://example.org/a', NOW + 30, []],
    ],
    events: [
      [uuid(1), 'event-a'],
      ['key-2', 'event-b'],
    ],
  };

  it('is written as documented, and reads back a file written from the documentation', () => {
    const live = decodeLiveIndicators(encodeSchedule(content));
    expect(live.size).toBe(3);
    expect(live.eventOf(uuid(1))).toBe('event-a');
    expect(live.eventOf('key-2')).toBe('event-b');
    expect(live.carriedBy(uuid(3))?.expiresAt).toBe(NOW + 20.5);
    const written = decodeSchedule(payloadOf(live));
    const sorted = (file: ScheduleContent) => ({
      values: file.values.map(([format, value, expiresAt, carriers]) => [format, value, expiresAt, [...carriers].sort()]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      events: [...file.events].sort(),
    });
    expect(sorted(written)).toEqual(sorted(content));
  });

  it('keeps the moment each value should lapse beside its expiry, and reads the earlier layout with the expiry as that moment', () => {
    const live = new LiveIndicators();
    // Pushed early (a grouped valid_until), with its own moment later.
    live.accepted('ipv4-addr.value', '198.51.100.9', [uuid(7)], NOW + 3_600, undefined, NOW + 4_000);
    live.accepted('ipv4-addr.value', '198.51.100.10', [uuid(8)], NOW + 50);
    const written = decodeSchedule(payloadOf(live));
    expect(written.targets).toEqual({ 'ipv4-addr.value 198.51.100.9': NOW + 4_000 });
    const reread = decodeLiveIndicators(payloadOf(live));
    expect(reread.carriedBy(uuid(7))).toMatchObject({ expiresAt: NOW + 3_600, target: NOW + 4_000 });
    expect(reread.carriedBy(uuid(8))).toMatchObject({ expiresAt: NOW + 50, target: NOW + 50 });
    const earlier = decodeLiveIndicators(encodeSchedule(content, true));
    expect(earlier.carriedBy(uuid(3))).toMatchObject({ expiresAt: NOW + 20.5, target: NOW + 20.5 });
    expect(earlier.targetOf('domain-name.value', 'bücher.example')).toBe(NOW + 10);
  });

  it('refuses a payload cut short, padded, or pointing outside its tables, naming the problem', () => {
    const bytes = encodeSchedule(content);
    expect(() => decodeLiveIndicators(Buffer.from('not a schedule file at all.....'))).toThrow(/not an expiry schedule file/);
    expect(() => decodeLiveIndicators(bytes.subarray(0, bytes.length - 3))).toThrow(/ends at byte/);
    expect(() => decodeLiveIndicators(Buffer.concat([bytes, Buffer.alloc(2)]))).toThrow(/past its last record/);
    const wrongValue = Buffer.from(bytes);
    // The last record is the other carrier's: key, value index, event index.
    wrongValue.writeUInt32BE(9, wrongValue.length - 8);
    expect(() => decodeLiveIndicators(wrongValue)).toThrow(/refers to value 9, of 3/);
  });

  it('is saved in slices as a state file the runtime reads back', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'schedule-file-'));
    try {
      const live = new LiveIndicators();
      // Some 3 MB: several slices.
      for (let n = 0; n < 40_000; n++) live.accepted('url.value', `https://example.org/${'p'.repeat(30)}/${n}`, [uuid(n)], NOW + n);
      const file = path.join(directory, 'schedule.bin');
      expect(await new StateFile(file, { log: () => undefined }).writeSlices(encodeLiveIndicators(live.snapshot()))).toBe(true);
      // Changed after the snapshot: not in the file.
      live.accepted('url.value', 'https://late.example/', [uuid(99_999)], NOW);
      const bytes = await new StateFile(file, { log: () => undefined }).readBytes();
      if (bytes === undefined) throw new Error('the file was not read back');
      const saved = decodeSchedule(bytes);
      expect(saved.values.length).toBe(40_000);
      expect(saved.values[12_345]).toEqual(['url.value', `https://example.org/${'p'.repeat(30)}/12345`, NOW + 12_345, [uuid(12_345)]]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
