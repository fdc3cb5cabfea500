/**
 * The command line of `npm run trigger:dev`: flags and environment variables, resolved into what
 * the development runner starts (embedded or real MISP, or a MISP feed; embedded or real IOC
 * collection).
 */
import path from 'node:path';
import { InvalidFeedOptionsError } from '../feed/errors/invalid-feed-options-error.js';
import { checkFeedHeaders } from '../feed/feed-headers.js';
import { parseFeedLocation } from '../feed/feed-location.js';
import type { FeedFormat } from '../feed/feed-settings.js';

/**
 * Thrown when the command line or the environment of `npm run trigger:dev` cannot be used: an
 * unknown flag, a flag without its value, a value of the wrong shape, or a combination that would
 * send demo data to a real collection. The message says what to change.
 */
export class TriggerDevUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TriggerDevUsageError';
  }
}

/** A real MISP instance to read from. */
export interface RealMisp {
  url: string;
  apiKey: string;
}

/**
 * A MISP feed as the source (`source: misp_feed`): the embedded demo feed, or a feed given by its
 * location. `authorization` becomes the account's `feed_authorization`; for the demo feed, it is
 * also what the embedded server requires (a random bearer token when none is given).
 */
export type FeedChoice =
  | { kind: 'demo'; authorization: string | undefined }
  | { kind: 'location'; location: string; authorization: string | undefined; format?: FeedFormat | undefined; settings?: string | undefined };

/** A MISP feed list (MISP's defaults.json) to list, or to take one feed's format and settings from. */
export interface CatalogueChoice {
  /** A file path (absolute) or an http(s) URL. */
  source: string;
  /** List the feeds and exit. */
  list: boolean;
  /** The feed to run, by name. */
  feed: string | undefined;
}

/**
 * The trigger's `expiry`: a fixed `valid_for` (the default), or MISP's decaying models, by id or
 * name (`decaying_model`; none: MISP's enabled models for each type), under an optional
 * `decay_threshold`.
 */
export type ExpiryChoice = { kind: 'fixed' } | { kind: 'decaying_model'; models: string[]; threshold: number | undefined };

/** A real Sekoia.io IOC collection to push to. */
export interface RealCollection {
  server: string;
  uuid: string;
  apiKey: string;
}

export interface TriggerDevOptions {
  help: boolean;
  /** Run one cycle, then stop; the exit code tells whether the cycle completed. */
  once: boolean;
  /** Push to the embedded collection instead of Sekoia.io, with a throw-away data path. */
  dryRun: boolean;
  /** Also print the trigger's debug lines. */
  verbose: boolean;
  /** Seconds between cycles, below the schema's minimum if wanted; undefined keeps `sleep_time`. */
  intervalSeconds: number | undefined;
  /** The trigger's `publish_timestamp` (days), as the string the schema wants; undefined keeps the default. */
  lookbackDays: string | undefined;
  /** SYMPHONY_DATA_PATH; undefined lets the runner choose. */
  dataPath: string | undefined;
  verifySsl: boolean;
  /** Undefined: the embedded demo MISP, unless a feed is the source. */
  misp: RealMisp | undefined;
  /** A MISP feed instead of a MISP instance; undefined reads the MISP API. */
  feed: FeedChoice | undefined;
  /** Undefined: the embedded IOC collection. */
  collection: RealCollection | undefined;
  /** The collection uuid given for a dry run, if any (the embedded collection takes that name). */
  dryRunCollectionUuid: string | undefined;
  /** --catalogue: a MISP feed list to list (--list-feeds) or to run an entry of (--catalogue-feed). */
  catalogue: CatalogueChoice | undefined;
  /** The trigger's s3_endpoint, for an s3:// feed location on another service than AWS. */
  s3Endpoint: string | undefined;
  /** --expiry and its settings; undefined keeps the trigger's default (fixed). */
  expiry: ExpiryChoice | undefined;
}

/** Seconds between cycles of the demo when no --interval is given: short enough to watch. */
export const DEMO_INTERVAL_SECONDS = 15;
/** The embedded collection's name when none is given; any valid id would do. */
export const DEMO_COLLECTION_UUID = 'ioc-collection--5e1c0a42-d3f0-4d8e-9b6a-7c2f1e0d9a3b';
export const DEFAULT_IOC_COLLECTION_SERVER = 'https://api.sekoia.io';

