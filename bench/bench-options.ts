/** The command line of `npm run bench`: sizes, the push pace's scenarios, the decay case, --help. */

export const DEFAULT_SIZES = [10_000, 100_000, 1_000_000] as const;

/** IDS attributes of the decay case, with and without decay scores. */
export const DECAY_SIZE = 100_000;

/** Rounds of the decay case: each variant's figure is the median of its rounds. */
export const DECAY_ROUNDS = 3;

export const BENCH_USAGE = `Usage: npm run bench [-- [N ...] [--rate-limit R[,R...]] [--slowing] [--decay] [--help]]

Runs the built trigger end to end at the defaults (no argument tuned, the image's NODE_OPTIONS)
against loopback MISP, IOC collection and runtime servers, and checks the targets.

  N ...                IDS attributes per case (default: 10000 100000 1000000), each followed by
                       its steady-state cycle; results in bench-results/bench.json and bench.svg.
  --rate-limit R,...   a collection that accepts R requests a second and answers 429 with
                       Retry-After beyond (e.g. --rate-limit 5,50); about 75 s each.
  --slowing            a collection whose answers slow from 10 ms to 2 s.
  --decay              100,000 IDS attributes with MISP's decay scores (expiry decaying_model)
                       side by side with the same without, at the defaults and with valid_for;
                       three rounds, the variants taking turns; median time and peak RSS of
                       each, checked against the defaults (bench-results/decay.json).
  -h, --help           this text; runs nothing.

With --rate-limit, --slowing or --decay, only those scenarios run (and the sizes given, if any);
the pace's results go to bench-results/pace.json. Exit code 1 when a target is missed.`;

/** A command line the benchmark cannot run. */
export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

export interface BenchOptions {
  help: boolean;
  /** The sizes given on the command line, if any. */
  sizes: number[] | undefined;
  defaultSizes: readonly number[];
  rateLimits: number[];
  slowing: boolean;
  decay: boolean;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { help: false, sizes: undefined, defaultSizes: DEFAULT_SIZES, rateLimits: [], slowing: false, decay: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--slowing') options.slowing = true;
    else if (arg === '--decay') options.decay = true;
    else if (arg === '--rate-limit' || arg.startsWith('--rate-limit=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value === undefined) throw new BenchUsageError('--rate-limit needs a number of requests per second, e.g. --rate-limit 5.');
      for (const part of value.split(',')) {
        const limit = Number(part);
        if (!(Number.isFinite(limit) && limit > 0)) throw new BenchUsageError(`--rate-limit takes positive numbers of requests per second; "${part}" is not one.`);
        options.rateLimits.push(limit);
      }
    } else if (/^\d[\d_,]*$/.test(arg)) {
      const size = Number(arg.replace(/[_,]/g, ''));
      if (!(Number.isInteger(size) && size > 0)) throw new BenchUsageError(`A size is a positive number of IDS attributes; "${arg}" is not one.`);
      (options.sizes ??= []).push(size);
    } else {
      throw new BenchUsageError(`Unknown option "${arg}".`);
    }
  }
  return options;
}
