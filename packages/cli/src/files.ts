/**
 * File-system plumbing shared by the `.npy` and JSON helpers: atomic writes of one file or of a set of files (temporary
 * files in the targets' directories, renamed into place only when all are complete, so a failed run never leaves a
 * partial output), a guard against writing over an input, bounded text reads, and the translation of the file-system
 * errors a user can fix (missing file, missing directory, permissions) into one-line {@link LattnError}s.
 */
import { constants as bufferConstants } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, type FileHandle, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LattnError } from '@lattn/core';

/** What the file was opened for, used in messages. */
export type FileAction = 'read' | 'write';

const USER_FIXABLE: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'has a parent that is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'is not accessible (permission denied)',
  EPERM: 'is not accessible (operation not permitted)',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'cannot be written: the disk is full',
  ENAMETOOLONG: 'has a name that is too long',
  EEXIST: 'exists and is not a directory',
  ELOOP: 'is a loop of symbolic links',
  EFBIG: 'cannot be written: it would exceed the largest file allowed',
  EDQUOT: 'cannot be written: the disk quota is exceeded',
};

/**
 * Translates a file-system error the user can act on into a {@link LattnError}; returns any other error unchanged
 * so that it surfaces as an internal error.
 *
 * @param error - What `node:fs` threw.
 * @param path - The path the user gave.
 * @param action - Whether the file was being read or written.
 * @returns A `LattnError` (`INVALID_ARGUMENT`) naming the path and the problem, or `error` itself.
 * @example
 * ```ts
 * try { await readFile(path); } catch (error) { throw fileSystemError(error, path, 'read'); }
 * ```
 */
export function fileSystemError(error: unknown, path: string, action: FileAction): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const problem = code === undefined ? undefined : USER_FIXABLE[code];
  return code === undefined || problem === undefined ? error : pathError(path, code, action, error);
}

function pathError(path: string, code: string, action: FileAction, cause: unknown): LattnError {
  const problem = USER_FIXABLE[code];
  const expected =
    action === 'read' ? 'a readable file' : `a writable path in an existing directory ('${dirname(path)}')`;
  return new LattnError('INVALID_ARGUMENT', `'${path}' ${problem}. Expected ${expected}; received '${path}'.`, {
    cause,
    details: { path, code },
  });
}

/**
 * Opens a file for reading, translating user-fixable failures with {@link fileSystemError}.
 *
 * @param path - The file to open.
 * @returns An open handle; the caller closes it.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when the file is missing, a directory or not readable.
 * @example
 * ```ts
 * const handle = await openForReading('X.npy');
 * try { await handle.stat(); } finally { await handle.close(); }
 * ```
 */
export async function openForReading(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileSystemError(error, path, 'read');
  }
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw pathError(path, 'EISDIR', 'read', undefined);
  }
  return handle;
}

/** One file of a set written by {@link writeFilesAtomic}: where it goes and what fills it. */
export interface FileWrite {
  /** The destination; an existing file is replaced. */
  readonly path: string;
  /** Writes the content through the handle it receives (at the handle's current position). */
  readonly write: (handle: FileHandle) => Promise<void>;
}

/**
 * Writes a file atomically: `write` fills a new temporary file in the same directory, which is flushed to disk and
 * then renamed over `path`. On any failure the temporary file is removed and `path` is left as it was.
 *
 * @param path - The destination.
 * @param write - Writes the content through the handle it receives (at the handle's current position).
 * @throws {@link LattnError} `INVALID_ARGUMENT` when the directory is missing or not writable, or `path` is a
 * directory; whatever `write` throws otherwise.
 * @example
 * ```ts
 * await writeFileAtomic('model.json', (handle) => handle.writeFile('{}\n'));
 * ```
 */
export async function writeFileAtomic(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  await writeFilesAtomic([{ path, write }]);
}

/**
 * Writes a set of files that belong together (a dataset and its description, a report and its numbers) all or none:
 * every destination is checked first, every file is written and flushed to a temporary name in its directory, and
 * only then are they renamed into place. When any check or write fails, every temporary file is removed and every
 * destination is left as it was.
 *
 * Notes: the renames themselves are not one atomic step; they run only after every file is complete and on disk,
 * and a rename within a directory fails only when the file system itself fails. A destination that exists and is
 * neither a file nor a directory (`/dev/null`, a named pipe, a terminal) is written through in place, last, since
 * renaming a file over it would replace the device itself.
 *
 * @param files - The files, renamed into place in this order.
 * @throws {@link LattnError} `INVALID_ARGUMENT` naming the first destination that is a directory, lies in a missing
 * or unwritable directory, or cannot be written; whatever a `write` throws otherwise.
 * @example
 * ```ts
 * await writeFilesAtomic([
 *   { path: 'out/results.json', write: (handle) => handle.writeFile(json) },
 *   { path: 'out/report.html', write: (handle) => handle.writeFile(html) },
 * ]);
 * ```
 */
