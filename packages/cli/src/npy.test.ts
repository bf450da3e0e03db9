import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, isLattnError, type LattnErrorCode } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NpyArray, readNpy, readNpyHeader, readNpyRows, writeNpy, writeNpyRows } from './npy.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-npy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A `.npy` file assembled by hand: prefix for `version`, the header text plus newline, then `data`. */
function rawNpy(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Buffer {
  const text = Buffer.from(`${header}\n`, version === 3 ? 'utf8' : 'latin1');
  const prefix = Buffer.alloc(version === 1 ? 10 : 12);
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix);
  prefix[6] = version;
  if (version === 1) prefix.writeUInt16LE(text.length, 8);
  else prefix.writeUInt32LE(text.length, 8);
  return Buffer.concat([prefix, text, data]);
}

function headerFor(descr: string, shape: string, fortranOrder = 'False'): string {
  return `{'descr': '${descr}', 'fortran_order': ${fortranOrder}, 'shape': ${shape}, }`;
}

function littleEndian(values: readonly number[], itemSize: 4 | 8): Uint8Array {
  const bytes = new Uint8Array(values.length * itemSize);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    if (itemSize === 8) view.setFloat64(i * 8, value, true);
    else view.setFloat32(i * 4, value, true);
  });
  return bytes;
}

async function file(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

function randomArray(shape: readonly number[], seed: number): NpyArray {
  const rng = createRng(seed);
  const size = shape.reduce((product, axis) => product * axis, 1);
  return { shape, data: Float64Array.from({ length: size }, () => rng.normal()) };
}

async function expectLattnError(promise: Promise<unknown>, code: LattnErrorCode, ...fragments: string[]) {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isLattnError(error), `expected a LattnError, got ${String(error)}`).toBe(true);
  const { code: actual, message } = error as { code: string; message: string };
  expect(actual).toBe(code);
  for (const fragment of fragments) expect(message).toContain(fragment);
  expect(message).not.toContain('\n');
}

