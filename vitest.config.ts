import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const shimSource = fileURLToPath(new URL('./packages/automation-sdk-shim/src/', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the runtime, not its build output.
    alias: [
      { find: /^@sekoia\/automation-sdk-shim\/testing$/, replacement: `${shimSource}testing/index.ts` },
      { find: /^@sekoia\/automation-sdk-shim$/, replacement: `${shimSource}index.ts` },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts', 'packages/*/tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The second reporter names the tests skipped for want of the real MISP fixtures.
    reporters: ['default', './tests/support/skipped-fixtures-reporter.ts'],
  },
});
