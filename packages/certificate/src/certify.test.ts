import { createGramAccumulator, createRng, type Matrix, mergeGram } from '@lattn/core';
import { expectLattnError, expectMatrixClose, expectVectorClose } from '@lattn/core/testing';
import { accumulateFeatureMoments, featureDim, featureTriple } from '@lattn/feature-map';
import fc from 'fast-check';
import { Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  gaussianSequences,
  referenceEigenvalues,
  referenceSecondMoment,
  toMl,
  zeroCoordinate,
} from './__fixtures__/oracle.js';
import { certifyFromMoments, certifyIdentifiability } from './certify.js';

const EPS = Number.EPSILON;

describe('certifyIdentifiability on Gaussian sequences', () => {
  it.each([
    { mode: 'all' as const, d: 3, count: 60, length: 6 },
    { mode: 'last' as const, d: 3, count: 200, length: 4 },
    { mode: 'all' as const, d: 4, count: 80, length: 8 },
  ])(
    'is identifiable in mode $mode (d = $d) and λ_min, λ_max match ml-matrix to 1e-10 relative',
    ({ mode, d, count, length }) => {
      const inputs = gaussianSequences(100 + d, count, length, d);
      const certificate = certifyIdentifiability(inputs, { mode });
      const reference = referenceEigenvalues(referenceSecondMoment(inputs, mode));
      expect(certificate.identifiable).toBe(true);
      expect(certificate.rank).toBe(featureDim(d));
      expect(certificate.nullity).toBe(0);
      expect(certificate.method).toBe('extreme-eigenvalues');
      expect(certificate.numExamples).toBe(mode === 'all' ? count * length : count);
      expectVectorClose([certificate.lambdaMin], [reference[0]], { rtol: 1e-10, label: 'λ_min' });
      expectVectorClose([certificate.lambdaMax], [reference[reference.length - 1]], { rtol: 1e-10, label: 'λ_max' });
      expectVectorClose([certificate.condition], [reference[reference.length - 1] / reference[0]], { rtol: 1e-9 });
      expect(certificate.rtol).toBe(100 * featureDim(d) * EPS);
      expect(certificate.tolerance).toBe(certificate.rtol * certificate.lambdaMax);
      expect(certificate.missingDirections).toEqual([]);
      expect(certificate.reasons[0]).toMatch(/^λ_min\(Λ\) = .* exceeds the tolerance .*positive definite/);
    },
  );

  it('reports the same λ_min through eigh when rtol forces the singular path', () => {
    const inputs = gaussianSequences(7, 40, 5, 2);
    const cheap = certifyIdentifiability(inputs);
    const forced = certifyIdentifiability(inputs, { rtol: 0.5 });
    expect(forced.method).toBe('eigh');
    expect(forced.identifiable).toBe(false);
    expectVectorClose([forced.lambdaMin], [cheap.lambdaMin], { rtol: 1e-10 });
    expectVectorClose(forced.smallestEigenvalues.slice(0, 1), [cheap.lambdaMin], { rtol: 1e-10 });
  });
});

