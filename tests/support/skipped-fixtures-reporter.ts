/**
 * A vitest reporter that adds, after the usual summary, the tests skipped because the real MISP
 * fixtures are absent: which ones, why, and how to get them run. Silent when none was skipped.
 */
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { FIXTURES_HOW_TO_RUN, fixturesRoot, SKIPPED_WITHOUT_FIXTURES } from './fixtures-location.js';

export default class SkippedFixturesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // Skipped tests per marked suite or test, named by file and the marked name.
    const groups = new Map<string, number>();
    for (const testModule of testModules) {
      const file = path.relative(process.cwd(), testModule.moduleId);
      for (const test of testModule.children.allTests()) {
        if (test.result().state !== 'skipped') continue;
        const marked = test.fullName.indexOf(SKIPPED_WITHOUT_FIXTURES);
        if (marked === -1) continue;
        const key = `${file} > ${test.fullName.slice(0, marked)}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
    if (groups.size === 0) return;
    const total = [...groups.values()].reduce((sum, count) => sum + count, 0);
    const lines = [
      '',
      `Skipped ${total} tests that read the real MISP fixtures, not found at ${fixturesRoot}; to run them, ${FIXTURES_HOW_TO_RUN}:`,
      ...[...groups].map(([name, count]) => `  ${name}${count > 1 ? ` (${count} tests)` : ''}`),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
