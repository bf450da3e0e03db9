/**
 * Experiment (a), random MHLA teachers (the paper's Fig. 1 comparison): the exact polynomial-time learner against
 * Adam on MHLA with 1, 2, …, d² heads, on data labelled by a random teacher. Test error against wall time and
 * epochs, final errors, and equivalence to the teacher (folded weights).
 */

import { certifyFromMoments } from '@lattn/certificate';
import type { ProgressCallback } from '@lattn/core';
import { accumulateFeatureMoments, equivalent, forwardFolded } from '@lattn/feature-map';
import { fitFromMoments, recoverHeads, trainBaseline } from '@lattn/learner';
import { generateRandomMhlaTask, type InputDistribution } from '@lattn/tasks';
import { figure, formatValue, paragraph, table, type Verdict, verdictBlock } from './html.js';
import { meanSquare, meanSquaredError } from './stats.js';
import { renderPlot } from './svg.js';

/** Settings of experiment (a). */
export interface RandomMhlaConfig {
  /** Token dimension `d`. */
  readonly modelDim: number;
  /** Output dimension `dOut`. */
  readonly outputDim: number;
  /** Heads of the random teacher. */
  readonly teacherHeads: number;
  /** Tokens per sequence. */
  readonly sequenceLength: number;
  /** Token distribution. */
  readonly inputDistribution: InputDistribution;
  /** Training sequences. */
  readonly trainSequences: number;
  /** Fresh test sequences. */
  readonly testSequences: number;
  /** Head counts of the Adam baselines. */
  readonly baselineHeads: readonly number[];
  /** Adam epochs per run. */
  readonly epochs: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Sequences per Adam mini-batch. */
  readonly batchSize: number;
  /** Seeds of the Adam runs (initialisation and batch order). */
  readonly seeds: readonly number[];
  /** Seed of the teacher's weights. */
  readonly teacherSeed: number;
  /** Seed of the training inputs. */
  readonly trainSeed: number;
  /** Seed of the test inputs. */
  readonly testSeed: number;
  /** A model "reaches the teacher" when its test error relative to the targets' mean square is at most this. */
  readonly reachedRelativeError: number;
}

/** One point of an Adam loss curve. */
export interface LossSample {
  /** Epochs completed. */
  readonly epoch: number;
  /** Seconds since training started (a measurement). */
  readonly seconds: number;
  /** Training mean squared error. */
  readonly trainMse: number;
  /** Test mean squared error. */
  readonly testMse: number;
}

/** One Adam run. */
export interface BaselineRun {
  /** Heads of the trained MHLA. */
  readonly numHeads: number;
  /** Seed of the run. */
  readonly seed: number;
  /** Seconds of training (a measurement). */
  readonly seconds: number;
  /** Epochs completed. */
  readonly epochs: number;
  /** Optimiser steps taken. */
  readonly steps: number;
  /** Whether training diverged. */
  readonly diverged: boolean;
  /** Final training mean squared error. */
  readonly finalTrainMse: number;
  /** Final test mean squared error. */
  readonly finalTestMse: number;
  /** `finalTestMse` divided by the mean square of the test targets. */
  readonly relativeTestError: number;
  /** `‖fold(model) − fold(teacher)‖_F / max(‖·‖_F)`. */
  readonly relativeWeightDistance: number;
  /** Whether the trained model is equivalent to the teacher (relative folded-weight distance at most 1e-9). */
  readonly equivalentToTeacher: boolean;
  /** First epoch whose relative test error is at most `reachedRelativeError`, or `null`. */
  readonly epochsToReach: number | null;
  /** Seconds until then (a measurement), or `null`. */
  readonly secondsToReach: number | null;
  /** The loss curve, one point per epoch. */
  readonly curve: readonly LossSample[];
}