describe('certifyIdentifiability on constructed non-identifiable sets (each paired with an identifiable one)', () => {
  it('names a coordinate that is zero in every token and counts its 12 missing directions (d = 3)', () => {
    const rich = gaussianSequences(11, 60, 6, 3);
    expect(certifyIdentifiability(rich).identifiable).toBe(true);

    const certificate = certifyIdentifiability(rich.map((z) => zeroCoordinate(z, 1)));
    expect(certificate.identifiable).toBe(false);
    expect(certificate.rank).toBe(6); // the features of coordinates {0, 2} only: featureDim(2)
    expect(certificate.nullity).toBe(12);
    expect(certificate.missingDirections).toHaveLength(1);
    const [direction] = certificate.missingDirections;
    expect(direction.kind).toBe('zero-coordinate');
    expect(direction.numDirections).toBe(12);
    expect(direction.numTriples).toBe(12);
    for (const t of direction.triples) expect([t.j, t.k, t.l]).toContain(1);
    expect(certificate.reasons).toContain(
      'coordinate 1 is zero in every token, so no feature involving it is excited (12 directions)',
    );
    expect(certificate.reasons[0]).toMatch(
      /^rank 6 < featureDim 18: 12 directions of the folded weights are not determined/,
    );
  });

  it('explains length-1 sequences by coincident monomials: rank C(d+2, 3) = 10 of 18 (d = 3)', () => {
    const longer = gaussianSequences(12, 100, 2, 3);
    expect(certifyIdentifiability(longer).identifiable).toBe(true);

    const certificate = certifyIdentifiability(gaussianSequences(12, 200, 1, 3));
    expect(certificate.identifiable).toBe(false);
    expect(certificate.rank).toBe(10);
    expect(certificate.nullity).toBe(8);
    expect(certificate.reasons[1]).toContain('every sequence has a single token');
    expect(certificate.reasons[1]).toContain('at most 10 of the 18 features are distinct');
    const kinds = certificate.missingDirections.map((m) => m.kind);
    expect(new Set(kinds)).toEqual(new Set(['coincident-features']));
    expect(certificate.missingDirections.reduce((sum, m) => sum + m.numDirections, 0)).toBe(8);
    expect(certificate.numUnlistedDirections).toBe(0);
    // Every class holds the triples of one multiset {j, k, l}, all with ratio 1.
    for (const direction of certificate.missingDirections) {
      const keys = direction.triples.map((t) => [t.j, t.k, t.l].sort().join(','));
      expect(new Set(keys).size).toBe(1);
      expectVectorClose(
        direction.triples.map((t) => t.coefficient),
        direction.triples.map(() => 1),
        { rtol: 1e-12 },
      );
    }
    const triple = certificate.missingDirections.find((m) => m.numDirections === 2);
    expect(triple?.description).toBe(
      'M[0,1]·z[2], M[0,2]·z[1] and M[1,2]·z[0] are equal on every example: each is the monomial z[0]·z[1]·z[2] whenever the prefix moment M_t is z_t z_tᵀ, as in sequences of one token',
    );
    expect(certificate.reasons).toContain(`${triple?.description} (2 directions)`);
  });

  it.each([
    { mode: 'all' as const, small: 2, large: 10, length: 4 },
    { mode: 'last' as const, small: 12, large: 200, length: 4 },
  ])('says when there are fewer examples than features (mode $mode)', ({ mode, small, large, length }) => {
    expect(certifyIdentifiability(gaussianSequences(13, large, length, 3), { mode }).identifiable).toBe(true);

    const certificate = certifyIdentifiability(gaussianSequences(13, small, length, 3), { mode });
    const numExamples = mode === 'all' ? small * length : small;
    expect(certificate.identifiable).toBe(false);
    expect(certificate.numExamples).toBe(numExamples);
    expect(certificate.rank).toBe(numExamples);
    expect(certificate.nullity).toBe(18 - numExamples);
    expect(certificate.reasons[1]).toBe(
      `only ${numExamples} examples for 18 features: each example adds at most one to the rank, so at least ${18 - numExamples} more examples (positions) are needed`,
    );
    // Generic data: the missing directions are combinations, each a true null vector of Λ.
    const lambda = referenceSecondMoment(gaussianSequences(13, small, length, 3), mode);
    for (const direction of certificate.missingDirections) {
      expect(direction.kind).toBe('combination');
      if (direction.numTriples > direction.triples.length) continue;
      const v = new Float64Array(18);
      for (const t of direction.triples) v[t.index] = t.coefficient;
      const lv = lambda.mmul(MlMatrix.columnVector(Array.from(v)));
      expectVectorClose(lv.getColumn(0), new Array(18).fill(0), { atol: 1e-9 * certificate.lambdaMax });
    }
  });

  it("names a coordinate that is zero in the last token of every sequence (mode 'last', d = 2)", () => {
    const sequences = gaussianSequences(14, 80, 3, 2);
    expect(certifyIdentifiability(sequences, { mode: 'last' }).identifiable).toBe(true);

    const lastZero = sequences.map((z) => {
      const data = z.data.slice();
      data[(z.rows - 1) * 2] = 0;
      return { rows: z.rows, cols: 2, data };
    });
    const certificate = certifyIdentifiability(lastZero, { mode: 'last' });
    expect(certificate.identifiable).toBe(false);
    expect(certificate.nullity).toBe(3);
    expect(certificate.missingDirections).toHaveLength(1);
    expect(certificate.missingDirections[0].kind).toBe('zero-last-coordinate');
    expect(certificate.missingDirections[0].description).toBe(
      'coordinate 0 is zero in the last token of every sequence, so no feature M[j,k]·z[0] is excited',
    );
    expect(certificate.missingDirections[0].triples.map((t) => t.l)).toEqual([0, 0, 0]);
  });

  it('names two coordinates that never co-occur in a token (d = 3)', () => {
    const rng = createRng(15);
    const together = gaussianSequences(15, 60, 6, 3);
    expect(certifyIdentifiability(together).identifiable).toBe(true);

    const apart = together.map((z) => {
      const data = z.data.slice();
      for (let t = 0; t < z.rows; t++) data[t * 3 + (rng.uniform() < 0.5 ? 0 : 1)] = 0;
      return { rows: z.rows, cols: 3, data };
    });
    const certificate = certifyIdentifiability(apart);
    expect(certificate.identifiable).toBe(false);
    const pair = certificate.missingDirections.find((m) => m.kind === 'zero-pair');
    expect(pair?.description).toBe(
      'M[0,1] = Σ_{s<=t} z_s[0]·z_s[1] is zero at every example position: coordinates 0 and 1 never co-occur in a token',
    );
    expect(pair?.numDirections).toBe(3);
    expect(pair?.triples.map((t) => [t.j, t.k])).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(certificate.missingDirections.reduce((sum, m) => sum + m.numDirections, 0)).toBe(
      certificate.nullity - certificate.numUnlistedDirections,
    );
  });

  it("groups never-excited features by last-token coordinate, then by pair (mode 'last', d = 2)", () => {
    // Tokens (a, b) with the last token (0, c) and all earlier tokens (a, 0): at the last position
    // M = [[Σa², 0], [0, c²]], z = (0, c): (0,0,0), (0,1,·), (1,1,0) vanish; (0,0,1) and (1,1,1) survive.
    const rng = createRng(16);
    const inputs: Matrix[] = Array.from({ length: 40 }, () => {
      const n = 3;
      const data = new Float64Array(n * 2);
      for (let t = 0; t < n - 1; t++) data[t * 2] = rng.normal();
      data[(n - 1) * 2 + 1] = rng.normal();
      return { rows: n, cols: 2, data };
    });
    const certificate = certifyIdentifiability(inputs, { mode: 'last' });
    expect(certificate.rank).toBe(2);
    expect(certificate.nullity).toBe(4);
    const kinds = certificate.missingDirections.map((m) => m.kind);
    expect(kinds).toContain('zero-last-coordinate');
    expect(kinds).toContain('zero-pair');
  });

  it('reports rank 0 for moments of no examples and for all-zero tokens', () => {
    const empty = certifyFromMoments(createGramAccumulator(6));
    expect(empty.identifiable).toBe(false);
    expect(empty.rank).toBe(0);
    expect(empty.nullity).toBe(6);
    expect(empty.numUnlistedDirections).toBe(6);
    expect(empty.reasons[1]).toBe('there are no training examples');

    const zeros = certifyIdentifiability([{ rows: 3, cols: 2, data: new Float64Array(6) }]);
    expect(zeros.rank).toBe(0);
    expect(zeros.lambdaMax).toBe(0);
    expect(zeros.reasons[1]).toBe('every feature is zero on every example: every token is zero');
  });

  it('keeps the rounding floor of exactly singular data at least 100 times below the default tolerance', () => {
    const rng = createRng(17);
    const basis = rng.normalMatrix(3, 5); // tokens in a random 3-dimensional subspace of R⁵
    const inputs = Array.from({ length: 300 }, () => {
      const coefficients = rng.normalMatrix(8, 3);
      const data = new Float64Array(8 * 5);
      for (let t = 0; t < 8; t++) {
        for (let a = 0; a < 3; a++) {
          for (let j = 0; j < 5; j++) data[t * 5 + j] += coefficients.data[t * 3 + a] * basis.data[a * 5 + j];
        }
      }
      return { rows: 8, cols: 5, data };
    });
    const certificate = certifyIdentifiability(inputs);
    expect(certificate.identifiable).toBe(false);
    expect(certificate.rank).toBe(featureDim(3)); // cubic features of 3 free coordinates
    const noise = Math.max(...certificate.smallestEigenvalues.slice(0, certificate.nullity).map(Math.abs));
    expect(noise).toBeLessThan(0.01 * certificate.tolerance);
  });
});

