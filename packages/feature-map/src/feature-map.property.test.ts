/**
 * Property suites of `@lattn/feature-map` (issue #9), over random shapes that include d = 1, n = 1, dOut = 1 and
 * zero heads: forward = ⟨fold, ψ⟩, fold/unfold round trips, the invariances of equivalence (and that any change of
 * the folded weights is detected), the kernel identity, the layout bijection, and exact scaling to 1e±150.
 */
import { createRng, type Matrix, matmul, type Rng, transpose } from '@lattn/core';
import { expectMatrixClose, stackRows } from '@lattn/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naiveForward, randomModel, randomSequences, rngFor } from './__fixtures__/random.js';
import { equivalent } from './equivalent.js';
import { cubicFeatures, unfoldedFeatures } from './features.js';
import { foldModel, foldUnfolded, unfoldWeights } from './fold.js';
import { forward } from './forward.js';
import { forwardFolded } from './forward-folded.js';
import { cubicKernel, kernelMatrix } from './kernel.js';
import { featureDim, featureTriple, pairIndex } from './layout.js';
import { createModel, type MhlaModel } from './model.js';

const sizes = fc.record({
  seed: fc.nat(1_000_000),
  modelDim: fc.integer({ min: 1, max: 4 }),
  outputDim: fc.integer({ min: 1, max: 3 }),
  numHeads: fc.integer({ min: 0, max: 4 }),
  lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  mode: fc.constantFrom('all' as const, 'last' as const),
});

/** `Σ_h vec(V_h) vec(Q_h)ᵀ`, the unfolded weights of a model, `(outputDim · d, d²)`. */
function unfoldedOf(model: MhlaModel): Matrix {
  const rows = model.outputDim * model.modelDim;
  const cols = model.modelDim ** 2;
  const data = new Float64Array(rows * cols);
  for (const head of model.heads) {
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) data[i * cols + j] += head.value.data[i] * head.query.data[j];
  }
  return { rows, cols, data };
}

function scaledMatrix(m: Matrix, factor: number): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.map((x) => x * factor) };
}

/** The largest |entry| over several matrices (the scale of a tolerance). */
function largest(matrices: readonly Matrix[]): number {
  return matrices.reduce((most, m) => m.data.reduce((inner, x) => Math.max(inner, Math.abs(x)), most), 0);
}

/** A random orthogonal-ish mixing: the heads of `model` recombined as `H'` heads with the same `Σ vec(V) vec(Q)ᵀ`. */
function mixedHeads(model: MhlaModel, rng: Rng): MhlaModel {
  // Split head h into (V_h, c·Q_h) and (V_h, (1 − c)·Q_h), then scale V ↔ Q by a random factor.
  const heads = model.heads.flatMap((head) => {
    const c = rng.uniform();
    const s = 0.5 + rng.uniform();
    return [
      { value: scaledMatrix(head.value, s), query: scaledMatrix(head.query, c / s) },
      { value: scaledMatrix(head.value, 1 / s), query: scaledMatrix(head.query, (1 - c) * s) },
    ];
  });
  return createModel({ modelDim: model.modelDim, outputDim: model.outputDim, heads: rng.shuffle(heads) });
}

