import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { replaceFile, StateFile, StateJournal } from '../../src/state/state-file.js';
import { StateWriteError } from '../../src/state/state-write-error.js';
import { FailingFileSystem } from '../../src/testing/failing-file-system.js';

let directory: string;
const quiet = { log: () => undefined };

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'state-failures-'));
});

describe('the state writer on a full or read-only disk', () => {
  it.each([
    ['ENOSPC', 'The data path is full'],
    ['EROFS', 'The data path is read-only'],
    ['EIO', 'The data path has a disk error'],
  ])('%s: rejects with one sentence naming the place and the file, keeps the old file, leaves no temporary file', async (code, sentence) => {
    const fileSystem = new FailingFileSystem();
    const path = join(directory, 'state.json');
    const state = new StateFile(path, quiet, { fileSystem });
    await state.writeJson({ kept: 1 });
    fileSystem.failWrites({ code });
    const error = await state.writeJson({ kept: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateWriteError);
    expect(error).toMatchObject({ name: 'StateWriteError', path, code });
    expect((error as Error).message).toBe(`${sentence}: ${path} could not be written (${code}); its previous content is kept.`);
    expect(await state.readJson()).toEqual({ kept: 1 });
    expect(await readdir(directory)).toEqual(['state.json']);

    fileSystem.heal();
    await state.writeJson({ kept: 3 });
    expect(await new StateFile(path, quiet).readJson()).toEqual({ kept: 3 });
  });

  it('fails only the write it is told to, the Nth of a file, and counts them', async () => {
    const fileSystem = new FailingFileSystem().failWrites({ code: 'ENOSPC', file: 'b.bin', after: 1, times: 1 });
    const a = new StateFile(join(directory, 'a.bin'), quiet, { fileSystem });
    const b = new StateFile(join(directory, 'b.bin'), quiet, { fileSystem });
    await a.writeBytes(Buffer.from('a1'));
    await b.writeBytes(Buffer.from('b1'));
    await expect(b.writeBytes(Buffer.from('b2'))).rejects.toThrow(StateWriteError);
    await b.writeBytes(Buffer.from('b3'));
    expect(fileSystem.written).toEqual(['a.bin', 'b.bin', 'b.bin', 'b.bin']);
    expect(fileSystem.failed).toBe(1);
    expect(await b.readBytes()).toEqual(Buffer.from('b3'));
  });

  it('a sliced write that fails, or that its slices abandon, leaves the old file whole', async () => {
    const fileSystem = new FailingFileSystem();
    const state = new StateFile(join(directory, 'big.bin'), quiet, { fileSystem });
    function* slices(count: number, abandon = false): Generator<Uint8Array, boolean> {
      for (let n = 0; n < count; n++) yield Buffer.alloc(100_000, n);
      return !abandon;
    }
    expect(await state.writeSlices(slices(5))).toBe(true);
    const before = await state.readBytes();
    expect(before?.length).toBe(500_000);
    expect(await state.writeSlices(slices(3, true))).toBe(false);
    fileSystem.failWrites({ code: 'ENOSPC' });
    await expect(state.writeSlices(slices(7))).rejects.toThrow(/full/);
    // Compared as bytes: a deep comparison of half a megabyte takes seconds.
    expect((await state.readBytes())?.equals(before as Buffer)).toBe(true);
    expect(await readdir(directory)).toEqual(['big.bin']);
  });

  it('ignores a temporary file left by a crash and writes over it', async () => {
    const path = join(directory, 'state.json');
    const state = new StateFile(path, quiet);
    await state.writeJson({ kept: true });
    await writeFile(`${path}.tmp`, 'half a write');
    expect(await state.readJson()).toEqual({ kept: true });
    await state.writeJson({ next: true });
    expect(await state.readJson()).toEqual({ next: true });
    expect(await readdir(directory)).toEqual(['state.json']);
  });

  it('a journal keeps its lines when an append fails, and the next append starts a line of its own', async () => {
    const fileSystem = new FailingFileSystem();
    const journal = new StateJournal(join(directory, 'sent.log'), { fileSystem });
    await journal.append('"one"');
    fileSystem.failWrites({ code: 'ENOSPC' });
    await expect(journal.append('"two"')).rejects.toThrow(`The data path is full: ${join(directory, 'sent.log')} could not be written (ENOSPC)`);
    // What a full disk can leave: part of the line.
    await writeFile(join(directory, 'sent.log'), '"one"\n"tw', { flag: 'w' });
    fileSystem.heal();
    await journal.append('"three"');
    await journal.close();
    expect((await journal.read()).split('\n')).toEqual(['"one"', '"tw', '"three"', '']);
    fileSystem.failWrites({ code: 'EROFS' });
    await expect(journal.clear()).rejects.toThrow('read-only');
  });

  it('replaces a plain file (no state header) with its mode, naming its place when the disk is full', async () => {
    const path = join(directory, 'manifest.json');
    await replaceFile(path, '{"a":1}', { mode: 0o644 });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    const fileSystem = new FailingFileSystem().failWrites({ code: 'ENOSPC' });
    await expect(replaceFile(path, '{"a":2}', { fileSystem, place: 'feed directory' })).rejects.toThrow(
      `The feed directory is full: ${path} could not be written (ENOSPC); its previous content is kept.`,
    );
    expect(await readFile(path, 'utf8')).toBe('{"a":1}');
    expect(await readdir(directory)).toEqual(['manifest.json']);
  });
});

describe('the state file format', () => {
  it('is the one files on disk already hold: magic SKST, version 1, length, CRC-32, payload', async () => {
    const path = join(directory, 'state.json');
    // Written by the runtime's writer of earlier versions: it must still load, and be written alike.
    const existing = Buffer.from('534b5354010000000ca42814577b22637572736f72223a377d', 'hex');
    await writeFile(path, existing);
    expect(await new StateFile(path, quiet).readJson()).toEqual({ cursor: 7 });
    await new StateFile(path, quiet).writeJson({ cursor: 7 });
    expect(await readFile(path)).toEqual(existing);
  });
});
