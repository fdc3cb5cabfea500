import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { BenchUsageError, parseBenchOptions } from '../../bench/bench-options.js';
import { rateLimitedSizing, slowingLatencyMs } from '../../bench/pace-scenarios.js';

describe('the command line of npm run bench', () => {
  it('runs the three sizes at the defaults when given nothing, and only the help with --help', () => {
    expect(parseBenchOptions([])).toMatchObject({ help: false, sizes: undefined, defaultSizes: [10_000, 100_000, 1_000_000], rateLimits: [], slowing: false });
    expect(parseBenchOptions(['--help']).help).toBe(true);
    expect(parseBenchOptions(['-h']).help).toBe(true);
  });

  it('reads sizes, the rate limits of the collection and --slowing', () => {
    expect(parseBenchOptions(['100000', '1,000,000'])).toMatchObject({ sizes: [100_000, 1_000_000] });
    expect(parseBenchOptions(['--rate-limit', '5,50', '--slowing'])).toMatchObject({ sizes: undefined, rateLimits: [5, 50], slowing: true });
    expect(parseBenchOptions(['--rate-limit=20'])).toMatchObject({ rateLimits: [20] });
    expect(parseBenchOptions(['--decay'])).toMatchObject({ sizes: undefined, rateLimits: [], slowing: false, decay: true });
    expect(parseBenchOptions([]).decay).toBe(false);
  });

  it('prints the help at once: npm run bench builds the module only after reading its options', () => {
    const scripts = (JSON.parse(readFileSync(path.join(moduleRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['bench']).toBe('vite-node --config vitest.config.ts bench/run-bench.ts');
    const help = execFileSync('npm', ['run', 'bench', '--silent', '--', '--help'], { cwd: moduleRoot(), encoding: 'utf8' });
    expect(help).toMatch(/^Usage: npm run bench \[-- \[N \.\.\.\]/);
    expect(help).toContain('-h, --help           this text; runs nothing.');
  });

  it('refuses what it cannot run, saying why', () => {
    expect(() => parseBenchOptions(['--fast'])).toThrow(new BenchUsageError('Unknown option "--fast".'));
    expect(() => parseBenchOptions(['--rate-limit'])).toThrow(/needs a number of requests per second/);
    expect(() => parseBenchOptions(['--rate-limit', '0'])).toThrow(/"0" is not one/);
  });
});

describe('the push pace scenarios of the benchmark', () => {
  it('sizes a rate-limited run to last about 75 s, with smaller batches when a million attributes would not', () => {
    // 5 requests/s × 1,000 values × 75 s = 375,000 values, at 0.77 value per attribute.
    expect(rateLimitedSizing(5)).toEqual({ idsAttributes: 490_000, batchSize: 1_000 });
    // 1,000,000 × 0.77 / (50 × 75) = 205.3 → 200 values per request.
    expect(rateLimitedSizing(50)).toEqual({ idsAttributes: 1_000_000, batchSize: 200 });
  });

  it('slows the collection from 10 ms to 2 s over 20 s', () => {
    expect([0, 10_000, 20_000, 60_000].map(slowingLatencyMs)).toEqual([10, 1_005, 2_000, 2_000]);
  });
});
