/** `trigger:dev` run as its own process from the build output, as the tests of its command line use it. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

export interface TriggerDevRun {
  code: number | null;
  /** Standard output and error, interleaved as they came. */
  output: string;
}

/** Runs `node dist/misp_modules/dev/trigger-dev.js <args>` with exactly `env`; resolves when it exits. */
export function runTriggerDev(args: readonly string[], env: NodeJS.ProcessEnv): Promise<TriggerDevRun> {
  const root = moduleRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/misp_modules/dev/trigger-dev.js'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
