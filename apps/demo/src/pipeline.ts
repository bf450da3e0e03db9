/**
 * One run of the demo, as the worker executes it: generate a task, stream its features once, certify, fit
 * exactly, score on fresh instances, recover heads, run an automaton step by step, then train the Adam baseline.
 * Every stage reports progress and its result through `emit` as soon as it is known.
 */
import { certifyFromMoments, certifyOnReference } from '@lattn/certificate';
import { type Dataset, isLattnError, type Matrix, type ProgressCallback } from '@lattn/core';
import {
  accumulateFeatureMoments,
  featureDim,
  foldModel,
  forward,
  forwardFolded,
  type MhlaModel,
} from '@lattn/feature-map';
import {
  fitFromMoments,
  type HeadRecovery,
  type LinearAttentionFit,
  type LossPoint,
  recoverHeads,
  trainBaseline,
} from '@lattn/learner';
import {
  type AutomatonTask,
  type ExactMatchScore,
  exactMatchAssociativeMemory,
  exactMatchAutomaton,
  exactMatchRandomMhla,
  generateAssociativeMemoryTask,
  generateAutomatonTask,
  generateRandomMhlaTask,
  type RandomMhlaTask,
  runAutomatonWithModel,
} from '@lattn/tasks';
import type { DemoParams } from './params.js';
import {
  type Accuracy,
  type AutomatonStep,
  type AutomatonStepView,
  CURVE_INTERVAL,
  type MinimalHeads,
  type PaperHeads,
  type Phase,
  type TaskSummary,
  type WorkerEvent,
} from './protocol.js';

export type Emit = (event: WorkerEvent) => void;

/** Random restarts per head count in the minimal-heads search (the learner's default of 10 is slow in a page). */
export const MINIMAL_HEADS_RESTARTS = 2;

/** Progress reports of one stage closer together than this (milliseconds) are dropped, except the last. */
const PROGRESS_INTERVAL = 40;

/** A generated task with its fresh test instances and the task's own metric. */
export interface PreparedTask {
  readonly summary: TaskSummary;
  readonly train: Dataset;
  readonly test: Dataset;
  readonly construction: MhlaModel;
  /** The test task when it is an automaton task (for autoregressive runs and the step view). */
  readonly automatonTest: AutomatonTask | null;
  /** The task's exact-match metric on outputs for the test inputs. */
  readonly score: (outputs: readonly Matrix[]) => ExactMatchScore;
}

/** What the worker keeps after a run, to answer step-view requests for other instances. */
export interface RunState {
  readonly weights: Matrix;
  readonly automatonTest: AutomatonTask | null;
  readonly histories: readonly (readonly number[])[];
}

function countExamples(dataset: Dataset): number {
  return dataset.targets.reduce((sum, target) => sum + target.rows, 0);
}

/** Generates the training task and fresh test instances (seed + 1) for the chosen task. */
export function prepareTask(params: DemoParams): PreparedTask {
  const { seed } = params;
  const finish = (partial: Omit<PreparedTask, 'summary'>, testDescription: string): PreparedTask => ({
    ...partial,
    summary: {
      task: params.task,
      modelDim: partial.construction.modelDim,
      outputDim: partial.construction.outputDim,
      featureDim: featureDim(partial.construction.modelDim),
      constructionHeads: partial.construction.heads.length,
      mode: partial.train.mode,
      trainSequences: partial.train.inputs.length,
      trainExamples: countExamples(partial.train),
      testSequences: partial.test.inputs.length,
      testExamples: countExamples(partial.test),
      testDescription,
    },
  });

  switch (params.task) {
    case 'random-mhla': {
      const options = {
        modelDim: params.modelDim,
        outputDim: params.outputDim,
        numHeads: params.numHeads,
        inputDistribution: params.inputDistribution,
        minSequenceLength: params.minLength,
        maxSequenceLength: params.maxLength,
        mode: params.mode,
      };
      const train = generateRandomMhlaTask({ ...options, numSequences: params.numSequences, seed });
      const fresh = generateRandomMhlaTask({ ...options, numSequences: params.testSequences, seed: seed + 1 });
      // A new seed also draws a new teacher: keep the fresh inputs, label them with the training teacher.
      const test: RandomMhlaTask = {
        ...fresh,
        construction: train.construction,
        dataset: {
          ...fresh.dataset,
          targets: forward(train.construction, fresh.dataset.inputs, { mode: params.mode }),
        },
      };
      return finish(
        {
          train: train.dataset,
          test: test.dataset,
          construction: train.construction,
          automatonTest: null,
          score: (outputs) => exactMatchRandomMhla(outputs, test),
        },
        'fresh sequences labelled by the same teacher; strict: a position counts only when every output is within 1e-8 (relative) of the teacher’s, so a small but nonzero test MSE still scores 0 %',
      );
    }
    case 'associative-memory': {
      const options = {
        keyDim: params.keyDim,
        numPairs: params.numPairs,
        keyDistribution: params.keyDistribution,
      };
      const train = generateAssociativeMemoryTask({ ...options, numSequences: params.numSequences, seed });
      const test = generateAssociativeMemoryTask({ ...options, numSequences: params.testSequences, seed: seed + 1 });
      return finish(
        {
          train: train.dataset,
          test: test.dataset,
          construction: train.construction,
          automatonTest: null,
          score: (outputs) => exactMatchAssociativeMemory(outputs, test),
        },
        'fresh key–value contexts; an answer counts when the stored value nearest to the output is the queried one',
      );
    }
    case 'automaton': {
      const options = { numStates: params.numStates, numSymbols: params.numSymbols };
      const train = generateAutomatonTask({
        ...options,
        wordLength: params.wordLength,
        numSequences: params.numSequences,
        seed,
      });
      const test = generateAutomatonTask({
        ...options,
        wordLength: params.testWordLength,
        numSequences: params.testSequences,
        seed: seed + 1,
      });
      return finish(
        {
          train: train.dataset,
          test: test.dataset,
          construction: train.construction,
          automatonTest: test,
          score: (outputs) => exactMatchAutomaton(outputs, test),
        },
        `fresh random automata with words of length ${params.testWordLength} (training words: ${params.wordLength}); a history counts when every next state is right`,
      );
    }
  }
}

