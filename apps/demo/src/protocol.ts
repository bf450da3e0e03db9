/**
 * The messages between the page and the worker. Everything is plain data (matrices are `{ rows, cols, data:
 * Float64Array }`), so it survives `postMessage`.
 */
import type { IdentifiabilityCertificate, ReferenceCertificate } from '@lattn/certificate';
import type { Matrix } from '@lattn/core';
import type { MhlaModel } from '@lattn/feature-map';
import type { LossPoint, ProjectionAttempt } from '@lattn/learner';
import type { Automaton } from '@lattn/tasks';
import type { DemoParams, TaskKind } from './params.js';

export type WorkerRequest =
  | { readonly type: 'run'; readonly runId: number; readonly params: DemoParams }
  | { readonly type: 'steps'; readonly runId: number; readonly instance: number };

/** The stages of a run, in order; each has a progress bar. */
export const PHASES = [
  'generate',
  'moments',
  'certificate',
  'fit',
  'accuracy',
  'heads',
  'automaton',
  'baseline',
] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  generate: 'Generate data',
  moments: 'Feature moments',
  certificate: 'Certificate',
  fit: 'Exact fit',
  accuracy: 'Accuracy',
  heads: 'Head recovery',
  automaton: 'Automaton run',
  baseline: 'Adam baseline',
};

export interface TaskSummary {
  readonly task: TaskKind;
  /** Token dimension `d`. */
  readonly modelDim: number;
  /** Output dimension `dOut`. */
  readonly outputDim: number;
  /** `D = d · d(d+1)/2`. */
  readonly featureDim: number;
  /** Heads of the task's exact construction (the teacher for random MHLA). */
  readonly constructionHeads: number;
  readonly mode: 'all' | 'last';
  readonly trainSequences: number;
  readonly trainExamples: number;
  readonly testSequences: number;
  readonly testExamples: number;
  /** What the test measures, in words. */
  readonly testDescription: string;
}

export interface FitSummary {
  /** The learned folded weights `(dOut, D)`. */
  readonly weights: Matrix;
  /** The construction's folded weights `(dOut, D)`: equal to `weights` when the data pin the function down. */
  readonly constructionWeights: Matrix;
  /** `‖weights − constructionWeights‖_F / ‖constructionWeights‖_F`. */
  readonly relativeDistance: number;
  readonly solver: 'cholesky' | 'eigen' | 'dual';
  readonly rank: number;
  readonly featureDim: number;
  readonly numExamples: number;
  readonly rtol: number;
  /** Training mean squared error of the learned weights, from a second pass over the data. */
  readonly trainLoss: number;
  /** Wall-clock seconds from the start of the feature pass to the solved weights and their training loss. */
  readonly seconds: number;
  readonly warnings: readonly string[];
}

/** How well a model does on the fresh test instances. */
export interface Accuracy {
  /** Which model: `'exact'`, `'minimal'` (fewest heads found) or `'baseline'` (Adam). */
  readonly model: 'exact' | 'minimal' | 'baseline';
  /** Fraction of test sequences entirely right (teacher forced for automata). */
  readonly exactMatch: number;
  readonly numCorrect: number;
  readonly numSequences: number;
  /** Fraction of scored positions right. */
  readonly positionAccuracy: number;
  /** Mean squared error of the outputs on the test targets. */
  readonly testLoss: number;
  /** Automata only: the model runs on its own decoded states (one wrong state derails the rest). */
  readonly autoregressive: { readonly exactMatch: number; readonly positionAccuracy: number } | null;
}

export interface PaperHeads {
  /** The paper's SVD route: one head per singular value above `rtol · σ₁`. */
  readonly model: MhlaModel;
  readonly singularValues: Float64Array;
  readonly svdRank: number;
  readonly rtol: number;
}

export interface MinimalHeads {
  /**
   * The model with the fewest heads found, equivalent to the fit when `found`; otherwise the best approximation at
   * the search limit, or the paper's model when the lower bound exceeds the limit (no attempts).
   */
  readonly model: MhlaModel;
  readonly numHeads: number;
  /** Whether a model with at most `maxHeads` heads computes exactly the learned function. */
  readonly found: boolean;
  /** The learner's proven lower bound on the head count of any model with these folded weights. */
  readonly lowerBound: number;
  /** The head counts tried, smallest first, with how each attempt ended. */
  readonly attempts: readonly ProjectionAttempt[];
  /** The search's upper limit. */
  readonly maxHeads: number;
  /** `‖fold(model) − w‖_F / ‖w‖_F`. */
  readonly relativeWeightError: number;
  readonly seconds: number;
}

export type StepStatus = 'right' | 'wrong' | 'off-track';

export interface AutomatonStep {
  /** Step `i = 1 … n`: the model reads symbol `σ_i` in its state `q̂_{i−1}` and outputs `q̂_i`. */
  readonly index: number;
  readonly from: number;
  readonly symbol: number;
  /** The model's output at this history token, one score per state. */
  readonly scores: readonly number[];
  /** `q̂_i`: the argmax of `scores`. */
  readonly predicted: number;
  /** `δ(q̂_{i−1}, σ_i)`: what the automaton does from the model's state. */
  readonly correct: number;
  /** `q_i` of the true history. */
  readonly truth: number;
  /**
   * `'wrong'`: `predicted ≠ correct`; `'off-track'`: the step follows the automaton but starts from a state other
   * than the true one (an earlier wrong step led there); `'right'` otherwise.
   */
  readonly status: StepStatus;
}

export interface AutomatonStepView {
  readonly instance: number;
  readonly numInstances: number;
  readonly automaton: Automaton;
  readonly word: readonly number[];
  readonly steps: readonly AutomatonStep[];
  /** Test instances on which the learned model makes at least one wrong step. */
  readonly wrongInstances: readonly number[];
}

export interface BaselineResult {
  readonly numHeads: number;
  readonly lossCurve: readonly LossPoint[];
  readonly finalLoss: number;
  readonly seconds: number;
  readonly diverged: boolean;
  readonly warnings: readonly string[];
  readonly accuracy: Accuracy;
}

/** The worker batches Adam's loss-curve points into one message at most this often (milliseconds). */
export const CURVE_INTERVAL = 50;

export type WorkerEvent = { readonly runId: number } & (
  | {
      readonly type: 'progress';
      readonly phase: Phase;
      readonly stage: string;
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: 'task'; readonly summary: TaskSummary }
  | {
      readonly type: 'certificate';
      readonly certificate: IdentifiabilityCertificate;
      readonly reference: ReferenceCertificate;
    }
  | { readonly type: 'fit'; readonly fit: FitSummary }
  | { readonly type: 'accuracy'; readonly accuracy: Accuracy }
  | { readonly type: 'heads'; readonly construction: MhlaModel; readonly paper: PaperHeads }
  | { readonly type: 'minimal-heads'; readonly minimal: MinimalHeads; readonly accuracy: Accuracy }
  | { readonly type: 'steps'; readonly view: AutomatonStepView }
  /**
   * New points of Adam's loss curve, in order, as they are measured: the first two (epochs 0 and 1) one by one,
   * then batched at most every {@link CURVE_INTERVAL} ms. Together the batches are exactly the final `lossCurve`.
   */
  | { readonly type: 'baseline-curve'; readonly points: readonly LossPoint[]; readonly epochs: number }
  | { readonly type: 'baseline'; readonly baseline: BaselineResult }
  | { readonly type: 'done'; readonly seconds: number }
  | { readonly type: 'error'; readonly phase: Phase; readonly message: string; readonly code: string | null }
);
