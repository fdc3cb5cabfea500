/**
 * How fast the warninglists applied here (MISP older than 2.4.196) match: the IPv4 public DNS
 * resolvers list (62,745 entries, from the shared fixtures when present, otherwise as many generated
 * addresses) compiled once, then 500,000 `ip-dst` values matched against it, one in ten on the list.
 * Run: `npx vite-node --config vitest.config.ts bench/warninglist-match.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { combineWarninglists, compileWarninglist, type WarninglistDefinition } from '../misp_modules/warninglists/warninglist-matcher.js';
import { fixturesRoot } from '../tests/support/fixtures-location.js';

const VALUES = 500_000;
const ENTRIES = 62_745;

function resolversList(): { definition: WarninglistDefinition; source: string } {
  const file = path.join(fixturesRoot, 'misp-warninglists/public-dns-v4.json');
  if (existsSync(file)) {
    const read = JSON.parse(readFileSync(file, 'utf8')) as { name: string; type: string; matching_attributes: string[]; list: string[] };
    return { definition: { id: '1', name: read.name, type: read.type, attributeTypes: read.matching_attributes, entries: read.list }, source: 'misp-warninglists public-dns-v4' };
  }
  const entries = Array.from({ length: ENTRIES }, (_, i) => `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return { definition: { id: '1', name: 'generated resolvers', type: 'cidr', attributeTypes: ['ip-dst'], entries }, source: 'generated' };
}

const { definition, source } = resolversList();
const compileStart = performance.now();
const matcher = combineWarninglists([compileWarninglist(definition)]);
const compileMs = performance.now() - compileStart;
const values = Array.from({ length: VALUES }, (_, i) => (i % 10 === 0 ? (definition.entries[i % definition.entries.length] as string).split('/')[0] as string : `203.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
const heapBefore = process.memoryUsage().heapUsed;
const matchStart = performance.now();
let listed = 0;
for (const value of values) if (matcher.listOf('ip-dst', value) !== undefined) listed++;
const matchMs = performance.now() - matchStart;
console.log(
  JSON.stringify(
    {
      list: source,
      entries: definition.entries.length,
      compileMs: Math.round(compileMs),
      values: VALUES,
      listed,
      matchMs: Math.round(matchMs),
      valuesPerSecond: Math.round(VALUES / (matchMs / 1000)),
      heapDeltaMB: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e5) / 10,
    },
    null,
    2,
  ),
);
