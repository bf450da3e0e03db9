/**
 * NumPy `.npy` files: the header of format versions 1.0, 2.0 and 3.0, little-endian float64 (`<f8`) and float32
 * (`<f4`, widened to float64 on read) data in C order, whole-file reads, bounded-memory reads of a range along the
 * leading axis, and atomic float64 writes (whole, or piece by piece along the leading axis) whose bytes are identical
 * to `np.save`'s.
 *
 * @see https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { constants } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { LattnError } from '@lattn/core';
import { type FileWrite, openForReading, writeFileAtomic, writeFilesAtomic } from './files.js';

/**
 * An n-dimensional float64 array as stored in a `.npy` file: C (row-major) order, last axis fastest. This is a
 * file-boundary type only; it is converted to `Matrix` values immediately (see `sequences.ts`).
 */
export interface NpyArray {
  /** The size of each axis; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** The `shape[0] · shape[1] · …` entries in C order. */
  readonly data: Float64Array;
}

/** The element types lattn reads: little-endian float64 and float32. */
export type NpyDtype = '<f8' | '<f4';

/** What the header of a `.npy` file says, with the file layout needed to read any part of its data. */
export interface NpyHeader {
  /** The file the header was read from. */
  readonly path: string;
  /** The format version, `'1.0'`, `'2.0'` or `'3.0'`. */
  readonly version: string;
  /** The element type on disk. */
  readonly dtype: NpyDtype;
  /** The array's shape. */
  readonly shape: readonly number[];
  /** Byte offset of the first element. */
  readonly dataOffset: number;
  /** Elements per entry of the leading axis: the product of `shape[1..]` (1 for a scalar or a vector). */
  readonly rowLength: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PREFIX_BYTES = 12; // magic (6) + version (2) + header length (2 in v1, 4 in v2/v3)
const ALIGNMENT = 64; // numpy pads headers so that data starts at a multiple of 64 bytes
const GROWTH_AXIS_DIGITS = 21; // numpy >= 1.23 leaves room to grow the leading axis in place
const CHUNK_BYTES = 1 << 20; // scratch buffer for decoding and encoding: memory stays bounded for any file size
const MAX_HEADER_BYTES = 1 << 20; // far above any real header (numpy reads at most 10000 bytes by default)
const MAX_HEADER_DEPTH = 16; // real headers nest two levels (a dict of tuples), structured dtypes a few more
const HEADER_EXAMPLE = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";

/**
 * Reads and validates the header of a `.npy` file without reading its data.
 *
 * @param path - The file.
 * @returns The header, including the data offset used by {@link readNpyRows}.
 * @throws {@link LattnError} `INVALID_FORMAT` naming the file and what was found, for a bad magic string, an
 * unsupported version, a truncated, malformed, oversized (over 1 MiB) or too deeply nested header, an unsupported
 * dtype (big-endian, integer, object, …), Fortran order, or data whose length does not match the header;
 * `INVALID_ARGUMENT` when the file cannot be read or is not a regular file (a pipe or a device).
 * @example
 * ```ts
 * const header = await readNpyHeader('X.npy'); // header.shape: [100, 8, 4]
 * ```
 */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  const handle = await openForReading(path);
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `'${path}' is not a regular file. Expected a .npy file on disk (it is read at random offsets, so pipes and devices cannot be read); received a ${info.isFIFO() ? 'pipe' : info.isSocket() ? 'socket' : 'device'}.`,
        { details: { path } },
      );
    }
    const fileSize = info.size;
    const prefix = await readUpTo(handle, Math.min(PREFIX_BYTES, fileSize), 0);
    const header = parseHeaderPrefix(prefix, fileSize, path);
    const headerBytes = await readUpTo(handle, header.dataOffset - header.textStart, header.textStart);
    const text = Buffer.from(headerBytes).toString(header.version === '3.0' ? 'utf8' : 'latin1');
    const fields = parseHeaderText(text, path);
    const elements = fields.shape.reduce((product, size) => product * size, 1);
    const itemSize = fields.dtype === '<f8' ? 8 : 4;
    const expected = elements * itemSize;
    const actual = fileSize - header.dataOffset;
    if (actual !== expected) {
      const what =
        actual < expected
          ? 'is truncated: its data is shorter than the header says'
          : `has ${actual - expected} bytes after its data (header and data lengths disagree)`;
      throw formatError(
        path,
        what,
        `${expected} bytes of data for shape ${formatShape(fields.shape)} and dtype '${fields.dtype}'`,
        `${actual}`,
      );
    }
    return {
      path,
      version: header.version,
      dtype: fields.dtype,
      shape: fields.shape,
      dataOffset: header.dataOffset,
      rowLength: fields.shape.slice(1).reduce((product, size) => product * size, 1),
    };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a whole `.npy` file as float64.
 *
 * @param path - The file: dtype `<f8` or `<f4`, C order, any rank.
 * @returns A fresh array with the file's shape; float32 data is widened exactly to float64.
 * @throws {@link LattnError} `INVALID_FORMAT` as for {@link readNpyHeader}; `TOO_LARGE` when the data exceeds
 * the largest array this Node.js can allocate (read it with {@link readNpyRows} in chunks instead);
 * `INVALID_ARGUMENT` when the file cannot be read.
 * @example
 * ```ts
 * const { shape, data } = await readNpy('Y.npy'); // shape: [100, 2]
 * ```
 */
