/**
 * Small statistics shared by the reproduce experiments: errors between outputs and targets, medians and rank
 * correlations. Every function is pure and works on plain arrays.
 */
import type { Matrix } from '@lattn/core';

/**
 * The mean of the squared entries of `outputs − targets` over every sequence.
 *
 * @param outputs - One matrix per sequence.
 * @param targets - Matrices of the same shapes.
 * @returns `Σ (o − t)² / (number of entries)`.
 * @example
 * ```ts
 * meanSquaredError(forwardFolded(fit.weights, test.inputs), test.targets);
 * ```
 */
export function meanSquaredError(outputs: readonly Matrix[], targets: readonly Matrix[]): number {
  let sum = 0;
  let count = 0;
  outputs.forEach((output, b) => {
    const target = targets[b].data;
    for (let i = 0; i < output.data.length; i++) sum += (output.data[i] - target[i]) ** 2;
    count += output.data.length;
  });
  return sum / count;
}

/**
 * The mean of the squared entries of `targets`: the error of the zero predictor, used to make errors relative.
 *
 * @param targets - One matrix per sequence.
 * @returns `Σ t² / (number of entries)`.
 * @example
 * ```ts
 * meanSquaredError(outputs, targets) / meanSquare(targets); // relative error
 * ```
 */
export function meanSquare(targets: readonly Matrix[]): number {
  let sum = 0;
  let count = 0;
  for (const target of targets) {
    for (const value of target.data) sum += value * value;
    count += target.data.length;
  }
  return sum / count;
}

/**
 * The root mean square over sequences of the Euclidean distance between two outputs per sequence.
 *
 * @param outputs - One `(1, dOut)` (or any shape) matrix per sequence.
 * @param reference - Matrices of the same shapes.
 * @returns `√( (1/B) Σ_b ‖o_b − r_b‖² )`.
 * @example
 * ```ts
 * rootMeanSquareDistance(forward(model, inputs, { mode: 'last' }), teacherOutputs);
 * ```
 */
export function rootMeanSquareDistance(outputs: readonly Matrix[], reference: readonly Matrix[]): number {
  let sum = 0;
  outputs.forEach((output, b) => {
    for (let i = 0; i < output.data.length; i++) sum += (output.data[i] - reference[b].data[i]) ** 2;
  });
  return Math.sqrt(sum / outputs.length);
}

/**
 * The median of a list of numbers (the mean of the two middle values for an even count).
 *
 * @param values - At least one number.
 * @returns The median; `NaN` for an empty list.
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Spearman's rank correlation of two equally long lists (average ranks for ties).
 *
 * @param a - The first list.
 * @param b - The second list, of the same length.
 * @returns A number in `[−1, 1]`; `NaN` when either list is constant or shorter than 2.
 * @example
 * ```ts
 * spearman([1, 2, 3], [30, 20, 10]); // -1
 * ```
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) return Number.NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length + 1) / 2;
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let i = 0; i < a.length; i++) {
    covariance += (ra[i] - mean) * (rb[i] - mean);
    varianceA += (ra[i] - mean) ** 2;
    varianceB += (rb[i] - mean) ** 2;
  }
  return varianceA === 0 || varianceB === 0 ? Number.NaN : covariance / Math.sqrt(varianceA * varianceB);
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1].value === order[i].value) j++;
    for (let k = i; k <= j; k++) out[order[k].index] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}
