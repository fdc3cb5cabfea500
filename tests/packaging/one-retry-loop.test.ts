/**
 * One retry policy in the whole tree: the runtime's `retry()` is the only retry loop, its
 * `backoffDelay` the only backoff, its `readRetryAfter` the only reader of Retry-After, and got's
 * own retry stays off. Every client of the module and of the runtime gives only its classification
 * of answers; a second loop, formula or reader written anywhere else fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const SCANNED = ['misp_modules', 'packages/automation-sdk-shim/src'];
/** Where the one loop, the one backoff and the one reader live. */
const HOME = 'packages/automation-sdk-shim/src/retry/';

interface Rule {
  what: string;
  pattern: RegExp;
  /** Files under these folders are not held to the rule. */
  except?: string[];
}

const RULES: Rule[] = [
  { what: 'a retry loop counting attempts', pattern: /\bfor\s*\(\s*let\s+\w*(?:attempt|tries|retr)\w*\s*=/i },
  { what: 'a retry loop counting attempts', pattern: /\b(?:attempts?|tries|failures|transientFailures)\s*(?:\+\+|\+=\s*1\b)/ },
  { what: 'an exponential backoff formula', pattern: /(?:\b2\s*\*\*|Math\.pow\(\s*2\s*,)[^;\n]*(?:attempt|failure|retr|error|streak|backoff)/i },
  {
    what: 'a backoff function',
    pattern: /(?:\bfunction\s+|\b(?:const|let)\s+|(?:private|protected|public|static)\s+(?:async\s+)?)\w*(?:backoff|retryDelay|retryWait)\w*\s*(?:=\s*(?:async\s*)?\(|\(|<)/i,
  },
  { what: 'a reader of Retry-After', pattern: /\bfunction\s+\w*retryAfter\w*\s*[(<]/i },
  // A Retry-After header is only ever handed to readRetryAfter (setting one, in a test server, is fine).
  { what: 'a Retry-After read without readRetryAfter', pattern: /^(?!.*readRetryAfter\().*headers\[\s*'retry-after'\s*\](?!\s*=(?!=))/i },
  // The development tools may fetch a catalogue with got's retry; nothing that runs in the trigger does.
  { what: "got's own retry switched on", pattern: /\bretry:\s*\{\s*limit:\s*(?!0\s*\})\S/, except: ['misp_modules/dev/'] },
];

function sourceFiles(): string[] {
  return SCANNED.flatMap((folder) =>
    readdirSync(path.join(root, folder), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')),
  );
}

/** `file:line: what` for every line of `text` that breaks a rule. */
function offences(file: string, text: string): string[] {
  if (file.startsWith(HOME)) return [];
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const rule of RULES) {
      if (rule.except?.some((folder) => file.startsWith(folder))) continue;
      if (rule.pattern.test(line)) found.push(`${file}:${index + 1}: ${rule.what}`);
    }
  });
  return found;
}

describe('one retry policy', () => {
  it('has no retry loop, backoff formula, Retry-After reader or got retry outside the runtime retry module', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => offences(file, readFileSync(path.join(root, file), 'utf8')))).toEqual([]);
  });

  it('holds exactly one retry loop and one backoff function, in the runtime', () => {
    const home = readdirSync(path.join(root, HOME)).map((name) => readFileSync(path.join(root, HOME, name), 'utf8')).join('\n');
    expect(home.match(/\bfor\s*\(\s*let\s+attempts\b/g)).toHaveLength(1);
    expect(home.match(/export function backoffDelay\(/g)).toHaveLength(1);
    expect(home.match(/export function readRetryAfter\(/g)).toHaveLength(1);
  });

  it('recognises the hand-written loops, formulas and readers it replaced', () => {
    const former = [
      'for (let attempt = 1; ; attempt++) {',
      '    for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {',
      '          transientFailures += 1;',
      '        const delay = Math.min(this.flushIntervalMs * 2 ** (this.consecutiveFailures - 1), this.maxRetryDelayMs);',
      'export function backoffDelay(failures: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">): number {',
      'export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {',
      "    const wait = Number(response.headers['retry-after']) * 1000;",
      '      retry: { limit: 2 },',
    ];
    expect(former.filter((line) => offences('misp_modules/example.ts', line).length === 0)).toEqual([]);
    // What stays allowed: a call of the one backoff, a header handed to the one reader, a header set by a test server, got's retry off.
    const allowed = [
      '    const wait = backoffDelay(this.rateLimitStreak, this.backoff, retryAfterMs);',
      "    const retryAfterMs = readRetryAfter(response.headers['retry-after'], this.clock.now());",
      "    headers['retry-after'] = '5';",
      '      retry: { limit: 0 },',
      '    if (values > this.expiries.length) this.growValues(2 ** Math.ceil(Math.log2(values)));',
    ];
    expect(allowed.flatMap((line) => offences('misp_modules/example.ts', line))).toEqual([]);
  });
});