describe('forward and the folded features', () => {
  it('forward equals ⟨foldModel, ψ⟩, forwardFolded and the attention form, in both modes', () => {
    fc.assert(
      fc.property(sizes, ({ seed, lengths, mode, ...shape }) => {
        const rng = rngFor(seed);
        const model = randomModel(rng, shape);
        const inputs = randomSequences(rng, shape.modelDim, lengths);
        const weights = foldModel(model); // (dOut, D)
        const outputs = forward(model, inputs, { mode });
        const folded = forwardFolded(weights, inputs, { mode });
        for (const [b, sequence] of inputs.entries()) {
          const psi = cubicFeatures(sequence, { mode }); // (n or 1, D)
          expect(psi.cols).toBe(featureDim(shape.modelDim));
          const viaFeatures = matmul(psi, transpose(weights)); // ψ wᵀ, (n or 1, dOut)
          const attention = naiveForward(model, sequence);
          const reference =
            mode === 'all' ? attention : { rows: 1, cols: attention.cols, data: attention.data.slice(-attention.cols) };
          const atol = 1e-12 * Math.max(1, largest([reference, viaFeatures]));
          expectMatrixClose(outputs[b], viaFeatures, { rtol: 1e-11, atol });
          expectMatrixClose(folded[b], viaFeatures, { rtol: 1e-11, atol });
          expectMatrixClose(outputs[b], reference, { rtol: 1e-11, atol });
        }
      }),
      { seed: 21, numRuns: 80 },
    );
  });

  it('scales exactly: ψ(2ᵏ Z) = 2³ᵏ ψ(Z) bit for bit, and forward at 1e±150 equals the rescaled unit-scale forward', () => {
    const exponents = fc.constantFrom([1.5, 1.5], [2, 0], [0, 2], [2, 1], [1, 2]);
    const scales = fc.constantFrom(1e150, 1e-150, 1e100, 1e-100);
    fc.assert(
      fc.property(sizes, fc.integer({ min: -40, max: 40 }), scales, exponents, (shape, k, s, [alpha, beta]) => {
        const rng = rngFor(shape.seed);
        const model = randomModel(rng, { ...shape, numHeads: Math.max(1, shape.numHeads) });
        const [sequence] = randomSequences(rng, shape.modelDim, shape.lengths);
        const psi = cubicFeatures(sequence, { mode: shape.mode });
        const scaled = cubicFeatures(scaledMatrix(sequence, 2 ** k), { mode: shape.mode });
        expect(Array.from(scaled.data)).toEqual(Array.from(psi.data, (x) => x * 2 ** (3 * k)));
        // Tokens at scale s with V at s^-α and Q at s^-β give the unit-scale outputs times s^(3−α−β), which float64
        // holds, though the features (s³) do not: before the fix, (α, β) = (2, 0) gave NaN at 1e150 and 0 at 1e-150.
        const rescaled = createModel({
          modelDim: model.modelDim,
          outputDim: model.outputDim,
          heads: model.heads.map((head) => ({
            value: scaledMatrix(head.value, s ** -alpha),
            query: scaledMatrix(head.query, s ** -beta),
          })),
        });
        const reference = forward(model, [sequence], { mode: shape.mode })[0];
        const factor = s ** (3 - alpha - beta);
        const expected = scaledMatrix(reference, factor);
        const atol = 1e-12 * Math.max(1e-300, largest([expected]));
        const atScale = forward(rescaled, [scaledMatrix(sequence, s)], { mode: shape.mode })[0];
        expectMatrixClose(atScale, expected, { rtol: 1e-11, atol });
        if (s === 1e100 || s === 1e-100) {
          const weights = scaledMatrix(foldModel(model), s ** -3); // 1e∓300: representable
          const viaFolded = forwardFolded(weights, [scaledMatrix(sequence, s)], { mode: shape.mode })[0];
          expectMatrixClose(viaFolded, reference, {
            rtol: 1e-11,
            atol: 1e-12 * Math.max(1e-300, largest([reference])),
          });
        }
      }),
      { seed: 22, numRuns: 80 },
    );
  });
});

describe('fold and unfold', () => {
  it('foldUnfolded(unfoldWeights(w)) returns w bit for bit, and foldUnfolded(Σ vec V vec Qᵀ) = foldModel', () => {
    fc.assert(
      fc.property(sizes, ({ seed, modelDim, outputDim, numHeads }) => {
        const rng = rngFor(seed);
        const model = randomModel(rng, { modelDim, outputDim, numHeads });
        const weights = foldModel(model);
        expect(Array.from(foldUnfolded(unfoldWeights(weights)).data)).toEqual(Array.from(weights.data));
        const scale = Math.max(1, largest([weights]));
        expectMatrixClose(foldUnfolded(unfoldedOf(model)), weights, {
          rtol: 1e-13,
          atol: 1e-14 * scale * Math.max(1, numHeads),
        });
      }),
      { seed: 23, numRuns: 80 },
    );
  });

  it('X + unfoldWeights(w − foldUnfolded(X)) is an unfolding of w for any X (the projection step)', () => {
    fc.assert(
      fc.property(sizes, ({ seed, modelDim, outputDim }) => {
        const rng = rngFor(seed);
        const weights = rng.normalMatrix(outputDim, featureDim(modelDim));
        const x = rng.normalMatrix(outputDim * modelDim, modelDim * modelDim);
        const correction = unfoldWeights({
          rows: outputDim,
          cols: weights.cols,
          data: weights.data.map((value, i) => value - foldUnfolded(x).data[i]),
        });
        const projected = { ...x, data: x.data.map((value, i) => value + correction.data[i]) };
        expectMatrixClose(foldUnfolded(projected), weights, { rtol: 1e-13, atol: 1e-13 });
        // The symmetric split has the least Frobenius norm among unfoldings of w.
        const norm = (m: Matrix): number => Math.sqrt(m.data.reduce((sum, v) => sum + v * v, 0));
        expect(norm(unfoldWeights(weights))).toBeLessThanOrEqual(norm(projected) * (1 + 1e-12));
      }),
      { seed: 24, numRuns: 60 },
    );
  });
});

