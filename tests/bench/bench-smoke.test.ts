import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBenchCase, type BenchCaseResult } from '../../bench/bench-case.js';
import { checkTargets, formatTable, renderChart } from '../../bench/report.js';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

// The benchmark's 10,000 case, end to end: the built trigger in a child process, through the real
// runtime, against the loopback servers. Correctness only; the time figures belong to `npm run bench`.
describe('npm run bench, the 10,000 case', () => {
  let result: BenchCaseResult;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: moduleRoot(), stdio: 'inherit' });
  }, 120_000);

  it('delivers every expected IOC once, then pushes only the changed values in the steady-state cycle', async () => {
    result = await runBenchCase({ idsAttributes: 10_000, timeoutMs: 40_000 });
    const { first, steady } = result;
    expect(first.problems).toEqual([]);
    expect(first.iocsExpected).toBeGreaterThan(7_000);
    expect(first.iocsDelivered).toBe(first.iocsExpected);
    expect(first.peakRssBytes).toBeGreaterThan(0);
    expect(first.mispRequests).toBeGreaterThan(1);

    expect(steady).toBeDefined();
    expect(steady?.problems).toEqual([]);
    expect(steady?.editedAttributes).toBeGreaterThan(0);
    expect(steady?.iocsExpected).toBeGreaterThan(0);
    expect(steady?.iocsDelivered).toBe(steady?.iocsExpected);
    expect(steady?.mispBytes).toBeLessThanOrEqual(first.mispBytes * 0.05);
  }, 90_000);

  it('reports the targets, a table and a chart from the figures', () => {
    const checks = checkTargets([result]);
    expect(checks.filter((check) => !check.met)).toEqual([]);
    expect(checks.map((check) => check.target)).toContain('N = 10,000: all expected IOCs delivered');
    expect(formatTable([result])).toMatch(/^N \(IDS attributes\)/);
    const svg = renderChart([result]);
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('<circle');
  });
});
