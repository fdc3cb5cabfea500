/**
 * The boundary checker that `npm test` runs first (`npm run check:boundaries`, dependency-cruiser
 * with `.dependency-cruiser.cjs`), run as npm runs it on a small tree laid out like the module:
 * clean, it passes; with one violation of each rule planted, it fails and names each under its rule.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

const { KNOWN_SOURCE_CLIENT_IMPORTS } = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as {
  KNOWN_SOURCE_CLIENT_IMPORTS: { from: string; to: string }[];
};

/** Allowed imports of every kind the rules look at: dev/, tests and bench over product, the MISP client over the attribute search, the feed format. */
const CLEAN_TREE: Record<string, string> = {
  'packages/automation-sdk-shim/src/index.ts': "export const runtimeVersion = '0';\n",
  'misp_modules/configuration/module-root.ts': "export const root = '.';\n",
  'misp_modules/http/backoff.ts': "import { runtimeVersion } from '@sekoia/automation-sdk-shim';\nimport { root } from '../configuration/module-root.js';\nexport const backoff = `${root}${runtimeVersion}`;\n",
  'misp_modules/iocs/ioc-types.ts': 'export type IocType = string;\n',
  'misp_modules/stix/stix-objects.ts': 'export const STIX = 2.1;\n',
  'misp_modules/misp/misp-api.ts': "import { backoff } from '../http/backoff.js';\nexport const api = backoff;\n",
  'misp_modules/misp/attribute-search.ts': "import { api } from './misp-api.js';\nexport const search = api;\n",
  'misp_modules/feed/feed-event.ts': 'export const EVENT = 1;\n',
  'misp_modules/feed/feed-source.ts': "import { EVENT } from './feed-event.js';\nexport const source = EVENT;\n",
  'misp_modules/feed/writer/feed-writer.ts': "import { EVENT } from '../feed-event.js';\nexport const writer = EVENT;\n",
  'misp_modules/feed/index.ts': "export { source } from './feed-source.js';\nexport { writer } from './writer/feed-writer.js';\n",
  'misp_modules/feed/writer/misp-event-source.ts': "import { api } from '../../misp/misp-api.js';\nexport const exported = api;\n",
  'misp_modules/sources/misp-api/misp-api-source.ts': "import { search } from '../../misp/attribute-search.js';\nexport const apiSource = search;\n",
  'misp_modules/trigger/misp-ids-attributes-to-ioc-collection.ts': "import { apiSource } from '../sources/misp-api/misp-api-source.js';\nexport const trigger = apiSource;\n",
  'misp_modules/main.ts': "export { trigger } from './trigger/misp-ids-attributes-to-ioc-collection.js';\n",
  'misp_modules/dev/trigger-dev.ts': "import { source } from '../feed/feed-source.js';\nimport { trigger } from '../main.js';\nexport const dev = [source, trigger];\n",
  'tests/trigger.test.ts': "import { dev } from '../misp_modules/dev/trigger-dev.js';\nexport const checked = dev;\n",
  'bench/run-bench.ts': "import { source } from '../misp_modules/feed/feed-source.js';\nexport const bench = source;\n",
};

