import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataset, createRng, isLattnError, type Matrix } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset, readSequences, readTargets, writeSequences, writeTargets } from './dataset-files.js';
import { readNpy, writeNpy } from './npy.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-dataset-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rng = createRng(8);
const inputs: Matrix[] = Array.from({ length: 4 }, () => rng.normalMatrix(5, 3));
const allTargets: Matrix[] = Array.from({ length: 4 }, () => rng.normalMatrix(5, 2));
const lastTargets: Matrix[] = Array.from({ length: 4 }, () => rng.normalMatrix(1, 2));

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isLattnError(error)) throw new Error(`expected a LattnError, got ${String(error)}`);
  return error;
}

describe('dataset files', () => {
  it.each([
    ['all', allTargets, [4, 5, 2]],
    ['last', lastTargets, [4, 2]],
  ] as const)(
    'write and read back a valid dataset of mode %s with targets of shape %j',
    async (mode, targets, shape) => {
      const paths = { inputs: join(dir, `X-${mode}.npy`), targets: join(dir, `Y-${mode}.npy`) };
      await writeSequences(paths.inputs, inputs);
      await writeTargets(paths.targets, targets, mode);
      expect((await readNpy(paths.inputs)).shape).toEqual([4, 5, 3]);
      expect((await readNpy(paths.targets)).shape).toEqual(shape);
      const dataset = await readDataset(paths, mode);
      expect(checkDataset('test', dataset)).toMatchObject({ numSequences: 4, modelDim: 3, outputDim: 2, mode });
      for (let b = 0; b < 4; b++) {
        expectMatrixClose(dataset.inputs[b], inputs[b], { rtol: 0, atol: 0 });
        expectMatrixClose(dataset.targets[b], targets[b], { rtol: 0, atol: 0 });
      }
    },
  );

  it("throws SHAPE_MISMATCH when (B, dOut) targets are read in mode 'all', pointing at mode 'last'", async () => {
    const path = join(dir, 'Y-last-for-all.npy');
    await writeTargets(path, lastTargets, 'last');
    const error = await failure(readTargets(path, 'all', inputs));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toBe(
      `'${path}' does not fit the inputs in mode 'all' (these targets look like mode 'last'). Expected (B, n, dOut) = (4, 5, dOut) for inputs of shape (4, 5, 3); received (4, 2).`,
    );
  });

  it('throws SHAPE_MISMATCH when targets have another number of sequences', async () => {
    const path = join(dir, 'Y-short.npy');
    await writeTargets(path, lastTargets.slice(0, 3), 'last');
    const error = await failure(readTargets(path, 'last', inputs));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toContain('Expected (B, dOut) = (4, dOut)');
    expect(error.message).toContain('received (3, 2)');
  });

  it('throws SHAPE_MISMATCH for inputs that are not (B, n, d)', async () => {
    const path = join(dir, 'X-flat.npy');
    await writeNpy(path, { shape: [5, 3], data: new Float64Array(15) });
    expect((await failure(readSequences(path))).code).toBe('SHAPE_MISMATCH');
  });

  it('throws NON_FINITE naming the file and the position of a NaN in the inputs', async () => {
    const path = join(dir, 'X-nan.npy');
    const data = new Float64Array(2 * 2 * 3);
    data[7] = Number.NaN;
    await writeNpy(path, { shape: [2, 2, 3], data });
    const error = await failure(readSequences(path));
    expect(error.code).toBe('NON_FINITE');
    expect(error.message).toContain(`'${path}' contains a non-finite value at [1, 0, 1]`);
  });
});