/** Results of experiment (a). */
export interface RandomMhlaResults {
  /** The settings used. */
  readonly config: RandomMhlaConfig;
  /** `D = d · d(d+1)/2`. */
  readonly featureDim: number;
  /** Training examples (positions). */
  readonly numTrainExamples: number;
  /** Mean square of the test targets (the error of predicting zero). */
  readonly testTargetMeanSquare: number;
  /** The identifiability certificate of the training inputs. */
  readonly certificate: {
    readonly identifiable: boolean;
    readonly lambdaMin: number;
    readonly condition: number;
    readonly rank: number;
  };
  /** The exact learner: one pass of feature moments, one solve. */
  readonly exact: {
    readonly solver: string;
    readonly rank: number;
    /** Seconds of moments and solve, after one warm-up run (a measurement). */
    readonly seconds: number;
    readonly trainMse: number;
    readonly testMse: number;
    readonly relativeTestError: number;
    readonly relativeWeightDistance: number;
    readonly equivalentToTeacher: boolean;
    /** Heads found by the minimal-heads search (`recoverHeads` with `'auto'`). */
    readonly minimalHeads: number;
    /** Whether the minimal-heads model is equivalent to the teacher. */
    readonly minimalHeadsEquivalent: boolean;
  };
  /** Every Adam run. */
  readonly baseline: readonly BaselineRun[];
  /** The qualitative result. */
  readonly verdict: Verdict;
}

/**
 * Runs experiment (a).
 *
 * @param config - The settings.
 * @param onProgress - Receives `{ stage: '(a) random MHLA teachers', done, total }` in epochs (and one unit for
 * the exact learner).
 * @returns The results; timings are the only non-deterministic fields.
 * @example
 * ```ts
 * const results = runRandomMhla(PRESETS.quick.randomMhla, reporter.onProgress);
 * ```
 */
export function runRandomMhla(config: RandomMhlaConfig, onProgress: ProgressCallback): RandomMhlaResults {
  const stage = '(a) random MHLA teachers';
  const total = 1 + config.baselineHeads.length * config.seeds.length * config.epochs;
  let done = 0;
  onProgress({ stage, done, total });
  const shared = {
    modelDim: config.modelDim,
    outputDim: config.outputDim,
    numHeads: config.teacherHeads,
    inputDistribution: config.inputDistribution,
    minSequenceLength: config.sequenceLength,
    maxSequenceLength: config.sequenceLength,
    teacherSeed: config.teacherSeed,
    mode: 'all',
  } as const;
  const train = generateRandomMhlaTask({ ...shared, numSequences: config.trainSequences, seed: config.trainSeed });
  const test = generateRandomMhlaTask({ ...shared, numSequences: config.testSequences, seed: config.testSeed });
  const teacher = train.construction;
  const scale = meanSquare(test.dataset.targets);

  const learn = () => {
    const moments = accumulateFeatureMoments(train.dataset.inputs, { mode: 'all', targets: train.dataset.targets });
    return { moments, fit: fitFromMoments(moments, { mode: 'all', modelDim: config.modelDim }) };
  };
  learn(); // warm-up, so the timing below measures the computation, not the JavaScript compiler
  const started = performance.now();
  const { moments, fit } = learn();
  const exactSeconds = (performance.now() - started) / 1000;
  const certificate = certifyFromMoments(moments, { modelDim: config.modelDim, mode: 'all' });
  const minimal = recoverHeads(fit, { heads: 'auto' });
  const exactEquivalence = equivalent(fit.weights, teacher);
  const exactTestMse = meanSquaredError(forwardFolded(fit.weights, test.dataset.inputs), test.dataset.targets);
  done++;
  onProgress({ stage, done, total });

  const baseline: BaselineRun[] = [];
  for (const numHeads of config.baselineHeads) {
    for (const seed of config.seeds) {
      const run = trainBaseline(train.dataset, {
        numHeads,
        epochs: config.epochs,
        learningRate: config.learningRate,
        batchSize: config.batchSize,
        seed,
        validation: test.dataset,
        onProgress: () => {
          done++;
          onProgress({ stage, done, total });
        },
      });
      const curve = run.lossCurve.map((point) => ({
        epoch: point.epoch,
        seconds: point.seconds,
        trainMse: point.loss,
        testMse: point.validationLoss ?? Number.NaN,
      }));
      const reached = curve.find((point) => point.testMse / scale <= config.reachedRelativeError);
      const equivalence = equivalent(run.model, teacher);
      baseline.push({
        numHeads,
        seed,
        seconds: run.seconds,
        epochs: run.epochs,
        steps: run.steps,
        diverged: run.diverged,
        finalTrainMse: run.finalLoss,
        finalTestMse: run.finalValidationLoss ?? Number.NaN,
        relativeTestError: (run.finalValidationLoss ?? Number.NaN) / scale,
        relativeWeightDistance: equivalence.relativeDistance,
        equivalentToTeacher: equivalence.equivalent,
        epochsToReach: reached?.epoch ?? null,
        secondsToReach: reached?.seconds ?? null,
        curve,
      });
      done += config.epochs - run.epochs; // a diverged run stops early
    }
  }

  const exact = {
    solver: fit.solver,
    rank: fit.rank,
    seconds: exactSeconds,
    trainMse: meanSquaredError(forwardFolded(fit.weights, train.dataset.inputs), train.dataset.targets),
    testMse: exactTestMse,
    relativeTestError: exactTestMse / scale,
    relativeWeightDistance: exactEquivalence.relativeDistance,
    equivalentToTeacher: exactEquivalence.equivalent,
    minimalHeads: minimal.numHeads,
    minimalHeadsEquivalent: equivalent(minimal.model, teacher).equivalent,
  };
  return {
    config,
    featureDim: fit.featureDim,
    numTrainExamples: fit.numExamples,
    testTargetMeanSquare: scale,
    certificate: {
      identifiable: certificate.identifiable,
      lambdaMin: certificate.lambdaMin,
      condition: certificate.condition,
      rank: certificate.rank,
    },
    exact,
    baseline,
    verdict: judge(config, exact, baseline),
  };
}

