/**
 * The built trigger in a child process, configured by environment as the container does, with the
 * kernel's own peak of its resident memory (VmHWM) sampled while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../misp_modules/dev/loopback-http.js';
import { moduleRoot, TRIGGER_COMMAND } from '../misp_modules/configuration/module-root.js';

export interface TriggerProcessOptions {
  mispUrl: string;
  runtimeCallbackUrl: string;
  token: string;
  dataPath: string;
  triggerConfiguration: Record<string, unknown>;
}

export interface TriggerProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  exit: Promise<number | null>;
  /** Highest VmHWM seen, in bytes (0 before the first sample). */
  peakRssBytes(): number;
  /** Reads VmHWM now (the peak since the process started) and returns the highest seen. */
  samplePeak(): Promise<number>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const SAMPLE_MS = 50;


async function readPeakRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function startTriggerProcess(options: TriggerProcessOptions): Promise<TriggerProcess> {
  const root = moduleRoot();
  const [livenessPort, metricsPort] = [await freePort(), await freePort()];
  // Extra node flags for a closer look, e.g. BENCH_TRIGGER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_TRIGGER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist/misp_modules/main.js'), TRIGGER_COMMAND], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      SYMPHONY_VOLUME_PATH: mkdtempSync(path.join(tmpdir(), 'bench-volume-')),
      SYMPHONY_DATA_PATH: options.dataPath,
      // The secrets are fetched from url_secrets, as in production.
      MODULE_CONFIGURATION: JSON.stringify({ misp_url: options.mispUrl }),
      TRIGGER_CONFIGURATION: Buffer.from(JSON.stringify(options.triggerConfiguration)).toString('base64'),
      TOKEN: options.token,
      URL_CALLBACK: options.runtimeCallbackUrl,
      LIVENESS_PORT: String(livenessPort),
      METRICS_PORT: String(metricsPort),
      ...containerNodeOptions(root),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  let peak = 0;
  const samplePeak = async (): Promise<number> => {
    if (child.pid !== undefined && !exited) {
      const value = await readPeakRss(child.pid);
      if (value !== undefined && value > peak) peak = value;
    }
    return peak;
  };
  const timer = setInterval(() => void samplePeak(), SAMPLE_MS);
  void exit.then(() => clearInterval(timer));
  return {
    child,
    output: () => text,
    exit,
    peakRssBytes: () => peak,
    samplePeak,
    stop: async () => {
      await samplePeak();
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
  };
}

/** Waits until `condition` holds, polling; throws with the end of `output` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Output:\n${output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The NODE_OPTIONS the container image sets (an `ENV NODE_OPTIONS=...` line of the Dockerfile), so
 * that the trigger is measured as it runs in production; none when the image sets none.
 */
export function containerNodeOptions(root: string): { NODE_OPTIONS?: string } {
  let dockerfile: string;
  try {
    dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  } catch {
    return {};
  }
  const match = /^\s*ENV\s+NODE_OPTIONS=("([^"]*)"|(\S+))\s*$/m.exec(dockerfile);
  const value = match?.[2] ?? match?.[3];
  return value === undefined || value === '' ? {} : { NODE_OPTIONS: value };
}

export function temporaryDataPath(): string {
  return mkdtempSync(path.join(tmpdir(), 'bench-data-'));
}
