/**
 * The image cannot be built here (no Docker engine): these checks keep the Dockerfile coherent with
 * the repository and with the README's "Deployment" section (entrypoint `node <main>`, non-root
 * user, production dependencies and the product's JavaScript only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('builds the runtime stage from the trigger\'s code alone: no dev/, bench/, .map or .d.ts file', () => {
    const runtime = stages[1] ?? '';
    const copied = runtime
      .split('\n')
      .filter((line) => line.startsWith('COPY --from=build '))
      .map((line) => line.split(/\s+/)[2] as string);
    expect(copied.length).toBeGreaterThan(0);
    for (const source of copied) expect(source, source).toMatch(/^\/app\/image\//);
    expect(runtime).not.toMatch(/\bdev\/|\bbench\b|\.map\b|\.d\.ts\b/);
    const config = JSON.parse(readFileSync(path.join(root, 'tsconfig.image.json'), 'utf8')) as { compilerOptions: Record<string, unknown>; include: string[]; exclude: string[] };
    expect(config).toMatchObject({ compilerOptions: { outDir: 'image/dist', declaration: false, sourceMap: false }, include: ['misp_modules'], exclude: ['misp_modules/dev'] });
  });

  it('compiles, with the commands of its build stage, JavaScript alone, with the entrypoint and no demo', () => {
    const compiles = (stages[0] ?? '')
      .split('\n')
      .filter((line) => /^RUN npx tsc -p /.test(line))
      .map((line) => line.slice('RUN npx '.length).split(/\s+/));
    expect(compiles).toHaveLength(2);
    const output = mkdtempSync(path.join(tmpdir(), 'image-build-'));
    try {
      for (const [index, args] of compiles.entries()) {
        // Into a temporary directory: the same compilation, without touching the checkout.
        const at = args.indexOf('--outDir');
        const target = path.join(output, at === -1 ? 'dist' : 'shim');
        const command = at === -1 ? [...args, '--outDir', target] : args.map((arg, i) => (i === at + 1 ? target : arg));
        execFileSync(path.join(root, 'node_modules/.bin/tsc'), command.slice(1), { cwd: root, stdio: 'pipe' });
        expect(index === 0 ? command.includes('tsconfig.image.json') : command.includes('--declaration')).toBe(true);
      }
      const files = readdirSync(output, { recursive: true, encoding: 'utf8' });
      expect(files).toContain(path.join('dist', 'misp_modules', 'main.js'));
      expect(files).toContain(path.join('shim', 'index.js'));
      expect(files.filter((file) => /(^|\/)dev(\/|$)|\.map$|\.d\.ts$|\.tsbuildinfo$/.test(file))).toEqual([]);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  }, 180_000);
});