function judge(config: RandomMhlaConfig, exact: RandomMhlaResults['exact'], baseline: readonly BaselineRun[]): Verdict {
  const exactGood = exact.equivalentToTeacher && exact.relativeTestError <= config.reachedRelativeError;
  const slower = baseline.every((run) => run.secondsToReach === null || run.secondsToReach > exact.seconds);
  const reachedBy = unique(baseline.map((run) => run.numHeads)).map((numHeads) => {
    const runs = baseline.filter((run) => run.numHeads === numHeads && run.epochsToReach !== null);
    const first = runs.sort((a, b) => (a.epochsToReach ?? 0) - (b.epochsToReach ?? 0))[0];
    return { numHeads, first };
  });
  const reached = reachedBy
    .filter(({ first }) => first !== undefined)
    .map(
      ({ numHeads, first }) =>
        `${first.epochsToReach} epochs (${formatValue(first.secondsToReach)} s) with ${numHeads} heads`,
    );
  const never = reachedBy.filter(({ first }) => first === undefined).map(({ numHeads }) => numHeads);
  const threshold = formatValue(config.reachedRelativeError);
  const adam =
    reached.length === 0
      ? `no Adam run reached a relative test error of ${threshold} within ${config.epochs} epochs`
      : `Adam needed ${reached.join(' and ')} to reach ${threshold}${never.length > 0 ? `, and did not reach it within ${config.epochs} epochs with ${never.join(', ')} ${never.length === 1 && never[0] === 1 ? 'head' : 'heads'}` : ''}`;
  return {
    matchesPaper: exactGood && slower,
    statement: `The exact learner reached a relative test error of ${formatValue(exact.relativeTestError)} in ${formatValue(exact.seconds)} s and is ${exact.equivalentToTeacher ? '' : 'not '}equivalent to the teacher (relative weight distance ${formatValue(exact.relativeWeightDistance)}); ${adam}.`,
  };
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}

/**
 * Renders experiment (a) as an HTML section.
 *
 * @param results - The results of {@link runRandomMhla}.
 * @returns The `<section>` markup.
 * @example
 * ```ts
 * const html = renderRandomMhla(results);
 * ```
 */