describe('the null space', () => {
  it('is returned orthonormal and annihilated by Λ when includeNullSpace is set', () => {
    const inputs = gaussianSequences(21, 200, 1, 3);
    const certificate = certifyIdentifiability(inputs, { includeNullSpace: true });
    const basis = certificate.nullSpace as Matrix;
    expect([basis.rows, basis.cols]).toEqual([18, 8]);
    const n = toMl(basis);
    expectMatrixClose(n.transpose().mmul(n).to2DArray(), MlMatrix.eye(8).to2DArray(), { atol: 1e-12 });
    const lambda = referenceSecondMoment(inputs, 'all');
    const product = lambda.mmul(n).to2DArray();
    expectMatrixClose(product, new MlMatrix(18, 8).to2DArray(), { atol: 1e-12 * certificate.lambdaMax });
    expect(certifyIdentifiability(inputs).nullSpace).toBeNull();
  });

  it('lists at most maxDirections groups and counts the rest', () => {
    const inputs = gaussianSequences(22, 200, 1, 3);
    const certificate = certifyIdentifiability(inputs, { maxDirections: 2 });
    expect(certificate.missingDirections).toHaveLength(2);
    const listed = certificate.missingDirections.reduce((sum, m) => sum + m.numDirections, 0);
    expect(certificate.numUnlistedDirections).toBe(8 - listed);
    expect(certificate.reasons[certificate.reasons.length - 1]).toBe(
      `… and ${8 - listed} more missing directions not listed (raise maxDirections to list more)`,
    );
  });

  it('writes each feature as the triple featureTriple gives for its index', () => {
    const certificate = certifyIdentifiability(gaussianSequences(23, 50, 1, 4));
    for (const direction of certificate.missingDirections) {
      for (const t of direction.triples) expect(featureTriple(t.index, 4)).toEqual({ j: t.j, k: t.k, l: t.l });
    }
  });
});

