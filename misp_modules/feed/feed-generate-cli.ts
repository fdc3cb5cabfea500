import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock, type Clock, type Logger, type LogLevel } from '@sekoia/automation-sdk-shim';
import { normaliseAttribute } from '../iocs/normalise-attribute.js';
import { MispError } from '../misp/errors/misp-error.js';
import { MispClient } from '../misp/misp-client.js';
import { FeedError } from './errors/feed-error.js';
import { ListFileError } from './errors/list-file-error.js';
import { FeedWriter, type FeedWriteReport } from './feed-writer.js';
import { guessIndicatorType } from './indicator-type.js';

export const USAGE = `Usage: npm run feed:generate -- --out DIR (--from-misp URL [--misp-api-key KEY] [--days N] [--insecure] | --from-list FILE [--type-hint TYPE]) [--org NAME] [--tag NAME]...

Writes a MISP feed directory (manifest.json, one event file per day, hashes.csv) that the trigger
reads as a feed, over HTTP or from the directory itself. Running it again adds to the same day's event.

  --out DIR            feed directory to create or update
  --from-misp URL      read the IDS attributes of events published in the last N days from this MISP
  --misp-api-key KEY   MISP auth key (better: the MISP_API_KEY environment variable, kept out of the process list)
  --days N             whole UTC days to read, today included (default 1)
  --insecure           do not verify MISP's TLS certificate
  --from-list FILE     read indicators, one per line (blank lines and lines starting with # are skipped)
  --type-hint TYPE     MISP type of every line (ip-dst, domain, url, md5, sha1, sha256…); guessed per line otherwise
  --org NAME           creator organisation of the events (default "MISP feed generator")
  --tag NAME           event tag, for example tlp:clear (repeatable)`;

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: NodeJS.ProcessEnv;
  clock: Clock;
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
  const writer = new FeedWriter({ directory: out, orgName: values.org ?? 'MISP feed generator', nowMs: io.clock.now(), tags: values.tag });
  const logger: Logger = { log: (message: string, level: LogLevel = 'info') => (level === 'debug' ? undefined : io.stderr(`${level}: ${message}`)) };
  try {
    if (values['from-list'] !== undefined) {
      const rejected = await addFromList(writer, values['from-list'], values['type-hint'], io.clock.now());
      if (rejected.length > 0) {
        io.stderr(`${rejected.length} line(s) refused and not written:`);
        for (const line of rejected.slice(0, MAX_REJECTIONS_SHOWN)) io.stderr(`  ${line}`);
        if (rejected.length > MAX_REJECTIONS_SHOWN) io.stderr(`  … and ${rejected.length - MAX_REJECTIONS_SHOWN} more.`);
      }
    } else {
      const apiKey = values['misp-api-key'] ?? (io.env['MISP_API_KEY'] as string);
      const days = Number(values.days ?? '1');
      const read = await addFromMisp(writer, { url: values['from-misp'] as string, apiKey, days, verifySsl: values.insecure !== true, clock: io.clock, logger });
      io.stdout(`${read} IDS attributes read from MISP over ${days} day(s).`);
    }
    const report = await writer.write();
    io.stdout(summary(out, report));
    return 0;
  } catch (error) {
    const message = error instanceof FeedError || error instanceof MispError || error instanceof ListFileError ? error.message : `The feed could not be written: ${(error as Error).message}`;
    io.stderr(message);
    return 1;
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
      'type-hint': { type: 'string' },
      org: { type: 'string' },
      tag: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function usageProblem(values: ReturnType<typeof parse>, env: NodeJS.ProcessEnv): string | undefined {
  if (values.out === undefined || values.out.trim() === '') return 'Missing --out DIR: the feed directory to write.';
  const fromMisp = values['from-misp'] !== undefined;
  const fromList = values['from-list'] !== undefined;
  if (fromMisp === fromList) return 'Give exactly one source: --from-misp URL or --from-list FILE.';
  if (fromMisp) {
    if (values['misp-api-key'] === undefined && !env['MISP_API_KEY']) return 'Missing the MISP auth key: set MISP_API_KEY or give --misp-api-key.';
    if (values.days !== undefined && !/^[1-9]\d{0,3}$/.test(values.days)) return `--days must be a whole number from 1 to 9999, not "${values.days}".`;
    if (values['type-hint'] !== undefined) return '--type-hint applies to --from-list only: MISP attributes carry their type.';
  } else if (values.days !== undefined || values.insecure !== undefined) {
    return '--days and --insecure apply to --from-misp only.';
  }
  return undefined;
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

interface MispSource {
  url: string;
  apiKey: string;
  days: number;
  verifySsl: boolean;
  clock: Clock;
  logger: Logger;
}

/**
 * Adds the IDS attributes of events published in the last `days` UTC days, one search per day, so
 * that each attribute lands in the daily event of its event's publication day.
 */
async function addFromMisp(writer: FeedWriter, source: MispSource): Promise<number> {
  const client = new MispClient({ baseUrl: source.url, apiKey: source.apiKey, verifySsl: source.verifySsl, clock: source.clock, logger: source.logger });
  let read = 0;
  try {
    const now = source.clock.now();
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    for (let back = source.days - 1; back >= 0; back--) {
      const dayStart = today - back * DAY_MS;
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const search = { publishedSince: dayStart / 1000, publishedUntil: (dayStart + DAY_MS) / 1000 - 1, pageSize: 1_000 };
      for await (const page of client.searchAttributes(search)) {
        for (const attribute of page.attributes) {
          if (!attribute.toIds || attribute.deleted) continue;
          writer.add({ type: attribute.type, value: attribute.value, uuid: attribute.uuid, timestamp: attribute.timestamp || Math.floor(now / 1000), day });
          read++;
        }
      }
    }
  } finally {
    client.close();
  }
  return read;
}

function summary(directory: string, report: FeedWriteReport): string {
  const events = report.events.map((event) => `  ${event.date} ${event.uuid}.json: ${event.attributes} attributes${event.created ? ' (new)' : event.changed ? ' (updated)' : ' (unchanged)'}`);
  return [
    `Feed written to ${directory}: ${report.attributesAdded} attributes added, ${report.attributesUpdated} updated, ${report.attributesUnchanged} already there; the manifest lists ${report.manifestEvents} events.`,
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
