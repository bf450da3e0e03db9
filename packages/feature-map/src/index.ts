/**
 * `@lattn/feature-map`: the multi-head linear attention (MHLA) model and its forward pass, the cubic feature map
 * that makes the model linear in its (folded) weights, the cubic kernel, fold/unfold of weights, and exact
 * functional equivalence of models (SPEC §1–2).
 *
 * @packageDocumentation
 * @see docs/math/feature-map.md
 */

export type { Equivalence, EquivalenceOptions } from './equivalent.js';
export { equivalent } from './equivalent.js';
export type { FeatureOptions } from './features.js';
export { cubicFeatures, unfoldedFeatures } from './features.js';
export type { UnfoldOptions } from './fold.js';
export { foldModel, foldUnfolded, unfoldWeights } from './fold.js';
export type { ForwardOptions } from './forward.js';
export { forward } from './forward.js';
export { forwardFolded } from './forward-folded.js';
export type { CubicKernelOptions, KernelMatrixOptions, KernelSpace } from './kernel.js';
export { cubicKernel, KERNEL_SPACES, kernelMatrix, MAX_KERNEL_EXAMPLES } from './kernel.js';
export type { FeatureTriple } from './layout.js';
export { featureDim, featureTriple, MAX_ARRAY_ENTRIES, pairIndex } from './layout.js';
export type { MhlaHead, MhlaModel, ModelSpec } from './model.js';
export { createModel } from './model.js';
export type { FeatureMomentOptions } from './moments.js';
export { accumulateFeatureMoments } from './moments.js';
