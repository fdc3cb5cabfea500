/**
 * The expiry schedule's file (`misp-ids-schedule.bin`) read and written from its documented layout
 * (see misp_modules/state/live-indicators-codec.ts), without the trigger's code: tests look at
 * what a restarted process would read, and write older states to start from.
 */
import path from 'node:path';
import { StateFile } from '@sekoia/automation-sdk-shim';

export const SCHEDULE_FILE = 'misp-ids-schedule.bin';

/**
 * The schedule's content: [format, value, expires at (epoch s), carriers], and [attribute, event];
 * `targets`, by value (`format value`), the moments kept beside expiries that differ from them.
 */
export interface ScheduleContent {
  values: Array<[format: string, value: string, expiresAt: number, carriers: string[]]>;
  events: Array<[attribute: string, event: string]>;
  targets?: Record<string, number>;
}

const quiet = { log: () => undefined };
/** The layout with a target moment per value; `MISPSCH2`, the earlier one, has none. */
const MAGIC = 'MISPSCH3';
const MAGIC_WITHOUT_TARGETS = 'MISPSCH2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Decodes a payload; throws when it does not follow the layout. */
export function decodeSchedule(bytes: Buffer): ScheduleContent {
  const magic = bytes.toString('latin1', 0, 8);
  if (magic !== MAGIC && magic !== MAGIC_WITHOUT_TARGETS) throw new Error('bad magic');
  const withTargets = magic === MAGIC;
  let at = 8;
  const u32 = (): number => {
    const value = bytes.readUInt32BE(at);
    at += 4;
    return value;
  };
  const i32 = (): number => {
    const value = bytes.readInt32BE(at);
    at += 4;
    return value;
  };
  const text = (): string => {
    const length = u32();
    at += length;
    return bytes.toString('utf8', at - length, at);
  };
  const counts = [u32(), u32(), u32(), u32(), u32()];
  const [formatCount, eventCount, valueCount, uuidCount, otherCount] = counts as [number, number, number, number, number];
  const formats = Array.from({ length: formatCount }, text);
  const eventNames = Array.from({ length: eventCount }, text);
  const values: ScheduleContent['values'] = [];
  const targets: Record<string, number> = {};
  for (let n = 0; n < valueCount; n++) {
    const format = formats[bytes.readUInt16BE(at)] as string;
    const expiresAt = bytes.readDoubleBE(at + 2);
    const target = withTargets ? bytes.readDoubleBE(at + 10) : expiresAt;
    at += withTargets ? 18 : 10;
    const value = text();
    values.push([format, value, expiresAt, []]);
    if (target !== expiresAt) targets[`${format} ${value}`] = target;
  }
  const events: ScheduleContent['events'] = [];
  const carrier = (key: string): void => {
    const value = values[u32()];
    const event = i32();
    if (value === undefined) throw new Error(`carrier ${key} of no value`);
    value[3].push(key);
    if (event >= 0) events.push([key, eventNames[event] as string]);
  };
  for (let n = 0; n < uuidCount; n++) {
    const key = uuidText(bytes.subarray(at, at + 16));
    at += 16;
    carrier(key);
  }
  for (let n = 0; n < otherCount; n++) carrier(text());
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes past the end`);
  return Object.keys(targets).length === 0 ? { values, events } : { values, events, targets };
}

/** Encodes the content in the layout; `withoutTargets`: in the earlier layout, which keeps no target moment. */
export function encodeSchedule(content: ScheduleContent, withoutTargets = false): Buffer {
  const formats = [...new Set(content.values.map(([format]) => format))];
  const eventNames = [...new Set(content.events.map(([, event]) => event))];
  const eventOf = new Map(content.events);
  const parts: Buffer[] = [];
  const u32 = (value: number): void => {
    const part = Buffer.alloc(4);
    part.writeUInt32BE(value);
    parts.push(part);
  };
  const i32 = (value: number): void => {
    const part = Buffer.alloc(4);
    part.writeInt32BE(value);
    parts.push(part);
  };
  const text = (value: string): void => {
    u32(Buffer.byteLength(value));
    parts.push(Buffer.from(value, 'utf8'));
  };
  const carriers = content.values.flatMap(([, , , keys], index) => keys.map((key) => [key, index] as const));
  const uuids = carriers.filter(([key]) => UUID.test(key));
  const others = carriers.filter(([key]) => !UUID.test(key));
  parts.push(Buffer.from(withoutTargets ? MAGIC_WITHOUT_TARGETS : MAGIC, 'latin1'));
  for (const count of [formats.length, eventNames.length, content.values.length, uuids.length, others.length]) u32(count);
  for (const name of [...formats, ...eventNames]) text(name);
  for (const [format, value, expiresAt] of content.values) {
    const head = Buffer.alloc(withoutTargets ? 10 : 18);
    head.writeUInt16BE(formats.indexOf(format));
    head.writeDoubleBE(expiresAt, 2);
    if (!withoutTargets) head.writeDoubleBE(content.targets?.[`${format} ${value}`] ?? expiresAt, 10);
    parts.push(head);
    text(value);
  }
  const event = (key: string): number => {
    const name = eventOf.get(key);
    return name === undefined ? -1 : eventNames.indexOf(name);
  };
  for (const [key, index] of uuids) {
    parts.push(Buffer.from(key.replaceAll('-', ''), 'hex'));
    u32(index);
    i32(event(key));
  }
  for (const [key, index] of others) {
    text(key);
    u32(index);
    i32(event(key));
  }
  return Buffer.concat(parts);
}

/** The schedule a restarted process would read from the data path, empty when there is none. */
export async function readSchedule(dataPath: string): Promise<ScheduleContent> {
  const bytes = await new StateFile(path.join(dataPath, SCHEDULE_FILE), quiet).readBytes();
  return bytes === undefined ? { values: [], events: [] } : decodeSchedule(bytes);
}

export async function writeSchedule(dataPath: string, content: ScheduleContent): Promise<void> {
  await new StateFile(path.join(dataPath, SCHEDULE_FILE), quiet).writeBytes(encodeSchedule(content));
}
