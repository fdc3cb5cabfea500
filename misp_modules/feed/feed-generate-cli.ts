import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock, type Clock, type Logger, type LogLevel } from '@sekoia/automation-sdk-shim';
import { normaliseAttribute } from '../iocs/normalise-attribute.js';
import { MispError } from '../misp/errors/misp-error.js';
import { FeedError } from './errors/feed-error.js';
import { ListFileError } from './errors/list-file-error.js';
import { FeedWriter, type FeedWriteReport } from './writer/feed-writer.js';
import { guessIndicatorType } from './indicator-type.js';
import { EventFeedWriter } from './writer/event-feed-writer.js';
import { ALL_DISTRIBUTIONS, EMPTY_LIST, parseDistributions, parseMispList, type EventSelection } from './writer/event-selection.js';
import { directoryFiles } from './writer/feed-files.js';
import { FeedGenerator } from './writer/feed-generator.js';
import { addJsonLines } from './writer/jsonl-input.js';
import { MispEventSource } from './writer/misp-event-source.js';
import { exportMispEvents, type MispExportReport } from './writer/misp-feed-export.js';

export const USAGE = `Usage: npm run feed:generate -- --out DIR SOURCE [OPTIONS]

Writes a MISP feed directory (manifest.json, one file per event, hashes.csv) that MISP and the
trigger read, over HTTP or from the directory itself.

Sources (exactly one):
  --from-misp URL      export the published events of the last N days from this MISP, each as it is
                       (its own uuid, attributes, objects, tags, galaxies); only changed events are rewritten
  --from-list FILE     indicators, one per line (blank lines and lines starting with # are skipped),
                       appended to the day's event
  --from-jsonl FILE|-  JSON lines appended to the day's event: {"type": ..., "value": ...} attributes and
                       {"object": "cowrie", "<relation>": ...} objects (templates: cowrie, file, domain-ip, url, ip-port)

With --from-misp:
  --misp-api-key KEY   MISP auth key (better: the MISP_API_KEY environment variable, kept out of the process list)
  --days N             whole UTC days of publication to export, today included (default 1)
  --filter-tags LIST   event tags in MISP's syntax: tlp:white|feed-export|!privint (one of, and none of the ! ones)
  --filter-org LIST    creator organisations, by name or uuid, same syntax
  --distribution LIST  distribution levels kept, for events, attributes and objects (default 0,1,2,3,4,5)
  --ids-only           keep only the attributes flagged for IDS (default: events whole, as MISP shares them)
  --insecure           do not verify MISP's TLS certificate

With --from-list or --from-jsonl:
  --type-hint TYPE     (--from-list) MISP type of every line (ip-dst, domain, url, md5…); guessed per line otherwise
  --org NAME           creator organisation of the daily events (default "MISP feed generator")
  --tag NAME           event tag, for example tlp:clear (repeatable)`;

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Read by `--from-jsonl -`; defaults to the process's standard input. */
  stdin?: NodeJS.ReadableStream | undefined;
}

const DAY_MS = 86_400_000;
const MAX_REJECTIONS_SHOWN = 20;

/** Runs the generator; returns the exit code (0 done, 1 failed, 2 bad usage). Never throws. */
export async function runFeedGenerate(argv: readonly string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  const usage = usageProblem(values, io.env);
  if (usage !== undefined) {
    io.stderr(`${usage}\n\n${USAGE}`);
    return 2;
  }
  const out = path.resolve(values.out as string);
  const logger: Logger = { log: (message: string, level: LogLevel = 'info') => (level === 'debug' ? undefined : io.stderr(`${level}: ${message}`)) };
  try {
    if (values['from-misp'] !== undefined) {
      const report = await fromMisp(values, out, io, logger);
      io.stdout(exportSummary(out, report));
      return 0;
    }
    const org = values.org ?? 'MISP feed generator';
    if (values['from-jsonl'] !== undefined) {
      const generator = new FeedGenerator({ directory: out, orgName: org, tags: values.tag, now: () => io.clock.now() });
      const input = values['from-jsonl'] === '-' ? (io.stdin ?? process.stdin) : await openList(values['from-jsonl']);
      const outcome = await addJsonLines(generator, createInterface({ input, crlfDelay: Infinity }));
      showRefused(io, outcome.refused);
      io.stdout(`${outcome.attributes} attributes and ${outcome.objects} objects read.`);
      io.stdout(summary(out, await generator.flush()));
      return 0;
    }
    const writer = new FeedWriter({ directory: out, orgName: org, nowMs: io.clock.now(), tags: values.tag });
    showRefused(io, await addFromList(writer, values['from-list'] as string, values['type-hint'], io.clock.now()));
    io.stdout(summary(out, await writer.write()));
    return 0;
  } catch (error) {
    const message = error instanceof FeedError || error instanceof MispError || error instanceof ListFileError ? error.message : `The feed could not be written: ${(error as Error).message}`;
    io.stderr(message);
    return 1;
  }
}

