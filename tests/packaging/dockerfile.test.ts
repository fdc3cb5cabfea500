/**
 * The image cannot be built here (no Docker engine): these checks keep the Dockerfile coherent with
 * the repository and with the README's "Deployment" section (entrypoint `node <main>`, non-root
 * user, production dependencies and the product's JavaScript only).
 */
import { execFileSync } from 'node:child_process';
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
/** The TypeScript compiler as the build stage calls it: the one `npm ci` installed. */
const TSC = 'node_modules/.bin/tsc';

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

  it('calls the compiler npm ci installed, so that a failed install stops the build at once', () => {
    // Plain `npx tsc` without a local TypeScript fetches the registry's unrelated `tsc` package.
    const compilerCalls = instructions.filter((line) => line.startsWith('RUN ') && /\btsc\b/.test(line));
    expect(compilerCalls.length).toBeGreaterThan(0);
    for (const line of compilerCalls) expect(line, line).toMatch(/^RUN node_modules\/\.bin\/tsc /);
    expect(instructions.filter((line) => /\bnpx\b/.test(line))).toEqual([]);
  });

  it('compiles, by the commands of its build stage, the entrypoint and its imports outside dev/, and the runtime without its test helpers, with no map or declaration', () => {
    const compiles = (stages[0] ?? '')
      .split('\n')
      .filter((line) => line.startsWith(`RUN ${TSC} -p `))
      .map((line) => line.slice(`RUN ${TSC} `.length).split(/\s+/));
    expect(compiles).toHaveLength(2);
    // What each command would compile (imports followed) and with which options, without emitting.
    const tsc = (args: string[]): string => execFileSync(path.join(root, TSC), args, { cwd: root, encoding: 'utf8' });
    const programs = compiles.map((args) => ({
      files: tsc([...args, '--listFilesOnly'])
        .split('\n')
        .filter((file) => file.startsWith(root) && !file.includes('node_modules') && !file.endsWith('.d.ts'))
        .map((file) => path.relative(root, file)),
      options: (JSON.parse(tsc([...args, '--showConfig'])) as { compilerOptions: Record<string, unknown> }).compilerOptions,
    }));
    const [product, runtime] = programs as [(typeof programs)[0], (typeof programs)[0]];
    expect(product.files).toContain(path.join('misp_modules', 'main.ts'));
    expect(product.files.filter((file) => !file.startsWith(`misp_modules${path.sep}`) || file.startsWith(path.join('misp_modules', 'dev')))).toEqual([]);
    expect(runtime.files).toContain(path.join('packages', 'automation-sdk-shim', 'src', 'index.ts'));
    expect(runtime.files.filter((file) => !file.startsWith(path.join('packages', 'automation-sdk-shim', 'src')))).toEqual([]);
    expect(runtime.files.filter((file) => file.startsWith(path.join('packages', 'automation-sdk-shim', 'src', 'testing')))).toEqual([]);
    for (const { options } of programs) {
      expect(options).toMatchObject({ declaration: false, sourceMap: false });
      expect(options.declarationMap ?? false).toBe(false);
      expect(options.composite ?? false).toBe(false);
    }
    expect(product.options.outDir).toBe('./image/dist');
    expect(runtime.options.outDir).toBe('../../image/shim');
  }, 120_000);
});