/** Flag → the environment variable that gives the same value (flags win). */
const VALUE_FLAGS = {
  '--misp-url': 'MISP_URL',
  '--misp-api-key': 'MISP_API_KEY',
  '--sekoia-api-key': 'SEKOIA_API_KEY',
  '--collection': 'IOC_COLLECTION_UUID',
  '--server': 'IOC_COLLECTION_SERVER',
  '--feed-location': undefined,
  '--feed-authorization': 'FEED_AUTHORIZATION',
  '--s3-endpoint': 'S3_ENDPOINT',
  '--lookback-days': undefined,
  '--interval': undefined,
  '--data-path': undefined,
  '--catalogue': undefined,
  '--catalogue-feed': undefined,
  '--expiry': undefined,
  '--decaying-model': undefined,
  '--decay-threshold': undefined,
} as const satisfies Record<string, string | undefined>;

type ValueFlag = keyof typeof VALUE_FLAGS;
/** Value flags that may be given several times, each time adding a value. */
const REPEATABLE_FLAGS: readonly ValueFlag[] = ['--decaying-model'];
const BOOLEAN_FLAGS = ['--once', '--dry-run', '--feed', '--verbose', '--no-verify-ssl', '--help', '-h', '--list-feeds'] as const;
type BooleanFlag = (typeof BOOLEAN_FLAGS)[number];

function isValueFlag(name: string): name is ValueFlag {
  return Object.hasOwn(VALUE_FLAGS, name);
}

function isBooleanFlag(name: string): name is BooleanFlag {
  return (BOOLEAN_FLAGS as readonly string[]).includes(name);
}

/** The usage text of `npm run trigger:dev -- --help`. */
export const TRIGGER_DEV_HELP = `Runs the trigger "MISP IDS Attributes to IOC Collection" through the real runtime, on this machine.

Usage: npm run trigger:dev -- [options]

Without MISP or Sekoia.io settings it runs on the demo: an embedded MISP serving demo events
generated at start (misp_modules/dev/demo-events.ts), an embedded IOC collection that keeps what it
accepts, and embedded runtime endpoints (callback, logs, secrets). The trigger is configured exactly
as in a container (MODULE_CONFIGURATION, TRIGGER_CONFIGURATION, TOKEN, URL_CALLBACK, ...). Between
two cycles of the demo, an analyst edits a domain of the event of refusals and publishes it again.

Run:
  --once                 run one cycle, print the summary and exit: 0 when the cycle completed,
                         1 when it failed. Without it, cycles run until Ctrl-C.
  --interval <seconds>   seconds between cycles, development only (production keeps sleep_time,
                         at least 60). Default: ${DEMO_INTERVAL_SECONDS} on the demo, sleep_time otherwise.
  --lookback-days <n>    the look-back window of the first cycle (publish_timestamp). Default 1.
  --data-path <dir>      SYMPHONY_DATA_PATH, the trigger's memory of what it delivered.
                         Default: a fresh .trigger-dev/demo-* directory for the demo, and
                         .trigger-dev/<misp host or feed-...>--<collection> against real services.
  --verbose              also print the trigger's debug lines.
  -h, --help             this text.

Expiry (the trigger's expiry, decaying_model and decay_threshold):
  --expiry fixed|decaying_model
                         fixed (the default): no valid_until, as valid_for is not set.
                         decaying_model: each IOC lapses when MISP's decaying model calls it
                         decayed, and a decayed one is not pushed. The demo MISP serves two
                         models (1 "Demo decay", enabled; 2 "Demo retention", disabled) and
                         sightings that leave part of its values decayed and the rest lapsing
                         within hours or days; the summary adds one line per model: IOCs pushed,
                         attributes skipped as decayed, and the next moments IOCs lapse.
                         A MISP API source only (not --feed or --feed-location).
  --decaying-model <id or name>
                         with --expiry decaying_model: a model to apply; repeat it for several.
                         Default: MISP's enabled models for each attribute type.
  --decay-threshold <score>
                         with --expiry decaying_model: the score, from 0 to 100, under which an
                         IOC is decayed, in place of each model's own threshold.

Real services (a flag wins over its environment variable):
  --misp-url <url>         MISP_URL               base URL of your MISP
  --misp-api-key <key>     MISP_API_KEY           MISP auth key (prefer the variable: flags
                                                  show in the process list and shell history)
  --sekoia-api-key <key>   SEKOIA_API_KEY         Sekoia.io API key that can write to the collection
  --collection <id>        IOC_COLLECTION_UUID    ioc-collection--<uuid>
  --server <url>           IOC_COLLECTION_SERVER  Sekoia.io API URL of your region
                                                  (default ${DEFAULT_IOC_COLLECTION_SERVER})
  --no-verify-ssl          do not verify TLS certificates (verify_ssl: false); for a MISP with a
                           private CA, prefer NODE_EXTRA_CA_CERTS=/path/to/ca.pem
  --dry-run                fetch from MISP and validate, but push to the embedded collection
                           instead of Sekoia.io, with a throw-away data path; the summary lists
                           what would be pushed. A safe first run against production.

A MISP feed instead of a MISP instance (source misp_feed):
  --feed                   the demo as a MISP feed: an embedded feed server serves the demo
                           events (manifest.json with an ETag, one file per event, hashes.csv,
                           built in .trigger-dev/) and requires "Authorization: Bearer <token>",
                           a random token the account passes as feed_authorization.
  --feed-location <where>  read this feed instead: its base URL (/manifest.json is added) or its
                           directory. Into the embedded collection (a fresh data path each run),
                           or to Sekoia.io with the settings above; --dry-run as for a MISP.
  --feed-authorization <value>
                           FEED_AUTHORIZATION     the Authorization header the feed requires, e.g.
                                                  "Bearer <token>" (feed_authorization). With
                                                  --feed, the embedded feed requires this value.
  --s3-endpoint <url>      S3_ENDPOINT            with --feed-location s3://bucket/prefix: an
                                                  S3-compatible endpoint other than AWS (s3_endpoint).
                                                  The keys come from AWS_ACCESS_KEY_ID and
                                                  AWS_SECRET_ACCESS_KEY, as for the AWS CLI.

Any feed of a MISP feed list (MISP's own app/files/feed-metadata/defaults.json, or an export of
a MISP's feeds), MISP, CSV and free-text feeds alike:
  --catalogue <file|url>   the feed list to read.
  --list-feeds             list its feeds (format, name, location) and exit.
  --catalogue-feed <name>  run this feed, with the format and settings the list gives it, from
                           --feed-location (a local copy of its data: a directory for a MISP feed,
                           the file for a CSV or free-text one) or else from its own location.

Examples:
  npm run trigger:dev -- --once
  npm run trigger:dev -- --feed --once
  npm run trigger:dev -- --once --expiry decaying_model
  FEED_AUTHORIZATION="Bearer ..." npm run trigger:dev -- --feed-location https://feeds.example.org/misp --dry-run --once
  MISP_URL=https://misp.example.org MISP_API_KEY=... npm run trigger:dev -- --dry-run --once
  npm run trigger:dev -- --catalogue defaults.json --list-feeds
  npm run trigger:dev -- --catalogue defaults.json --catalogue-feed "Feodo IP Blocklist" --feed-location ipblocklist.csv --once
  MISP_URL=... MISP_API_KEY=... SEKOIA_API_KEY=... IOC_COLLECTION_UUID=ioc-collection--... npm run trigger:dev
`;

function positiveInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new TriggerDevUsageError(`${flag} takes a whole number of at least 1; "${text}" is not one.`);
  }
  return Number(text);
}

function httpUrl(what: string, text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TriggerDevUsageError(`${what} is not a URL: give an http:// or https:// URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TriggerDevUsageError(`${what} must be an http:// or https:// URL, not ${parsed.protocol}//.`);
  }
  return text;
}

/**
 * Reads the flags (`--flag value` or `--flag=value`) and the environment. Throws
 * TriggerDevUsageError on anything it cannot use; never echoes a key in a message.
 */
export function parseTriggerDevOptions(argv: readonly string[], env: NodeJS.ProcessEnv): TriggerDevOptions {
  const values = new Map<ValueFlag, string>();
  const repeated = new Map<ValueFlag, string[]>();
  const switches = new Set<BooleanFlag>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const equals = argument.indexOf('=');
    const name = argument.startsWith('--') && equals !== -1 ? argument.slice(0, equals) : argument;
    if (isBooleanFlag(name)) {
      if (name !== argument) throw new TriggerDevUsageError(`${name} takes no value.`);
      switches.add(name);
    } else if (isValueFlag(name)) {
      let value: string | undefined;
      if (name !== argument) value = argument.slice(equals + 1);
      else {
        value = argv[index + 1];
        index++;
      }
      if (value === undefined || value === '' || (value.startsWith('--') && name === argument)) {
        throw new TriggerDevUsageError(`${name} needs a value.`);
      }
      values.set(name, value);
      if (REPEATABLE_FLAGS.includes(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
    } else {
      throw new TriggerDevUsageError(`Unknown option "${name}". Run npm run trigger:dev -- --help for the options.`);
    }
  }

  const setting = (flag: ValueFlag): string | undefined => {
    const fromFlag = values.get(flag);
    if (fromFlag !== undefined) return fromFlag;
    const variable = VALUE_FLAGS[flag];
    const fromEnv = variable === undefined ? undefined : env[variable]?.trim();
    return fromEnv === '' ? undefined : fromEnv;
  };

  const help = switches.has('--help') || switches.has('-h');
  const dryRun = switches.has('--dry-run');
  const interval = setting('--interval');
  const lookback = setting('--lookback-days');
  const dataPath = setting('--data-path');

  const mispUrl = setting('--misp-url');
  const mispApiKey = setting('--misp-api-key');
  if (mispUrl !== undefined && mispApiKey === undefined) {
    throw new TriggerDevUsageError('A MISP URL is given but no MISP API key: set MISP_API_KEY (or --misp-api-key).');
  }
  if (mispUrl === undefined && mispApiKey !== undefined) {
    throw new TriggerDevUsageError('A MISP API key is given but no MISP URL: set MISP_URL (or --misp-url).');
  }
  const misp = mispUrl === undefined ? undefined : { url: httpUrl('The MISP URL', mispUrl), apiKey: mispApiKey as string };
  const catalogue = catalogueChoice(values.get('--catalogue'), switches.has('--list-feeds'), values.get('--catalogue-feed'), switches.has('--feed'), env);
  const feed = feedChoice(switches.has('--feed'), values.get('--feed-location') ?? (catalogue?.feed === undefined ? undefined : CATALOGUE_LOCATION), setting('--feed-authorization'), values.has('--feed-authorization'), env);
  if (feed !== undefined && misp !== undefined) {
    throw new TriggerDevUsageError(
      `Both a MISP (MISP_URL or --misp-url) and a feed (${feed.kind === 'demo' ? '--feed' : '--feed-location'}) are given: choose one source.`,
    );
  }
  const realSource = misp !== undefined || feed?.kind === 'location';
  const s3Endpoint = setting('--s3-endpoint');
  if (s3Endpoint !== undefined && (feed?.kind !== 'location' || !(feed.location.startsWith('s3://') || feed.location === CATALOGUE_LOCATION))) {
    throw new TriggerDevUsageError('--s3-endpoint applies to a feed in a bucket: add --feed-location s3://<bucket>/<prefix or key>.');
  }

  const sekoiaApiKey = setting('--sekoia-api-key');
  const collectionUuid = setting('--collection');
  const server = setting('--server');
  let collection: RealCollection | undefined;
  if (!dryRun && (sekoiaApiKey !== undefined || collectionUuid !== undefined || server !== undefined)) {
    if (!realSource) {
      throw new TriggerDevUsageError(
        'Sekoia.io settings are given but no MISP or feed: the demo data is not meant for a real IOC collection. ' +
          'Set MISP_URL and MISP_API_KEY (or --feed-location) too, or add --dry-run.',
      );
    }
    if (sekoiaApiKey === undefined) throw new TriggerDevUsageError('Pushing to Sekoia.io needs an API key: set SEKOIA_API_KEY (or --sekoia-api-key).');
    if (collectionUuid === undefined) throw new TriggerDevUsageError('Pushing to Sekoia.io needs the collection: set IOC_COLLECTION_UUID (or --collection).');
    collection = { server: httpUrl('The IOC collection server', server ?? DEFAULT_IOC_COLLECTION_SERVER), uuid: collectionUuid, apiKey: sekoiaApiKey };
  }
  if (!dryRun && !help && misp !== undefined && collection === undefined) {
    throw new TriggerDevUsageError(
      'A real MISP is given but no IOC collection: set SEKOIA_API_KEY and IOC_COLLECTION_UUID to push to Sekoia.io, ' +
        'or add --dry-run to see what would be pushed.',
    );
  }
  if (dryRun && dataPath !== undefined) {
    throw new TriggerDevUsageError(
      '--dry-run always uses a throw-away data path, so that what it did not really push is never remembered as delivered: drop --data-path.',
    );
  }

  const expiry = expiryChoice(values.get('--expiry'), repeated.get('--decaying-model') ?? [], values.get('--decay-threshold'));
  if (expiry?.kind === 'decaying_model' && feed !== undefined) {
    throw new TriggerDevUsageError(
      `--expiry decaying_model reads MISP's decaying models through the MISP API, which a feed does not have: drop ${feed.kind === 'demo' ? '--feed' : '--feed-location'}, or use --expiry fixed.`,
    );
  }

  return {
    help,
    once: switches.has('--once'),
    dryRun,
    verbose: switches.has('--verbose'),
    intervalSeconds: interval === undefined ? (realSource ? undefined : DEMO_INTERVAL_SECONDS) : positiveInteger('--interval', interval),
    lookbackDays: lookback === undefined ? undefined : String(positiveInteger('--lookback-days', lookback)),
    dataPath,
    verifySsl: !switches.has('--no-verify-ssl'),
    misp,
    feed,
    collection,
    dryRunCollectionUuid: dryRun ? collectionUuid : undefined,
    catalogue,
    s3Endpoint: s3Endpoint === undefined ? undefined : httpUrl('The S3 endpoint', s3Endpoint),
    expiry,
  };
}

/** --expiry, --decaying-model (each given once) and --decay-threshold, checked as the trigger's schema checks them. */
function expiryChoice(kind: string | undefined, models: readonly string[], threshold: string | undefined): ExpiryChoice | undefined {
  if (kind === undefined || kind === 'fixed') {
    const stray = models.length > 0 ? '--decaying-model' : threshold !== undefined ? '--decay-threshold' : undefined;
    if (stray !== undefined) throw new TriggerDevUsageError(`${stray} applies to MISP's decaying models: add --expiry decaying_model.`);
    return kind === undefined ? undefined : { kind: 'fixed' };
  }
  if (kind !== 'decaying_model') throw new TriggerDevUsageError(`--expiry takes fixed or decaying_model; "${kind}" is neither.`);
  const twice = models.find((model, index) => models.indexOf(model) !== index);
  if (twice !== undefined) throw new TriggerDevUsageError(`--decaying-model "${twice}" is given twice: name each model once.`);
  if (threshold !== undefined && (!/^\d+(\.\d+)?$/.test(threshold) || Number(threshold) > 100)) {
    throw new TriggerDevUsageError(`--decay-threshold takes a score from 0 to 100; "${threshold}" is not one.`);
  }
  return { kind: 'decaying_model', models: [...models], threshold: threshold === undefined ? undefined : Number(threshold) };
}

/** The feed location that stands for "where the catalogue says", until the catalogue is read. */
export const CATALOGUE_LOCATION = 'catalogue:';

function catalogueChoice(source: string | undefined, list: boolean, feed: string | undefined, demo: boolean, env: NodeJS.ProcessEnv): CatalogueChoice | undefined {
  if (source === undefined) {
    if (list || feed !== undefined) throw new TriggerDevUsageError(`${list ? '--list-feeds' : '--catalogue-feed'} reads a feed list: add --catalogue <file or URL>.`);
    return undefined;
  }
  if (!list && feed === undefined) throw new TriggerDevUsageError('--catalogue needs --list-feeds or --catalogue-feed <name>.');
  if (feed !== undefined && demo) throw new TriggerDevUsageError('--catalogue-feed and --feed both choose a feed: keep one.');
  const written = source.trim();
  return { source: /^https?:\/\//i.test(written) || path.isAbsolute(written) ? written : path.resolve(env.INIT_CWD ?? process.cwd(), written), list, feed };
}

/**
 * The feed asked for, if any. A relative directory is taken from where the command was typed
 * (npm runs scripts from the repository root and says where it was started in INIT_CWD).
 */
function feedChoice(
  demo: boolean,
  location: string | undefined,
  authorization: string | undefined,
  authorizationFlag: boolean,
  env: NodeJS.ProcessEnv,
): FeedChoice | undefined {
  if (!demo && location === undefined) {
    if (authorizationFlag) throw new TriggerDevUsageError('--feed-authorization applies to a feed: add --feed or --feed-location.');
    return undefined;
  }
  if (authorization !== undefined) {
    try {
      checkFeedHeaders({ authorization });
    } catch {
      throw new TriggerDevUsageError('The feed authorization holds a line break or a control character: give the header value on one line.');
    }
  }
  if (location === undefined) return { kind: 'demo', authorization };
  if (location === CATALOGUE_LOCATION) return { kind: 'location', location, authorization };
  const written = location.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(written) || path.isAbsolute(written) ? written : path.resolve(env.INIT_CWD ?? process.cwd(), written);
  try {
    parseFeedLocation(absolute);
  } catch (error) {
    if (error instanceof InvalidFeedOptionsError) throw new TriggerDevUsageError(`--feed-location: ${error.message}`);
    throw error;
  }
  return { kind: 'location', location: absolute, authorization };
}
