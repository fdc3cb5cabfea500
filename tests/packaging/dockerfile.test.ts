/**
 * The image cannot be built here (no Docker engine): these checks keep the Dockerfile coherent with
 * the repository and with CONTRACT §1 (entrypoint `node <main>`, non-root user, production
 * dependencies only).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const stages = dockerfile.split(/^FROM /m).slice(1);

describe('the Dockerfile', () => {
  it('starts the process as `node <main>`, the main of package.json', () => {
    const main = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string }).main;
    const entrypoint = instructions.filter((line) => line.startsWith('ENTRYPOINT '));
    expect(entrypoint).toHaveLength(1);
    expect(JSON.parse((entrypoint[0] ?? '').slice('ENTRYPOINT '.length))).toEqual(['node', main]);
  });

  it('copies from the build context only files that exist', () => {
    const sources = instructions
      .filter((line) => line.startsWith('COPY ') && !line.startsWith('COPY --from'))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      if (source.includes('*')) {
        const [directory, pattern] = [path.dirname(source), path.basename(source)];
        const expression = new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
        expect(readdirSync(path.join(root, directory)).some((name) => expression.test(name)), source).toBe(true);
      } else {
        expect(existsSync(path.join(root, source)), source).toBe(true);
      }
    }
  });

  it('runs as an unprivileged user, on a slim Node 20 base, with production dependencies only', () => {
    expect(stages).toHaveLength(2);
    const runtime = stages[1] ?? '';
    expect(runtime).toMatch(/^node:20[\w.-]*-slim/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).not.toMatch(/COPY (?!--from)[^\n]*misp_modules/);
  });

  it('keeps the dependencies out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist']));
  });
});
