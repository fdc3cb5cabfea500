/**
 * `npm run bench [-- options]`: the built trigger end to end, at the defaults (no argument tuned,
 * the image's NODE_OPTIONS), for each N (default 10,000, 100,000 and 1,000,000 IDS attributes) and
 * its steady-state cycle, and the delivered memory's save at a million entries; prints a table and
 * the targets, writes bench-results/bench.json and bench-results/bench.svg. With --rate-limit or
 * --slowing, the push pace's scenarios instead (bench-results/pace.json); with --decay, 100,000
 * attributes with decay scores side by side with the same without (at the defaults, and with
 * valid_for), the variants taking turns over a few rounds (bench-results/decay.json). Exits 1 when a
 * target is missed, 2 on a usage error. The module is built first, once the options are read.
 *
 * For a closer look: BENCH_TRIGGER_NODE_ARGS passes node flags to the trigger (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof"), BENCH_KEEP_OUTPUT=<prefix> keeps each trigger's output in files,
 * BENCH_MISP_PAGE_SIZE tries another misp_page_size.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { moduleRoot } from '../misp_modules/configuration/module-root.js';
import { runBenchCase, type BenchCaseResult } from './bench-case.js';
import { parseBenchOptions, BENCH_USAGE, BenchUsageError, DECAY_ROUNDS, DECAY_SIZE } from './bench-options.js';
import { runDecaySideBySide } from './decay-side-by-side.js';
import { checkRateLimited, checkSlowing, runRateLimited, runSlowing } from './pace-scenarios.js';
import { checkDecayTargets, checkTargets, formatDecayTable, formatTable, formatTargets, renderChart, type TargetCheck } from './report.js';
import { measureStateSave } from './state-save.js';

function machine(): Record<string, unknown> {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

function resultsDirectory(): string {
  const directory = path.join(moduleRoot(), 'bench-results');
  mkdirSync(directory, { recursive: true });
  return directory;
}

async function headline(sizes: readonly number[]): Promise<TargetCheck[]> {
  const pageSize = process.env.BENCH_MISP_PAGE_SIZE;
  const tuning = pageSize ? { misp_page_size: Number(pageSize) } : {};
  const results: BenchCaseResult[] = [];
  console.log(`Benchmark: ${sizes.map((size) => size.toLocaleString('en-US')).join(', ')} IDS attributes; trigger arguments ${JSON.stringify(tuning)} (the defaults otherwise).`);
  for (const size of sizes) {
    process.stdout.write(`N = ${size.toLocaleString('en-US')}… `);
    const result = await runBenchCase({ idsAttributes: size, tuning });
    results.push(result);
    console.log(`first cycle ${result.first.wallSeconds.toFixed(2)} s, steady ${result.steady?.wallSeconds.toFixed(2) ?? '-'} s`);
  }
  const state = await measureStateSave();
  const checks = checkTargets(results, state);
  console.log(`\n${formatTable(results)}\n`);
  console.log(
    `State of ${state.entries.toLocaleString('en-US')} delivered attributes: ${(state.memoryBytes / 1048576).toFixed(1)} MB in memory, ` +
      `${(state.fileBytes / 1048576).toFixed(1)} MB on disk, saved in ${(state.saveSeconds * 1000).toFixed(0)} ms holding the event loop ${state.longestStallMs.toFixed(1)} ms at most.\n`,
  );
  const directory = resultsDirectory();
  writeFileSync(path.join(directory, 'bench.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), tuning, results, state, targets: checks }, null, 2)}\n`);
  writeFileSync(path.join(directory, 'bench.svg'), renderChart(results));
  console.log(`Written: ${path.join('bench-results', 'bench.json')}, ${path.join('bench-results', 'bench.svg')}\n`);
  return checks;
}

async function paceScenarios(limits: readonly number[], slowing: boolean): Promise<TargetCheck[]> {
  const checks: TargetCheck[] = [];
  const figures: Record<string, unknown> = {};
  for (const limit of limits) {
    process.stdout.write(`Collection limited to ${limit} requests/s… `);
    const result = await runRateLimited(limit);
    figures[`rateLimit${limit}`] = result;
    console.log(`${result.idsAttributes.toLocaleString('en-US')} IDS attributes, batch_size ${result.batchSize}, ${result.pushSeconds.toFixed(0)} s of pushes`);
    checks.push(...checkRateLimited(result));
  }
  if (slowing) {
    process.stdout.write('Collection slowing from 10 ms to 2 s… ');
    const result = await runSlowing();
    figures.slowing = result;
    console.log(`${result.idsAttributes.toLocaleString('en-US')} IDS attributes, ${result.pushSeconds.toFixed(0)} s of pushes`);
    checks.push(...checkSlowing(result));
  }
  writeFileSync(path.join(resultsDirectory(), 'pace.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), figures, targets: checks }, null, 2)}\n`);
  console.log(`Written: ${path.join('bench-results', 'pace.json')}\n`);
  return checks;
}

async function decayCase(): Promise<TargetCheck[]> {
  console.log(
    `${DECAY_SIZE.toLocaleString('en-US')} IDS attributes without decay scores (at the defaults, then with valid_for) and with them, ` +
      `the real trigger cycle at the defaults, ${DECAY_ROUNDS} rounds (machine load: ${os.loadavg().map((load) => load.toFixed(2)).join(', ')})…`,
  );
  const result = await runDecaySideBySide(DECAY_SIZE, DECAY_ROUNDS, (variant, run) => console.log(`  ${variant}: ${run.seconds.toFixed(2)} s, ${(run.peakRssBytes / 1048576).toFixed(0)} MB`));
  console.log(`\n${formatDecayTable(result)}\n`);
  const checks = checkDecayTargets(result);
  writeFileSync(path.join(resultsDirectory(), 'decay.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), loadAverage: os.loadavg(), result, targets: checks }, null, 2)}\n`);
  console.log(`Written: ${path.join('bench-results', 'decay.json')}\n`);
  return checks;
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`${error.message}\n\n${BENCH_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(BENCH_USAGE);
    return;
  }
  // Built here rather than before the script starts, so that the help and usage errors come at once.
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: moduleRoot(), stdio: 'inherit' });
  } catch {
    console.error('The module did not build (see the compiler\'s messages above); the benchmark runs the built trigger, so nothing was run.');
    process.exitCode = 1;
    return;
  }
  const checks: TargetCheck[] = [];
  const scenarios = options.rateLimits.length > 0 || options.slowing || options.decay;
  if (options.sizes !== undefined || !scenarios) checks.push(...(await headline(options.sizes ?? options.defaultSizes)));
  if (options.rateLimits.length > 0 || options.slowing) checks.push(...(await paceScenarios(options.rateLimits, options.slowing)));
  if (options.decay) checks.push(...(await decayCase()));
  console.log(formatTargets(checks));
  if (checks.some((check) => !check.met)) process.exitCode = 1;
}

await main();
