/**
 * `@lattn/certificate`: does a training set pin the learned attention function down? The identifiability
 * certificate (`λ_min` of the feature second moment, with the missing directions read back as feature triples),
 * how many more samples would certify, how far near-minimisers can drift on a new input, and dataset design.
 *
 * @packageDocumentation
 * @see docs/math/identifiability.md
 */

export type {
  CertificateMethod,
  CertifyFromMomentsOptions,
  CertifyOptions,
  IdentifiabilityCertificate,
} from './certify.js';
export { certifyFromMoments, certifyIdentifiability } from './certify.js';
export type { ReferenceCertificate, ReferenceCertificateOptions } from './certify-on-reference.js';
export { certifyOnReference } from './certify-on-reference.js';
export type { DatasetDesign, DesignCriterion, DesignOptions } from './design-dataset.js';
export { DESIGN_CRITERIA, designDataset } from './design-dataset.js';
export type { DriftBound, DriftBoundOptions, DriftMethod } from './drift-bound.js';
export { driftBound } from './drift-bound.js';
export type { SampleEstimate, SampleEstimateOptions, SequenceGenerator } from './estimate-samples.js';
export { estimateSamplesToCertify } from './estimate-samples.js';
export type { MissingDirection, MissingDirectionKind, WeightedTriple } from './missing-directions.js';
export { MAX_LISTED_TRIPLES } from './missing-directions.js';
export type { SampleCheck } from './prefix-search.js';
