/**
 * The one way tests reach the real public MISP data (`fixtures/` of the shared folder beside the
 * checkout, with its provenance in its own README). The repository never holds a copy of it.
 *
 * Where it is: `$MISP_FIXTURES` when set, else `../shared/fixtures` from the repository root
 * (`fixtures-location.ts`). Without it, the tests that need it are skipped (a fresh clone passes
 * `npm test`) and `skipped-fixtures-reporter.ts` names them, unless `MISP_FIXTURES_REQUIRED=1`,
 * which CI sets so that it always runs them.
 */
import path from 'node:path';
import { describe, it } from 'vitest';
import { fixturesAvailable, fixturesRoot, SKIPPED_WITHOUT_FIXTURES } from './fixtures-location.js';

export { FIXTURES_HOW_TO_RUN, FIXTURES_MISSING_NOTE, fixturesAvailable, fixturesRoot, SKIPPED_WITHOUT_FIXTURES } from './fixtures-location.js';

/** A file or folder of the fixtures, by its path relative to the fixtures folder. */
export function fixturePath(relative: string): string {
  return path.join(fixturesRoot, relative);
}

const marked = (name: string): string => (fixturesAvailable ? name : `${name}${SKIPPED_WITHOUT_FIXTURES}`);

/** `describe` for tests that read the fixtures: skipped, and marked for the reporter, when they are absent. */
export const describeWithFixtures = (name: string, body: () => void): void => {
  if (fixturesAvailable) {
    describe(name, body);
    return;
  }
  describe.skip(marked(name), () => {
    try {
      body();
    } catch {
      // The body read the fixtures while declaring its tests: name the suite with one placeholder.
      it.skip('(its tests are declared from the fixtures)', () => undefined);
    }
  });
};

type TestBody = () => void | Promise<void>;

/** `it` for a test that reads the fixtures, inside a suite that does not: skipped and marked when they are absent. */
export const itWithFixtures: ((name: string, body: TestBody, timeout?: number) => void) & { each: typeof it.each } = Object.assign(
  (name: string, body: TestBody, timeout?: number): void => {
    (fixturesAvailable ? it : it.skip)(marked(name), body, timeout);
  },
  {
    each: ((cases: readonly unknown[]) =>
      (name: string, body: (...args: never[]) => void | Promise<void>, timeout?: number): void => {
        (fixturesAvailable ? it : it.skip).each(cases)(marked(name), body as (...args: unknown[]) => void | Promise<void>, timeout);
      }) as unknown as typeof it.each,
  },
);