describe('writeNpy and readNpy', () => {
  it.each([[[]], [[5]], [[3, 4]], [[2, 3, 4]], [[2, 1, 3, 2]], [[0, 3]]])(
    'round-trip float64 arrays of shape %j exactly',
    async (shape) => {
      const array = randomArray(shape, shape.length);
      const path = join(dir, `roundtrip-${shape.join('x')}.npy`);
      await writeNpy(path, array);
      const back = await readNpy(path);
      expect(back.shape).toEqual(shape);
      expectVectorClose(back.data, array.data, { rtol: 0, atol: 0 });
    },
  );

  it('writes and reads arrays with an empty inner axis, such as (2, 0, 3) (regression: refused as "not a whole number of rows")', async () => {
    for (const shape of [
      [2, 0, 3],
      [0, 0],
      [3, 2, 0],
    ]) {
      const path = join(dir, `empty-${shape.join('-')}.npy`);
      await writeNpy(path, { shape, data: new Float64Array(0) });
      expect(await readNpy(path)).toEqual({ shape, data: new Float64Array(0) });
    }
  });

  it('preserves every bit of special values (-0, subnormals, extremes, NaN, ±Infinity)', async () => {
    const values = [-0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, Number.NaN, Infinity, -Infinity];
    const path = join(dir, 'special.npy');
    await writeNpy(path, { shape: [values.length], data: Float64Array.from(values) });
    const back = await readNpy(path);
    expect(new Uint8Array(back.data.buffer)).toEqual(new Uint8Array(Float64Array.from(values).buffer));
  });

  it('writes the version 1.0 header numpy writes, padded so the data starts at a multiple of 64 bytes', async () => {
    const path = join(dir, 'header.npy');
    await writeNpy(path, { shape: [2, 3], data: new Float64Array(6) });
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from('\x93NUMPY\x01\x00', 'latin1'));
    const headerLength = bytes.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    const text = bytes.subarray(10, 10 + headerLength).toString('latin1');
    expect(text.trimEnd()).toBe("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    expect(text.endsWith(' \n')).toBe(true);
    expect(bytes.length).toBe(10 + headerLength + 6 * 8);
  });

  it('writes 1-D and scalar shapes as Python tuples (3,) and ()', async () => {
    for (const [shape, text] of [
      [[3], '(3,)'],
      [[], '()'],
    ] as const) {
      const path = join(dir, `tuple-${shape.length}.npy`);
      await writeNpy(path, { shape, data: new Float64Array(shape.length === 0 ? 1 : 3) });
      expect((await readFile(path)).toString('latin1')).toContain(`'shape': ${text}, }`);
    }
  });

  it('switches to format version 2.0 when the header does not fit in 65535 bytes, and reads it back', async () => {
    const shape = Array.from({ length: 22_000 }, () => 1);
    const path = join(dir, 'version2.npy');
    await writeNpy(path, { shape, data: Float64Array.of(7.5) });
    const bytes = await readFile(path);
    expect(bytes[6]).toBe(2);
    expect((12 + bytes.readUInt32LE(8)) % 64).toBe(0);
    const header = await readNpyHeader(path);
    expect(header.version).toBe('2.0');
    expect(header.shape).toEqual(shape);
    expectVectorClose((await readNpy(path)).data, [7.5], { rtol: 0, atol: 0 });
  });

  it('throws SHAPE_MISMATCH when the data does not fill the shape', async () => {
    await expectLattnError(
      writeNpy(join(dir, 'bad.npy'), { shape: [2, 3], data: new Float64Array(5) }),
      'SHAPE_MISMATCH',
      'Expected a Float64Array of 6 entries for shape (2, 3); received 5 entries.',
    );
  });

  it('throws INVALID_ARGUMENT for a missing directory and leaves no file behind', async () => {
    await expectLattnError(
      writeNpy(join(dir, 'missing', 'Y.npy'), { shape: [1], data: new Float64Array(1) }),
      'INVALID_ARGUMENT',
      'does not exist',
    );
  });

  it('replaces an existing file atomically, leaving no temporary file', async () => {
    const sub = join(dir, 'atomic');
    await mkdir(sub);
    const path = join(sub, 'X.npy');
    await writeNpy(path, { shape: [2], data: Float64Array.of(1, 2) });
    await writeNpy(path, { shape: [3], data: Float64Array.of(3, 4, 5) });
    expect(await readdir(sub)).toEqual(['X.npy']);
    expectVectorClose((await readNpy(path)).data, [3, 4, 5], { rtol: 0, atol: 0 });
  });
});

describe('writeNpyRows', () => {
  it('writes the same bytes as writeNpy when the rows arrive in pieces', async () => {
    const array = randomArray([5, 3, 2], 11);
    const whole = join(dir, 'pieces-whole.npy');
    const pieces = join(dir, 'pieces.npy');
    await writeNpy(whole, array);
    await writeNpyRows(pieces, array.shape, async (writer) => {
      await writer.write(array.data.subarray(0, 12));
      await writer.write(array.data.subarray(12, 12));
      await writer.write(array.data.subarray(12));
    });
    expect(await readFile(pieces)).toEqual(await readFile(whole));
  });

  it('throws SHAPE_MISMATCH for a piece that is not a whole number of rows, and writes no file', async () => {
    const path = join(dir, 'pieces-ragged.npy');
    await expectLattnError(
      writeNpyRows(path, [2, 3], (writer) => writer.write(new Float64Array(4))),
      'SHAPE_MISMATCH',
      'Expected a Float64Array whose length is a multiple of 3 for shape (2, 3); received 4 entries.',
    );
    await expect(readFile(path)).rejects.toThrow();
  });

  it.each([
    [[new Float64Array(3)], 'received 3.'],
    [[new Float64Array(6), new Float64Array(3)], 'received 9.'],
  ])(
    'throws SHAPE_MISMATCH when the pieces do not add up to the shape (%#), and writes no file',
    async (chunks, received) => {
      const path = join(dir, 'pieces-short.npy');
      await expectLattnError(
        writeNpyRows(path, [2, 3], async (writer) => {
          for (const chunk of chunks) await writer.write(chunk);
        }),
        'SHAPE_MISMATCH',
        `do not fill its shape. Expected 6 entries for shape (2, 3); ${received}`,
      );
      await expect(readFile(path)).rejects.toThrow();
      expect((await readdir(dir)).filter((name) => name.includes('pieces-short'))).toEqual([]);
    },
  );
});