export async function readNpy(path: string): Promise<NpyArray> {
  const header = await readNpyHeader(path);
  const count = header.shape.reduce((product, size) => product * size, 1);
  return { shape: [...header.shape], data: await readElements(header, 0, count) };
}

/**
 * Reads entries `start ≤ i < stop` of the leading axis of a `.npy` file, touching only those bytes, so that a
 * `(B, n, d)` file can be processed chunk by chunk in bounded memory.
 *
 * @param header - The file's header, from {@link readNpyHeader}.
 * @param start - First leading-axis index to read, `0 ≤ start ≤ stop`.
 * @param stop - One past the last index to read, `stop ≤ shape[0]`.
 * @returns A fresh array of shape `(stop − start, ...shape[1..])`.
 * @throws {@link LattnError} `INVALID_ARGUMENT` for a scalar file or a range outside `[0, shape[0]]`;
 * `INVALID_FORMAT` when the file was truncated after its header was read; `TOO_LARGE` for a range too large for
 * one array.
 * @example
 * ```ts
 * const header = await readNpyHeader('X.npy');
 * for (let start = 0; start < header.shape[0]; start += 256) {
 *   const chunk = await readNpyRows(header, start, Math.min(start + 256, header.shape[0]));
 * }
 * ```
 */
export async function readNpyRows(header: NpyHeader, start: number, stop: number): Promise<NpyArray> {
  const length = header.shape[0];
  if (length === undefined) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `readNpyRows: '${header.path}' holds a scalar, which has no leading axis. Expected an array of rank >= 1; received shape ().`,
    );
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop) || start < 0 || start > stop || stop > length) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `readNpyRows: the row range is out of bounds for '${header.path}'. Expected integers 0 <= start <= stop <= ${length}; received start ${start}, stop ${stop}.`,
    );
  }
  const data = await readElements(header, start * header.rowLength, (stop - start) * header.rowLength);
  return { shape: [stop - start, ...header.shape.slice(1)], data };
}

/**
 * Writes a float64 array as a `.npy` file: little-endian `<f8`, C order, format version 1.0 (2.0 when the header
 * does not fit in 65535 bytes), byte for byte what `np.save` writes for the same array. The file is written to a
 * temporary name in the same directory and renamed into place, so a failure never leaves a partial file.
 *
 * @param path - The destination; an existing file is replaced.
 * @param array - The shape and its C-order data.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `data.length` is not the product of `shape`;
 * `INVALID_ARGUMENT` for a malformed shape or a destination that cannot be written.
 * @example
 * ```ts
 * await writeNpy('Y.npy', { shape: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) });
 * ```
 */
export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  await writeFilesAtomic([npyFile(path, array)]);
}

/**
 * The `.npy` file {@link writeNpy} would write, as one member of a set of files written together with
 * `writeFilesAtomic` (all or none).
 *
 * @param path - The destination; an existing file is replaced.
 * @param array - The shape and its C-order data.
 * @returns The destination and the writer of its bytes.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when `data.length` is not the product of `shape`;
 * `INVALID_ARGUMENT` for a malformed shape.
 * @example
 * ```ts
 * await writeFilesAtomic([npyFile('X.npy', inputs), npyFile('Y.npy', targets)]);
 * ```
 */
