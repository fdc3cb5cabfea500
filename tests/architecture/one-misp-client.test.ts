/**
 * One MISP client (ARCHITECTURE.md, "Code map", `misp/`): `misp/misp-api.ts` alone opens the MISP
 * connection, reads an answer's status into a named error, and reads MISP's "No matches" as an
 * empty search. Every other module reaches MISP through it. Each rule is tried on a planted module
 * (a client written beside it), so that it can fail, then held over misp_modules/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = path.join(moduleRoot(), 'misp_modules');
const CLIENT = 'misp/misp-api.ts';
const CONNECTION = 'misp/misp-connection.ts';

/** The TypeScript modules of misp_modules/ (dev/ included: a demo is no excuse for a second client), by path from it. */
function modules(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true })) {
      const relative = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.ts')) found.set(relative, readFileSync(path.join(root, relative), 'utf8'));
    }
  };
  walk('');
  return found;
}

/** The code of a module without its comments: a comment may speak of "No matches" or of statuses. */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

/** The errors of misp/errors/ whose message rests on an HTTP status MISP answered. */
const STATUS_ERRORS = /\bnew (MispAuthenticationError|MispEndpointNotFoundError|MispRateLimitedError|MispServerError|MispRequestRejectedError|MispRefusedError|MispEventSearchError)\(/;
/** A decision on an answer's HTTP status: a comparison of `status`/`statusCode` with one, or `isRetriedStatus(`. */
const READS_STATUS = /\bstatus(Code)?\s*(===|!==|==|!=|<=|>=|<|>)\s*\d{3}\b|\bisRetriedStatus\(/;

/** What makes `file` a MISP client besides the one: each problem as a sentence. */
function secondClient(file: string, text: string): string[] {
  const body = code(text);
  const problems: string[] = [];
  if (file !== CLIENT && file !== CONNECTION && /\bopenMispConnection\s*\(/.test(body)) problems.push(`${file} opens a MISP connection`);
  if (file !== CLIENT && /\bmisp-connection\.js'/.test(body)) problems.push(`${file} imports the MISP connection`);
  if (file !== CLIENT && READS_STATUS.test(body) && STATUS_ERRORS.test(body)) problems.push(`${file} maps HTTP statuses to MISP errors`);
  if (file !== CLIENT && /\/\^?no matches\/i/i.test(body)) problems.push(`${file} reads MISP's "No matches" itself`);
  return problems;
}

/** The old event export of the feed generator, in brief: a client of its own. */
const PLANTED_EXPORT = `import { openMispConnection } from '../../misp/misp-connection.js';
const NO_MATCHES = /^no matches/i;
// A 404 "No matches" is an empty search.
export function attempt(response: { statusCode: number; body: string }, host: string) {
  const connection = openMispConnection({ baseUrl: host, apiKey: '', verifySsl: true, timeouts: { connectMs: 1, responseMs: 1 } });
  if (response.statusCode === 401) throw new MispAuthenticationError(host, 401, '');
  return NO_MATCHES.test(response.body) ? [] : connection;
}
`;

describe('one MISP client', () => {
  it('flags a module that opens its own MISP connection, maps statuses and reads "No matches"', () => {
    expect(secondClient('feed/writer/misp-event-source.ts', PLANTED_EXPORT)).toEqual([
      'feed/writer/misp-event-source.ts opens a MISP connection',
      'feed/writer/misp-event-source.ts imports the MISP connection',
      'feed/writer/misp-event-source.ts maps HTTP statuses to MISP errors',
      'feed/writer/misp-event-source.ts reads MISP\'s "No matches" itself',
    ]);
    expect(secondClient('new-event/new-event-trigger.ts', "if (error.status === 404 && /^no matches/i.test(error.reason)) return [];\nthrow new MispRefusedError(host, request, 404, '');\n")).toEqual([
      'new-event/new-event-trigger.ts maps HTTP statuses to MISP errors',
      'new-event/new-event-trigger.ts reads MISP\'s "No matches" itself',
    ]);
    // Speaking of it is not doing it, and the client itself may.
    expect(secondClient('new-event/new-event-trigger.ts', '/** The client reads a 404 "No matches" as none. */\n')).toEqual([]);
    expect(secondClient(CLIENT, PLANTED_EXPORT)).toEqual([]);
  });

  it('is misp/misp-api.ts: no other module of misp_modules/ is a MISP client', () => {
    const files = modules();
    expect(files.has(CLIENT)).toBe(true);
    expect([...files].flatMap(([file, text]) => secondClient(file, text))).toEqual([]);
  });

  it('reads "No matches" by one rule, written once, in the client', () => {
    const rules = [...modules()].flatMap(([file, text]) => [...code(text).matchAll(/\/\^?no matches\/i/gi)].map(() => file));
    expect(rules).toEqual([CLIENT]);
  });
});
