import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLattnError } from '@lattn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWritable, ensureDirectory, fileSystemError, openForReading, writeFileAtomic } from './files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('leaves the previous file intact and no temporary file when the writer fails midway', async () => {
    const sub = join(dir, 'failing');
    await mkdir(sub);
    const path = join(sub, 'model.json');
    await writeFile(path, 'previous');
    const failure = new Error('disk on fire');
    await expect(
      writeFileAtomic(path, async (handle) => {
        await handle.writeFile('partial');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect(await readdir(sub)).toEqual(['model.json']);
  });

  it('creates the file with exactly what the writer wrote', async () => {
    const path = join(dir, 'fresh.txt');
    await writeFileAtomic(path, (handle) => handle.writeFile('hello\n'));
    expect(await readFile(path, 'utf8')).toBe('hello\n');
  });

  it('throws INVALID_ARGUMENT naming the path when the destination is a directory', async () => {
    const target = join(dir, 'a-directory');
    await mkdir(target);
    const error = await writeFileAtomic(target, (handle) => handle.writeFile('x')).catch((reason: unknown) => reason);
    expect(isLattnError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain(`'${target}' is a directory`);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('openForReading and fileSystemError', () => {
  it('throw INVALID_ARGUMENT for a missing file, in one line naming it', async () => {
    const path = join(dir, 'missing.npy');
    const error = await openForReading(path).catch((reason: unknown) => reason);
    expect(isLattnError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toBe(`'${path}' does not exist. Expected a readable file; received '${path}'.`);
  });

  it.skipIf(process.getuid?.() === 0)('throw INVALID_ARGUMENT for an unreadable file (skipped as root)', async () => {
    const path = join(dir, 'secret.npy');
    await writeFile(path, 'x');
    await chmod(path, 0o000);
    const error = await openForReading(path).catch((reason: unknown) => reason);
    expect((error as Error).message).toContain('permission denied');
  });

  it('return errors that are not the user’s to fix unchanged', () => {
    const error = Object.assign(new Error('I/O error'), { code: 'EIO' });
    expect(fileSystemError(error, 'X.npy', 'read')).toBe(error);
    const plain = new TypeError('bug');
    expect(fileSystemError(plain, 'X.npy', 'write')).toBe(plain);
  });
});

describe('checkWritable', () => {
  it('accepts a new or existing file in an existing directory', async () => {
    await expect(checkWritable(join(dir, 'new-output.json'))).resolves.toBeUndefined();
    await writeFile(join(dir, 'existing.json'), '{}');
    await expect(checkWritable(join(dir, 'existing.json'))).resolves.toBeUndefined();
  });

  it.each([
    ['missing-parent/out.json', 'does not exist'],
    ['', 'is a directory'],
  ])('throws INVALID_ARGUMENT for %j, naming the path (%s)', async (name, problem) => {
    const path = join(dir, name);
    const error = await checkWritable(path).catch((reason: unknown) => reason);
    expect(isLattnError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain(`'${path}' ${problem}`);
  });
});

describe('ensureDirectory', () => {
  it('creates missing parents and accepts an existing directory', async () => {
    const nested = join(dir, 'a', 'b', 'c');
    await ensureDirectory(nested);
    await ensureDirectory(nested);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['c']);
  });

  it('throws INVALID_ARGUMENT when the path is a file', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, '');
    const error = await ensureDirectory(file).catch((reason: unknown) => reason);
    expect(isLattnError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain(`'${file}' exists and is not a directory`);
  });
});