describe('certifyFromMoments', () => {
  it('gives the certificate of certifyIdentifiability from the same moments, also from merged shards', () => {
    const inputs = gaussianSequences(31, 30, 5, 3);
    const direct = certifyIdentifiability(inputs);
    const whole = accumulateFeatureMoments(inputs);
    expect(certifyFromMoments(whole)).toEqual(direct);
    const merged = mergeGram(accumulateFeatureMoments(inputs.slice(0, 11)), accumulateFeatureMoments(inputs.slice(11)));
    const fromShards = certifyFromMoments(merged, { modelDim: 3 });
    expect(fromShards.identifiable).toBe(true);
    expectVectorClose([fromShards.lambdaMin], [direct.lambdaMin], { rtol: 1e-10 });
  });

  it('reads moments accumulated with targets (one pass for the learner and the certificate) without changing them', () => {
    const inputs = gaussianSequences(32, 30, 5, 2);
    const targets = gaussianSequences(33, 30, 5, 3);
    const moments = accumulateFeatureMoments(inputs, { targets });
    const before = structuredClone(moments);
    const certificate = certifyFromMoments(moments, { mode: 'all' });
    expect(certificate.identifiable).toBe(true);
    expect(moments).toEqual(before);
  });

  it('survives structuredClone', () => {
    const certificate = certifyIdentifiability(gaussianSequences(34, 100, 1, 3), { includeNullSpace: true });
    expect(structuredClone(certificate)).toEqual(certificate);
  });

  it('never lowers the rank when data are added', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 6 }), (seed, extra) => {
        const rng = createRng(seed);
        const sequences = Array.from({ length: 4 + extra }, (_, b) =>
          b % 3 === 0 ? rng.normalMatrix(1, 3) : zeroCoordinate(rng.normalMatrix(3, 3), b % 3),
        );
        let previous = 0;
        for (let count = 1; count <= sequences.length; count++) {
          const rank = certifyIdentifiability(sequences.slice(0, count)).rank;
          expect(rank).toBeGreaterThanOrEqual(previous);
          previous = rank;
        }
      }),
      { numRuns: 15, seed: 5 },
    );
  });
});

