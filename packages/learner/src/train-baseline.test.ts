import { createRng, type Dataset } from '@lattn/core';
import { expectLattnError, expectVectorClose } from '@lattn/core/testing';
import { forward } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';
import { gaussianSequences, randomTeacher, teacherDataset } from './__fixtures__/planted.js';
import {
  createWorkspace,
  lossAndGradient,
  parameterLayout,
  toModel,
  toParameters,
  trainBaseline,
} from './train-baseline.js';

function smallTeacherData(seed: number, mode: 'all' | 'last', count = 48): Dataset {
  const rng = createRng(seed);
  const teacher = randomTeacher(rng, { modelDim: 3, outputDim: 2, numHeads: 2 });
  const inputs = gaussianSequences(rng, 3, count, [3, 4, 5]);
  for (const sequence of inputs) for (let i = 0; i < sequence.data.length; i++) sequence.data[i] *= 0.5;
  return teacherDataset(teacher, inputs, mode);
}

describe('lossAndGradient', () => {
  for (const mode of ['all', 'last'] as const) {
    it(`matches central finite differences to 1e-6 relative (mode '${mode}')`, () => {
      const rng = createRng(3);
      const dataset = smallTeacherData(11, mode, 6);
      const layout = parameterLayout(3, 2, 2);
      const params = new Float64Array(layout.size).map(() => rng.normal());
      const workspace = createWorkspace(layout);
      const batch = [0, 2, 3, 5];
      const gradient = new Float64Array(layout.size);
      lossAndGradient(layout, params, dataset, batch, gradient, workspace);
      const numeric = new Float64Array(layout.size);
      const step = 1e-5;
      for (let i = 0; i < params.length; i++) {
        const plus = params.slice();
        const minus = params.slice();
        plus[i] += step;
        minus[i] -= step;
        const up = lossAndGradient(layout, plus, dataset, batch, null, workspace);
        const down = lossAndGradient(layout, minus, dataset, batch, null, workspace);
        numeric[i] = (up - down) / (2 * step);
      }
      expectVectorClose(gradient, numeric, { rtol: 1e-6, relativeToMax: true, label: 'gradient' });
    });
  }

  it('returns the mean squared error of forward over examples and outputs', () => {
    const dataset = smallTeacherData(5, 'all', 5);
    const model = randomTeacher(createRng(9), { modelDim: 3, outputDim: 2, numHeads: 3 });
    const layout = parameterLayout(3, 2, 3);
    const loss = lossAndGradient(layout, toParameters(model), dataset, [0, 1, 2, 3, 4], null, createWorkspace(layout));
    const predicted = forward(model, dataset.inputs, { mode: 'all' });
    let sum = 0;
    let count = 0;
    predicted.forEach((p, b) => {
      for (let i = 0; i < p.data.length; i++) {
        sum += (p.data[i] - dataset.targets[b].data[i]) ** 2;
        count++;
      }
    });
    expectVectorClose([loss], [sum / count], { rtol: 1e-13 });
  });

  it('round trips parameters through toModel and toParameters', () => {
    const model = randomTeacher(createRng(2), { modelDim: 2, outputDim: 3, numHeads: 2 });
    const params = toParameters(model);
    expect(toModel(parameterLayout(2, 3, 2), params)).toEqual(model);
  });
});

