import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, isLattnError, type Matrix } from '@lattn/core';
import { expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accumulateFileMoments, forEachChunk, openSequenceFile, openTargetFile } from './dataset-chunks.js';
import { writeSequences, writeTargets } from './dataset-files.js';
import { writeNpy } from './npy.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-chunks-'));
  await writeSequences(join(dir, 'X.npy'), inputs);
  await writeTargets(join(dir, 'Y-all.npy'), allTargets, 'all');
  await writeTargets(join(dir, 'Y-last.npy'), lastTargets, 'last');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rng = createRng(21);
const inputs: Matrix[] = Array.from({ length: 7 }, () => rng.normalMatrix(5, 3));
const allTargets: Matrix[] = Array.from({ length: 7 }, () => rng.normalMatrix(5, 2));
const lastTargets: Matrix[] = Array.from({ length: 7 }, () => rng.normalMatrix(1, 2));

describe('forEachChunk', () => {
  it('visits every sequence once, in order, in chunks of at most chunkSize, with the matching targets', async () => {
    const file = await openSequenceFile(join(dir, 'X.npy'));
    const targets = await openTargetFile(join(dir, 'Y-all.npy'), 'all', file);
    const starts: number[] = [];
    const seen: Matrix[] = [];
    const seenTargets: Matrix[] = [];
    await forEachChunk(file, targets, 3, (chunk) => {
      starts.push(chunk.start);
      seen.push(...chunk.inputs);
      seenTargets.push(...(chunk.targets ?? []));
    });
    expect(starts).toEqual([0, 3, 6]);
    expect(seen).toHaveLength(7);
    seen.forEach((sequence, b) => {
      expectMatrixClose(sequence, inputs[b], { rtol: 0, atol: 0 });
    });
    seenTargets.forEach((target, b) => {
      expectMatrixClose(target, allTargets[b], { rtol: 0, atol: 0 });
    });
  });

  it('names the file and the [b, t, j] index in the whole file of a NaN found in a later chunk', async () => {
    const path = join(dir, 'X-nan.npy');
    const data = new Float64Array(7 * 5 * 3);
    data[5 * 15 + 2 * 3 + 1] = Number.NaN;
    await writeNpy(path, { shape: [7, 5, 3], data });
    const file = await openSequenceFile(path);
    const error = await forEachChunk(file, undefined, 2, () => undefined).catch((reason: unknown) => reason);
    expect(isLattnError(error) && error.code).toBe('NON_FINITE');
    expect((error as Error).message).toBe(
      `'${path}' contains a non-finite value at [5, 2, 1]. Expected finite numbers; received NaN.`,
    );
  });
});

describe('openTargetFile', () => {
  it('throws SHAPE_MISMATCH from the header alone when the targets do not fit the inputs and mode', async () => {
    const file = await openSequenceFile(join(dir, 'X.npy'));
    const error = await openTargetFile(join(dir, 'Y-last.npy'), 'all', file).catch((reason: unknown) => reason);
    expect(isLattnError(error) && error.code).toBe('SHAPE_MISMATCH');
    expect((error as Error).message).toContain("(these targets look like mode 'last')");
  });
});

describe('accumulateFileMoments', () => {
  it.each([
    ['all', 'Y-all.npy', allTargets, 1],
    ['all', 'Y-all.npy', allTargets, 3],
    ['last', 'Y-last.npy', lastTargets, 2],
    ['last', 'Y-last.npy', lastTargets, 7],
  ] as const)(
    "equals one in-memory pass over the whole dataset (mode '%s', targets %s, chunks of %i)",
    async (mode, name, targets, chunkSize) => {
      const file = await openSequenceFile(join(dir, 'X.npy'));
      const targetFile = await openTargetFile(join(dir, name), mode, file);
      const streamed = await accumulateFileMoments(file, targetFile, { mode, chunkSize });
      const whole = accumulateFeatureMoments(inputs, { mode, targets });
      expect(streamed.count).toBe(whole.count);
      const options = { rtol: 1e-13, relativeToMax: true };
      expectVectorClose(streamed.gram, whole.gram, { ...options, label: 'gram' });
      expectVectorClose(streamed.cross, whole.cross, { ...options, label: 'cross' });
      expectVectorClose(streamed.targetGram, whole.targetGram, { ...options, label: 'targetGram' });
    },
  );

  it('reports progress in sequences over the whole file, ending at done === total', async () => {
    const file = await openSequenceFile(join(dir, 'X.npy'));
    const reports: number[] = [];
    await accumulateFileMoments(file, undefined, {
      mode: 'all',
      chunkSize: 3,
      onProgress: (progress) => {
        expect(progress).toMatchObject({ stage: 'features', total: 7 });
        reports.push(progress.done);
      },
    });
    expect(reports.at(-1)).toBe(7);
    expect(reports).toEqual([...reports].sort((a, b) => a - b));
  });
});
