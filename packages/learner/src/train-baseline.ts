/**
 * The gradient-descent baseline the paper compares against (docs/math/least-squares-and-head-recovery.md §5): an
 * `H`-head MHLA trained by Adam or SGD on the mean squared error, with the analytic gradient
 *
 *     ∂L/∂V_h = c Σ_t r_t (M_t Q_h z_t)ᵀ,     ∂L/∂Q_h = c Σ_t (M_t V_hᵀ r_t) z_tᵀ,     c = 2 / (N · dOut),
 *
 * where `r_t = ŷ_t − y_t` and the sums run over the `N` examples of a mini-batch.
 */
import {
  checkDataset,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  checkOneOf,
  createRng,
  type Dataset,
  LattnError,
  type ProgressCallback,
} from '@lattn/core';
import { createModel, MAX_ARRAY_ENTRIES, type MhlaModel } from '@lattn/feature-map';

/** The optimisers of {@link trainBaseline}. */
export type BaselineOptimizer = 'adam' | 'sgd';

/** The learning-rate schedules of {@link trainBaseline}. */
export type LearningRateSchedule = 'constant' | 'cosine' | 'step';

/** Options of {@link trainBaseline}. */
export interface TrainBaselineOptions {
  /** The number of heads `H` of the trained model (an integer >= 1). Required. */
  readonly numHeads: number;
  /**
   * `'adam'` (β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected) or `'sgd'` (plain gradient steps, no momentum).
   * @defaultValue `'adam'`
   */
  readonly optimizer?: BaselineOptimizer;
  /**
   * The peak learning rate.
   * @defaultValue `1e-2`
   */
  readonly learningRate?: number;
  /**
   * Passes over the training sequences.
   * @defaultValue `100`
   */
  readonly epochs?: number;
  /**
   * Sequences per mini-batch (the last batch of an epoch may be smaller).
   * @defaultValue `32`
   */
  readonly batchSize?: number;
  /**
   * How the learning rate evolves over the `T = epochs · batchesPerEpoch` steps: `'constant'`; `'cosine'`
   * (`lr · ½(1 + cos(π s / T))` at step `s`); `'step'` (`lr`, then `lr/10` from half of the epochs on, then
   * `lr/100` from three quarters on).
   * @defaultValue `'constant'`
   */
  readonly schedule?: LearningRateSchedule;
  /**
   * Standard deviation of the independent normal entries of the initial `V_h` and `Q_h`.
   * @defaultValue `1 / √modelDim`
   */
  readonly initScale?: number;
  /**
   * Seed of the initialisation and of the mini-batch order.
   * @defaultValue `0`
   */
  readonly seed?: number;
  /**
   * Receives `{ stage: 'epoch', done, total: epochs }` after each epoch.
   * @defaultValue none
   */
  readonly onProgress?: ProgressCallback;
  /**
   * Receives each point of the loss curve as soon as it is measured (the initial point, then one per epoch), so a
   * caller can plot the curve live. Called synchronously; it should return quickly.
   * @defaultValue none
   */
  readonly onEpoch?: (point: LossPoint) => void;
  /**
   * A held-out dataset (same `modelDim` and `outputDim`, any mode) whose loss is recorded next to the training loss.
   * @defaultValue none
   */
  readonly validation?: Dataset;
}

/** One point of the loss curve of {@link trainBaseline}. */
export interface LossPoint {
  /** Epochs completed (0 is the initial model). */
  readonly epoch: number;
  /** Optimiser steps taken so far. */
  readonly step: number;
  /** The mean squared error on the whole training set. */
  readonly loss: number;
  /** The mean squared error on `options.validation`, or `null` without one. */
  readonly validationLoss: number | null;
  /** The learning rate of the last step taken (the initial rate at epoch 0). */
  readonly learningRate: number;
  /** Seconds since training started (a measurement: excluded from determinism). */
  readonly seconds: number;
}

