import { execFileSync } from 'node:child_process';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLattnError } from '@lattn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkWritable,
  ensureDirectory,
  fileSystemError,
  openForReading,
  readTextFile,
  writeFileAtomic,
  writeFilesAtomic,
} from './files.js';

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

describe('writeFilesAtomic', () => {
  it('writes every file of a set or none: when the last writer fails, no file appears and old files are untouched', async () => {
    const sub = join(dir, 'set-failing');
    await mkdir(sub);
    await writeFile(join(sub, 'X.npy'), 'old X');
    const failure = new Error('disk on fire');
    const attempt = writeFilesAtomic([
      { path: join(sub, 'X.npy'), write: (handle) => handle.writeFile('new X') },
      { path: join(sub, 'Y.npy'), write: (handle) => handle.writeFile('new Y') },
      {
        path: join(sub, 'task.json'),
        write: async (handle) => {
          await handle.writeFile('{"partial":');
          throw failure;
        },
      },
    ]);
    await expect(attempt).rejects.toBe(failure);
    expect(await readdir(sub)).toEqual(['X.npy']);
    expect(await readFile(join(sub, 'X.npy'), 'utf8')).toBe('old X');
  });

  it('refuses before writing anything when a later destination is a directory', async () => {
    const sub = join(dir, 'set-directory');
    await mkdir(join(sub, 'task.json'), { recursive: true });
    let calls = 0;
    const write = async () => {
      calls++;
    };
    const error = await writeFilesAtomic([
      { path: join(sub, 'X.npy'), write },
      { path: join(sub, 'task.json'), write },
    ]).catch((reason: unknown) => reason);
    expect(isLattnError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain(`'${join(sub, 'task.json')}' is a directory`);
    expect(calls).toBe(0);
    expect(await readdir(sub)).toEqual(['task.json']);
  });

  it.runIf(process.platform !== 'win32')(
    'writes through a named pipe in place rather than renaming a file over it (regression: a device such as /dev/null was replaced by a regular file)',
    async () => {
      const pipe = join(dir, 'pipe');
      execFileSync('mkfifo', [pipe]);
      const [, received] = await Promise.all([
        writeFilesAtomic([
          { path: join(dir, 'beside-the-pipe.txt'), write: (handle) => handle.writeFile('a file\n') },
          { path: pipe, write: (handle) => handle.writeFile('through the pipe\n') },
        ]),
        readFile(pipe, 'utf8'),
      ]);
      expect(received).toBe('through the pipe\n');
      expect((await stat(pipe)).isFIFO()).toBe(true);
      expect(await readFile(join(dir, 'beside-the-pipe.txt'), 'utf8')).toBe('a file\n');
      await expect(checkWritable(pipe)).resolves.toBeUndefined();
    },
    10_000,
  );

  it('writes all the files of a set', async () => {
    const sub = join(dir, 'set-complete');
    await mkdir(sub);
    await writeFilesAtomic([
      { path: join(sub, 'a.txt'), write: (handle) => handle.writeFile('a') },
      { path: join(sub, 'b.txt'), write: (handle) => handle.writeFile('b') },
    ]);
    expect((await readdir(sub)).sort()).toEqual(['a.txt', 'b.txt']);
    expect(await readFile(join(sub, 'b.txt'), 'utf8')).toBe('b');
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

describe('checkWritable against the inputs', () => {
  it('throws INVALID_ARGUMENT when the output is an input, by the same name, a hard link or a symbolic link', async () => {
    const input = join(dir, 'precious.npy');
    await writeFile(input, 'data');
    await link(input, join(dir, 'hard-link.npy'));
    await symlink(input, join(dir, 'soft-link.npy'));
    for (const output of [input, join(dir, 'hard-link.npy'), join(dir, 'soft-link.npy')]) {
      const error = await checkWritable(output, [
        { flag: '--model', path: join(dir, 'other.json') },
        { flag: '--inputs', path: input },
      ]).catch((reason: unknown) => reason);
      expect(isLattnError(error) && error.code, output).toBe('INVALID_ARGUMENT');
      expect((error as Error).message).toBe(
        `'${output}' is the same file as the input --inputs '${input}', which writing the output would destroy. Expected an output path different from every input; received '${output}'.`,
      );
    }
    expect(await readFile(input, 'utf8')).toBe('data');
  });

  it('accepts an existing output that is another file than every input', async () => {
    await writeFile(join(dir, 'old-output.npy'), 'old');
    await expect(
      checkWritable(join(dir, 'old-output.npy'), [{ flag: '--inputs', path: join(dir, 'precious.npy') }]),
    ).resolves.toBeUndefined();
  });

  it.runIf(process.platform === 'linux')(
    'throws INVALID_ARGUMENT for a directory no file can be created in, for root too (/sys)',
    async () => {
      const error = await checkWritable('/sys/lattn-model.json').catch((reason: unknown) => reason);
      expect(isLattnError(error) && error.code).toBe('INVALID_ARGUMENT');
      expect((error as Error).message).toMatch(
        /^'\/sys\/lattn-model\.json' (is not accessible|is on a read-only file system)/,
      );
    },
  );
});

describe('readTextFile', () => {
  it('reads a file as UTF-8 text', async () => {
    await writeFile(join(dir, 'text.json'), '{"λ": 1}');
    expect(await readTextFile(join(dir, 'text.json'))).toBe('{"λ": 1}');
  });

  it('throws INVALID_ARGUMENT for a directory', async () => {
    const error = await readTextFile(dir).catch((reason: unknown) => reason);
    expect((error as Error).message).toContain(`'${dir}' is a directory`);
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
