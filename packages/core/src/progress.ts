/**
 * Progress reporting for long computations. Libraries never print: they call an optional `onProgress` callback
 * and the CLI or the demo decides how to show it.
 */

/** One progress report of a long computation. */
export interface Progress {
  /** What is being done, for example `'features'`, `'solve'` or `'epoch'`. */
  readonly stage: string;
  /** Units of work done so far in this stage (sequences, iterations, epochs…). */
  readonly done: number;
  /** Units of work in this stage; `done === total` marks the stage finished. */
  readonly total: number;
}

/**
 * Receives {@link Progress} reports. It is called synchronously from the computation, so it should return
 * quickly; throwing from it aborts the computation with that error.
 */
export type ProgressCallback = (progress: Progress) => void;