describe('readNpy of files written elsewhere', () => {
  it('widens little-endian float32 exactly to float64', async () => {
    const values = [0.1, -1.5, 3.4028234663852886e38, 1e-45, 2 / 3, 0];
    const path = await file('float32.npy', rawNpy(headerFor('<f4', '(2, 3)'), littleEndian(values, 4)));
    const array = await readNpy(path);
    expect(array.shape).toEqual([2, 3]);
    expectVectorClose(
      array.data,
      values.map((value) => Math.fround(value)),
      { rtol: 0, atol: 0 },
    );
  });

  it.each([2, 3])('reads format version %i.0 headers', async (version) => {
    const path = await file(`v${version}.npy`, rawNpy(headerFor('<f8', '(2,)'), littleEndian([1.25, -2], 8), version));
    const header = await readNpyHeader(path);
    const dataOffset = 12 + headerFor('<f8', '(2,)').length + 1;
    expect(header).toMatchObject({ version: `${version}.0`, dtype: '<f8', shape: [2], dataOffset });
    expectVectorClose((await readNpy(path)).data, [1.25, -2], { rtol: 0, atol: 0 });
  });

  it('accepts double quotes, Python 2 long integers, lists and any key order in the header', async () => {
    const header = `{"shape": [2L, 1L], "fortran_order": False, "descr": "<f8"}`;
    const path = await file('python2.npy', rawNpy(header, littleEndian([4, 5], 8)));
    const array = await readNpy(path);
    expect(array.shape).toEqual([2, 1]);
    expectVectorClose(array.data, [4, 5], { rtol: 0, atol: 0 });
  });

  it('throws INVALID_ARGUMENT naming a missing file or a directory', async () => {
    await expectLattnError(readNpy(join(dir, 'nope.npy')), 'INVALID_ARGUMENT', 'nope.npy', 'does not exist');
    await expectLattnError(readNpy(dir), 'INVALID_ARGUMENT', 'is a directory');
  });
});

