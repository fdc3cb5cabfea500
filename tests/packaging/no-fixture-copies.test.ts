/**
 * Third-party data stays out of the repository: the real MISP fixtures are read in place by the
 * tests, never copied. Compared by content, so that a renamed copy is found too.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { describeWithFixtures, fixturesRoot } from '../support/fixtures.js';

/** Built, installed or local: never committed, so never searched. */
const NOT_OURS = new Set(['.git', 'node_modules', 'dist', '.trigger-dev', 'bench-results', 'coverage']);

function filesUnder(directory: string, skip: ReadonlySet<string> = new Set()): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return filesUnder(full, skip);
    return entry.isFile() ? [full] : [];
  });
}

const digest = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describeWithFixtures('the repository', () => {
  it('holds no file of the real MISP fixtures, under any name', () => {
    const fixtures = new Map<string, string>();
    const sizes = new Set<number>();
    for (const file of filesUnder(fixturesRoot)) {
      fixtures.set(digest(file), path.relative(fixturesRoot, file));
      sizes.add(statSync(file).size);
    }
    expect(fixtures.size).toBeGreaterThan(10);
    const copies: string[] = [];
    for (const file of filesUnder(moduleRoot(), NOT_OURS)) {
      if (!sizes.has(statSync(file).size)) continue;
      const original = fixtures.get(digest(file));
      if (original !== undefined) copies.push(`${path.relative(moduleRoot(), file)} is ${original}`);
    }
    expect(copies).toEqual([]);
  });
});