export function renderRandomMhla(results: RandomMhlaResults): string {
  const { config, exact } = results;
  const firstSeed = config.seeds[0];
  const runs = results.baseline.filter((run) => run.seed === firstSeed);
  const floor = 1e-32;
  const relative = (mse: number): number => Math.max(mse / results.testTargetMeanSquare, floor);
  const exactPoint: [number, number] = [exact.seconds, relative(exact.testMse)];
  const timePlot = renderPlot({
    title: 'Test error against wall time',
    x: { label: 'wall time (seconds)', scale: 'log' },
    y: { label: 'relative test error (MSE / mean square of targets)', scale: 'log' },
    series: [
      ...runs.map((run, index) => ({
        label: `Adam, ${run.numHeads} ${run.numHeads === 1 ? 'head' : 'heads'}`,
        points: run.curve
          .filter((point) => point.epoch > 0)
          .map((point) => [point.seconds, relative(point.testMse)] as [number, number]),
        style: 'line' as const,
        color: index,
      })),
      { label: 'exact learner', points: [exactPoint], style: 'markers' as const, color: 6 },
    ],
    width: 530,
  });
  const epochPlot = renderPlot({
    title: 'Test error against epochs',
    x: { label: 'epochs of Adam', scale: 'linear' },
    y: { label: 'relative test error', scale: 'log' },
    series: [
      ...runs.map((run, index) => ({
        label: `Adam, ${run.numHeads} ${run.numHeads === 1 ? 'head' : 'heads'}`,
        points: run.curve.map((point) => [point.epoch, relative(point.testMse)] as [number, number]),
        style: 'line' as const,
        color: index,
      })),
      {
        label: 'exact learner (one solve)',
        points: [
          [0, exactPoint[1]],
          [config.epochs, exactPoint[1]],
        ] as [number, number][],
        style: 'line' as const,
        dashed: true,
        color: 6,
      },
    ],
    width: 530,
  });
  const rows = [
    [
      'exact learner',
      `any (${exact.minimalHeads} recovered)`,
      formatValue(exact.seconds),
      formatValue(exact.trainMse),
      formatValue(exact.testMse),
      formatValue(exact.relativeTestError),
      formatValue(exact.relativeWeightDistance),
      exact.equivalentToTeacher ? 'yes' : 'no',
    ],
    ...results.baseline.map((run) => [
      `Adam, seed ${run.seed}`,
      String(run.numHeads),
      formatValue(run.seconds),
      formatValue(run.finalTrainMse),
      formatValue(run.finalTestMse),
      formatValue(run.relativeTestError),
      formatValue(run.relativeWeightDistance),
      run.equivalentToTeacher ? 'yes' : 'no',
    ]),
  ];
  const setup =
    `A random teacher with ${config.teacherHeads} heads (d = ${config.modelDim}, dOut = ${config.outputDim}) labels ` +
    `${config.trainSequences} training sequences of ${config.sequenceLength} ${config.inputDistribution} tokens ` +
    `(${results.numTrainExamples} examples in mode 'all', D = ${results.featureDim} features); errors are measured on ` +
    `${config.testSequences} fresh sequences. The exact learner accumulates the feature moments once and solves the ` +
    `least-squares problem (${exact.solver}, rank ${exact.rank} of ${results.featureDim}); the certificate of the ` +
    `training inputs is ${results.certificate.identifiable ? 'identifiable' : 'NOT identifiable'} (λ_min ` +
    `${formatValue(results.certificate.lambdaMin)}, condition number ${formatValue(results.certificate.condition)}). ` +
    `Adam (learning rate ${config.learningRate}, batches of ${config.batchSize} sequences, ${config.epochs} epochs) ` +
    `trains MHLA with ${config.baselineHeads.join(', ')} heads from random initialisations (${config.seeds.length === 1 ? 'seed' : 'seeds'} ${config.seeds.join(', ')}); ` +
    `the plots show seed ${firstSeed}. Errors below ${floor} are drawn at ${floor}.`;
  return [
    '<section id="random-mhla"><h2>(a) Random MHLA teachers: exact learner against Adam</h2>',
    paragraph(setup),
    '<div class="figures">',
    figure(timePlot, 'Relative test error of Adam runs against wall time; the exact learner is a single point.'),
    figure(epochPlot, "Relative test error against Adam's epochs; the dashed line is the exact learner's error."),
    '</div>',
    table(
      [
        'method',
        'heads',
        'seconds',
        'train MSE',
        'test MSE',
        'relative test error',
        'weight distance to teacher',
        'equivalent',
      ],
      rows,
    ),
    verdictBlock(results.verdict),
    '</section>',
  ].join('\n');
}