export function npyFile(path: string, array: NpyArray): FileWrite {
  const { shape, data } = array;
  const elements = checkShape('writeNpy', path, shape);
  if (!(data instanceof Float64Array) || data.length !== elements) {
    throw new LattnError(
      'SHAPE_MISMATCH',
      `writeNpy: the data for '${path}' does not fill its shape. Expected a Float64Array of ${elements} entries for shape ${formatShape(shape)}; received ${data instanceof Float64Array ? data.length : typeof data} entries.`,
    );
  }
  return { path, write: (handle) => fillNpy(handle, path, shape, (writer) => writer.write(data)) };
}

/** Appends data to a `.npy` file being written by {@link writeNpyRows}. */
export interface NpyRowWriter {
  /**
   * Appends whole entries of the leading axis, in C order.
   * @param rows - A multiple of the row length (the product of `shape[1..]`) of entries; copied, not retained.
   */
  write(rows: Float64Array): Promise<void>;
}

/**
 * Writes a float64 `.npy` file whose data arrive in pieces along the leading axis, so that a large output (for
 * example predictions for a large input file) never has to be held in memory at once. The bytes are those of
 * {@link writeNpy} for the same array, written atomically in the same way.
 *
 * @param path - The destination; an existing file is replaced only when `fill` completes.
 * @param shape - The shape of the whole array.
 * @param fill - Receives a writer and appends exactly `shape[0]` entries of the leading axis through it.
 * @throws {@link LattnError} `SHAPE_MISMATCH` when a piece is not a whole number of rows or the pieces do not add up
 * to the shape (then no file is written); `INVALID_ARGUMENT` for a malformed shape or a destination that cannot be
 * written; whatever `fill` throws.
 * @example
 * ```ts
 * await writeNpyRows('Y.npy', [1000, 8, 2], async (writer) => {
 *   for (const chunk of chunks) await writer.write(chunk); // (rows, 8, 2) entries each
 * });
 * ```
 */
export async function writeNpyRows(
  path: string,
  shape: readonly number[],
  fill: (writer: NpyRowWriter) => Promise<void>,
): Promise<void> {
  checkShape('writeNpyRows', path, shape);
  await writeFileAtomic(path, (handle) => fillNpy(handle, path, shape, fill));
}

/** Writes the header for a checked `shape`, then the rows `fill` supplies, checking that they fill the shape. */
async function fillNpy(
  handle: FileHandle,
  path: string,
  shape: readonly number[],
  fill: (writer: NpyRowWriter) => Promise<void>,
): Promise<void> {
  const elements = shape.reduce((product, size) => product * size, 1);
  const rowLength = shape.slice(1).reduce((product, size) => product * size, 1);
  const header = encodeHeader(shape);
  await writeAll(handle, header, header.length);
  const scratch = new Uint8Array(Math.max(8, Math.min(CHUNK_BYTES, elements * 8)));
  const view = new DataView(scratch.buffer);
  const perChunk = scratch.length / 8;
  let written = 0;
  const write = async (rows: Float64Array): Promise<void> => {
    const wholeRows = rowLength === 0 ? rows.length === 0 : rows.length % rowLength === 0;
    if (!(rows instanceof Float64Array) || (shape.length > 0 && !wholeRows)) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `writeNpyRows: a piece of '${path}' is not a whole number of rows. Expected a Float64Array whose length is a multiple of ${rowLength} for shape ${formatShape(shape)}; received ${rows instanceof Float64Array ? rows.length : typeof rows} entries.`,
      );
    }
    if (written + rows.length > elements) {
      throw overflow(path, shape, elements, written + rows.length);
    }
    for (let done = 0; done < rows.length; ) {
      const count = Math.min(rows.length - done, perChunk);
      for (let i = 0; i < count; i++) view.setFloat64(i * 8, rows[done + i], true);
      await writeAll(handle, scratch, count * 8);
      done += count;
    }
    written += rows.length;
  };
  await fill({ write });
  if (written !== elements) throw overflow(path, shape, elements, written);
}

