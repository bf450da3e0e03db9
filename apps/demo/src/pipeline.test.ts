import { eigh, gram, matrixFrom, zeros } from '@lattn/core';
import { expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { cubicFeatures, foldModel, forward } from '@lattn/feature-map';
import { fitLinearAttention, recoverHeads } from '@lattn/learner';
import { generateRandomMhlaTask, runAutomatonWithModel } from '@lattn/tasks';
import { describe, expect, it } from 'vitest';
import { type DemoParams, defaultRaw, type TaskKind, validate } from './params.js';
import {
  automatonSteps,
  meanSquaredError,
  prepareTask,
  runPipeline,
  searchMinimalHeads,
  wrongInstances,
} from './pipeline.js';
import type { WorkerEvent } from './protocol.js';

function paramsFor(task: TaskKind, values: Record<string, string> = {}): DemoParams {
  const base = defaultRaw(task);
  const result = validate({ task, values: { ...base.values, ...values } });
  if (!result.ok) throw new Error(`invalid test parameters: ${JSON.stringify(result.errors)}`);
  return result.params;
}

function collect(params: DemoParams): WorkerEvent[] {
  const events: WorkerEvent[] = [];
  runPipeline(7, params, (event) => events.push(event));
  return events;
}

function only<T extends WorkerEvent['type']>(events: WorkerEvent[], type: T): Extract<WorkerEvent, { type: T }> {
  const matches = events.filter((event) => event.type === type);
  expect(matches).toHaveLength(1);
  return matches[0] as Extract<WorkerEvent, { type: T }>;
}

/** λ_min and λ_max of Λ = (1/N) Σ ψψᵀ from explicit feature rows and a full eigendecomposition. */
function explicitExtremes(inputs: readonly { rows: number; cols: number; data: Float64Array }[]): number[] {
  const rows = inputs.flatMap((sequence) => {
    const features = cubicFeatures(sequence);
    return Array.from({ length: features.rows }, (_, t) =>
      Array.from(features.data.subarray(t * features.cols, (t + 1) * features.cols)),
    );
  });
  const psi = matrixFrom(rows.length, rows[0].length, rows.flat());
  const lambda = gram(psi);
  const { values } = eigh({ ...lambda, data: lambda.data.map((value) => value / rows.length) });
  return [values[0], values[values.length - 1]];
}

describe('prepareTask', () => {
  it('labels fresh random-MHLA instances with the training teacher, not the teacher of the test seed', () => {
    const params = paramsFor('random-mhla', { seed: '3' });
    const prepared = prepareTask(params);
    const teacher = generateRandomMhlaTask({
      modelDim: 4,
      outputDim: 2,
      numHeads: 2,
      inputDistribution: 'unit-norm',
      numSequences: params.numSequences,
      seed: 3,
    }).construction;
    expect(prepared.construction).toEqual(teacher);
    const expected = forward(teacher, prepared.test.inputs);
    for (const [b, target] of prepared.test.targets.entries()) {
      expectMatrixClose(target, expected[b], { rtol: 0, atol: 0 });
    }
    const ownTeacher = generateRandomMhlaTask({ modelDim: 4, outputDim: 2, numHeads: 2, seed: 4 }).construction;
    expect(foldModel(ownTeacher).data).not.toEqual(foldModel(teacher).data);
    expect(prepared.summary).toMatchObject({ modelDim: 4, outputDim: 2, featureDim: 40, constructionHeads: 2 });
    expect(prepared.summary.testSequences).toBe(64);
  });
});

describe('runPipeline', () => {
  it('learns the default random teacher exactly: certified, equal to the teacher, 100 % on fresh instances', () => {
    const params = paramsFor('random-mhla', { epochs: '40' });
    const events = collect(params);
    expect(events.every((event) => event.runId === 7)).toBe(true);
    const results = events.filter((event) => event.type !== 'progress' && event.type !== 'baseline-curve');
    expect(results.map((event) => event.type)).toEqual([
      'task',
      'certificate',
      'fit',
      'accuracy',
      'heads',
      'minimal-heads',
      'baseline',
      'done',
    ]);
    for (const event of events) if (event.type === 'progress') expect(event.done).toBeLessThanOrEqual(event.total);

    const { certificate, reference } = only(events, 'certificate');
    const prepared = prepareTask(params);
    expect(certificate.identifiable).toBe(true);
    expect(reference.identifiable).toBe(true);
    expectVectorClose([certificate.lambdaMin, certificate.lambdaMax], explicitExtremes(prepared.train.inputs), {
      rtol: 1e-8,
    });

    const { fit } = only(events, 'fit');
    expect(fit.rank).toBe(40);
    expect(fit.relativeDistance).toBeLessThan(1e-9);
    expectMatrixClose(fit.weights, foldModel(prepared.construction), { rtol: 0, atol: 1e-9 });
    expect(fit.trainLoss).toBeLessThan(1e-20);
    expect(fit.seconds).toBeGreaterThan(0);

    const { accuracy } = only(events, 'accuracy');
    expect(accuracy).toMatchObject({ model: 'exact', exactMatch: 1, numCorrect: 64, autoregressive: null });

    const { paper } = only(events, 'heads');
    expect(paper.svdRank).toBe(8);
    const minimal = only(events, 'minimal-heads');
    expect(minimal.minimal).toMatchObject({ numHeads: 2, found: true });
    expect(minimal.accuracy.exactMatch).toBe(1);

    const { baseline } = only(events, 'baseline');
    expect(baseline.lossCurve).toHaveLength(41);
    expect(baseline.finalLoss).toBeLessThan(baseline.lossCurve[0].loss);
    expect(baseline.numHeads).toBe(2);
  });

  it('streams Adam’s loss curve before its result: epochs 0 and 1 alone, then batches that add up to the curve', () => {
    const events = collect(paramsFor('random-mhla', { epochs: '60' }));
    const types = events.map((event) => event.type);
    const batches = events.filter((event) => event.type === 'baseline-curve');
    expect(types.lastIndexOf('baseline-curve')).toBeLessThan(types.indexOf('baseline'));
    expect(batches.slice(0, 2).map((batch) => batch.points.map((point) => point.epoch))).toEqual([[0], [1]]);
    expect(batches.every((batch) => batch.epochs === 60 && batch.points.length > 0)).toBe(true);
    const { baseline } = only(events, 'baseline');
    const streamed = batches.flatMap((batch) => batch.points);
    expect(streamed.map((point) => point.epoch)).toEqual(baseline.lossCurve.map((point) => point.epoch));
    expectVectorClose(
      streamed.map((point) => point.loss),
      baseline.lossCurve.map((point) => point.loss),
      { rtol: 0, atol: 0 },
    );
  });

  it('reports a library error as an error event naming the stage and the code', () => {
    const params = { ...paramsFor('associative-memory'), keyDim: 2, numPairs: 4 };
    const events = collect(params);
    expect(events.at(-1)).toMatchObject({ type: 'error', phase: 'generate', code: 'INVALID_ARGUMENT' });
    const last = events.at(-1);
    if (last?.type === 'error') expect(last.message).toMatch(/^generateAssociativeMemoryTask: /);
  });
});

describe('automatonSteps', () => {
  const prepared = prepareTask(paramsFor('automaton', { numSequences: '4', testSequences: '24' }));
  const test = prepared.automatonTest;
  if (test === null) throw new Error('expected an automaton task');

  it('reproduces the library’s autoregressive run and marks exactly the steps the automaton contradicts', () => {
    const { weights } = fitLinearAttention(prepared.train);
    const run = runAutomatonWithModel(weights, test);
    const wrong = wrongInstances(test, run.histories);
    expect(wrong.length).toBeGreaterThan(0);
    const flagged: number[] = [];
    test.instances.forEach((instance, b) => {
      const view = automatonSteps(weights, test, b, run.histories[b], wrong);
      expect(view.steps.map((step) => step.predicted)).toEqual(run.histories[b].slice(1));
      expect(view.steps.map((step) => step.truth)).toEqual(instance.states.slice(1));
      for (const step of view.steps) {
        expect(step.correct).toBe(instance.automaton.transitions[step.from][step.symbol]);
        expect(step.status === 'wrong').toBe(step.predicted !== step.correct);
      }
      if (view.steps.some((step) => step.status === 'wrong')) flagged.push(b);
    });
    expect(flagged).toEqual(wrong);
  });

  it('marks steps that follow the automaton from a state off the true path as off-track', () => {
    const { weights } = fitLinearAttention(prepared.train);
    const run = runAutomatonWithModel(weights, test);
    const steps = test.instances.flatMap((instance, b) =>
      automatonSteps(weights, test, b, run.histories[b], []).steps.map((step) => ({
        step,
        trueFrom: instance.states[step.index - 1],
      })),
    );
    expect(steps.some(({ step }) => step.status === 'off-track')).toBe(true);
    for (const { step, trueFrom } of steps) {
      const expected = step.predicted !== step.correct ? 'wrong' : step.from === trueFrom ? 'right' : 'off-track';
      expect(step.status).toBe(expected);
    }
  });

  it('gives the exact construction one-hot scores and no wrong step', () => {
    const weights = foldModel(prepared.construction);
    const run = runAutomatonWithModel(weights, test);
    expect(wrongInstances(test, run.histories)).toEqual([]);
    const view = automatonSteps(weights, test, 3, run.histories[3], []);
    for (const step of view.steps) {
      expect(step.status).toBe('right');
      const oneHot = Array.from({ length: test.encoding.outputDim }, (_, q) => (q === step.correct ? 1 : 0));
      expectVectorClose(step.scores, oneHot, { rtol: 0, atol: 1e-12 });
    }
  });
});

describe('searchMinimalHeads', () => {
  const prepared = prepareTask(paramsFor('random-mhla'));
  const fit = fitLinearAttention(prepared.train);
  const paper = recoverHeads(fit);

  it('starts at the proven lower bound and stops at the first head count that reproduces the fit', () => {
    const minimal = searchMinimalHeads(fit, paper, 4, 0);
    expect(paper.headLowerBound).toBe(2);
    expect(minimal).toMatchObject({ numHeads: 2, found: true, maxHeads: 4, lowerBound: 2 });
    expect(minimal.relativeWeightError).toBeLessThan(1e-10);
    expect(minimal.attempts.every((attempt) => attempt.numHeads === 2)).toBe(true);
  });

  it('searches nothing when the lower bound exceeds the limit, and returns the paper’s model', () => {
    const minimal = searchMinimalHeads(fit, paper, 1, 0);
    expect(minimal).toMatchObject({ numHeads: 8, found: false, maxHeads: 1, lowerBound: 2, attempts: [] });
    expect(minimal.model).toBe(paper.model);
  });

  it('returns the best approximation at the limit, marked not found, when no attempt reproduces the fit', () => {
    const automaton = prepareTask(paramsFor('automaton', { numSequences: '4' }));
    const automatonFit = fitLinearAttention(automaton.train);
    const automatonPaper = recoverHeads(automatonFit);
    const limit = automatonPaper.headLowerBound;
    const minimal = searchMinimalHeads(automatonFit, automatonPaper, limit, 0);
    expect(minimal).toMatchObject({ numHeads: limit, found: false });
    expect(minimal.relativeWeightError).toBeGreaterThan(1e-6);
    expect(minimal.attempts.length).toBeGreaterThan(0);
    expect(minimal.attempts.every((attempt) => attempt.numHeads === limit)).toBe(true);
  });
});

describe('meanSquaredError', () => {
  it('averages squared residuals over every entry of every sequence', () => {
    const outputs = [matrixFrom(1, 2, [1, 2]), matrixFrom(2, 2, [3, 4, 5, 6])];
    const targets = [zeros(1, 2), matrixFrom(2, 2, [3, 4, 5, 4])];
    expectVectorClose([meanSquaredError(outputs, targets)], [(1 + 4 + 0 + 0 + 0 + 4) / 6], { rtol: 1e-15 });
  });
});
