/**
 * Timing of one operation: a warm-up (calls repeated for at least one sample's duration, so that V8 has optimised
 * the kernels before timing starts), then the best of a few samples. Fast calls are repeated within a sample so
 * that each sample lasts long enough to time reliably; a call slower than `singleRunSeconds` is timed once (its
 * warm-up run is the measurement).
 */

/**
 * What a time is measured with: `'wall'` is elapsed real time; `'cpu'` is the process's CPU time (user + system),
 * which a busy, shared machine does not inflate for single-threaded code.
 */
export type Clock = 'wall' | 'cpu';

/** The two {@link Clock} values, for option parsing. */
export const CLOCKS: readonly Clock[] = ['wall', 'cpu'];

/** How {@link measure} samples. */
export interface MeasureOptions {
  /** Number of timed samples after the warm-up; the best is reported. */
  readonly repeats: number;
  /** Least duration of one sample, in seconds; fast calls are repeated to fill it. */
  readonly minSampleSeconds: number;
  /** A call that takes at least this long is timed once, without separate warm-up and samples. */
  readonly singleRunSeconds: number;
  /**
   * The clock.
   * @defaultValue `'wall'`
   */
  readonly clock?: Clock;
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
 * @param options - Sampling and clock; see {@link MeasureOptions}.
 * @returns The best time of one call and the number of calls made.
 */
export function measure(run: () => unknown, options: MeasureOptions): Timing {
  const now = options.clock === 'cpu' ? cpuSeconds : wallSeconds;
  const timeOnce = (): number => {
    const start = now();
    run();
    return now() - start;
  };
  const first = timeOnce();
  if (first >= options.singleRunSeconds) return { seconds: first, runs: 1 };
  let warmupCalls = 1;
  let latest = first;
  for (let elapsed = first; elapsed < options.minSampleSeconds; elapsed += latest) {
    latest = timeOnce();
    warmupCalls++;
  }
  const callsPerSample = Math.max(1, Math.ceil(options.minSampleSeconds / Math.max(latest, 1e-9)));
  let best = Number.POSITIVE_INFINITY;
  for (let sample = 0; sample < options.repeats; sample++) {
    const start = now();
    for (let call = 0; call < callsPerSample; call++) run();
    best = Math.min(best, (now() - start) / callsPerSample);
  }
  return { seconds: best, runs: warmupCalls + options.repeats * callsPerSample };
}

function wallSeconds(): number {
  return performance.now() / 1000;
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