function checkShape(fn: string, path: string, shape: unknown): number {
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: the shape for '${path}' is malformed. Expected an array of non-negative integers; received ${String(shape)}.`,
    );
  }
  return shape.reduce((product: number, size: number) => product * size, 1);
}

function overflow(path: string, shape: readonly number[], elements: number, received: number): LattnError {
  return new LattnError(
    'SHAPE_MISMATCH',
    `writeNpyRows: the pieces written to '${path}' do not fill its shape. Expected ${elements} entries for shape ${formatShape(shape)}; received ${received}.`,
  );
}

/** The header bytes numpy's `np.save` writes for a C-order float64 array of this shape. */
function encodeHeader(shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const growth = shape.length > 0 ? ' '.repeat(Math.max(0, GROWTH_AXIS_DIGITS - String(shape[0]).length)) : '';
  const text = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }${growth}`;
  // numpy's _wrap_header: version 1.0 stores the header length in 2 bytes; when it does not fit, version 2.0 in 4.
  const layout = (lengthBytes: number) => {
    const unpadded = MAGIC.length + 2 + lengthBytes + text.length + 1;
    const padding = ALIGNMENT - (unpadded % ALIGNMENT);
    return { lengthBytes, unpadded, padding, headerLength: text.length + padding + 1 };
  };
  const version1 = layout(2);
  const { lengthBytes, unpadded, padding, headerLength } = version1.headerLength <= 0xffff ? version1 : layout(4);
  const bytes = new Uint8Array(unpadded + padding);
  bytes.set(MAGIC, 0);
  bytes[6] = lengthBytes === 2 ? 1 : 2;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  if (lengthBytes === 2) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  const start = MAGIC.length + 2 + lengthBytes;
  bytes.set(Buffer.from(text, 'latin1'), start);
  bytes.fill(0x20, start + text.length, bytes.length - 1);
  bytes[bytes.length - 1] = 0x0a;
  return bytes;
}

interface HeaderPrefix {
  readonly version: string;
  /** Byte offset of the header text. */
  readonly textStart: number;
  readonly dataOffset: number;
}