function showRefused(io: CliIo, rejected: readonly string[]): void {
  if (rejected.length === 0) return;
  io.stderr(`${rejected.length} line(s) refused and not written:`);
  for (const line of rejected.slice(0, MAX_REJECTIONS_SHOWN)) io.stderr(`  ${line}`);
  if (rejected.length > MAX_REJECTIONS_SHOWN) io.stderr(`  … and ${rejected.length - MAX_REJECTIONS_SHOWN} more.`);
}

/** A readable file, opened; a missing or unreadable one is a ListFileError before anything is written. */
async function openList(file: string): Promise<NodeJS.ReadableStream> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
    return handle.createReadStream({ encoding: 'utf8' });
  } catch (error) {
    await handle?.close();
    throw new ListFileError(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: 'string' },
      'from-misp': { type: 'string' },
      'misp-api-key': { type: 'string' },
      days: { type: 'string' },
      insecure: { type: 'boolean' },
      'from-list': { type: 'string' },
      'from-jsonl': { type: 'string' },
      'type-hint': { type: 'string' },
      'filter-tags': { type: 'string' },
      'filter-org': { type: 'string' },
      distribution: { type: 'string' },
      'ids-only': { type: 'boolean' },
      org: { type: 'string' },
      tag: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

const MISP_ONLY = ['days', 'insecure', 'filter-tags', 'filter-org', 'distribution', 'ids-only'] as const;

function usageProblem(values: ReturnType<typeof parse>, env: NodeJS.ProcessEnv): string | undefined {
  if (values.out === undefined || values.out.trim() === '') return 'Missing --out DIR: the feed directory to write.';
  const sources = (['from-misp', 'from-list', 'from-jsonl'] as const).filter((source) => values[source] !== undefined);
  if (sources.length !== 1) return 'Give exactly one source: --from-misp URL, --from-list FILE or --from-jsonl FILE.';
  if (values['from-misp'] !== undefined) {
    if (!/^https?:\/\/[^/\s]+/i.test(values['from-misp']) || !URL.canParse(values['from-misp'])) return '--from-misp takes the base URL of a MISP instance, starting with https:// or http://.';
    if (values['misp-api-key'] === undefined && !env['MISP_API_KEY']) return 'Missing the MISP auth key: set MISP_API_KEY or give --misp-api-key.';
    if (values.days !== undefined && !/^[1-9]\d{0,3}$/.test(values.days)) return `--days must be a whole number from 1 to 9999, not "${values.days}".`;
    if (values['type-hint'] !== undefined) return '--type-hint applies to --from-list only: MISP attributes carry their type.';
    if (values.org !== undefined || values.tag !== undefined) return '--org and --tag apply to --from-list and --from-jsonl: exported events keep their own organisation and tags.';
    try {
      selectionOf(values);
    } catch (error) {
      return (error as Error).message;
    }
    return undefined;
  }
  if (values.org !== undefined && values.org.trim() === '') return '--org must name the creator organisation of the events.';
  if ((values.tag ?? []).some((tag) => tag.trim() === '')) return '--tag must name a tag, for example tlp:clear.';
  const misplaced = MISP_ONLY.filter((option) => values[option] !== undefined);
  if (misplaced.length > 0) return `${misplaced.map((option) => `--${option}`).join(', ')} appl${misplaced.length === 1 ? 'ies' : 'y'} to --from-misp only.`;
  if (values['from-jsonl'] !== undefined && values['type-hint'] !== undefined) return '--type-hint applies to --from-list only: JSON lines carry their type.';
  return undefined;
}

function selectionOf(values: ReturnType<typeof parse>): EventSelection {
  return {
    tags: values['filter-tags'] === undefined ? EMPTY_LIST : parseMispList('--filter-tags', values['filter-tags']),
    orgs: values['filter-org'] === undefined ? EMPTY_LIST : parseMispList('--filter-org', values['filter-org']),
    distributions: values.distribution === undefined ? ALL_DISTRIBUTIONS : parseDistributions(values.distribution),
    idsOnly: values['ids-only'] === true,
  };
}

/** Adds the valid lines of a list to today's event; returns the refused lines, described. */
async function addFromList(writer: FeedWriter, file: string, typeHint: string | undefined, nowMs: number): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ListFileError(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  const day = new Date(nowMs).toISOString().slice(0, 10);
  const timestamp = Math.floor(nowMs / 1000);
  const rejected: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const value = (lines[index] as string).trim();
    if (value === '' || value.startsWith('#')) continue;
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    const type = typeHint ?? guessIndicatorType(value);
    if (type === undefined) {
      rejected.push(`line ${index + 1}: ${shown} is not recognisable as an IP address, domain, URL or MD5/SHA-1/SHA-256 hash (give --type-hint).`);
      continue;
    }
    const checked = normaliseAttribute(type, value);
    if (checked.status === 'unsupported') {
      rejected.push(`line ${index + 1}: the type ${type} is not one the trigger pushes.`);
      continue;
    }
    if (checked.status === 'invalid') {
      rejected.push(`line ${index + 1}: ${shown} is not a valid ${type}: it ${checked.reason}.`);
      continue;
    }
    writer.add({ type, value, timestamp, day });
  }
  return rejected;
}