describe('equivalent', () => {
  it('is invariant to rescaling, splitting, permuting and mixing heads, and to the j↔k split', () => {
    fc.assert(
      fc.property(sizes, ({ seed, modelDim, outputDim, numHeads }) => {
        const rng = rngFor(seed);
        const model = createModel(randomModel(rng, { modelDim, outputDim, numHeads }));
        expect(equivalent(model, mixedHeads(model, rng)).equivalent).toBe(true);
        expect(equivalent(model, foldModel(model)).equivalent).toBe(true);
        // An antisymmetric j↔k part added to the unfolded weights changes no folded weight: its SVD heads are
        // equivalent to the model.
        const x = unfoldedOf(model);
        const d = modelDim;
        for (let a = 0; a < outputDim; a++) {
          for (let j = 0; j < d; j++) {
            for (let k = j + 1; k < d; k++) {
              for (let l = 0; l < d; l++) {
                const delta = rng.normal();
                x.data[(a * d + j) * d * d + k * d + l] += delta;
                x.data[(a * d + k) * d * d + j * d + l] -= delta;
              }
            }
          }
        }
        expect(equivalent(foldUnfolded(x), model, { rtol: 1e-12, atol: 1e-12 }).equivalent).toBe(true);
      }),
      { seed: 25, numRuns: 80 },
    );
  });

  it('detects any change of one folded weight, and the two models then differ on some input', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), ({ seed, modelDim, outputDim, numHeads, lengths }, pick) => {
        const rng = rngFor(seed);
        const model = createModel(randomModel(rng, { modelDim, outputDim, numHeads }));
        const weights = foldModel(model);
        const changed = { ...weights, data: weights.data.slice() };
        const index = pick % changed.data.length;
        changed.data[index] += 1e-6 * Math.max(1, largest([weights]));
        expect(equivalent(model, changed).equivalent).toBe(false);
        // A generic input excites every feature, so the outputs differ.
        const inputs = randomSequences(
          rng,
          modelDim,
          lengths.map((n) => n + modelDim),
        );
        const before = forwardFolded(weights, inputs);
        const after = forwardFolded(changed, inputs);
        const moved = before.some((y, b) => y.data.some((value, i) => value !== after[b].data[i]));
        expect(moved).toBe(true);
      }),
      { seed: 26, numRuns: 60 },
    );
  });
});

describe('kernels', () => {
  it('cubicKernel and kernelMatrix equal inner products of the unfolded and folded features', () => {
    fc.assert(
      fc.property(
        sizes,
        fc.constantFrom('unfolded' as const, 'folded' as const),
        ({ seed, modelDim, lengths, mode }, space) => {
          const rng = rngFor(seed);
          const inputs = randomSequences(rng, modelDim, lengths);
          const features = (z: Matrix): Matrix =>
            space === 'folded' ? cubicFeatures(z, { mode }) : unfoldedFeatures(z, { mode });
          const psi = stackRows(inputs.map(features)); // (N, D or d³)
          const reference = matmul(psi, transpose(psi));
          const kernel = kernelMatrix(inputs, { mode, space });
          const scale = Math.max(1, largest([reference]));
          expectMatrixClose(kernel, reference, { rtol: 1e-12, atol: 1e-13 * scale });
          const [a, b] = [inputs[0], inputs[inputs.length - 1]];
          const t = mode === 'all' ? a.rows - 1 : a.rows - 1;
          const value = cubicKernel(a, t, b, b.rows - 1, { space });
          const left = features(a);
          const right = features(b);
          let dot = 0;
          for (let c = 0; c < left.cols; c++)
            dot += left.data[(left.rows - 1) * left.cols + c] * right.data[(right.rows - 1) * right.cols + c];
          expect(Math.abs(value - dot)).toBeLessThanOrEqual(1e-12 * scale);
        },
      ),
      { seed: 27, numRuns: 60 },
    );
  });
});

describe('layout', () => {
  it('featureTriple inverts pairIndex(j, k) · d + l over every column, d from 1 to 7', () => {
    for (let d = 1; d <= 7; d++) {
      const seen = new Set<number>();
      for (let index = 0; index < featureDim(d); index++) {
        const { j, k, l } = featureTriple(index, d);
        expect(j).toBeLessThanOrEqual(k);
        expect(pairIndex(j, k, d) * d + l).toBe(index);
        expect(pairIndex(k, j, d)).toBe(pairIndex(j, k, d));
        seen.add(index);
      }
      expect(seen.size).toBe((d * d * (d + 1)) / 2);
    }
  });
});

describe('createModel', () => {
  it('copies its heads: mutating the spec afterwards changes nothing, and the model is a structured-clone round trip', () => {
    fc.assert(
      fc.property(sizes, ({ seed, modelDim, outputDim, numHeads }) => {
        const rng = createRng(seed);
        const spec = randomModel(rng, { modelDim, outputDim, numHeads });
        const model = createModel({ modelDim, outputDim, heads: spec.heads });
        const before = foldModel(model);
        for (const head of spec.heads) head.value.data.fill(7);
        expect(Array.from(foldModel(model).data)).toEqual(Array.from(before.data));
        expect(structuredClone(model)).toEqual(model);
      }),
      { seed: 28, numRuns: 40 },
    );
  });
});