function parseHeaderPrefix(prefix: Uint8Array, fileSize: number, path: string): HeaderPrefix {
  const magic = prefix.subarray(0, MAGIC.length);
  if (!MAGIC.every((byte, i) => magic[i] === byte)) {
    throw formatError(
      path,
      'is not a .npy file (bad magic string)',
      "the bytes b'\\x93NUMPY' at the start",
      fileSize === 0 ? 'an empty file' : printableBytes(magic),
    );
  }
  if (prefix.length < 10) {
    throw formatError(path, 'is truncated inside its header', 'at least 10 bytes', `a file of ${fileSize} bytes`);
  }
  const major = prefix[6];
  const minor = prefix[7];
  if (minor !== 0 || major < 1 || major > 3) {
    throw formatError(path, 'has an unsupported .npy format version', 'version 1.0, 2.0 or 3.0', `${major}.${minor}`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const textStart = major === 1 ? 10 : 12;
  if (prefix.length < textStart) {
    throw formatError(
      path,
      'is truncated inside its header',
      `at least ${textStart} bytes`,
      `a file of ${fileSize} bytes`,
    );
  }
  const textLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (textLength > MAX_HEADER_BYTES) {
    throw formatError(
      path,
      'declares an oversized header',
      `a header of at most ${MAX_HEADER_BYTES} bytes`,
      `${textLength} bytes`,
    );
  }
  const dataOffset = textStart + textLength;
  if (fileSize < dataOffset) {
    throw formatError(
      path,
      'is truncated inside its header',
      `a header of ${textLength} bytes after the ${textStart}-byte prefix`,
      `a file of ${fileSize} bytes`,
    );
  }
  return { version: `${major}.0`, textStart, dataOffset };
}

interface HeaderFields {
  readonly dtype: NpyDtype;
  readonly shape: number[];
}

function parseHeaderText(text: string, path: string): HeaderFields {
  const header = parsePythonLiteral(text, (reason) => {
    throw formatError(path, `has a malformed header (${reason})`, `a Python dict like ${HEADER_EXAMPLE}`, quote(text));
  });
  if (!(header instanceof Map)) {
    throw formatError(path, 'has a header that is not a dict', `a Python dict like ${HEADER_EXAMPLE}`, quote(text));
  }
  const keys = [...header.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    throw formatError(
      path,
      'has a header with the wrong keys',
      "exactly 'descr', 'fortran_order' and 'shape'",
      keys.map((key) => `'${key}'`).join(', ') || 'no keys',
    );
  }
  const descr = header.get('descr');
  const fortranOrder = header.get('fortran_order');
  const shape = header.get('shape');
  if (!Array.isArray(shape) || !shape.every((size) => typeof size === 'number' && Number.isSafeInteger(size))) {
    throw formatError(path, 'has an invalid shape', 'a tuple of non-negative integers', formatPython(shape));
  }
  const sizes = shape as number[];
  if (sizes.some((size) => size < 0)) {
    throw formatError(path, 'has a negative dimension', 'a tuple of non-negative integers', formatPython(shape));
  }
  if (!Number.isSafeInteger(sizes.reduce((product, size) => product * size, 1) * 8)) {
    throw formatError(
      path,
      'declares an impossibly large shape',
      'a shape with fewer than 2^53 bytes',
      formatShape(sizes),
    );
  }
  if (descr !== '<f8' && descr !== '<f4') {
    const hint = `np.save('${path}', np.asarray(x, dtype='<f8'))`;
    if (descr === '|O') {
      throw formatError(
        path,
        "holds an object array (dtype '|O'): pickled Python objects, not numbers",
        `dtype '<f8' (float64) or '<f4' (float32); convert with numpy: ${hint}`,
        "'|O'",
      );
    }
    throw formatError(
      path,
      `has ${describeDtype(descr)}, which lattn does not read`,
      `dtype '<f8' (float64) or '<f4' (float32), little-endian; convert with numpy: ${hint}`,
      formatPython(descr),
    );
  }
  if (fortranOrder !== false) {
    throw formatError(
      path,
      'is stored in Fortran (column-major) order',
      `C order (fortran_order: False); convert with numpy: np.save('${path}', np.ascontiguousarray(x))`,
      `fortran_order: ${formatPython(fortranOrder)}`,
    );
  }
  return { dtype: descr, shape: sizes };
}

/** Reads `count` elements starting at element `first` and widens them to float64, in bounded scratch memory. */
async function readElements(header: NpyHeader, first: number, count: number): Promise<Float64Array> {
  if (count * 8 > constants.MAX_LENGTH) {
    throw new LattnError(
      'TOO_LARGE',
      `'${header.path}' is too large to read at once. Expected at most ${Math.floor(constants.MAX_LENGTH / 8)} values (read it in chunks along the leading axis); received ${count} values.`,
      { details: { path: header.path, values: count } },
    );
  }
  const itemSize = header.dtype === '<f8' ? 8 : 4;
  const out = new Float64Array(count);
  if (count === 0) return out;
  const scratch = new Uint8Array(Math.min(CHUNK_BYTES, count * itemSize));
  const view = new DataView(scratch.buffer);
  const handle = await openForReading(header.path);
  try {
    let position = header.dataOffset + first * itemSize;
    for (let done = 0; done < count; ) {
      const items = Math.min(count - done, CHUNK_BYTES / itemSize);
      const bytes = await readUpTo(handle, items * itemSize, position, scratch);
      if (bytes.length < items * itemSize) {
        throw formatError(
          header.path,
          'was truncated while it was being read',
          `${items * itemSize} bytes at offset ${position}`,
          `${bytes.length}`,
        );
      }
      if (itemSize === 8) for (let i = 0; i < items; i++) out[done + i] = view.getFloat64(i * 8, true);
      else for (let i = 0; i < items; i++) out[done + i] = view.getFloat32(i * 4, true);
      done += items;
      position += items * itemSize;
    }
  } finally {
    await handle.close();
  }
  return out;
}

/** Reads up to `length` bytes at `position`; returns fewer only at the end of the file. */
async function readUpTo(
  handle: FileHandle,
  length: number,
  position: number,
  target: Uint8Array = new Uint8Array(length),
): Promise<Uint8Array> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(target, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return target.subarray(0, filled);
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, length: number): Promise<void> {
  for (let written = 0; written < length; ) {
    written += (await handle.write(bytes, written, length - written)).bytesWritten;
  }
}

/** A Python value as found in a `.npy` header: dicts become `Map`s, tuples and lists arrays, `None` null. */
type PythonValue = string | number | boolean | null | PythonValue[] | Map<string, PythonValue>;

/**
 * Parses the Python literal subset `.npy` headers use: dicts with string keys, tuples, lists, strings, integers
 * (with Python 2's `L` suffix), `True`, `False` and `None`.
 */
function parsePythonLiteral(text: string, fail: (reason: string) => never): PythonValue {
  let at = 0;
  let depth = 0;
  const skipSpace = (): void => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[at] !== char) fail(`expected '${char}' at character ${at}`);
    at++;
  };
  const sequence = (close: string, item: () => void): void => {
    depth++;
    if (depth > MAX_HEADER_DEPTH) fail(`nested deeper than ${MAX_HEADER_DEPTH} levels at character ${at}`);
    for (;;) {
      skipSpace();
      if (text[at] === close) break;
      item();
      skipSpace();
      if (text[at] === ',') at++;
      else if (text[at] !== close) fail(`expected ',' or '${close}' at character ${at}`);
    }
    at++;
    depth--;
  };
  const string = (): string => {
    const quoteChar = text[at++];
    let out = '';
    while (at < text.length && text[at] !== quoteChar) {
      if (text[at] === '\\' && at + 1 < text.length) {
        const escaped = text[at + 1];
        if (escaped === 'x') {
          out += String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 4), 16));
          at += 4;
          continue;
        }
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
        at += 2;
      } else out += text[at++];
    }
    if (at >= text.length) fail('unterminated string');
    at++;
    return out;
  };
  const value = (): PythonValue => {
    skipSpace();
    const char = text[at];
    if (char === '{') {
      at++;
      const dict = new Map<string, PythonValue>();
      sequence('}', () => {
        const key = value();
        if (typeof key !== 'string') fail(`a dict key is not a string at character ${at}`);
        expect(':');
        dict.set(key as string, value());
      });
      return dict;
    }
    if (char === '(' || char === '[') {
      at++;
      const items: PythonValue[] = [];
      sequence(char === '(' ? ')' : ']', () => items.push(value()));
      return items;
    }
    if (char === "'" || char === '"') return string();
    const token = /^(-?\d+)L?|^(True|False|None)\b/.exec(text.slice(at));
    if (token === null)
      return fail(`unexpected ${char === undefined ? 'end of header' : `'${char}'`} at character ${at}`);
    at += token[0].length;
    if (token[1] !== undefined) return Number(token[1]);
    return token[2] === 'None' ? null : token[2] === 'True';
  };
  const result = value();
  skipSpace();
  if (at < text.length) fail(`unexpected '${text[at]}' after the dict at character ${at}`);
  return result;
}

