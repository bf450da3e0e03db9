/**
 * `@lattn/learner`: learn multi-head linear attention exactly — the least-squares folded weights over all MHLA
 * (primal Cholesky/eigen and dual kernel solvers, from a dataset or from streamed moments), recover heads from them
 * (the paper's SVD route, or the minimal head count by alternating projection), train the Adam/SGD baseline the
 * paper compares against, and read and write models as versioned JSON.
 *
 * @see docs/math/least-squares-and-head-recovery.md
 * @packageDocumentation
 */

export type {
  FitFromMomentsOptions,
  FitOptions,
  FitResidual,
  FitTimings,
  LinearAttentionFit,
  LinearSolver,
  SolveOptions,
} from './fit.js';
export { fitFromMoments, fitLinearAttention, LINEAR_SOLVERS } from './fit.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSIONS, parseModel, serializeModel } from './model-json.js';
export type {
  HeadRecovery,
  ProjectionAttempt,
  ProjectionOutcome,
  RecoverHeadsOptions,
} from './recover-heads.js';
export { recoverHeads } from './recover-heads.js';
export type { EigenvalueRange, Factorization } from './solve-symmetric.js';
export type {
  BaselineOptimizer,
  BaselineTraining,
  LearningRateSchedule,
  LossPoint,
  TrainBaselineOptions,
} from './train-baseline.js';
export { trainBaseline } from './train-baseline.js';
