import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { argumentDefault, moduleRoot, TRIGGER_DEFINITION_FILE } from '../../misp_modules/configuration/module-root.js';
import { sourceKindNames } from '../../misp_modules/sources/source-kinds.js';

const TRIGGER_FILE = path.join(moduleRoot(), 'misp_modules/trigger/misp-ids-attributes-to-ioc-collection.ts');
/** Past this, the trigger is again doing more than conducting its cycle. */
const MAX_TRIGGER_LINES = 250;

describe('the table of source kinds', () => {
  it('answers to exactly the names the trigger JSON offers for source, the default among them', () => {
    const definition = JSON.parse(readFileSync(path.join(moduleRoot(), TRIGGER_DEFINITION_FILE), 'utf8')) as {
      arguments: { properties: { source: { enum: string[] } } };
    };
    expect(sourceKindNames().sort()).toEqual([...definition.arguments.properties.source.enum].sort());
    expect(sourceKindNames()).toContain(argumentDefault('source'));
  });
});

describe('the IDS trigger', () => {
  const text = readFileSync(TRIGGER_FILE, 'utf8');
  // \x27 is the quote: written plainly, the pattern would read as an import to the dependency check.
  const imports = [...text.matchAll(/^import .* from \x27([^\x27]+)\x27;$/gm)].map((match) => match[1]);

  it(`stays at most ${MAX_TRIGGER_LINES} lines`, () => {
    expect(text.split('\n').filter((line, index, lines) => index < lines.length - 1 || line !== '').length).toBeLessThanOrEqual(MAX_TRIGGER_LINES);
  });

  it('imports no client of MISP or of feeds and no kind of source, only the table', () => {
    expect(imports.length).toBeGreaterThan(5);
    expect(imports.filter((from) => /^\.\.\/(misp|feed)\//.test(from ?? ''))).toEqual([]);
    expect(imports.filter((from) => /^\.\.\/sources\//.test(from ?? ''))).toEqual(['../sources/attribute-source.js', '../sources/source-kinds.js']);
  });

  it('names no kind of source: it has no branch on one', () => {
    for (const source of sourceKindNames()) expect(text).not.toContain(`'${source}'`);
  });
});