describe('certificates at extreme scales', () => {
  const scaled = (inputs: readonly Matrix[], factor: number): Matrix[] =>
    inputs.map((z) => ({ ...z, data: z.data.map((x) => x * factor) }));

  it.each([1e150, 1e-150, 1e60, 1e-60, 2 ** 900, 2 ** -900])(
    'certifies tokens scaled by %s exactly as at unit scale (regression: a false "every token is zero", or a NON_FINITE error from accumulateGram)',
    (factor) => {
      // Before the fix, 1e-150 (and 1e-60) gave rank 0 with "every feature is zero on every example: every token is
      // zero", and 1e150 threw accumulateGram's NON_FINITE.
      const inputs = gaussianSequences(51, 20, [2, 4], 2);
      const unit = certifyIdentifiability(inputs);
      const certificate = certifyIdentifiability(scaled(inputs, factor));
      expect(certificate.identifiable).toBe(true);
      expect(certificate.rank).toBe(unit.rank);
      expect(certificate.inputScale).not.toBe(1);
      // A power of two near the largest token (about 4 standard deviations of factor).
      expect(Number.isInteger(Math.log2(certificate.inputScale))).toBe(true);
      expect(Math.abs(Math.log2(certificate.inputScale / factor))).toBeLessThan(4);
      // Λ(Z / s) = Λ(Z) · (factor / s)⁶: the reported eigenvalues are the unit-scale ones times that.
      const ratio = (factor / certificate.inputScale) ** 6;
      expectVectorClose(
        [certificate.lambdaMin, certificate.lambdaMax],
        [unit.lambdaMin * ratio, unit.lambdaMax * ratio],
        {
          rtol: 1e-9,
        },
      );
      expectVectorClose([certificate.condition], [unit.condition], { rtol: 1e-9 });
      expect(certificate.reasons[1]).toContain('the tokens were divided by s = 2^');
    },
  );

  it('keeps a non-identifiable verdict and its missing directions at 1e-150 (a coordinate zero in every token)', () => {
    const inputs = gaussianSequences(52, 30, 4, 3).map((z) => zeroCoordinate(z, 1));
    const unit = certifyIdentifiability(inputs);
    const tiny = certifyIdentifiability(scaled(inputs, 1e-150));
    expect(tiny.identifiable).toBe(false);
    expect([tiny.rank, tiny.nullity]).toEqual([unit.rank, unit.nullity]);
    expect(tiny.missingDirections.map((direction) => direction.kind)).toEqual(
      unit.missingDirections.map((direction) => direction.kind),
    );
  });

  it('says "every token is zero" only when it is, and hedges for moments whose features underflowed', () => {
    const zeros = [{ rows: 2, cols: 2, data: new Float64Array(4) }];
    expect(certifyIdentifiability(zeros).reasons).toContain(
      'every feature is zero on every example: every token is zero',
    );
    const underflowed = accumulateFeatureMoments(scaled(gaussianSequences(53, 10, 3, 2), 1e-150));
    const certificate = certifyFromMoments(underflowed);
    expect(certificate.identifiable).toBe(false);
    expect(certificate.reasons.some((reason) => reason.includes('so small that its cubic features underflow'))).toBe(
      true,
    );
  });

  it('rejects moments that overflowed while accumulating with NON_FINITE naming certifyFromMoments', () => {
    const moments = accumulateFeatureMoments(gaussianSequences(54, 10, 3, 2));
    moments.gram[1] = Number.POSITIVE_INFINITY;
    expectLattnError(() => certifyFromMoments(moments), 'NON_FINITE', 'certifyFromMoments', [
      'certifyFromMoments: moments.gram contains a non-finite value at entry (0, 1)',
      'divided by a common power of two',
    ]);
  });
});