/** One violation per rule: the file planted, and the rule that must name it. */
const PLANTED: { rule: string; file: string; text: string }[] = [
  { rule: 'no-circular', file: 'misp_modules/iocs/ioc-kinds.ts', text: "import type { IocKind } from './ioc-rows.js';\nexport type IocRow = IocKind;\n" },
  { rule: 'no-circular', file: 'misp_modules/iocs/ioc-rows.ts', text: "import type { IocRow } from './ioc-kinds.js';\nexport type IocKind = IocRow | 'ip';\n" },
  { rule: 'shim-stands-alone', file: 'packages/automation-sdk-shim/src/module-name.ts', text: "import { root } from '../../../misp_modules/configuration/module-root.js';\nexport const name = root;\n" },
  { rule: 'layer-state', file: 'misp_modules/state/stix-state.ts', text: "import { STIX } from '../stix/stix-objects.js';\nexport const version = STIX;\n" },
  { rule: 'layer-filters', file: 'misp_modules/filters/type-filter.ts', text: "import type { IocType } from '../iocs/ioc-types.js';\nexport const types: IocType[] = [];\n" },
  { rule: 'product-not-dev', file: 'misp_modules/sekoia/demo-collection.ts', text: "import { dev } from '../dev/trigger-dev.js';\nexport const demo = dev;\n" },
  { rule: 'product-not-tests', file: 'misp_modules/pipeline/checked-cycle.ts', text: "import { checked } from '../../tests/trigger.test.js';\nexport const cycle = checked;\n" },
  { rule: 'room-in-code-map', file: 'misp_modules/retry/retry-policy.ts', text: "import { backoff } from '../http/backoff.js';\nexport const policy = backoff;\n" },
  { rule: 'only-sources-import-misp-attribute-search', file: 'misp_modules/new-event/new-event-trigger.ts', text: "import { search } from '../misp/attribute-search.js';\nexport const newEvent = search;\n" },
  { rule: 'only-sources-import-misp-attribute-search', file: 'misp_modules/feed/writer/event-selection.ts', text: "import { search } from '../../misp/attribute-search.js';\nexport const selection = search;\n" },
  { rule: 'feed-reader-without-writer', file: 'misp_modules/feed/feed-reader.ts', text: "import { writer } from './writer/feed-writer.js';\nexport const reader = writer;\n" },
  { rule: 'feed-writer-on-the-format', file: 'misp_modules/feed/writer/event-feed-writer.ts', text: "import { source } from '../feed-source.js';\nexport const events = source;\n" },
  { rule: 'resolvable', file: 'misp_modules/iocs/ip-address.ts', text: "import { parse } from './no-such-module.js';\nexport const ip = parse;\n" },
];

let tree: string | undefined;
afterEach(() => {
  if (tree !== undefined) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

/** A tree with the module's checker configuration, tsconfig and npm script, holding `files`. */
function layTree(files: Record<string, string>): string {
  tree = mkdtempSync(path.join(tmpdir(), 'boundaries-'));
  for (const name of ['.dependency-cruiser.cjs', 'tsconfig.json', 'tsconfig.base.json']) copyFileSync(path.join(root, name), path.join(tree, name));
  writeFileSync(path.join(tree, 'package.json'), JSON.stringify({ private: true, type: 'module', scripts: { 'check:boundaries': scripts['check:boundaries'] } }));
  symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  for (const folder of ['misp_modules', 'packages', 'tests', 'bench', 'scripts']) mkdirSync(path.join(tree, folder), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(tree, name)), { recursive: true });
    writeFileSync(path.join(tree, name), text);
  }
  return tree;
}

function checkBoundaries(cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'check:boundaries'], { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}

/** `error <rule>: <file> →` lines of dependency-cruiser's report, as "rule file". */
const violations = (output: string): string[] => [...output.matchAll(/^\s*error (\S+): (\S+) →/gm)].map(([, rule, file]) => `${rule} ${file}`).sort();

describe('the boundary checker', () => {
  it('runs before the tests in `npm test`', () => {
    expect(scripts['test']).toMatch(/^npm run check:boundaries && vitest run$/);
  });

  it('lists as known imports of source clients only imports the module still makes', () => {
    const stale = KNOWN_SOURCE_CLIENT_IMPORTS.filter(({ from, to }) => {
      const text = readFileSync(path.join(root, 'misp_modules', from), 'utf8');
      const targets = [...text.matchAll(/\bfrom '(\.[^']+)\.js'/g)].map(([, specifier]) => path.posix.join(path.posix.dirname(from), `${specifier as string}.ts`));
      return !targets.includes(to);
    });
    expect(stale).toEqual([]);
  });

  it('passes a tree whose imports all keep to the rules', async () => {
    const { code, output } = await checkBoundaries(layTree(CLEAN_TREE));
    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  }, 60_000);

  it('fails on each planted violation and names it under its rule, type-only cycles included', async () => {
    const planted = Object.fromEntries(PLANTED.map(({ file, text }) => [file, text]));
    const { code, output } = await checkBoundaries(layTree({ ...CLEAN_TREE, ...planted }));
    expect(code).not.toBe(0);
    // A cycle is reported once, from one of its files.
    const expected = PLANTED.filter(({ file }) => file !== 'misp_modules/iocs/ioc-rows.ts').map(({ rule, file }) => `${rule} ${file}`);
    expect(violations(output)).toEqual(expected.sort());
  }, 60_000);
});