describe('readNpy rejects malformed and unsupported files with INVALID_FORMAT naming the file', () => {
  const f8 = (count: number) =>
    littleEndian(
      Array.from({ length: count }, (_, i) => i),
      8,
    );
  const cases: [string, Uint8Array, string[]][] = [
    ['an empty file', new Uint8Array(0), ['bad magic', 'received an empty file']],
    [
      'a zip file',
      Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1'),
      ['bad magic', "received b'PK\\x03\\x04\\x14\\x00'"],
    ],
    ['a file cut inside its prefix', Buffer.from('\x93NUMPY\x01\x00', 'latin1'), ['truncated inside its header']],
    ['a file cut inside its header', rawNpy(headerFor('<f8', '(2,)')).subarray(0, 40), ['truncated inside its header']],
    [
      'an unknown format version',
      Buffer.concat([Buffer.from('\x93NUMPY\x04\x00', 'latin1'), rawNpy(headerFor('<f8', '(1,)')).subarray(8)]),
      ['version 1.0, 2.0 or 3.0', 'received 4.0'],
    ],
    ['big-endian float64', rawNpy(headerFor('>f8', '(2,)'), f8(2)), ["'>f8' (big-endian 8-byte floating point)"]],
    [
      'int32',
      rawNpy(headerFor('<i4', '(2,)'), f8(1)),
      ["dtype '<i4' (4-byte signed integer)", "np.asarray(x, dtype='<f8')"],
    ],
    ['float16', rawNpy(headerFor('<f2', '(2,)'), f8(1)), ["'<f2' (2-byte floating point)"]],
    ['complex128', rawNpy(headerFor('<c16', '(1,)'), f8(2)), ["'<c16' (16-byte complex)"]],
    ['an object array', rawNpy(headerFor('|O', '(2,)'), f8(2)), ["object array (dtype '|O')", 'not numbers']],
    [
      'a structured dtype',
      rawNpy("{'descr': [('x', '<f8'), ('y', '<i4')], 'fortran_order': False, 'shape': (2,), }", f8(3)),
      ['has a structured dtype', "received (('x', '<f8'), ('y', '<i4'))"],
    ],
    [
      'Fortran order',
      rawNpy(headerFor('<f8', '(2, 3)', 'True'), f8(6)),
      ['Fortran (column-major) order', 'received fortran_order: True', 'np.ascontiguousarray'],
    ],
    [
      'truncated data',
      rawNpy(headerFor('<f8', '(2, 3)'), f8(5)),
      ['is truncated', "Expected 48 bytes of data for shape (2, 3) and dtype '<f8'; received 40."],
    ],
    ['trailing bytes', rawNpy(headerFor('<f8', '(2,)'), f8(3)), ['has 8 bytes after its data', 'received 24.']],
    ['a header that is not a dict', rawNpy("('<f8', False, (2,))", f8(2)), ['header that is not a dict']],
    ['a header with an unterminated string', rawNpy("{'descr: '<f8'}", f8(2)), ['malformed header']],
    [
      'a header without fortran_order',
      rawNpy("{'descr': '<f8', 'shape': (2,), }", f8(2)),
      ['wrong keys', "received 'descr', 'shape'"],
    ],
    [
      'a header with an extra key',
      rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", f8(2)),
      ['wrong keys'],
    ],
    ['a negative dimension', rawNpy(headerFor('<f8', '(-2,)'), f8(0)), ['negative dimension', 'received (-2,)']],
    ['a non-integer dimension', rawNpy(headerFor('<f8', "('2',)"), f8(2)), ['invalid shape', "received ('2',)"]],
    [
      'an impossibly large shape',
      rawNpy(headerFor('<f8', '(4294967296, 4294967296)'), f8(0)),
      ['impossibly large shape'],
    ],
    [
      'a header nested 60000 levels deep (regression: a stack overflow, reported as an internal error)',
      rawNpy('('.repeat(60000)),
      ['malformed header (nested deeper than 16 levels at character 17)', 'received "((((('],
    ],
    [
      'a header declaring 2 MiB of text',
      Buffer.concat([Buffer.from('\x93NUMPY\x02\x00\x00\x00\x20\x00', 'latin1'), Buffer.alloc(2 ** 21, 0x20)]),
      ['declares an oversized header', 'Expected a header of at most 1048576 bytes; received 2097152 bytes.'],
    ],
  ];
  it.each(cases)('%s', async (name, bytes, fragments) => {
    const path = await file(`${name.replaceAll(' ', '-')}.npy`, bytes);
    await expectLattnError(readNpy(path), 'INVALID_FORMAT', `'${path}'`, ...fragments);
  });
});