describe('validation', () => {
  const inputs = gaussianSequences(41, 3, 2, 2);

  it('rejects unknown options, bad modes and bad tolerances', () => {
    expectLattnError(
      () => certifyIdentifiability(inputs, { tolerance: 1 } as never),
      'INVALID_ARGUMENT',
      'certifyIdentifiability',
      ["'tolerance'"],
    );
    expectLattnError(
      () => certifyIdentifiability(inputs, { mode: 'first' as never }),
      'INVALID_ARGUMENT',
      'certifyIdentifiability',
      ['options.mode'],
    );
    expectLattnError(() => certifyIdentifiability(inputs, { rtol: -1 }), 'INVALID_ARGUMENT', 'certifyIdentifiability', [
      'options.rtol',
    ]);
    expectLattnError(() => certifyIdentifiability(inputs, { rtol: 1 }), 'INVALID_ARGUMENT', 'certifyIdentifiability', [
      'options.rtol',
    ]);
    expectLattnError(
      () => certifyIdentifiability(inputs, { maxDirections: 1.5 }),
      'INVALID_ARGUMENT',
      'certifyIdentifiability',
      ['maxDirections'],
    );
    expectLattnError(
      () => certifyIdentifiability(inputs, { includeNullSpace: 'yes' as never }),
      'INVALID_ARGUMENT',
      'certifyIdentifiability',
      ['includeNullSpace'],
    );
    expectLattnError(
      () => certifyIdentifiability(inputs, { chunkSize: 0 }),
      'INVALID_ARGUMENT',
      'certifyIdentifiability',
      ['chunkSize'],
    );
  });

  it('rejects empty batches, mixed token dimensions and non-finite tokens', () => {
    expectLattnError(() => certifyIdentifiability([]), 'INVALID_ARGUMENT', 'certifyIdentifiability', ['inputs']);
    expectLattnError(
      () => certifyIdentifiability([inputs[0], gaussianSequences(1, 1, 2, 3)[0]]),
      'SHAPE_MISMATCH',
      'certifyIdentifiability',
      ['inputs[1]'],
    );
    const bad = { rows: 1, cols: 2, data: new Float64Array([1, Number.NaN]) };
    expectLattnError(() => certifyIdentifiability([bad]), 'NON_FINITE', 'certifyIdentifiability', ['inputs[0]']);
  });

  it('rejects malformed accumulators and a modelDim that disagrees with them', () => {
    expectLattnError(() => certifyFromMoments({ dim: 6 } as never), 'INVALID_ARGUMENT', 'certifyFromMoments', [
      'moments',
    ]);
    expectLattnError(() => certifyFromMoments(createGramAccumulator(7)), 'SHAPE_MISMATCH', 'certifyFromMoments', [
      'received 7',
    ]);
    expectLattnError(
      () => certifyFromMoments(createGramAccumulator(6), { modelDim: 3 }),
      'SHAPE_MISMATCH',
      'certifyFromMoments',
      ['featureDim(3) = 18'],
    );
  });

  it('reports progress through the feature pass and the eigenvalue stages', () => {
    const stages: string[] = [];
    certifyIdentifiability(gaussianSequences(42, 100, 1, 2), { onProgress: (p) => stages.push(p.stage) });
    expect(stages).toContain('features');
    expect(stages).toContain('eigenvalues');
    expect(stages[stages.length - 1]).toBe('null-space');
  });
});
