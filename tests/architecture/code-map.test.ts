/**
 * ARCHITECTURE.md's code map against the rooms the boundary checker enforces (`ROOMS` of
 * `.dependency-cruiser.cjs`) and against the folders of misp_modules/, so that the document and
 * the checker say the same thing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const architecture = readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8');
const { ROOMS } = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as { ROOMS: Record<string, number> };

/** The code map's rows of misp_modules/ rooms, as room (`misp`, `main.ts`) → layer. */
function codeMap(): Record<string, number> {
  const rows = [...architecture.matchAll(/^\| (\d+) \| `([^`]+)` \|/gm)].map(([, layer, room]) => [(room as string).replace(/\/$/, ''), Number(layer)] as const);
  return Object.fromEntries(rows.filter(([room]) => !room.startsWith('packages/')));
}

describe('the code map of ARCHITECTURE.md', () => {
  it('lists the rooms of the boundary checker, each at its layer', () => {
    expect(codeMap()).toEqual(ROOMS);
  });

  it('places the runtime package at layer 0, below every room', () => {
    expect(architecture).toMatch(/^\| 0 \| `packages\/automation-sdk-shim` \|/m);
    expect(Math.min(...Object.values(ROOMS))).toBeGreaterThan(0);
  });

  it('names every folder of misp_modules/: a room, or dev/', () => {
    const folders = readdirSync(path.join(root, 'misp_modules'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !(folder in ROOMS) && folder !== 'dev')).toEqual([]);
    expect(architecture).toContain('`misp_modules/dev/`');
  });

  it('is what the README points developers to', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const development = readme.slice(readme.indexOf('\n## Development'), readme.indexOf('\n## Performance'));
    expect(development).toContain('[ARCHITECTURE.md](ARCHITECTURE.md)');
  });
});
