/**
 * package.json declares what the root uses, and uses what it declares: every package imported by
 * the module, its tests, benchmark and scripts, or run by an npm script, and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
/** Commands of the npm scripts, by the package that provides them. */
const COMMANDS: Record<string, string> = { tsc: 'typescript', vitest: 'vitest', 'vite-node': 'vite-node', depcruise: 'dependency-cruiser' };
const SOURCES = ['misp_modules', 'tests', 'bench', 'scripts', 'vitest.config.ts'];

function sourceFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (/\.(?:ts|mts|mjs|js)$/.test(entry)) return [full];
  return readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((file) => file.isFile() && /\.(?:ts|mts|mjs|js)$/.test(file.name))
    .map((file) => path.join(file.parentPath, file.name));
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

function importedPackages(): Map<string, string> {
  const used = new Map<string, string>();
  const specifiers = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|createRequire\([^)]*\)\(\s*)'([^']+)'/g;
  for (const file of SOURCES.flatMap(sourceFiles)) {
    for (const match of readFileSync(file, 'utf8').matchAll(specifiers)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      used.set(packageOf(specifier), path.relative(root, file));
    }
  }
  return used;
}

describe('the root package.json', () => {
  const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]);

  it('declares every package the root imports', () => {
    const undeclared = [...importedPackages()].filter(([name]) => !declared.has(name)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(undeclared).toEqual([]);
  });

  it('uses every package it declares: imported, run by a script, or the types of one of those', () => {
    const used = new Set(importedPackages().keys());
    for (const script of Object.values(manifest.scripts)) {
      for (const [command, provider] of Object.entries(COMMANDS)) if (new RegExp(`(^|&& |; )${command}\\b`).test(script)) used.add(provider);
    }
    const isUsed = (name: string): boolean => used.has(name) || (name.startsWith('@types/') && (name === '@types/node' || used.has(name.slice('@types/'.length))));
    expect([...declared].filter((name) => !isUsed(name))).toEqual([]);
  });

  it('takes the runtime from the workspace, as a dependency of the product', () => {
    expect(manifest.dependencies['@sekoia/automation-sdk-shim']).toBe(
      `^${(JSON.parse(readFileSync(path.join(root, 'packages/automation-sdk-shim/package.json'), 'utf8')) as { version: string }).version}`,
    );
  });
});
