import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, isLattnError } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, readNpyHeader, readNpyRows, writeNpy } from './npy.js';

// numpy is the reference implementation of the format. When no Python with numpy is found these tests are skipped
// with the reason in their titles, so the skip shows in every report instead of passing silently.
const python = ['python3', '/usr/bin/python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
);
const note = python === undefined ? ' [SKIPPED: no python3 with numpy on PATH or at /usr/bin/python3]' : '';
if (python === undefined) console.warn(`npy-numpy.test.ts:${note}`);

function runPython(script: string, ...args: string[]): string {
  return execFileSync(python as string, ['-c', script, ...args], { encoding: 'utf8' });
}

function fromHex(hex: string): Float64Array {
  const bytes = Buffer.from(hex, 'hex');
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

type NumpyFiles = Record<string, { path: string; shape: number[]; hex: string }>;

let dir: string;
let numpyFiles: NumpyFiles;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-numpy-'));
  if (python !== undefined) numpyFiles = JSON.parse(runPython(WRITE_NUMPY, dir)) as NumpyFiles;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const READ_OURS = `
import json, sys, io
import numpy as np
out = {}
for path in sys.argv[1:]:
    a = np.load(path)
    buffer = io.BytesIO()
    np.save(buffer, a)
    out[path] = {
        'dtype': a.dtype.str,
        'shape': list(a.shape),
        'hex': np.ascontiguousarray(a).tobytes().hex(),
        'same_bytes_as_np_save': buffer.getvalue() == open(path, 'rb').read(),
    }
print(json.dumps(out))
`;

const WRITE_NUMPY = `
import json, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(0)
files = {}
def save(name, a, version=None):
    path = f'{d}/{name}.npy'
    if version is None:
        np.save(path, a)
    else:
        with open(path, 'wb') as f:
            np.lib.format.write_array(f, a, version=version)
    files[name] = {'path': path, 'shape': list(a.shape), 'hex': np.ascontiguousarray(a, dtype='<f8').tobytes().hex()}
save('f8_1d', rng.standard_normal(7))
save('f8_2d', rng.standard_normal((4, 3)))
save('f8_3d', rng.standard_normal((5, 3, 2)))
save('f4_1d', rng.standard_normal(6).astype(np.float32))
save('f4_2d', rng.standard_normal((3, 5)).astype(np.float32))
save('f4_3d', rng.standard_normal((2, 4, 3)).astype(np.float32))
save('scalar', np.float64(2.5))
save('empty', np.zeros((0, 4)))
save('non_contiguous', rng.standard_normal((6, 8))[::2, 1::3])
save('version_2', rng.standard_normal((3, 2)), version=(2, 0))
save('version_3', rng.standard_normal((2, 2)), version=(3, 0))
np.save(f'{d}/fortran.npy', np.asfortranarray(rng.standard_normal((3, 4))))
np.save(f'{d}/big_endian.npy', rng.standard_normal(3).astype('>f8'))
np.save(f'{d}/int64.npy', np.arange(4))
np.save(f'{d}/objects.npy', np.array([1, 'a', None], dtype=object), allow_pickle=True)
print(json.dumps(files))
`;

describe(`.npy interoperability with numpy${note}`, () => {
  it.skipIf(python === undefined)(
    `numpy reads every file writeNpy writes with the same dtype, shape, values and bytes as np.save${note}`,
    async () => {
      const rng = createRng(5);
      const arrays = [[], [6], [3, 4], [2, 3, 4], [0, 3], [1, 1, 1, 5]].map((shape) => ({
        shape,
        data: Float64Array.from({ length: shape.reduce((p, s) => p * s, 1) }, () => rng.normal() * 1e3),
      }));
      arrays.push({ shape: [6], data: Float64Array.of(-0, 5e-324, 1.7976931348623157e308, Number.NaN, Infinity, -1) });
      const paths = arrays.map((_, i) => join(dir, `ours-${i}.npy`));
      await Promise.all(arrays.map((array, i) => writeNpy(paths[i], array)));
      const report = JSON.parse(runPython(READ_OURS, ...paths)) as Record<
        string,
        { dtype: string; shape: number[]; hex: string; same_bytes_as_np_save: boolean }
      >;
      arrays.forEach((array, i) => {
        const seen = report[paths[i]];
        expect(seen.dtype).toBe('<f8');
        expect(seen.shape).toEqual(array.shape);
        expectVectorClose(fromHex(seen.hex), array.data, { rtol: 0, atol: 0, label: paths[i] });
        expect(Buffer.from(seen.hex, 'hex')).toEqual(Buffer.from(array.data.buffer));
        expect(seen.same_bytes_as_np_save, `${paths[i]} differs from np.save's bytes`).toBe(true);
      });
    },
  );

  it.skipIf(python === undefined)(
    `readNpy reads numpy's float64 and float32 files of rank 0 to 3, non-contiguous saves and version 2.0/3.0 headers${note}`,
    async () => {
      const files = numpyFiles;
      expect(Object.keys(files)).toHaveLength(11);
      for (const [name, expected] of Object.entries(files)) {
        const array = await readNpy(expected.path);
        expect(array.shape, name).toEqual(expected.shape);
        expectVectorClose(array.data, fromHex(expected.hex), { rtol: 0, atol: 0, label: name });
      }
      expect((await readNpyHeader(files.version_2.path)).version).toBe('2.0');
      expect((await readNpyHeader(files.version_3.path)).version).toBe('3.0');
      const header = await readNpyHeader(files.f8_3d.path);
      expectVectorClose((await readNpyRows(header, 2, 4)).data, fromHex(files.f8_3d.hex).subarray(12, 24), {
        rtol: 0,
        atol: 0,
      });
    },
  );

  it.skipIf(python === undefined)(
    `readNpy rejects numpy's Fortran-order, big-endian, integer and object files with INVALID_FORMAT${note}`,
    async () => {
      const expectations: [string, string][] = [
        ['fortran.npy', 'Fortran (column-major) order'],
        ['big_endian.npy', "dtype '>f8' (big-endian 8-byte floating point)"],
        ['int64.npy', "dtype '<i8' (8-byte signed integer)"],
        ['objects.npy', "object array (dtype '|O')"],
      ];
      for (const [name, fragment] of expectations) {
        const path = join(dir, name);
        const error = await readNpy(path).catch((reason: unknown) => reason);
        expect(isLattnError(error) && error.code, name).toBe('INVALID_FORMAT');
        expect((error as Error).message).toContain(fragment);
      }
    },
  );
});
