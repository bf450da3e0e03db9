import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, isLattnError, type Matrix, mergeGram } from '@lattn/core';
import { expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments } from '@lattn/feature-map';
import { fitFromMoments, fitLinearAttention } from '@lattn/learner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accumulateFileMoments,
  forEachChunk,
  MAX_CHUNK_VALUES,
  openSequenceFile,
  openTargetFile,
} from './dataset-chunks.js';
import { writeSequences, writeTargets } from './dataset-files.js';
import { writeNpy, writeNpyRows } from './npy.js';

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

describe('forEachChunk on long sequences', () => {
  it('reads fewer sequences than chunkSize when they would exceed MAX_CHUNK_VALUES, so memory is bounded by values', async () => {
    const path = join(dir, 'X-long.npy');
    const sequenceLength = 2 ** 17; // 1 MiB per sequence: 64 of them fill a chunk
    await writeNpyRows(path, [70, sequenceLength, 1], async (writer) => {
      for (let b = 0; b < 70; b++) await writer.write(new Float64Array(sequenceLength).fill(b));
    });
    const file = await openSequenceFile(path);
    const chunks: [number, number, number][] = [];
    await forEachChunk(file, undefined, 1000, ({ start, inputs: chunk }) => {
      chunks.push([start, chunk.length, chunk.at(-1)?.data[0] ?? -1]);
    });
    expect(MAX_CHUNK_VALUES / sequenceLength).toBe(64);
    expect(chunks).toEqual([
      [0, 64, 63],
      [64, 6, 69],
    ]);
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

describe('accumulateFileMoments over shards', () => {
  it('merges the moments of two shard files (mergeGram) into those of one pass, and fits the same weights', async () => {
    const shards = [
      [0, 4],
      [4, 7],
    ] as const;
    const parts = [];
    for (const [start, stop] of shards) {
      const x = join(dir, `X-shard-${start}.npy`);
      const y = join(dir, `Y-shard-${start}.npy`);
      await writeSequences(x, inputs.slice(start, stop));
      await writeTargets(y, allTargets.slice(start, stop), 'all');
      const file = await openSequenceFile(x);
      parts.push(
        await accumulateFileMoments(file, await openTargetFile(y, 'all', file), { mode: 'all', chunkSize: 3 }),
      );
    }
    const merged = mergeGram(parts[0], parts[1]);
    const file = await openSequenceFile(join(dir, 'X.npy'));
    const targets = await openTargetFile(join(dir, 'Y-all.npy'), 'all', file);
    const onePass = await accumulateFileMoments(file, targets, { mode: 'all', chunkSize: 256 });
    expect(merged.count).toBe(onePass.count);
    const options = { rtol: 1e-13, relativeToMax: true };
    expectVectorClose(merged.gram, onePass.gram, { ...options, label: 'gram' });
    expectVectorClose(merged.cross, onePass.cross, { ...options, label: 'cross' });
    expectVectorClose(merged.targetGram, onePass.targetGram, { ...options, label: 'targetGram' });
    const fromShards = fitFromMoments(merged, { mode: 'all', modelDim: 3 });
    const inMemory = fitLinearAttention({ inputs, targets: allTargets, mode: 'all' });
    expectMatrixClose(fromShards.weights, inMemory.weights, { rtol: 1e-9, relativeToMax: true });
  });
});

describe('accumulateFileMoments on data beyond float64', () => {
  async function files(name: string, inputScale: number, targetScale: number) {
    const x = join(dir, `X-${name}.npy`);
    const y = join(dir, `Y-${name}.npy`);
    await writeSequences(
      x,
      inputs.map((input) => ({ ...input, data: input.data.map((value) => value * inputScale) })),
    );
    await writeTargets(
      y,
      allTargets.map((target) => ({ ...target, data: target.data.map((value) => value * targetScale) })),
      'all',
    );
    const file = await openSequenceFile(x);
    return { x, y, file, targets: await openTargetFile(y, 'all', file) };
  }

  it.each([
    [
      'tokens of 1e150, whose cubic features overflow',
      'features',
      1e150,
      1,
      // Whether the overflow shows in a feature or only in their sums depends on how feature-map forms them.
      /^the (cubic features|moments Σψψᵀ) of '.*X-features\.npy' overflow float64\b.* \d\.\d+e150\b.*rescale the inputs.*received a non-finite (feature|moment)\.$/,
    ],
    [
      'tokens of 1e60, whose features are finite but Σψψᵀ is not',
      'gram',
      1e60,
      1,
      /^the moments Σψψᵀ of '.*X-gram\.npy' overflow float64\. Expected token entries small enough for finite sums of \|z\|⁶ \(the largest is \d\.\d+e60; rescale the inputs\); received a non-finite moment\.$/,
    ],
    [
      'targets of 1e300, whose Σyyᵀ overflows',
      'targets',
      1,
      1e300,
      /^the moments Σyyᵀ of '.*Y-targets\.npy' overflow float64\. Expected target entries small enough for finite sums of squares \(the largest is \d\.\d+e300; rescale the targets\); received a non-finite moment\.$/,
    ],
  ] as const)(
    'throws NON_FINITE naming the file and the largest entry for %s (regression: it named an internal function)',
    async (_, name, inputScale, targetScale, message) => {
      const { file, targets } = await files(name, inputScale, targetScale);
      const error = await accumulateFileMoments(file, targets, { mode: 'all', chunkSize: 3 }).catch(
        (reason: unknown) => reason,
      );
      expect(isLattnError(error) && error.code).toBe('NON_FINITE');
      expect((error as Error).message).toMatch(message);
    },
  );

  it('warns, and still returns the moments, when tokens of 1e-150 make the moments underflow', async () => {
    const { file, targets } = await files('tiny', 1e-150, 1);
    const warnings: string[] = [];
    const moments = await accumulateFileMoments(file, targets, {
      mode: 'all',
      chunkSize: 3,
      onWarning: (text) => warnings.push(text),
    });
    expect(moments.count).toBe(35);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^the feature moments of '.*X-tiny\.npy' underflow float64: they grow as \|z\|⁶ and the largest token entry is \d\.\d+e-150, so the fit and the certificate see almost none of the data; rescale the inputs, for example to unit scale\.$/,
    );
    const ordinary = await accumulateFileMoments(await openSequenceFile(join(dir, 'X.npy')), undefined, {
      mode: 'all',
      chunkSize: 3,
      onWarning: (text) => warnings.push(text),
    });
    expect(ordinary.count).toBe(35);
    expect(warnings).toHaveLength(1);
  });
});