/** `Σ (output − target)² / #entries` over a batch. */
export function meanSquaredError(outputs: readonly Matrix[], targets: readonly Matrix[]): number {
  let sum = 0;
  let count = 0;
  outputs.forEach((output, b) => {
    const target = targets[b].data;
    for (let i = 0; i < output.data.length; i++) {
      const residual = output.data[i] - target[i];
      sum += residual * residual;
    }
    count += output.data.length;
  });
  return sum / count;
}

function isModel(model: MhlaModel | Matrix): model is MhlaModel {
  return 'heads' in model;
}

/** Scores a model (or folded weights) on the test instances; automata also run on the model's own states. */
export function evaluate(
  prepared: PreparedTask,
  model: MhlaModel | Matrix,
  which: Accuracy['model'],
  onProgress?: ProgressCallback,
): { readonly accuracy: Accuracy; readonly histories: readonly (readonly number[])[] } {
  const { test } = prepared;
  const outputs = isModel(model)
    ? forward(model, test.inputs, { mode: test.mode })
    : forwardFolded(model, test.inputs, { mode: test.mode });
  const score = prepared.score(outputs);
  const run =
    prepared.automatonTest === null
      ? null
      : runAutomatonWithModel(model, prepared.automatonTest, onProgress === undefined ? {} : { onProgress });
  return {
    accuracy: {
      model: which,
      exactMatch: score.exactMatch,
      numCorrect: score.numCorrect,
      numSequences: score.numSequences,
      positionAccuracy: score.positionAccuracy,
      testLoss: meanSquaredError(outputs, test.targets),
      autoregressive:
        run === null ? null : { exactMatch: run.score.exactMatch, positionAccuracy: run.score.positionAccuracy },
    },
    histories: run === null ? [] : run.histories,
  };
}

function frobenius(data: Float64Array): number {
  let sum = 0;
  for (const value of data) sum += value * value;
  return Math.sqrt(sum);
}

function relativeDistance(a: Matrix, b: Matrix): number {
  const difference = a.data.map((value, i) => value - b.data[i]);
  const scale = frobenius(b.data);
  return scale === 0 ? frobenius(difference) : frobenius(difference) / scale;
}

/**
 * The fewest heads that reproduce the fit: `H` from the proven lower bound up to `maxHeads` (and at most the SVD
 * head count, where the paper's route is exact), each by alternating projection, stopping at the first model
 * equivalent to the fit. When the lower bound already exceeds `maxHeads`, nothing is searched and the paper's
 * model is returned.
 */
