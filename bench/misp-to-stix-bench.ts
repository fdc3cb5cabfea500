/**
 * `npx vite-node bench/misp-to-stix-bench.ts [N ...]`: converts a generated MISP event of N
 * attributes (default 1,000, 10,000 and 100,000; a tenth of them in file objects, 70% flagged for
 * detection, mixed types) to STIX, and prints the time, the throughput, the heap the bundle takes
 * and its JSON size. Every STIX pattern is checked on the way, as in production.
 */
import { convertMispEvent } from '../misp_modules/stix/index.js';

const DEFAULT_SIZES = [1_000, 10_000, 100_000];

function uuidOf(kind: number, index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

function hexOf(index: number, length: number): string {
  return (index.toString(16).padStart(8, '0').repeat(Math.ceil(length / 8))).slice(0, length);
}

/** The value of the i-th generated attribute, by a rotation over common IDS types. */
function attribute(index: number): Record<string, unknown> {
  const kinds: Array<[string, string]> = [
    ['ip-dst', `198.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`],
    ['domain', `host-${index}.example.com`],
    ['url', `http://host-${index}.example.net/path/it's-${index}`],
    ['sha256', hexOf(index, 64)],
    ['filename|sha256', `file-${index}.exe|${hexOf(index, 64)}`],
    ['ip-dst|port', `203.0.${(index >> 8) & 255}.${index & 255}|${1024 + (index % 60000)}`],
    ['email-src', `sender-${index}@example.org`],
  ];
  const [type, value] = kinds[index % kinds.length]!;
  return { uuid: uuidOf(1, index), type, category: 'Network activity', value, to_ids: index % 10 < 7, timestamp: String(1_700_000_000 + index) };
}

function generatedEvent(size: number): unknown {
  const inObjects = Math.floor(size / 10);
  const objects = Array.from({ length: Math.floor(inObjects / 3) }, (_, index) => ({
    uuid: uuidOf(2, index),
    name: 'file',
    timestamp: '1700000000',
    Attribute: [
      { uuid: uuidOf(3, index * 3), type: 'filename', value: `dropped-${index}.dll`, to_ids: false },
      { uuid: uuidOf(3, index * 3 + 1), type: 'md5', value: hexOf(index, 32), to_ids: index % 2 === 0 },
      { uuid: uuidOf(3, index * 3 + 2), type: 'sha1', value: hexOf(index + 1, 40), to_ids: false },
    ],
  }));
  return {
    Event: {
      uuid: '0b000000-0000-4000-8000-000000000000',
      info: `Generated event of ${size} attributes`,
      date: '2023-11-14',
      timestamp: '1700000000',
      Orgc: { uuid: '0c000000-0000-4000-8000-000000000000', name: 'Bench' },
      Tag: [{ name: 'tlp:green' }],
      Attribute: Array.from({ length: size - objects.length * 3 }, (_, index) => attribute(index)),
      Object: objects,
    },
  };
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

const sizes = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg)).map(Number);
console.log('attributes | indicators | objects in bundle | time (ms) | attributes/s | heap of result (MB) | JSON (MB)');
for (const size of sizes.length > 0 ? sizes : DEFAULT_SIZES) {
  const event = generatedEvent(size);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const { bundle } = convertMispEvent(event);
  const elapsed = performance.now() - started;
  globalThis.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const indicators = bundle.objects.filter((object) => object.type === 'indicator').length;
  const json = JSON.stringify(bundle).length;
  console.log(
    [size, indicators, bundle.objects.length, elapsed.toFixed(0), Math.round(size / (elapsed / 1000)), megabytes(heapAfter - heapBefore), megabytes(json)].join(' | '),
  );
}
