/**
 * Where the real public MISP data is (`fixtures/` of the shared folder beside the checkout), with
 * no dependency on the test runner, so that the reporter can read it too. Tests use `fixtures.ts`.
 *
 * `$MISP_FIXTURES` when set, else `../shared/fixtures` from the repository root. Without it, the
 * tests that need it are skipped, unless `MISP_FIXTURES_REQUIRED=1` (set by CI): then loading
 * this module fails, so that a missing folder can never pass for a green run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

export const fixturesRoot: string = process.env.MISP_FIXTURES
  ? path.resolve(process.env.MISP_FIXTURES)
  : path.resolve(repositoryRoot, '../shared/fixtures');

export const fixturesAvailable: boolean = existsSync(fixturesRoot);

/** How to get the skipped tests run. */
export const FIXTURES_HOW_TO_RUN = 'put the shared folder beside the checkout, or set MISP_FIXTURES=<its fixtures directory>';

export const FIXTURES_MISSING_NOTE = `real MISP fixtures not found at ${fixturesRoot}: tests that read them are skipped (${FIXTURES_HOW_TO_RUN})`;

/** Appended to the name of every suite or test skipped for want of the fixtures; the reporter looks for it. */
export const SKIPPED_WITHOUT_FIXTURES = ' [skipped: no real MISP fixtures]';

if (!fixturesAvailable && process.env.MISP_FIXTURES_REQUIRED === '1') {
  throw new Error(`MISP_FIXTURES_REQUIRED=1, but there are no real MISP fixtures at ${fixturesRoot}: ${FIXTURES_HOW_TO_RUN}.`);
}