export async function writeFilesAtomic(files: readonly FileWrite[]): Promise<void> {
  // A destination that exists and is neither a file nor a directory — /dev/null, a named pipe, a terminal — is
  // written through in place: renaming a file over it would replace the device itself.
  const inPlace: boolean[] = [];
  for (const { path } of files) {
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory() === true) throw pathError(path, 'EISDIR', 'write', undefined);
    inPlace.push(existing !== undefined && !existing.isFile());
  }
  const pending: string[] = files.map(() => '');
  try {
    for (let i = 0; i < files.length; i++) {
      if (inPlace[i]) continue;
      const { path, write } = files[i];
      const temporary = temporaryName(path);
      let handle: FileHandle;
      try {
        handle = await open(temporary, 'wx');
      } catch (error) {
        throw fileSystemError(error, path, 'write');
      }
      pending[i] = temporary;
      try {
        try {
          await write(handle);
          await handle.datasync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw fileSystemError(error, path, 'write');
      }
    }
    for (let i = 0; i < files.length; i++) {
      const { path, write } = files[i];
      try {
        if (inPlace[i]) {
          const handle = await open(path, 'w');
          try {
            await write(handle);
          } finally {
            await handle.close();
          }
        } else {
          await rename(pending[i], path);
          pending[i] = '';
        }
      } catch (error) {
        throw fileSystemError(error, path, 'write');
      }
    }
  } catch (error) {
    await Promise.all(
      pending.filter((temporary) => temporary !== '').map((temporary) => unlink(temporary).catch(() => undefined)),
    );
    throw error;
  }
}

/** A fresh hidden name next to `path`, for a temporary file. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** An input file of a command, as named in messages: the option that gave it and its path. */
export interface InputFile {
  /** The option, for example `'--inputs'`. */
  readonly flag: string;
  /** The path given. */
  readonly path: string;
}

/**
 * Checks, before a long computation, that a file can later be written at `path`: a file can be created in its
 * directory (tried, then removed), `path` is not a directory, and it is none of the command's input files (under any name: a symbolic or
 * hard link to an input is the same file), so that the output can never destroy an input.
 *
 * @param path - The future output file.
 * @param inputs - The files the command reads.
 * @throws {@link LattnError} `INVALID_ARGUMENT` naming the path and the problem, or the input it would overwrite.
 * @example
 * ```ts
 * await checkWritable('model.json', [{ flag: '--inputs', path: 'X.npy' }]); // fails now rather than after the fit
 * ```
 */
export async function checkWritable(path: string, inputs: readonly InputFile[] = []): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) throw pathError(path, 'EISDIR', 'write', undefined);
  if (existing !== undefined && !existing.isFile()) {
    // A device or a pipe is written through in place (see writeFilesAtomic), so it must be writable itself.
    try {
      await access(path, constants.W_OK);
    } catch (error) {
      throw fileSystemError(error, path, 'write');
    }
    return;
  }
  // Creating (and removing) a file is the one test that holds for every user, root included, and every file system.
  const probe = temporaryName(path);
  try {
    await (await open(probe, 'wx')).close();
  } catch (error) {
    throw fileSystemError(error, path, 'write');
  }
  await unlink(probe).catch(() => undefined);
  if (existing === undefined) return;
  for (const input of inputs) {
    const source = await stat(input.path).catch(() => undefined);
    if (source !== undefined && source.dev === existing.dev && source.ino === existing.ino) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `'${path}' is the same file as the input ${input.flag} '${input.path}', which writing the output would destroy. Expected an output path different from every input; received '${path}'.`,
        { details: { path, input: input.path } },
      );
    }
  }
}

/**
 * Reads a whole text file (UTF-8), refusing one larger than the longest string this Node.js can hold. Regular files
 * are checked by size before reading; pipes and devices are read until they end or pass that size.
 *
 * @param path - The file.
 * @returns Its text.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when the file is missing, a directory or not readable; `TOO_LARGE`
 * when it is larger than `buffer.constants.MAX_STRING_LENGTH` bytes.
 * @example
 * ```ts
 * const text = await readTextFile('model.json');
 * ```
 */
export async function readTextFile(path: string): Promise<string> {
  const limit = bufferConstants.MAX_STRING_LENGTH;
  const handle = await openForReading(path);
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > limit) throw tooLarge(path, limit, `${info.size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw tooLarge(path, limit, `more than ${limit} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (error) {
    throw fileSystemError(error, path, 'read');
  } finally {
    await handle.close();
  }
}

function tooLarge(path: string, limit: number, received: string): LattnError {
  return new LattnError(
    'TOO_LARGE',
    `'${path}' is too large to read as text. Expected at most ${limit} bytes (the longest string this Node.js can hold); received ${received}.`,
    { details: { path, limit } },
  );
}

/**
 * Creates a directory and its missing parents (nothing happens when it exists).
 *
 * @param path - The directory.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when it cannot be created, for example because a parent is a file.
 * @example
 * ```ts
 * await ensureDirectory('data/automata');
 * ```
 */
export async function ensureDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw fileSystemError(error, path, 'write');
  }
}