describe('readNpy on hostile bytes', () => {
  it.runIf(process.platform !== 'win32')(
    'throws INVALID_ARGUMENT for a device, which cannot be read at offsets',
    async () => {
      await expectLattnError(readNpy('/dev/null'), 'INVALID_ARGUMENT', "'/dev/null' is not a regular file", 'device');
    },
  );

  it('answers any corruption of a valid file (bytes overwritten, or cut short) with a LattnError, never another error', async () => {
    const valid = Buffer.concat([
      rawNpy(`${headerFor('<f8', '(2, 3)')}${' '.repeat(3)}`),
      littleEndian([1, 2, 3, 4, 5, 6], 8),
    ]);
    const path = join(dir, 'corrupt.npy');
    const alphabet = [...'{}()[],:\'" 0123456789-LTrueFalsNoe<>|fiuOc\\x\n\u0000\u0093'].map((char) =>
      char.charCodeAt(0),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ at: fc.nat(valid.length - 1), byte: fc.oneof(fc.constantFrom(...alphabet), fc.nat(255)) }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.option(fc.nat(valid.length), { nil: undefined }),
        async (edits, cut) => {
          const bytes = Buffer.from(valid);
          for (const { at, byte } of edits) bytes[at] = byte;
          await writeFile(path, bytes.subarray(0, cut ?? bytes.length));
          const outcome = await readNpy(path).then(
            () => undefined,
            (reason: unknown) => reason,
          );
          if (outcome === undefined) return;
          expect(isLattnError(outcome), String(outcome)).toBe(true);
          expect(['INVALID_FORMAT', 'TOO_LARGE']).toContain((outcome as { code: string }).code);
          expect((outcome as Error).message).toContain(`'${path}'`);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('readNpyRows', () => {
  it.each(['<f8', '<f4'] as const)(
    'reads any range along the leading axis of a %s file equal to the slice of the whole array, across read chunks',
    async (dtype) => {
      // 300 · 2 · 600 values: 2.7 MiB as float64, so ranges cross the 1 MiB scratch chunks of the reader.
      const array = randomArray([300, 2, 600], 11);
      const values = Array.from(array.data, (value) => (dtype === '<f4' ? Math.fround(value) : value));
      const path = await file(
        `rows${dtype.slice(1)}.npy`,
        rawNpy(headerFor(dtype, '(300, 2, 600)'), littleEndian(values, dtype === '<f8' ? 8 : 4)),
      );
      const header = await readNpyHeader(path);
      expect(header.rowLength).toBe(1200);
      for (const [start, stop] of [
        [0, 300],
        [0, 1],
        [17, 254],
        [299, 300],
        [120, 120],
      ]) {
        const chunk = await readNpyRows(header, start, stop);
        expect(chunk.shape).toEqual([stop - start, 2, 600]);
        expectVectorClose(chunk.data, values.slice(start * 1200, stop * 1200), { rtol: 0, atol: 0 });
      }
    },
  );

  it('reads a few rows of a 4 GiB file without loading it, while readNpy refuses it with TOO_LARGE', async () => {
    const header = rawNpy(headerFor('<f8', '(65537, 8192)'));
    const path = await file('huge.npy', header);
    const handle = await open(path, 'r+');
    await handle.write(littleEndian([1, 2, 3], 8), 0, 24, header.length + 8 * 8192 * 1000);
    await handle.truncate(header.length + 8 * 65537 * 8192); // sparse: no disk space is used
    await handle.close();
    const parsed = await readNpyHeader(path);
    const rows = await readNpyRows(parsed, 1000, 1002);
    expect(rows.shape).toEqual([2, 8192]);
    expectVectorClose(rows.data.subarray(0, 4), [1, 2, 3, 0], { rtol: 0, atol: 0 });
    await expectLattnError(readNpy(path), 'TOO_LARGE', `'${path}'`, 'read it in chunks', 'received 536879104 values');
  });

  it('throws INVALID_ARGUMENT for a range outside the leading axis and for a scalar file', async () => {
    const path = join(dir, 'range.npy');
    await writeNpy(path, { shape: [4, 2], data: new Float64Array(8) });
    const header = await readNpyHeader(path);
    for (const [start, stop] of [
      [-1, 2],
      [3, 2],
      [0, 5],
      [0.5, 2],
    ]) {
      await expectLattnError(readNpyRows(header, start, stop), 'INVALID_ARGUMENT', '0 <= start <= stop <= 4');
    }
    const scalar = join(dir, 'scalar.npy');
    await writeNpy(scalar, { shape: [], data: Float64Array.of(1) });
    await expectLattnError(readNpyRows(await readNpyHeader(scalar), 0, 1), 'INVALID_ARGUMENT', 'scalar');
  });

  it('throws INVALID_FORMAT when the file shrank after its header was read', async () => {
    const path = join(dir, 'shrinking.npy');
    await writeNpy(path, { shape: [4, 2], data: new Float64Array(8) });
    const header = await readNpyHeader(path);
    const handle = await open(path, 'r+');
    await handle.truncate(header.dataOffset + 16);
    await handle.close();
    await expectLattnError(readNpyRows(header, 1, 3), 'INVALID_FORMAT', 'truncated while it was being read');
  });
});
