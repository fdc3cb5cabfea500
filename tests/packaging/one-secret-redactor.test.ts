/**
 * One mechanism hides secrets: the runtime's redactor, fed by the one registry of the process's
 * secrets, with one marker and one decode helper. These checks read the source tree and fail as
 * soon as a second masker, marker, decode helper or private list of secrets appears.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REDACTED } from '@sekoia/automation-sdk-shim';
import { describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';

const root = moduleRoot();
const SHIM = 'packages/automation-sdk-shim/src';

function sources(): { file: string; text: string }[] {
  return ['misp_modules', SHIM].flatMap((directory) =>
    readdirSync(path.join(root, directory), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => {
        const file = path.join(directory, name);
        return { file, text: readFileSync(path.join(root, file), 'utf8') };
      }),
  );
}

/** The files whose text matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return sources()
    .filter(({ text }) => pattern.test(text))
    .map(({ file }) => file)
    .sort();
}

describe('one secret redactor for the whole process', () => {
  it('has one marker, written in one place', () => {
    expect(REDACTED).toBe('[REDACTED]');
    expect(filesMatching(/\[REDACTED\]/)).toEqual([`${SHIM}/logging/secret-redactor.ts`]);
    // The marker of the former second masker, as a string or before a URL's host.
    expect(filesMatching(/(['"`])\*\*\*\1|\*\*\*@/)).toEqual([]);
  });

  it('has one decode helper', () => {
    expect(filesMatching(/function safeDecode\b/)).toEqual([`${SHIM}/logging/safe-decode.ts`]);
    expect(filesMatching(/try\s*\{\s*return decodeURIComponent\(/)).toEqual([`${SHIM}/logging/safe-decode.ts`]);
  });

  it('has one registry of secrets, which clients add to rather than keep lists of their own', () => {
    expect(filesMatching(/new SecretRedactor\(/)).toEqual([`${SHIM}/logging/process-secrets.ts`]);
    // A list of secret values handed from client to client (the runtime's lists of secret key names are no such thing).
    expect(filesMatching(/secrets\??: readonly string\[\]|secrets: string\[\]/).filter((file) => file.startsWith('misp_modules'))).toEqual([]);
  });
});
