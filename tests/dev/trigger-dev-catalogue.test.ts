import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { applyCatalogue } from '../../misp_modules/dev/catalogue-choice.js';
import { parseTriggerDevOptions, TriggerDevUsageError } from '../../misp_modules/dev/trigger-dev-options.js';
import { describeWithFixtures, fixturePath } from '../support/fixtures.js';
import { LIST_SAMPLES, type ListSample } from '../feed/support/list-samples.js';

const root = moduleRoot();
const FEODO_SETTINGS = '{"csv":{"value":"2","delimiter":","},"common":{"excluderegex":""}}';

function usage(argv: string[]): string {
  try {
    parseTriggerDevOptions(argv, {});
  } catch (error) {
    expect(error).toBeInstanceOf(TriggerDevUsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('trigger:dev --catalogue options', () => {
  it('reads --catalogue with --list-feeds or --catalogue-feed, from where the command was typed', () => {
    expect(parseTriggerDevOptions(['--catalogue', 'lists/defaults.json', '--list-feeds'], { INIT_CWD: '/home/analyst' }).catalogue).toEqual({
      source: '/home/analyst/lists/defaults.json',
      list: true,
      feed: undefined,
    });
    const options = parseTriggerDevOptions(['--catalogue', 'https://lists.example/defaults.json', '--catalogue-feed', 'Tor exit nodes', '--feed-location', '/data/torlist.txt'], {});
    expect(options.catalogue).toEqual({ source: 'https://lists.example/defaults.json', list: false, feed: 'Tor exit nodes' });
    expect(options.feed).toEqual({ kind: 'location', location: '/data/torlist.txt', authorization: undefined });
  });

  it('takes an S3 endpoint for a feed in a bucket, from the flag or S3_ENDPOINT', () => {
    const fromFlag = parseTriggerDevOptions(['--feed-location', 's3://feeds/misp/osint', '--s3-endpoint', 'http://127.0.0.1:9000'], {});
    expect(fromFlag.feed).toEqual({ kind: 'location', location: 's3://feeds/misp/osint', authorization: undefined });
    expect(fromFlag.s3Endpoint).toBe('http://127.0.0.1:9000');
    expect(parseTriggerDevOptions(['--feed-location', 's3://feeds/misp/osint'], { S3_ENDPOINT: 'https://minio.example.org' }).s3Endpoint).toBe('https://minio.example.org');
    expect(usage(['--s3-endpoint', 'http://127.0.0.1:9000'])).toMatch(/--feed-location s3:\/\//);
    expect(usage(['--feed-location', 's3://feeds/x', '--s3-endpoint', 'minio:9000'])).toMatch(/S3 endpoint is not a URL|must be an http/);
  });

  it('refuses what cannot be run, saying what to add', () => {
    expect(usage(['--list-feeds'])).toMatch(/add --catalogue/);
    expect(usage(['--catalogue-feed', 'x'])).toMatch(/add --catalogue/);
    expect(usage(['--catalogue', '/x.json'])).toMatch(/--list-feeds or --catalogue-feed/);
    expect(usage(['--catalogue', '/x.json', '--catalogue-feed', 'x', '--feed'])).toMatch(/keep one/);
  });
});

describeWithFixtures("trigger:dev on MISP's default feed list", () => {
  const catalogue = fixturePath('misp-data/feed-metadata-defaults.json');

  it('lists the 84 feeds with their format and location', async () => {
    const lines: string[] = [];
    const outcome = await applyCatalogue(parseTriggerDevOptions(['--catalogue', catalogue, '--list-feeds'], {}), (line) => lines.push(line));
    expect(outcome).toEqual({ exitCode: 0 });
    expect(lines).toHaveLength(85);
    expect(lines[0]).toBe('84 feeds: 35 freetext, 7 misp, 42 csv');
    expect(lines).toContain(`csv      ${'Feodo IP Blocklist'.padEnd(48)}  https://feodotracker.abuse.ch/downloads/ipblocklist.csv`);
  });

  it('takes a feed’s format and settings, from a local copy or from its own location, and names an unknown feed', async () => {
    const local = await applyCatalogue(parseTriggerDevOptions(['--catalogue', catalogue, '--catalogue-feed', 'feodo ip blocklist', '--feed-location', '/data/ipblocklist.csv'], {}), () => undefined);
    expect(local).toEqual({ options: expect.objectContaining({ feed: { kind: 'location', location: '/data/ipblocklist.csv', authorization: undefined, format: 'csv', settings: FEODO_SETTINGS } }) });
    const remote = await applyCatalogue(parseTriggerDevOptions(['--catalogue', catalogue, '--catalogue-feed', 'CIRCL OSINT Feed'], {}), () => undefined);
    expect(remote).toEqual({ options: expect.objectContaining({ feed: { kind: 'location', location: 'https://www.circl.lu/doc/misp/feed-osint', authorization: undefined, format: 'misp', settings: undefined } }) });
    await expect(applyCatalogue(parseTriggerDevOptions(['--catalogue', catalogue, '--catalogue-feed', 'IPsum'], {}), () => undefined)).rejects.toThrow(
      /no feed named "IPsum"; did you mean "IPsum \(aggregation of all feeds\) - level 1/,
    );
  });

  it('runs a CSV feed of the list on a local copy, through the real trigger, into the embedded collection', async () => {
    const sample = LIST_SAMPLES['a botnet C2 block list (CSV, quoted, column 2)'] as ListSample;
    const directory = mkdtempSync(path.join(tmpdir(), 'catalogue-run-'));
    const file = path.join(directory, 'ipblocklist.csv');
    writeFileSync(file, sample.body);
    try {
      const child = spawn(process.execPath, [path.join(root, 'dist/misp_modules/dev/trigger-dev.js'), '--catalogue', catalogue, '--catalogue-feed', 'Feodo IP Blocklist', '--feed-location', file, '--once'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output).toBe(0);
      expect(output).toContain(`csv feed           ${file}  (a file)`);
      expect(output).toContain('Summary: 2 IOCs in the collection: 2 ipv4-addr.value');
      expect(output).toContain('e.g. 203.0.113.10, 198.51.100.23');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
