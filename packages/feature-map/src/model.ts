/**
 * The multi-head linear attention model (SPEC §1): per head a value matrix `V_h` `(dOut, d)` and a merged
 * key–query matrix `Q_h` `(d, d)`, computing `y_t = Σ_h V_h · M_t · Q_h · z_t` with `M_t = Σ_{s<=t} z_s z_sᵀ`.
 */
import { checkInteger, checkKnownKeys, checkMatrix, describe, LattnError, type Matrix } from '@lattn/core';

/** One attention head: `y_t += V_h · M_t · Q_h · z_t`. */
export interface MhlaHead {
  /** The value matrix `V_h`, shape `(outputDim, modelDim)`. */
  readonly value: Matrix;
  /** The merged key–query matrix `Q_h`, shape `(modelDim, modelDim)`. */
  readonly query: Matrix;
}

/**
 * A multi-head linear attention layer (SPEC §1). Its output at position `t` of a sequence `Z` `(n, modelDim)` is
 * `y_t = Σ_h V_h · M_t · Q_h · z_t` with the causal prefix moment `M_t = Σ_{s<=t} z_s z_sᵀ`. A model with no heads
 * is the zero function. Make one with {@link createModel}.
 */
export interface MhlaModel {
  /** Token dimension `d`. */
  readonly modelDim: number;
  /** Output dimension `dOut`. */
  readonly outputDim: number;
  /** The heads; their count is `numHeads`. */
  readonly heads: readonly MhlaHead[];
}

/** The argument of {@link createModel}. */
export interface ModelSpec {
  /**
   * Token dimension `d`. Required when `heads` is empty.
   * @defaultValue `heads[0].query.rows`
   */
  readonly modelDim?: number;
  /**
   * Output dimension `dOut`. Required when `heads` is empty.
   * @defaultValue `heads[0].value.rows`
   */
  readonly outputDim?: number;
  /** The heads, each `{ value: (outputDim, modelDim), query: (modelDim, modelDim) }`; may be empty. */
  readonly heads: readonly MhlaHead[];
}

/**
 * Validates head matrices and returns a fresh {@link MhlaModel} holding copies of them.
 *
 * @param spec - The heads and, optionally, the dimensions (required when there are no heads).
 * @returns A model whose `modelDim`/`outputDim` are the given or inferred dimensions and whose heads are copies.
 * @throws `LattnError` `INVALID_ARGUMENT` for a malformed spec, an unknown field, a missing dimension with zero
 * heads, or a dimension that is not an integer >= 1; `SHAPE_MISMATCH` when a head's matrices disagree with the
 * dimensions; `NON_FINITE` for NaN or ±Infinity in a head.
 * @example
 * ```ts
 * const model = createModel({
 *   heads: [{ value: fromRows([[1, 0]]), query: fromRows([[0, 1], [1, 0]]) }],
 * });
 * model.modelDim; // 2
 * model.outputDim; // 1
 * createModel({ modelDim: 3, outputDim: 2, heads: [] }); // the zero function on 3-dimensional tokens
 * ```
 * @see docs/math/feature-map.md §1
 */
export function createModel(spec: ModelSpec): MhlaModel {
  const fn = 'createModel';
  if (typeof spec !== 'object' || spec === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: spec must be an object. Expected { modelDim?, outputDim?, heads }; received ${describe(spec)}.`,
    );
  }
  checkKnownKeys(fn, 'spec', spec, ['modelDim', 'outputDim', 'heads']);
  const heads = spec.heads;
  if (!Array.isArray(heads)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: spec.heads must be an array. Expected an array of { value, query }; received ${describe(heads)}.`,
    );
  }
  if (heads.length === 0 && (spec.modelDim === undefined || spec.outputDim === undefined)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: a model without heads needs its dimensions. Expected spec.modelDim and spec.outputDim; received modelDim ${describe(spec.modelDim)}, outputDim ${describe(spec.outputDim)}.`,
    );
  }
  const first = heads[0] as Partial<MhlaHead> | undefined;
  const modelDim = spec.modelDim ?? checkMatrix(fn, 'spec.heads[0].query', first?.query, { finite: false }).rows;
  const outputDim = spec.outputDim ?? checkMatrix(fn, 'spec.heads[0].value', first?.value, { finite: false }).rows;
  const model = { modelDim, outputDim, heads };
  checkModel(fn, model, 'spec');
  return {
    modelDim,
    outputDim,
    heads: heads.map((head: MhlaHead) => ({ value: copy(head.value), query: copy(head.query) })),
  };
}

/**
 * Validates a model at a public boundary: dimensions are integers >= 1 and every head has finite matrices of
 * shapes `(outputDim, modelDim)` and `(modelDim, modelDim)`. Extra fields on a model or head (for example a
 * learner's diagnostics) are ignored.
 */
export function checkModel(fn: string, value: unknown, name = 'model'): MhlaModel {
  if (typeof value !== 'object' || value === null) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} must be an MhlaModel. Expected { modelDim, outputDim, heads }; received ${describe(value)}.`,
    );
  }
  const model = value as Partial<MhlaModel>;
  const modelDim = checkInteger(fn, `${name}.modelDim`, model.modelDim, { min: 1 });
  const outputDim = checkInteger(fn, `${name}.outputDim`, model.outputDim, { min: 1 });
  if (!Array.isArray(model.heads)) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name}.heads must be an array. Expected an array of { value, query }; received ${describe(model.heads)}.`,
    );
  }
  model.heads.forEach((head: unknown, h: number) => {
    if (typeof head !== 'object' || head === null) {
      throw new LattnError(
        'INVALID_ARGUMENT',
        `${fn}: ${name}.heads[${h}] must be a head. Expected { value, query }; received ${describe(head)}.`,
      );
    }
    const { value: valueMatrix, query } = head as Partial<MhlaHead>;
    checkMatrix(fn, `${name}.heads[${h}].value`, valueMatrix, { rows: outputDim, cols: modelDim });
    checkMatrix(fn, `${name}.heads[${h}].query`, query, { rows: modelDim, cols: modelDim });
  });
  return value as MhlaModel;
}

/**
 * Validates one sequence `(n, d)` with `n >= 1`, `d >= 1` (and `d === modelDim` when given), finite entries.
 */
export function checkSequence(fn: string, name: string, value: unknown, modelDim?: number): Matrix {
  const sequence = checkMatrix(fn, name, value, modelDim === undefined ? {} : { cols: modelDim });
  if (sequence.rows === 0 || sequence.cols === 0) {
    throw new LattnError(
      'INVALID_ARGUMENT',
      `${fn}: ${name} is empty. Expected at least one token of dimension >= 1; received shape (${sequence.rows}, ${sequence.cols}).`,
    );
  }
  return sequence;
}

function copy(matrix: Matrix): Matrix {
  return { rows: matrix.rows, cols: matrix.cols, data: matrix.data.slice() };
}
