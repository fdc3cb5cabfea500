import { chmod, mkdtemp, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { StateFile } from '../../src/state/state-file.js';
import type { LogLevel } from '../../src/types.js';

let directory: string;
let warnings: string[];
const logger = { log: (message: string, level?: LogLevel) => void (level === 'warning' && warnings.push(message)) };

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'state-'));
  warnings = [];
});

describe('StateFile', () => {
  it('reads back what it wrote, JSON and bytes', async () => {
    const state = new StateFile(join(directory, 'nested', 'state.json'), logger);
    const value = { cursor: '2024-05-01T00:00:00Z', delivered: ['a', 'b'], count: 3 };
    await state.writeJson(value);
    expect(await state.readJson()).toEqual(value);
    const bytes = Buffer.from([0, 1, 2, 255]);
    await state.writeBytes(bytes);
    expect(await state.readBytes()).toEqual(bytes);
    expect(await readdir(join(directory, 'nested'))).toEqual(['state.json']);
    expect(warnings).toEqual([]);
  });

  it('reads a missing file as undefined without a warning', async () => {
    await expect(new StateFile(join(directory, 'none.json'), logger).readJson()).resolves.toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('reads a file cut short as undefined, with a warning, and never throws', async () => {
    const path = join(directory, 'state.json');
    const state = new StateFile(path, logger);
    await state.writeJson({ items: Array.from({ length: 100 }, (_, index) => index) });
    const size = (await readFile(path)).length;
    for (const length of [size - 1, Math.floor(size / 2), 13, 5, 0]) {
      await truncate(path, length);
      await expect(state.readJson()).resolves.toBeUndefined();
    }
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatch(/^State file state\.json is ignored because it holds \d+ bytes of data instead of \d+ \(a write was cut short\)/);
    expect(warnings[4]).toContain('because it is empty');
  });

  it('detects altered content and foreign files', async () => {
    const path = join(directory, 'state.json');
    const state = new StateFile(path, logger);
    await state.writeJson({ cursor: 'abcdef' });
    const data = await readFile(path);
    data[data.length - 3] = 'X'.charCodeAt(0);
    await writeFile(path, data);
    expect(await state.readJson()).toBeUndefined();
    await writeFile(path, '{"cursor": "plain json"}');
    expect(await state.readJson()).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringContaining('its checksum does not match'),
      expect.stringContaining('it does not start with a state header'),
    ]);
  });

  it('reports an unreadable file instead of throwing', async () => {
    const path = join(directory, 'state.json');
    const state = new StateFile(path, logger);
    await state.writeJson({ a: 1 });
    await chmod(path, 0o000);
    const canStillRead = await readFile(path).then(() => true, () => false);
    const result = await state.readJson();
    if (canStillRead) {
      // Running as root: permissions do not stop reads, so the content comes back.
      expect(result).toEqual({ a: 1 });
    } else {
      expect(result).toBeUndefined();
      expect(warnings).toEqual([expect.stringContaining('cannot be read (EACCES)')]);
    }
  });

  it('keeps the last of concurrent writes whole', async () => {
    const path = join(directory, 'state.json');
    const writers = [new StateFile(path, logger), new StateFile(path, logger)];
    await Promise.all(Array.from({ length: 20 }, (_, index) => writers[index % 2]!.writeJson({ index, padding: 'p'.repeat(10_000) })));
    expect(await writers[0]!.readJson()).toMatchObject({ index: 19 });
  });

  it('refuses a value that JSON cannot represent, leaving the previous state', async () => {
    const state = new StateFile(join(directory, 'state.json'), logger);
    await state.writeJson({ kept: true });
    await expect(state.writeJson(undefined)).rejects.toThrow('the value is not JSON-serialisable');
    expect(await state.readJson()).toEqual({ kept: true });
  });
});
