/** The README's "MISP to STIX" section against the action JSON, the type tables and the converter. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { mispEventToStixBundle } from '../../misp_modules/stix/index.js';
import { CONTEXT_TYPE_TABLE, RULE_TYPE_TABLE, STIX_TYPE_TABLE } from '../../misp_modules/stix/stix-type-table.js';

const root = moduleRoot();
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const action = JSON.parse(readFileSync(path.join(root, 'action_misp-to-stix.json'), 'utf8')) as {
  arguments: { properties: Record<string, unknown>; required: string[] };
  results: { properties: Record<string, unknown> };
};

function sectionText(): string {
  const start = readme.indexOf('\n## MISP to STIX\n');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 5);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The rows of the section's table whose header starts with `firstColumn`, as cell lists. */
function tableRows(firstColumn: string): string[][] {
  const lines = sectionText().split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${firstColumn} |`));
  expect(start, `no table starting with "${firstColumn}"`).toBeGreaterThan(-1);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|').replace(/^`(.*)`$/, '$1')));
  }
  return rows;
}

describe('README: MISP to STIX', () => {
  it("lists the action's argument and result", () => {
    expect(tableRows('argument').map((row) => row[0])).toEqual(Object.keys(action.arguments.properties));
    expect(tableRows('argument')[0]![1]).toContain(action.arguments.required.includes('event') ? 'required' : 'optional');
    expect(tableRows('result').map((row) => row[0])).toEqual(Object.keys(action.results.properties));
  });

  it('shows the patterns the converter writes', () => {
    const rows = tableRows('MISP type');
    expect(rows.length).toBeGreaterThan(5);
    const sha256 = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f';
    for (const [mispType, value, pattern] of rows) {
      const event = {
        Event: {
          uuid: '11111111-2222-4333-8444-555555555555',
          timestamp: '1709485200',
          Orgc: { uuid: '5f0c1d2e-0000-4000-8000-00000000c0de', name: 'Example CERT' },
          Attribute: [{ uuid: 'a0000001-0000-4000-8000-000000000001', type: mispType, value: value!.replace('<sha256>', sha256), to_ids: true }],
        },
      };
      const indicator = mispEventToStixBundle(event).objects.find((object) => object.type === 'indicator');
      expect(indicator?.pattern, mispType).toBe(pattern!.replace('<sha256>', sha256));
    }
  });

  it('gives the number of MISP types the tables map', () => {
    const count = STIX_TYPE_TABLE.length + RULE_TYPE_TABLE.length + Object.keys(CONTEXT_TYPE_TABLE).length;
    expect(sectionText().replace(/\s+/g, ' ')).toContain(`maps ${count} MISP types`);
  });
});