/** The result of {@link trainBaseline}. */
export interface BaselineTraining {
  /** The trained model: `numHeads` heads, `value` `(outputDim, modelDim)`, `query` `(modelDim, modelDim)`. */
  readonly model: MhlaModel;
  /** The training loss after each epoch, starting with the initial model at epoch 0. */
  readonly lossCurve: readonly LossPoint[];
  /** The training mean squared error of `model`. */
  readonly finalLoss: number;
  /** The validation mean squared error of `model`, or `null` without validation data. */
  readonly finalValidationLoss: number | null;
  /** `H`. */
  readonly numHeads: number;
  /** The optimiser used. */
  readonly optimizer: BaselineOptimizer;
  /** The peak learning rate. */
  readonly learningRate: number;
  /** The schedule used. */
  readonly schedule: LearningRateSchedule;
  /** Epochs completed (fewer than requested when training diverged). */
  readonly epochs: number;
  /** Sequences per mini-batch. */
  readonly batchSize: number;
  /** The initialisation scale used. */
  readonly initScale: number;
  /** The seed used. */
  readonly seed: number;
  /** Optimiser steps taken. */
  readonly steps: number;
  /** Whether a step produced a non-finite loss or gradient; training then stopped before that step. */
  readonly diverged: boolean;
  /** Total seconds (a measurement). */
  readonly seconds: number;
  /** Human-readable notes, for example about divergence. */
  readonly warnings: readonly string[];
}

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;
const OPTIMIZERS: readonly BaselineOptimizer[] = ['adam', 'sgd'];
const SCHEDULES: readonly LearningRateSchedule[] = ['constant', 'cosine', 'step'];
const OPTION_KEYS = [
  'numHeads',
  'optimizer',
  'learningRate',
  'epochs',
  'batchSize',
  'schedule',
  'initScale',
  'seed',
  'onProgress',
  'onEpoch',
  'validation',
];

/**
 * Trains an `H`-head MHLA by mini-batch gradient descent on the mean squared error
 * `L = (1 / (N · dOut)) Σ_examples ‖ŷ − y‖²`: the non-convex baseline that the exact learner
 * ({@link fitLinearAttention}) is compared against.
 *
 * The gradient is analytic (derived in the math notes, checked against finite differences in the tests) and uses
 * the running prefix moment, so a step costs `O(n · H · (d² + dOut · d))` per sequence. Mini-batches are groups of
 * `batchSize` whole sequences in an order reshuffled every epoch. The loss curve records the full training loss
 * (and validation loss) after every epoch.
 *
 * Notes: deterministic for a seed (initialisation and batch order); the `seconds` fields are measurements and
 * vary. Gradient descent on heads is non-convex: it can stall in saddles or local minima, which is the point of
 * the comparison. When a step produces a non-finite loss or gradient, training stops with `diverged: true` and
 * the parameters before that step; lower the learning rate. Target scale matters: outputs grow like `n · ‖z‖³`
 * in mode `'all'`, so scale tokens to `‖z‖ ≈ 1` or lower the rate.
 *
 * @param dataset - Training sequences `(n_b, d)` and targets `(n_b, dOut)` (mode `'all'`) or `(1, dOut)` (`'last'`).
 * @param options - See {@link TrainBaselineOptions}; `numHeads` is required.
 * @returns The trained model, its loss curve and the settings used; see {@link BaselineTraining}.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed dataset, missing `numHeads`, an unknown option or
 * one out of range; `SHAPE_MISMATCH` when dataset shapes disagree or the validation set has other dimensions;
 * `NON_FINITE` for NaN or ±Infinity in the data; `TOO_LARGE` when the parameters would exceed feature-map's
 * `MAX_ARRAY_ENTRIES`.
 * @example
 * ```ts
 * const result = trainBaseline(dataset, { numHeads: 2, epochs: 50, learningRate: 0.01, seed: 1 });
 * result.lossCurve[0].loss; // the initial loss
 * result.finalLoss; // much smaller
 * ```
 * @see docs/math/least-squares-and-head-recovery.md §5
 */
