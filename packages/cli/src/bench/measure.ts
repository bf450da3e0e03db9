/**
 * Wall-clock timing of one operation: a warm-up (calls repeated for at least one sample's duration, so that V8
 * has optimised the kernels before timing starts), then the best of a few samples. Fast calls are repeated within
 * a sample so that each sample lasts long enough to time reliably; a call slower than `singleRunSeconds` is timed
 * once (its warm-up run is the measurement).
 */

/** How {@link measure} samples. */
export interface MeasureOptions {
  /** Number of timed samples after the warm-up; the best is reported. */
  readonly repeats: number;
  /** Least duration of one sample, in seconds; fast calls are repeated to fill it. */
  readonly minSampleSeconds: number;
  /** A call that takes at least this long is timed once, without separate warm-up and samples. */
  readonly singleRunSeconds: number;
}

/** The result of {@link measure}. */
export interface Timing {
  /** Best time of one call, in seconds. */
  readonly seconds: number;
  /** Number of calls timed, warm-up included. */
  readonly runs: number;
}

/**
 * Times `run`.
 *
 * @param run - The call to time.
 * @param options - Sampling; see {@link MeasureOptions}.
 * @returns The best time of one call and the number of calls made.
 */
export function measure(run: () => unknown, options: MeasureOptions): Timing {
  const first = timeOnce(run);
  if (first >= options.singleRunSeconds) return { seconds: first, runs: 1 };
  let warmupCalls = 1;
  let latest = first;
  for (let elapsed = first; elapsed < options.minSampleSeconds; elapsed += latest) {
    latest = timeOnce(run);
    warmupCalls++;
  }
  const callsPerSample = Math.max(1, Math.ceil(options.minSampleSeconds / Math.max(latest, 1e-9)));
  let best = Number.POSITIVE_INFINITY;
  for (let sample = 0; sample < options.repeats; sample++) {
    const start = performance.now();
    for (let call = 0; call < callsPerSample; call++) run();
    best = Math.min(best, (performance.now() - start) / 1000 / callsPerSample);
  }
  return { seconds: best, runs: warmupCalls + options.repeats * callsPerSample };
}

function timeOnce(run: () => unknown): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / 1000;
}