export function searchMinimalHeads(
  fit: LinearAttentionFit,
  paper: HeadRecovery,
  maxHeads: number,
  seed: number,
  onProgress?: (numHeads: number, stage: string, done: number, total: number) => void,
): MinimalHeads {
  const started = performance.now();
  const limit = Math.min(maxHeads, paper.svdRank);
  const lowerBound = paper.headLowerBound;
  let best = paper;
  const attempts = [];
  for (let numHeads = Math.max(1, lowerBound); numHeads <= limit; numHeads++) {
    onProgress?.(numHeads, 'start', 0, 1);
    best = recoverHeads(fit, {
      heads: numHeads,
      restarts: MINIMAL_HEADS_RESTARTS,
      seed,
      ...(onProgress === undefined ? {} : { onProgress: (p) => onProgress(numHeads, p.stage, p.done, p.total) }),
    });
    attempts.push(...best.attempts);
    if (best.equivalent) break;
  }
  return {
    model: best.model,
    numHeads: best.numHeads,
    found: best.equivalent && best.numHeads <= maxHeads,
    lowerBound,
    attempts,
    maxHeads,
    relativeWeightError: best.truncationError.relativeWeightError,
    seconds: (performance.now() - started) / 1000,
  };
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Test instances on which the model's own run makes at least one wrong step. */
export function wrongInstances(task: AutomatonTask, histories: readonly (readonly number[])[]): number[] {
  const wrong: number[] = [];
  histories.forEach((states, b) => {
    const { automaton, word } = task.instances[b];
    if (word.some((symbol, i) => states[i + 1] !== automaton.transitions[states[i]][symbol])) wrong.push(b);
  });
  return wrong;
}

/**
 * The learned model executing one test automaton step by step: the table and the word as generated, then history
 * tokens built from the model's own states (`history[i]` with `σ_{i+1}`), so one forward pass gives the scores the
 * model produced at every step of its autoregressive run.
 */
export function automatonSteps(
  weights: Matrix,
  task: AutomatonTask,
  instance: number,
  history: readonly number[],
  wrong: readonly number[],
): AutomatonStepView {
  const { automaton, word, states } = task.instances[instance];
  const { encoding } = task;
  const source = task.dataset.inputs[instance];
  const d = source.cols;
  const n = word.length;
  const data = Float64Array.from(source.data);
  for (let i = 0; i < n; i++) {
    const row = (encoding.tableLength + n + i) * d + encoding.keyOffset;
    data.fill(0, row, row + encoding.tableLength);
    data[row + history[i] * automaton.numSymbols + word[i]] = 1;
  }
  const [outputs] = forwardFolded(weights, [{ rows: source.rows, cols: d, data }]);
  const steps: AutomatonStep[] = [];
  for (let i = 1; i <= n; i++) {
    const row = encoding.tableLength + n + i - 1;
    const scores = Array.from(outputs.data.subarray(row * outputs.cols, (row + 1) * outputs.cols));
    const from = history[i - 1];
    const symbol = word[i - 1];
    const predicted = argmax(scores);
    const correct = automaton.transitions[from][symbol];
    const status = predicted !== correct ? 'wrong' : from === states[i - 1] ? 'right' : 'off-track';
    steps.push({ index: i, from, symbol, scores, predicted, correct, truth: states[i], status });
  }
  return { instance, numInstances: task.instances.length, automaton, word, steps, wrongInstances: wrong };
}

/** A progress callback for one stage that posts at most every {@link PROGRESS_INTERVAL} ms (and always the end). */
function throttled(emit: Emit, runId: number, phase: Phase): (stage: string, done: number, total: number) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (stage, done, total) => {
    const now = performance.now();
    if (done < total && now - last < PROGRESS_INTERVAL) return;
    last = now;
    emit({ runId, type: 'progress', phase, stage, done, total });
  };
}

