import { createRng, type Matrix } from '@lattn/core';
import { expectLattnError, expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments, cubicFeatures } from '@lattn/feature-map';
import fc from 'fast-check';
import { Matrix as MlMatrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { gaussianSequences, referenceSecondMoment, stackedFeatures, toMl } from './__fixtures__/oracle.js';
import { certifyIdentifiability } from './certify.js';
import { driftBound } from './drift-bound.js';

const inputs = gaussianSequences(1, 30, 5, 2); // N = 150 examples, D = 6
const targets = gaussianSequences(2, 30, 5, 3); // noisy, not realisable: dOut = 3
const moments = accumulateFeatureMoments(inputs);
const lambda = referenceSecondMoment(inputs, 'all'); // (6, 6), ml-matrix
const fresh = gaussianSequences(3, 1, 4, 2)[0];

/** `L(w) = (1/N) Σ ‖y − w ψ‖²` computed directly from the data. */
function meanSquaredError(w: MlMatrix): number {
  const x = stackedFeatures(inputs, 'all');
  let sum = 0;
  const predictions = x.mmul(w.transpose()); // (N, dOut)
  let row = 0;
  for (const target of targets) {
    for (let t = 0; t < target.rows; t++, row++) {
      for (let a = 0; a < 3; a++) sum += (target.data[t * 3 + a] - predictions.get(row, a)) ** 2;
    }
  }
  return sum / row;
}

/** The least-squares minimiser `w* = (XᵀX)⁻¹ XᵀY`, `(dOut, D)`, by ml-matrix. */
function minimiser(): MlMatrix {
  const x = stackedFeatures(inputs, 'all');
  const rows: number[][] = [];
  for (const target of targets)
    for (let t = 0; t < target.rows; t++) rows.push(Array.from(target.data.subarray(t * 3, t * 3 + 3)));
  return solve(x.transpose().mmul(x), x.transpose().mmul(new MlMatrix(rows))).transpose();
}

/** `tr(Δ Λ Δᵀ)`. */
function excess(delta: MlMatrix, moment: MlMatrix = lambda): number {
  return delta.mmul(moment).mmul(delta.transpose()).trace();
}

function featureColumn(input: Matrix, t: number): MlMatrix {
  const psi = cubicFeatures(input);
  return MlMatrix.columnVector(Array.from(psi.data.subarray(t * psi.cols, (t + 1) * psi.cols)));
}

describe('driftBound', () => {
  it('rests on the identity L(w* + Δ) − L(w*) = tr(Δ Λ Δᵀ) for least squares', () => {
    const rng = createRng(4);
    const wStar = minimiser();
    for (let trial = 0; trial < 3; trial++) {
      const delta = toMl(rng.normalMatrix(3, 6)).mul(0.1);
      const direct = meanSquaredError(wStar.clone().add(delta)) - meanSquaredError(wStar);
      expectVectorClose([direct], [excess(delta)], { rtol: 1e-8 });
    }
  });

  it('is attained at every position by Δ = c · u (Λ⁻¹ψ)ᵀ with excess loss exactly ε', () => {
    const excessLoss = 0.01;
    const drift = driftBound(moments, { excessLoss, input: fresh });
    expect(drift.method).toBe('cholesky');
    expect(drift.identifiable).toBe(true);
    expect(drift.numPositions).toBe(4);
    const u = MlMatrix.columnVector([0.6, 0, 0.8]); // unit output direction
    for (let t = 0; t < 4; t++) {
      const psi = featureColumn(fresh, t);
      const solved = solve(lambda, psi); // Λ⁻¹ψ
      const quadratic = psi.transpose().mmul(solved).get(0, 0);
      const delta = u.mmul(solved.transpose()).mul(Math.sqrt(excessLoss / quadratic)); // (3, 6)
      expectVectorClose([excess(delta)], [excessLoss], { rtol: 1e-10 });
      const moved = delta.mmul(psi).norm();
      expectVectorClose([moved], [(drift.tight as Float64Array)[t]], { rtol: 1e-9 });
    }
  });

  it('is never exceeded by a random Δ of the same excess loss', () => {
    const excessLoss = 0.3;
    const drift = driftBound(moments, { excessLoss, input: fresh });
    const tight = drift.tight as Float64Array;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), (seed) => {
        const raw = toMl(createRng(seed).normalMatrix(3, 6));
        const delta = raw.mul(Math.sqrt(excessLoss / excess(raw)));
        for (let t = 0; t < 4; t++) {
          expect(delta.mmul(featureColumn(fresh, t)).norm()).toBeLessThanOrEqual(tight[t] * (1 + 1e-12));
        }
      }),
      { numRuns: 200, seed: 6 },
    );
  });

  it('orders its forms tight <= spectral <= product <= frobenius', () => {
    const drift = driftBound(moments, { excessLoss: 1e-4, input: gaussianSequences(5, 1, 7, 2)[0] });
    const tight = drift.tight as Float64Array;
    for (let t = 0; t < drift.numPositions; t++) {
      expect(tight[t]).toBeLessThanOrEqual(drift.spectral[t] * (1 + 1e-12));
      expect(drift.spectral[t]).toBeLessThanOrEqual(drift.product[t] * (1 + 1e-12));
      expect(drift.product[t]).toBeLessThanOrEqual(drift.frobenius * (1 + 1e-12));
    }
    expect(drift.bound).toBe(Math.max(...tight));
  });

  it('gives the spectral forms from a certificate alone, without the tight one', () => {
    const certificate = certifyIdentifiability(inputs);
    const fromCertificate = driftBound(certificate, { excessLoss: 0.01, input: fresh });
    const fromMoments = driftBound(moments, { excessLoss: 0.01, input: fresh });
    expect(fromCertificate.tight).toBeNull();
    expect(fromCertificate.method).toBe('certificate');
    expectVectorClose(fromCertificate.spectral, fromMoments.spectral, { rtol: 1e-10 });
    expectVectorClose([fromCertificate.frobenius], [fromMoments.frobenius], { rtol: 1e-10 });
    expect(fromCertificate.bound).toBe(Math.max(...fromCertificate.spectral));
  });

  it("bounds only the last position in mode 'last'", () => {
    const all = driftBound(moments, { excessLoss: 0.01, input: fresh });
    const last = driftBound(moments, { excessLoss: 0.01, input: fresh, mode: 'last' });
    expect(last.numPositions).toBe(1);
    expectVectorClose(last.tight as Float64Array, [(all.tight as Float64Array)[3]], { rtol: 1e-12 });
    expectVectorClose(last.product, [all.product[3]], { rtol: 1e-12 });
  });

  it('is finite exactly where a singular Λ determines the output, as a null direction shows', () => {
    const train = gaussianSequences(7, 100, 1, 2); // length 1: rank 4 of 6
    const singular = accumulateFeatureMoments(train);
    const input = gaussianSequences(8, 1, 3, 2)[0];
    const drift = driftBound(singular, { excessLoss: 0.01, input });
    expect(drift.identifiable).toBe(false);
    expect(drift.method).toBe('eigh');
    const tight = drift.tight as Float64Array;
    expect(Number.isFinite(tight[0])).toBe(true); // M_0 = z_0 z_0ᵀ: in the span of the training features
    expect(tight[1]).toBe(Number.POSITIVE_INFINITY);
    expect(tight[2]).toBe(Number.POSITIVE_INFINITY);
    expect(drift.spectral[0]).toBe(Number.POSITIVE_INFINITY);
    expect(drift.frobenius).toBe(Number.POSITIVE_INFINITY);

    // A null direction changes no training prediction but moves positions 1 and 2, not position 0.
    const certificate = certifyIdentifiability(train, { includeNullSpace: true });
    const basis = toMl(certificate.nullSpace as Matrix);
    const delta = MlMatrix.columnVector([1, -2, 0.5]).mmul(basis.getColumnVector(0).transpose()); // (3, 6)
    expect(excess(delta, referenceSecondMoment(train, 'all'))).toBeLessThan(1e-12);
    expect(delta.mmul(featureColumn(input, 0)).norm()).toBeLessThan(1e-9);
    expect(delta.mmul(featureColumn(input, 1)).norm()).toBeGreaterThan(1e-3);
  });

  it('rejects missing or bad options and mismatched inputs', () => {
    expectLattnError(() => driftBound(moments, undefined as never), 'INVALID_ARGUMENT', 'driftBound', ['options']);
    expectLattnError(() => driftBound(moments, { excessLoss: -1, input: fresh }), 'INVALID_ARGUMENT', 'driftBound', [
      'excessLoss',
    ]);
    expectLattnError(
      () => driftBound(moments, { excessLoss: 1, input: gaussianSequences(9, 1, 2, 3)[0] }),
      'SHAPE_MISMATCH',
      'driftBound',
      ['options.input'],
    );
    expectLattnError(
      () => driftBound(moments, { excessLoss: 1, input: fresh, seed: 1 } as never),
      'INVALID_ARGUMENT',
      'driftBound',
    );
    expectLattnError(
      () => driftBound(certifyIdentifiability(inputs), { excessLoss: 1, input: fresh, rtol: 1e-3 }),
      'INVALID_ARGUMENT',
      'driftBound',
      ['rtol'],
    );
    expectLattnError(() => driftBound({} as never, { excessLoss: 1, input: fresh }), 'INVALID_ARGUMENT', 'driftBound', [
      'source',
    ]);
  });
});
