/**
 * File-system plumbing shared by the `.npy` and JSON helpers: atomic writes (a temporary file in the target's
 * directory, renamed into place, so a failed run never leaves a partial output) and the translation of the
 * file-system errors a user can fix (missing file, missing directory, permissions) into one-line
 * {@link LattnError}s.
 */
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

/**
 * Writes a file atomically: `write` fills a new temporary file in the same directory, which is flushed to disk and
 * then renamed over `path`. On any failure the temporary file is removed and `path` is left as it was.
 *
 * @param path - The destination.
 * @param write - Writes the content through the handle it receives (at the handle's current position).
 * @throws {@link LattnError} `INVALID_ARGUMENT` when the directory is missing or not writable; whatever `write`
 * throws otherwise.
 * @example
 * ```ts
 * await writeFileAtomic('model.json', (handle) => handle.writeFile('{}\n'));
 * ```
 */
export async function writeFileAtomic(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temporary, 'wx');
  } catch (error) {
    throw fileSystemError(error, path, 'write');
  }
  try {
    try {
      await write(handle);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw fileSystemError(error, path, 'write');
  }
}

/**
 * Checks, before a long computation, that a file can later be written at `path`: its directory exists and is
 * writable, and `path` is not a directory.
 *
 * @param path - The future output file.
 * @throws {@link LattnError} `INVALID_ARGUMENT` naming the path and the problem.
 * @example
 * ```ts
 * await checkWritable('model.json'); // fails now rather than after the fit
 * ```
 */
export async function checkWritable(path: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK);
  } catch (error) {
    throw fileSystemError(error, path, 'write');
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) throw pathError(path, 'EISDIR', 'write', undefined);
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