export function trainBaseline(dataset: Dataset, options: TrainBaselineOptions): BaselineTraining {
  const fn = 'trainBaseline';
  const started = performance.now();
  const shape = checkDataset(fn, dataset);
  if (options === undefined || options === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options are required. Expected { numHeads, … }; received ${String(options)}.`,
    );
  }
  checkKnownKeys(fn, 'options', options, OPTION_KEYS);
  const numHeads = checkInteger(fn, 'options.numHeads', options.numHeads, { min: 1 });
  const optimizer =
    options.optimizer === undefined ? 'adam' : checkOneOf(fn, 'options.optimizer', options.optimizer, OPTIMIZERS);
  const learningRate =
    options.learningRate === undefined
      ? 1e-2
      : checkNumber(fn, 'options.learningRate', options.learningRate, { min: 0, exclusiveMin: true });
  const epochs = options.epochs === undefined ? 100 : checkInteger(fn, 'options.epochs', options.epochs, { min: 0 });
  const batchSize =
    options.batchSize === undefined ? 32 : checkInteger(fn, 'options.batchSize', options.batchSize, { min: 1 });
  const schedule =
    options.schedule === undefined ? 'constant' : checkOneOf(fn, 'options.schedule', options.schedule, SCHEDULES);
  const initScale =
    options.initScale === undefined
      ? 1 / Math.sqrt(shape.modelDim)
      : checkNumber(fn, 'options.initScale', options.initScale, { min: 0 });
  const seed = options.seed === undefined ? 0 : checkInteger(fn, 'options.seed', options.seed);
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.onProgress must be a function. Expected a function or undefined; received ${typeof onProgress}.`,
    );
  }
  const onEpoch = options.onEpoch;
  if (onEpoch !== undefined && typeof onEpoch !== 'function') {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: options.onEpoch must be a function. Expected a function or undefined; received ${typeof onEpoch}.`,
    );
  }
  const validation = options.validation;
  if (validation !== undefined) {
    const validationShape = checkDataset(fn, validation);
    if (validationShape.modelDim !== shape.modelDim || validationShape.outputDim !== shape.outputDim) {
      throw new LattnError(
        'SHAPE_MISMATCH',
        `${fn}: options.validation has other dimensions than the training set. Expected modelDim ${shape.modelDim} and outputDim ${shape.outputDim}; received modelDim ${validationShape.modelDim} and outputDim ${validationShape.outputDim}.`,
      );
    }
  }

  const layout = parameterLayout(shape.modelDim, shape.outputDim, numHeads);
  if (layout.size > MAX_ARRAY_ENTRIES) {
    throw new LattnError(
      'TOO_LARGE',
      `${fn}: ${numHeads} heads of (${shape.outputDim}, ${shape.modelDim}) values and (${shape.modelDim}, ${shape.modelDim}) queries would need ${layout.size} parameters (${Number(((layout.size * 8) / 2 ** 30).toPrecision(3))} GiB per copy, five copies). Expected at most ${MAX_ARRAY_ENTRIES} parameters; received options.numHeads ${numHeads}.`,
      { details: { parameters: layout.size, limit: MAX_ARRAY_ENTRIES } },
    );
  }
  // A forked stream, so the initialisation never replays the plain `createRng(seed)` normals that task generators
  // draw their teachers from: with equal seeds, training would otherwise start at the teacher.
  const rng = createRng(seed).fork();
  const params = new Float64Array(layout.size);
  for (let i = 0; i < params.length; i++) params[i] = initScale * rng.normal();

  const gradient = new Float64Array(layout.size);
  const firstMoment = new Float64Array(layout.size);
  const secondMoment = new Float64Array(layout.size);
  const candidate = new Float64Array(layout.size);
  const workspace = createWorkspace(layout);
  const all = Array.from({ length: shape.numSequences }, (_, b) => b);
  const batchesPerEpoch = Math.ceil(shape.numSequences / batchSize);
  const totalSteps = epochs * batchesPerEpoch;

  const evaluate = (): { loss: number; validationLoss: number | null } => ({
    loss: lossAndGradient(layout, params, dataset, all, null, workspace),
    validationLoss:
      validation === undefined
        ? null
        : lossAndGradient(layout, params, validation, indices(validation.inputs.length), null, workspace),
  });
  const initial = evaluate();
  const lossCurve: LossPoint[] = [
    { epoch: 0, step: 0, ...initial, learningRate, seconds: (performance.now() - started) / 1000 },
  ];
  onEpoch?.(lossCurve[0]);
  const warnings: string[] = [];
  let step = 0;
  let epochsDone = 0;
  let diverged = false;
  let rate = learningRate;

  training: for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = rng.shuffle(all);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const loss = lossAndGradient(layout, params, dataset, batch, gradient, workspace);
      rate = learningRate * scheduleFactor(schedule, step, totalSteps, epoch - 1, epochs);
      candidate.set(params);
      if (optimizer === 'adam') {
        adamStep(candidate, gradient, firstMoment, secondMoment, rate, step + 1);
      } else {
        for (let i = 0; i < candidate.length; i++) candidate[i] -= rate * gradient[i];
      }
      if (!Number.isFinite(loss) || !allFinite(candidate)) {
        diverged = true;
        warnings.push(
          `trainBaseline: training diverged at epoch ${epoch}, step ${step + 1} (batch loss ${loss}); stopped with the parameters before that step. Lower learningRate (${learningRate}) or scale the data.`,
        );
        break training;
      }
      params.set(candidate);
      step++;
    }
    epochsDone = epoch;
    const point = evaluate();
    const measured: LossPoint = {
      epoch,
      step,
      ...point,
      learningRate: rate,
      seconds: (performance.now() - started) / 1000,
    };
    lossCurve.push(measured);
    onEpoch?.(measured);
    onProgress?.({ stage: 'epoch', done: epoch, total: epochs });
  }

  const last = diverged ? evaluate() : lossCurve[lossCurve.length - 1];
  return {
    model: toModel(layout, params),
    lossCurve,
    finalLoss: last.loss,
    finalValidationLoss: last.validationLoss,
    numHeads,
    optimizer,
    learningRate,
    schedule,
    epochs: epochsDone,
    batchSize,
    initScale,
    seed,
    steps: step,
    diverged,
    seconds: (performance.now() - started) / 1000,
    warnings,
  };
}

/** Where each head's `V_h` and `Q_h` sit in the flat parameter vector: head `h` is `[V_h (dOut·d), Q_h (d·d)]`. */
export interface ParameterLayout {
  /** Token dimension `d`. */
  readonly modelDim: number;
  /** Output dimension `dOut`. */
  readonly outputDim: number;
  /** Number of heads `H`. */
  readonly numHeads: number;
  /** Parameters per head, `dOut · d + d²`. */
  readonly perHead: number;
  /** Total parameters, `H · perHead`. */
  readonly size: number;
}

/** The flat layout of an `H`-head model's parameters. */
export function parameterLayout(modelDim: number, outputDim: number, numHeads: number): ParameterLayout {
  const perHead = outputDim * modelDim + modelDim * modelDim;
  return { modelDim, outputDim, numHeads, perHead, size: numHeads * perHead };
}

/** Flattens a model's heads into the layout of {@link parameterLayout}. */
export function toParameters(model: MhlaModel): Float64Array {
  const layout = parameterLayout(model.modelDim, model.outputDim, model.heads.length);
  const params = new Float64Array(layout.size);
  model.heads.forEach((head, h) => {
    params.set(head.value.data, h * layout.perHead);
    params.set(head.query.data, h * layout.perHead + model.outputDim * model.modelDim);
  });
  return params;
}

/** Builds a model from flat parameters. */
export function toModel(layout: ParameterLayout, params: Float64Array): MhlaModel {
  const { modelDim: d, outputDim, perHead } = layout;
  const heads = [];
  for (let h = 0; h < layout.numHeads; h++) {
    const offset = h * perHead;
    heads.push({
      value: { rows: outputDim, cols: d, data: params.slice(offset, offset + outputDim * d) },
      query: { rows: d, cols: d, data: params.slice(offset + outputDim * d, offset + perHead) },
    });
  }
  return createModel({ modelDim: d, outputDim, heads });
}

/** Scratch buffers of {@link lossAndGradient}, allocated once per training run. */
export interface Workspace {
  /** `M_t`, `(d, d)`. */
  readonly moment: Float64Array;
  /** `Q_h z_t` per head, `(H, d)`. */
  readonly queried: Float64Array;
  /** `M_t Q_h z_t` per head, `(H, d)`. */
  readonly attended: Float64Array;
  /** `ŷ_t − y_t`, `(dOut)`. */
  readonly residual: Float64Array;
  /** `V_hᵀ r_t`, `(d)`. */
  readonly back: Float64Array;
  /** `M_t V_hᵀ r_t`, `(d)`. */
  readonly backMoment: Float64Array;
}

/** Allocates the scratch buffers for a layout. */
export function createWorkspace(layout: ParameterLayout): Workspace {
  const d = layout.modelDim;
  return {
    moment: new Float64Array(d * d),
    queried: new Float64Array(layout.numHeads * d),
    attended: new Float64Array(layout.numHeads * d),
    residual: new Float64Array(layout.outputDim),
    back: new Float64Array(d),
    backMoment: new Float64Array(d),
  };
}

/**
 * The mean squared error `L = (1 / (N · dOut)) Σ ‖ŷ_t − y_t‖²` of the model `params` over the examples of the
 * sequences `batch` of a validated dataset, and, when `gradient` is given, `∂L/∂params` written into it
 * (docs/math/least-squares-and-head-recovery.md §5). Cost `O(n · H · (d² + dOut · d))` per sequence.
 */
export function lossAndGradient(
  layout: ParameterLayout,
  params: Float64Array,
  dataset: Dataset,
  batch: readonly number[],
  gradient: Float64Array | null,
  workspace: Workspace,
): number {
  const { modelDim: d, outputDim, numHeads, perHead } = layout;
  const valueSize = outputDim * d;
  const { moment, queried, attended, residual, back, backMoment } = workspace;
  const last = dataset.mode === 'last';
  let examples = 0;
  for (const b of batch) examples += last ? 1 : dataset.inputs[b].rows;
  const scale = 2 / (examples * outputDim);
  let sumOfSquares = 0;
  gradient?.fill(0);

  for (const b of batch) {
    const z = dataset.inputs[b].data; // (n, d)
    const y = dataset.targets[b].data; // (n, dOut) or (1, dOut)
    const n = dataset.inputs[b].rows;
    moment.fill(0);
    for (let t = 0; t < n; t++) {
      const zt = t * d;
      for (let j = 0; j < d; j++) {
        const zj = z[zt + j];
        for (let k = 0; k < d; k++) moment[j * d + k] += zj * z[zt + k]; // M_t = M_{t-1} + z_t z_tᵀ
      }
      if (last && t < n - 1) continue;
      const yt = last ? 0 : t * outputDim;
      for (let a = 0; a < outputDim; a++) residual[a] = -y[yt + a];
      for (let h = 0; h < numHeads; h++) {
        const v = h * perHead; // V_h (dOut, d)
        const q = v + valueSize; // Q_h (d, d)
        for (let k = 0; k < d; k++) {
          let sum = 0;
          for (let l = 0; l < d; l++) sum += params[q + k * d + l] * z[zt + l];
          queried[h * d + k] = sum; // Q_h z_t
        }
        for (let j = 0; j < d; j++) {
          let sum = 0;
          for (let k = 0; k < d; k++) sum += moment[j * d + k] * queried[h * d + k];
          attended[h * d + j] = sum; // M_t Q_h z_t
        }
        for (let a = 0; a < outputDim; a++) {
          let sum = 0;
          for (let j = 0; j < d; j++) sum += params[v + a * d + j] * attended[h * d + j];
          residual[a] += sum; // ŷ_t − y_t
        }
      }
      for (let a = 0; a < outputDim; a++) sumOfSquares += residual[a] * residual[a];
      if (gradient === null) continue;
      for (let h = 0; h < numHeads; h++) {
        const v = h * perHead;
        const q = v + valueSize;
        for (let a = 0; a < outputDim; a++) {
          const ra = scale * residual[a];
          for (let j = 0; j < d; j++) gradient[v + a * d + j] += ra * attended[h * d + j]; // c r_t (M_t Q_h z_t)ᵀ
        }
        for (let j = 0; j < d; j++) {
          let sum = 0;
          for (let a = 0; a < outputDim; a++) sum += params[v + a * d + j] * residual[a];
          back[j] = scale * sum; // c V_hᵀ r_t
        }
        for (let k = 0; k < d; k++) {
          let sum = 0;
          for (let j = 0; j < d; j++) sum += moment[k * d + j] * back[j];
          backMoment[k] = sum; // c M_t V_hᵀ r_t
        }
        for (let k = 0; k < d; k++) {
          for (let l = 0; l < d; l++) gradient[q + k * d + l] += backMoment[k] * z[zt + l]; // (c M_t V_hᵀ r_t) z_tᵀ
        }
      }
    }
  }
  return sumOfSquares / (examples * outputDim);
}

function adamStep(
  params: Float64Array,
  gradient: Float64Array,
  firstMoment: Float64Array,
  secondMoment: Float64Array,
  rate: number,
  step: number,
): void {
  const correction1 = 1 - ADAM_BETA1 ** step;
  const correction2 = 1 - ADAM_BETA2 ** step;
  for (let i = 0; i < params.length; i++) {
    const g = gradient[i];
    firstMoment[i] = ADAM_BETA1 * firstMoment[i] + (1 - ADAM_BETA1) * g;
    secondMoment[i] = ADAM_BETA2 * secondMoment[i] + (1 - ADAM_BETA2) * g * g;
    const mHat = firstMoment[i] / correction1;
    const vHat = secondMoment[i] / correction2;
    params[i] -= (rate * mHat) / (Math.sqrt(vHat) + ADAM_EPSILON);
  }
}

function scheduleFactor(
  schedule: LearningRateSchedule,
  step: number,
  totalSteps: number,
  epoch: number,
  epochs: number,
): number {
  if (schedule === 'cosine') return 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
  if (schedule === 'step') return epoch >= 0.75 * epochs ? 0.01 : epoch >= 0.5 * epochs ? 0.1 : 1;
  return 1;
}

function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function indices(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
