/**
 * `npm run bench [-- N ...]`: the built trigger end to end for each N (default 10,000, 100,000 and
 * 1,000,000 IDS attributes) and its steady-state cycle, and the delivered memory's save at a
 * million entries; prints a table and the targets, writes bench-results/bench.json and
 * bench-results/bench.svg. Exits 1 when a target is missed.
 *
 * For a closer look: BENCH_TRIGGER_NODE_ARGS passes node flags to the trigger (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof"), BENCH_KEEP_OUTPUT=<prefix> keeps each trigger's output in files,
 * BENCH_MISP_PAGE_SIZE tries another misp_page_size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { moduleRoot } from '../misp_modules/configuration/module-root.js';
import { BENCH_TUNING, runBenchCase, type BenchCaseResult } from './bench-case.js';
import { checkTargets, formatTable, formatTargets, renderChart } from './report.js';
import { measureStateSave } from './state-save.js';

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

function sizesFrom(argv: readonly string[]): number[] {
  const sizes = argv.filter((arg) => /^\d[\d_,]*$/.test(arg)).map((arg) => Number(arg.replace(/[_,]/g, '')));
  return sizes.length > 0 ? sizes : DEFAULT_SIZES;
}

async function main(): Promise<void> {
  const sizes = sizesFrom(process.argv.slice(2));
  const pageSize = process.env.BENCH_MISP_PAGE_SIZE;
  const tuning = { ...BENCH_TUNING, ...(pageSize ? { misp_page_size: Number(pageSize) } : {}) };
  const results: BenchCaseResult[] = [];
  console.log(`Benchmark: ${sizes.map((size) => size.toLocaleString('en-US')).join(', ')} IDS attributes; trigger arguments ${JSON.stringify(tuning)}.`);
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
  console.log(formatTargets(checks));
  const directory = path.join(moduleRoot(), 'bench-results');
  mkdirSync(directory, { recursive: true });
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, platform: `${os.platform()} ${os.release()}` };
  writeFileSync(path.join(directory, 'bench.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, tuning, results, state, targets: checks }, null, 2)}\n`);
  writeFileSync(path.join(directory, 'bench.svg'), renderChart(results));
  console.log(`\nWritten: ${path.join('bench-results', 'bench.json')}, ${path.join('bench-results', 'bench.svg')}`);
  if (checks.some((check) => !check.met)) process.exitCode = 1;
}

await main();
