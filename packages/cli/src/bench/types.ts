/**
 * What a benchmark section declares. Each section is one module under `bench/` exporting a {@link BenchSection};
 * `sections.ts` lists them, and `lattn bench` times every operation of every section at the requested sizes
 * (and its numpy equivalent, when it has one) the same way.
 */
import type { Rng } from '@lattn/core';

/** The numpy equivalent of an operation, run by the embedded Python script of `numpy.ts`. */
export interface NumpyEquivalent {
  /** Python statements run once, untimed, with `np`, `n` (the size) and `rng` (a numpy Generator) in scope. */
  readonly setup: string;
  /** The Python expression that is timed, evaluated in the scope `setup` left. */
  readonly run: string;
}

/** One measured operation. */
export interface BenchOperation {
  /** The name used in the table and by `--only`, for example `'gram'`. */
  readonly name: string;
  /** What is timed and how its floating-point operations are counted, for example `'AᵀA, A (D, D): D·D·(D+1)'`. */
  readonly convention: string;
  /**
   * The sizes this operation supports; it runs at those of the requested sizes that are listed here.
   * @defaultValue every requested size
   */
  readonly sizes?: readonly number[];
  /**
   * Sizes this operation always runs at, whatever `--sizes` asks for: for an operation whose size is not a matrix
   * size `D` (the fit benchmark's model dimension `d`).
   * @defaultValue none: the operation follows `--sizes` (and `sizes`)
   */
  readonly ownSizes?: readonly number[];
  /**
   * Tells whether the operation can run here: a reason when it cannot (it is then listed with that reason
   * instead of a time), `undefined` when it can.
   * @defaultValue always available
   */
  readonly unavailableReason?: () => string | undefined;
  /**
   * The numpy equivalent timed alongside.
   * @defaultValue none: the numpy columns stay empty
   */
  readonly numpy?: NumpyEquivalent;
  /**
   * Something measured besides the time, read after the case ran (for example the peak memory of a child
   * process); printed in the note column.
   * @defaultValue nothing
   */
  readonly note?: () => string | undefined;
  /**
   * The floating-point operations of one call at `size`, by the convention above.
   * @param size - The size `D`.
   */
  flops(size: number): number;
  /**
   * Builds the inputs of one size (not timed) and returns the call that is timed.
   * @param size - The size `D`.
   * @param rng - A seeded generator for the inputs.
   */
  prepare(size: number, rng: Rng): () => unknown;
}

/** A group of operations, one module under `bench/`. */
export interface BenchSection {
  /** A title for the group, for example `'kernels'`. */
  readonly name: string;
  /** The operations, in the order they are printed. */
  readonly operations: readonly BenchOperation[];
}
