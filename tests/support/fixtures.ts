/**
 * The one way tests reach the real public MISP data (`fixtures/` of the shared folder beside the
 * checkout, with its provenance in its own README). The repository never holds a copy of it.
 *
 * Where it is: `$MISP_FIXTURES` when set, else `../shared/fixtures` from the repository root.
 * Without it, the tests that need it are skipped (a fresh clone passes `npm test`), unless
 * `MISP_FIXTURES_REQUIRED=1`, which CI sets so that it always runs them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

export const fixturesRoot: string = process.env.MISP_FIXTURES
  ? path.resolve(process.env.MISP_FIXTURES)
  : path.resolve(repositoryRoot, '../shared/fixtures');

export const fixturesAvailable: boolean = existsSync(fixturesRoot);

export const FIXTURES_MISSING_NOTE =
  `real MISP fixtures not found at ${fixturesRoot}: tests that read them are skipped ` +
  '(put the shared folder beside the checkout, or set MISP_FIXTURES=<its fixtures directory>)';

if (!fixturesAvailable && process.env.MISP_FIXTURES_REQUIRED === '1') {
  throw new Error(`MISP_FIXTURES_REQUIRED is set but the ${FIXTURES_MISSING_NOTE}`);
}

/** A file or folder of the fixtures, by its path relative to the fixtures folder. */
export function fixturePath(relative: string): string {
  return path.join(fixturesRoot, relative);
}

/** `describe` for tests that read the fixtures: skipped, with the reason in its name, when they are absent. */
export const describeWithFixtures = (name: string, body: () => void): void => {
  if (fixturesAvailable) describe(name, body);
  else describe.skip(`${name} [skipped: ${FIXTURES_MISSING_NOTE}]`, body);
};
