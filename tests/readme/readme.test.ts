/**
 * The README's reference tables against the single sources of truth (manifest.json, the trigger
 * JSON, the type table, the registered metrics), so that the documentation cannot drift.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { moduleRoot, TRIGGER_DEFINITION_FILE } from '../../misp_modules/configuration/module-root.js';
import { IOC_TYPE_TABLE } from '../../misp_modules/iocs/ioc-types.js';
import { registerTriggerMetrics } from '../../misp_modules/trigger/trigger-metrics.js';

const root = moduleRoot();
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

interface PropertySchema {
  default?: unknown;
  deprecated?: boolean;
  description?: string;
}
interface ObjectSchema {
  properties: Record<string, PropertySchema>;
  required?: string[];
  secrets?: string[];
}

const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as { configuration: ObjectSchema };
const trigger = JSON.parse(readFileSync(path.join(root, TRIGGER_DEFINITION_FILE), 'utf8')) as { arguments: ObjectSchema; docker_parameters: string };
const componentArguments = (file: string): ObjectSchema => (JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { arguments: ObjectSchema }).arguments;

/** The lines of the section under `heading` (up to the next heading of any level). */
function section(heading: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) throw new Error(`The README has no "${heading}" section.`);
  const end = lines.findIndex((line, index) => index > start && /^#{1,6} /.test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The first table of a section: header names → cell text, one record per row; `\|` stays a `|`. */
function table(heading: string): Array<Record<string, string>> {
  const lines = section(heading);
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  const rows = start === -1 ? [] : lines.slice(start, end === -1 ? undefined : end);
  const cells = (line: string): string[] =>
    line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
  const [header, separator, ...body] = rows;
  if (!header || !separator || !/^\|[-:| ]+\|$/.test(separator)) throw new Error(`No table under "${heading}".`);
  const names = cells(header);
  return body.map((line) => Object.fromEntries(cells(line).map((cell, index) => [names[index] as string, cell])));
}

/** The text inside a cell's backticks, or the cell itself. */
function code(cell: string | undefined): string {
  const match = /^`(.*)`$/.exec(cell ?? '');
  return match ? (match[1] as string) : (cell ?? '');
}

/** A documented default: JSON when it parses (`300`, `true`, `"1"`), else the text (`https://…`); undefined when empty. */
function documentedDefault(cell: string | undefined): unknown {
  const text = code(cell);
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function checkAgainstSchema(heading: string, schema: ObjectSchema, withSecretColumn: boolean): void {
  const rows = table(heading);
  const keys = rows.map((row) => code(row.key));
  expect(new Set(keys).size, `${heading}: a key is listed twice`).toBe(keys.length);
  expect([...keys].sort()).toEqual(Object.keys(schema.properties).sort());
  for (const row of rows) {
    const key = code(row.key);
    const property = schema.properties[key] as PropertySchema;
    // "no (… with the MISP API source)": a qualifier may follow what the schema says.
    expect(row.required?.split(' ')[0], `${key}: required`).toBe((schema.required ?? []).includes(key) ? 'yes' : 'no');
    expect(documentedDefault(row.default), `${key}: default`).toEqual(property.default);
    if (withSecretColumn) expect(row.secret, `${key}: secret`).toBe((schema.secrets ?? []).includes(key) ? 'yes' : '');
    expect(row.description, `${key}: description`).not.toBe('');
    if (property.deprecated) expect(row.description, `${key}: deprecated`).toMatch(/^Deprecated/);
  }
}

describe('the README', () => {
  it('documents the account exactly as manifest.json defines it', () => {
    checkAgainstSchema('### Account (module configuration)', manifest.configuration, true);
  });

  it('documents the trigger arguments exactly as the trigger JSON defines them', () => {
    checkAgainstSchema('### Trigger arguments', trigger.arguments, false);
  });

  it.each([
    ['#### New Event arguments', 'trigger_event.json'],
    ['#### Publish Event arguments', 'action_publish-to-misp.json'],
  ])('documents "%s" exactly as %s defines them', (heading, file) => {
    checkAgainstSchema(heading, componentArguments(file), false);
  });

  it('starts with exactly two commands, each working on a fresh clone', () => {
    const block = section('## Quick start').join('\n');
    const commands = (/```sh\n([\s\S]*?)```/.exec(block)?.[1] ?? '')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['npm ci && npm run trigger:dev -- --once', 'npm ci && npm test']);
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    // Each command must build what it runs: nothing else happens on a fresh clone.
    expect(scripts['trigger:dev']).toMatch(/^npm run build\b/);
    expect(scripts.pretest).toMatch(/^npm run build\b/);
  });

  it('shows, right after the two commands, the decaying-model demo and a line it prints', () => {
    const block = section('## Quick start').join('\n');
    const after = /```sh\n[\s\S]*?```\n\n(.*)\n/.exec(block)?.[1] ?? '';
    expect(after).toContain('`npm run trigger:dev -- --once --expiry decaying_model`');
    expect(after).toMatch(/`Decay "Demo decay": \d+ IOCs pushed, \d+ skipped as decayed; next lapses \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z \(\d+ IOCs\), then [^`]+`/);
  });

  it('lists the supported types of the type table, no more, no less, the default ones first', () => {
    const typesOf = (cell: string | undefined): string[] => (cell ?? '').split(/,(?![^`]*`\|)/).map((type) => code(type.trim()));
    const byDefault = table('## Supported types').flatMap((row) => typesOf(row['MISP type']));
    expect(byDefault.sort()).toEqual(IOC_TYPE_TABLE.filter((row) => row.byDefault).map((row) => row.mispType).sort());
    const firstColumn = section('## Supported types')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split(/(?<!\\)\|/)[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => (match[1] as string).replace(/\\\|/g, '|')));
    expect(firstColumn.sort()).toEqual(IOC_TYPE_TABLE.map((row) => row.mispType).sort());
  });

  it('lists the metrics the trigger registers', async () => {
    const registry = new Registry();
    registerTriggerMetrics(registry, () => undefined);
    const registered = (await registry.getMetricsAsJSON()).map((metric) => metric.name).sort();
    const documented = table('### Metrics').map((row) => code(row.series).replace(/\{.*$/, '')).sort();
    expect(documented).toEqual(registered);
  });

  it('names the command of the image as the trigger JSON does, and keeps a Performance section', () => {
    expect(section('### The image').join('\n')).toContain(`\`${trigger.docker_parameters}\``);
    expect(readme).toMatch(/^## Performance$/m);
  });
});