describe('trainBaseline', () => {
  it('drives the loss down by 100x on a small teacher and reports its curve', () => {
    const dataset = smallTeacherData(1, 'last', 64);
    const result = trainBaseline(dataset, { numHeads: 2, epochs: 150, batchSize: 16, learningRate: 0.02, seed: 4 });
    expect(result.lossCurve.length).toBe(151);
    expect(result.lossCurve[0]).toMatchObject({ epoch: 0, step: 0 });
    expect(result.lossCurve[150]).toMatchObject({ epoch: 150, step: 150 * 4 });
    expect(result.finalLoss).toBe(result.lossCurve[150].loss);
    expect(result.finalLoss).toBeLessThan(result.lossCurve[0].loss / 100);
    expect(result.diverged).toBe(false);
    expect(result.model.heads.length).toBe(2);
  });

  it('also trains with plain SGD and a cosine schedule', () => {
    const dataset = smallTeacherData(1, 'last', 64);
    const result = trainBaseline(dataset, {
      numHeads: 2,
      optimizer: 'sgd',
      schedule: 'cosine',
      epochs: 40,
      batchSize: 8,
      learningRate: 0.05,
      seed: 4,
    });
    expect(result.diverged).toBe(false);
    expect(result.finalLoss).toBeLessThan(result.lossCurve[0].loss / 3);
    expect(result.lossCurve[40].learningRate).toBeLessThan(0.05 * 1e-2);
  });

  it('is deterministic for a seed and differs across seeds (timings excluded)', () => {
    const dataset = smallTeacherData(2, 'all', 12);
    const options = { numHeads: 1, epochs: 5, batchSize: 5 };
    const strip = (result: ReturnType<typeof trainBaseline>) => ({
      model: result.model,
      losses: result.lossCurve.map(({ seconds: _, ...point }) => point),
    });
    const a = strip(trainBaseline(dataset, { ...options, seed: 8 }));
    const b = strip(trainBaseline(dataset, { ...options, seed: 8 }));
    const c = strip(trainBaseline(dataset, { ...options, seed: 9 }));
    expect(a).toEqual(b);
    expect(a.model).not.toEqual(c.model);
  });

  it('records the validation loss next to the training loss', () => {
    const train = smallTeacherData(3, 'last', 32);
    const validation = smallTeacherData(3, 'all', 4);
    const result = trainBaseline(train, { numHeads: 2, epochs: 3, validation });
    expect(result.lossCurve.every((point) => typeof point.validationLoss === 'number')).toBe(true);
    expect(result.finalValidationLoss).toBe(result.lossCurve[3].validationLoss);
    const without = trainBaseline(train, { numHeads: 2, epochs: 1 });
    expect(without.finalValidationLoss).toBeNull();
  });

  it('follows the step schedule: lr, then lr/10 from half the epochs, lr/100 from three quarters', () => {
    const dataset = smallTeacherData(4, 'last', 8);
    const result = trainBaseline(dataset, {
      numHeads: 1,
      epochs: 8,
      batchSize: 8,
      schedule: 'step',
      learningRate: 1e-3,
    });
    const rates = result.lossCurve.slice(1).map((point) => point.learningRate);
    expectVectorClose(rates, [1e-3, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-5, 1e-5], { rtol: 1e-12 });
  });

  it('stops with diverged: true and finite parameters when the learning rate is far too large', () => {
    const dataset = smallTeacherData(5, 'all', 16);
    const result = trainBaseline(dataset, { numHeads: 2, optimizer: 'sgd', learningRate: 1e6, epochs: 50, seed: 1 });
    expect(result.diverged).toBe(true);
    expect(result.warnings[0]).toContain('diverged');
    expect(result.epochs).toBeLessThan(50);
    for (const head of result.model.heads) expect(head.value.data.every(Number.isFinite)).toBe(true);
  });

  it('reports progress once per epoch', () => {
    const seen: number[] = [];
    trainBaseline(smallTeacherData(6, 'last', 8), {
      numHeads: 1,
      epochs: 3,
      onProgress: (progress) => {
        expect(progress.stage).toBe('epoch');
        seen.push(progress.done);
      },
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('streams every loss-curve point to onEpoch as it is measured', () => {
    const streamed: number[] = [];
    const result = trainBaseline(smallTeacherData(6, 'last', 8), {
      numHeads: 1,
      epochs: 3,
      onEpoch: (point) => streamed.push(point.loss),
    });
    expect(streamed).toEqual(result.lossCurve.map((point) => point.loss));
    expect(streamed).toHaveLength(4);
  });

  it('does not start at a teacher drawn from createRng with the same seed', () => {
    const seed = 4;
    const rng = createRng(seed);
    const layout = parameterLayout(3, 2, 1);
    const initScale = 1 / Math.sqrt(3);
    const teacherDraws = Array.from({ length: layout.size }, () => initScale * rng.normal());
    const result = trainBaseline(smallTeacherData(6, 'last', 8), { numHeads: 1, epochs: 0, seed });
    const initial = toParameters(result.model);
    const matching = teacherDraws.filter((value, i) => value === initial[i]).length;
    expect(matching).toBe(0);
  });

  it('does not mutate the dataset', () => {
    const dataset = smallTeacherData(7, 'all', 4);
    const copy = structuredClone(dataset);
    trainBaseline(dataset, { numHeads: 1, epochs: 2 });
    expect(dataset).toEqual(copy);
  });

  it('throws INVALID_ARGUMENT for missing numHeads, unknown options and bad values', () => {
    const dataset = smallTeacherData(8, 'last', 4);
    expectLattnError(() => trainBaseline(dataset, {} as { numHeads: number }), 'INVALID_ARGUMENT', 'trainBaseline', [
      'options.numHeads',
    ]);
    expectLattnError(
      () => trainBaseline(dataset, { numHeads: 1, lr: 1 } as { numHeads: number }),
      'INVALID_ARGUMENT',
      'trainBaseline',
      ["unknown field 'lr'"],
    );
    expectLattnError(
      () => trainBaseline(dataset, { numHeads: 1, learningRate: 0 }),
      'INVALID_ARGUMENT',
      'trainBaseline',
      ['learningRate'],
    );
    expectLattnError(
      () => trainBaseline(dataset, { numHeads: 1, optimizer: 'rmsprop' as 'adam' }),
      'INVALID_ARGUMENT',
      'trainBaseline',
      ["'adam', 'sgd'"],
    );
  });

  it('throws SHAPE_MISMATCH when the validation set has other dimensions', () => {
    const train = smallTeacherData(8, 'last', 4);
    const rng = createRng(1);
    const other = teacherDataset(
      randomTeacher(rng, { modelDim: 2, outputDim: 2, numHeads: 1 }),
      gaussianSequences(rng, 2, 3, [3]),
      'last',
    );
    expectLattnError(
      () => trainBaseline(train, { numHeads: 1, validation: other }),
      'SHAPE_MISMATCH',
      'trainBaseline',
      ['modelDim 3'],
    );
  });
});