/** Exports the events published in the last `--days` UTC days, today included. */
async function fromMisp(values: ReturnType<typeof parse>, out: string, io: CliIo, logger: Logger): Promise<MispExportReport> {
  const apiKey = values['misp-api-key'] ?? (io.env['MISP_API_KEY'] as string);
  const days = Number(values.days ?? '1');
  const now = io.clock.now();
  const since = (Math.floor(now / DAY_MS) - (days - 1)) * DAY_MS;
  const source = new MispEventSource({ baseUrl: values['from-misp'] as string, apiKey, verifySsl: values.insecure !== true, clock: io.clock, logger });
  const selection = selectionOf(values);
  try {
    return await exportMispEvents({
      source,
      writer: new EventFeedWriter(directoryFiles(out), { distributions: [...selection.distributions].sort(), idsOnly: selection.idsOnly }),
      selection,
      since: since / 1000,
      until: Math.floor(now / 1000),
      logger,
    });
  } finally {
    source.close();
  }
}

function exportSummary(directory: string, report: MispExportReport): string {
  const created = report.written.filter((event) => event.created).length;
  return [
    `Feed written to ${directory}: MISP listed ${report.listed} events, ${report.excluded} left out by the selection; ` +
      `${created} new and ${report.written.length - created} changed events written (${report.attributes} attributes, ` +
      `${report.attributesLeftOut} attributes and ${report.objectsLeftOut} objects left out), ${report.unchanged} unchanged, ` +
      `${report.removed.length} removed; the manifest lists ${report.manifestEvents} events.` +
      (report.settingsChanged ? ' --distribution or --ids-only changed since the last run: every event was written again.' : ''),
    ...report.written.map((event) => `  ${event.uuid}.json: ${event.attributes} attributes${event.created ? ' (new)' : ' (updated)'} ${JSON.stringify(event.info)}`),
  ].join('\n');
}

function summary(directory: string, report: FeedWriteReport): string {
  const events = report.events.map((event) => `  ${event.date} ${event.uuid}.json: ${event.attributes} attributes${event.created ? ' (new)' : event.changed ? ' (updated)' : ' (unchanged)'}`);
  return [
    `Feed written to ${directory}: ${report.attributesAdded} attributes added, ${report.attributesUpdated} updated, ${report.attributesUnchanged} already there` +
      `${report.objectsAdded > 0 ? `, ${report.objectsAdded} objects added` : ''}; the manifest lists ${report.manifestEvents} events.`,
    ...events,
  ].join('\n');
}

/** Run as a program: `node dist/misp_modules/feed/feed-generate-cli.js …`. */
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const io: CliIo = {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    clock: systemClock,
  };
  runFeedGenerate(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