/** Runs every stage for `params`, reporting through `emit`; returns what step-view requests need, or `null` on error. */
export function runPipeline(runId: number, params: DemoParams, emit: Emit): RunState | null {
  const started = performance.now();
  let phase: Phase = 'generate';
  const reporter = (current: Phase): ProgressCallback => {
    const report = throttled(emit, runId, current);
    return (p) => report(p.stage, p.done, p.total);
  };
  const begin = (next: Phase): ((stage: string, done: number, total: number) => void) => {
    phase = next;
    const report = throttled(emit, runId, next);
    report('start', 0, 1);
    return report;
  };
  try {
    const generateReport = begin('generate');
    const prepared = prepareTask(params);
    const { train, test, construction, summary } = prepared;
    const modelDim = summary.modelDim;
    generateReport('done', 1, 1);
    emit({ runId, type: 'task', summary });

    begin('moments');
    const momentsStarted = performance.now();
    const moments = accumulateFeatureMoments(train.inputs, {
      mode: train.mode,
      targets: train.targets,
      onProgress: reporter('moments'),
    });
    const momentsSeconds = (performance.now() - momentsStarted) / 1000;

    begin('certificate');
    const certificate = certifyFromMoments(moments, {
      modelDim,
      mode: train.mode,
      onProgress: reporter('certificate'),
    });
    const reference = certifyOnReference(moments, accumulateFeatureMoments(test.inputs, { mode: test.mode }), {
      modelDim,
      mode: train.mode,
      onProgress: reporter('certificate'),
    });
    emit({ runId, type: 'certificate', certificate, reference });

    const fitReport = begin('fit');
    const fitStarted = performance.now();
    const fit = fitFromMoments(moments, { modelDim, mode: train.mode, onProgress: reporter('fit') });
    const trainLoss = meanSquaredError(forwardFolded(fit.weights, train.inputs, { mode: train.mode }), train.targets);
    const fitSeconds = (performance.now() - fitStarted) / 1000;
    const constructionWeights = foldModel(construction);
    fitReport('done', 1, 1);
    emit({
      runId,
      type: 'fit',
      fit: {
        weights: fit.weights,
        constructionWeights,
        relativeDistance: relativeDistance(fit.weights, constructionWeights),
        solver: fit.solver,
        rank: fit.rank,
        featureDim: fit.featureDim,
        numExamples: fit.numExamples,
        rtol: fit.rtol,
        trainLoss,
        seconds: momentsSeconds + fitSeconds,
        warnings: fit.warnings,
      },
    });

    const accuracyReport = begin('accuracy');
    const exact = evaluate(prepared, fit.weights, 'exact', reporter('accuracy'));
    accuracyReport('done', 1, 1);
    emit({ runId, type: 'accuracy', accuracy: exact.accuracy });

    const headsReport = begin('heads');
    const full = recoverHeads(fit, { heads: 'full' });
    const paper: PaperHeads = {
      model: full.model,
      singularValues: full.singularValues,
      svdRank: full.svdRank,
      rtol: full.rtol,
    };
    emit({ runId, type: 'heads', construction, paper });
    const minimal = searchMinimalHeads(fit, full, params.maxHeads, params.seed, (numHeads, stage, done, total) =>
      headsReport(`H = ${numHeads}, ${stage}`, done, total),
    );
    headsReport('done', 1, 1);
    emit({
      runId,
      type: 'minimal-heads',
      minimal,
      accuracy: evaluate(prepared, minimal.model, 'minimal').accuracy,
    });

    const state: RunState = { weights: fit.weights, automatonTest: prepared.automatonTest, histories: exact.histories };
    if (prepared.automatonTest !== null) {
      const automatonReport = begin('automaton');
      emit({ runId, type: 'steps', view: stepView(state, params.instance) });
      automatonReport('done', 1, 1);
    }

    const baselineReport = begin('baseline');
    let pending: LossPoint[] = [];
    let lastFlush = Number.NEGATIVE_INFINITY;
    const flush = (): void => {
      if (pending.length === 0) return;
      emit({ runId, type: 'baseline-curve', points: pending, epochs: params.epochs });
      pending = [];
      lastFlush = performance.now();
    };
    const training = trainBaseline(train, {
      numHeads: construction.heads.length,
      epochs: params.epochs,
      learningRate: params.learningRate,
      seed: params.seed + 2,
      onProgress: (p) => baselineReport(p.stage, p.done, p.total),
      onEpoch: (point) => {
        pending.push(point);
        // Epochs 0 and 1 go out at once, so the curve's first segment shows as soon as it exists.
        if (point.epoch <= 1 || performance.now() - lastFlush >= CURVE_INTERVAL) flush();
      },
    });
    flush();
    emit({
      runId,
      type: 'baseline',
      baseline: {
        numHeads: training.numHeads,
        lossCurve: training.lossCurve,
        finalLoss: training.finalLoss,
        seconds: training.seconds,
        diverged: training.diverged,
        warnings: training.warnings,
        accuracy: evaluate(prepared, training.model, 'baseline').accuracy,
      },
    });
    emit({ runId, type: 'done', seconds: (performance.now() - started) / 1000 });
    return state;
  } catch (error) {
    emit({
      runId,
      type: 'error',
      phase,
      message: error instanceof Error ? error.message : String(error),
      code: isLattnError(error) ? error.code : null,
    });
    return null;
  }
}

/** The step view of one test instance of an automaton run. */
export function stepView(state: RunState, instance: number): AutomatonStepView {
  const task = state.automatonTest;
  if (task === null) throw new Error('stepView: the last run was not an automaton task.');
  const index = Math.min(Math.max(0, instance), task.instances.length - 1);
  return automatonSteps(state.weights, task, index, state.histories[index], wrongInstances(task, state.histories));
}
