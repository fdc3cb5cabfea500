/**
 * The bench's decay case: N IDS attributes with MISP's decay scores side by side with the same N
 * without them. For each, the loopback MISP serves the rows (their JSON ready, the scores held in
 * it as a search with `includeDecayScore` gets them) and a child process reads them through the
 * product's client (decay-client.ts): fetch, parse, normalise and, for the scored rows, each value's
 * lapse and its valid_until group. Until the trigger computes lifetimes itself, this is the part of
 * a cycle that decay scores change.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { moduleRoot } from '../misp_modules/configuration/module-root.js';
import { startDemoMispServer } from '../misp_modules/dev/demo-misp-server.js';
import { DemoDecay } from '../misp_modules/dev/demo-decay.js';
import { syntheticDecayingModels } from '../misp_modules/dev/synthetic-attributes.js';
import { prepareDataSet } from './bench-data.js';
import type { DecayClientFigures } from './decay-client.js';

const MISP_KEY = 'bench-misp-key-4f1e9c7a2d5b';

export interface DecaySideBySide {
  idsAttributes: number;
  plain: DecayClientFigures;
  scored: DecayClientFigures;
}

function runClient(url: string, variant: 'plain' | 'scored', now: number): Promise<DecayClientFigures> {
  const root = moduleRoot();
  const viteNode = path.join(root, 'node_modules/vite-node/vite-node.mjs');
  const child = spawn(process.execPath, [viteNode, '--config', 'vitest.config.ts', 'bench/decay-client.ts', url, variant, String(now)], {
    cwd: root,
    env: { PATH: process.env.PATH, BENCH_MISP_KEY: MISP_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${String(code)}`);
        resolve(JSON.parse(line) as DecayClientFigures);
      } catch (error) {
        reject(new Error(`The decay bench's ${variant} client failed (${(error as Error).message}):\n${(errors || output).slice(-3000)}`));
      }
    });
  });
}

async function measure(idsAttributes: number, variant: 'plain' | 'scored', now: number): Promise<DecayClientFigures> {
  const data = prepareDataSet(idsAttributes, { now, seed: 7, decayScores: variant === 'scored' });
  const misp = await startDemoMispServer({ apiKey: MISP_KEY, attributes: data.source, decay: new DemoDecay(syntheticDecayingModels()) });
  try {
    return await runClient(misp.url, variant, now);
  } finally {
    await misp.close();
  }
}

export async function runDecaySideBySide(idsAttributes: number): Promise<DecaySideBySide> {
  const now = Math.floor(Date.now() / 1000);
  const plain = await measure(idsAttributes, 'plain', now);
  const scored = await measure(idsAttributes, 'scored', now);
  return { idsAttributes, plain, scored };
}
