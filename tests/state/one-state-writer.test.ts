import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The one file that replaces files durably: state in the data path, a feed's files, the journals. */
const WRITER = 'packages/automation-sdk-shim/src/state/state-file.ts';
const SCANNED = ['misp_modules', 'packages/automation-sdk-shim/src'];
/** What a durable writer does: rename a temporary file over the old one, flush a file to disk. */
const DURABLE_WRITE = /\brename(?:Sync)?\s*\(|\bf(?:data)?sync(?:Sync)?\b|\.(?:data)?sync\s*\(/;

function sourceFiles(directory: string): string[] {
  return readdirSync(path.join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.(?:ts|mts|js|mjs)$/.test(entry.name) ? [relative] : [];
  });
}

describe('one durable writer', () => {
  it('renames and flushes files in the runtime state writer only', () => {
    const elsewhere = SCANNED.flatMap(sourceFiles)
      .filter((file) => file !== WRITER)
      .flatMap((file) =>
        readFileSync(path.join(ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, index) => (DURABLE_WRITE.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
      );
    expect(elsewhere, `write through StateFile, StateJournal or replaceFile of ${WRITER} instead`).toEqual([]);
  });

  it('finds the writer it guards', () => {
    expect(DURABLE_WRITE.test(readFileSync(path.join(ROOT, WRITER), 'utf8'))).toBe(true);
  });
});