const DTYPE_KINDS: Readonly<Record<string, string>> = {
  f: 'floating point',
  i: 'signed integer',
  u: 'unsigned integer',
  b: 'boolean',
  c: 'complex',
  O: 'Python object',
  U: 'Unicode string',
  S: 'byte string',
  a: 'byte string',
  V: 'raw bytes',
  M: 'datetime',
  m: 'timedelta',
};

function describeDtype(descr: PythonValue | undefined): string {
  if (typeof descr !== 'string') return 'a structured dtype';
  const match = /^([<>|=])([a-zA-Z])(\d*)/.exec(descr);
  if (match === null) return `dtype '${descr}'`;
  const [, order, kind, size] = match;
  const endian = order === '>' ? 'big-endian ' : '';
  const bytes = size === '' ? '' : `${size}-byte `;
  return `dtype '${descr}' (${endian}${bytes}${DTYPE_KINDS[kind] ?? 'unknown kind'})`;
}

function formatPython(value: PythonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return String(value);
  if (value instanceof Map) {
    return `{${[...value].map(([key, item]) => `'${key}': ${formatPython(item)}`).join(', ')}}`;
  }
  return `(${value.map(formatPython).join(', ')}${value.length === 1 ? ',' : ''})`;
}

function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function quote(text: string): string {
  const trimmed = text.trim();
  return `"${trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed}"`;
}

function printableBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    out +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `b'${out}'`;
}

function formatError(path: string, what: string, expected: string, received: string): LattnError {
  return new LattnError('INVALID_FORMAT', `'${path}' ${what}. Expected ${expected}; received ${received}.`, {
    details: { path },
  });
}
