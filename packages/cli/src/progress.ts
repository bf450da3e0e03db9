/**
 * Shows the libraries' progress reports (`{ stage, done, total }`) on stderr: a single redrawn line with a bar,
 * percentage and ETA on a terminal, plain throttled lines ("features 40% (800/2000)") in logs and pipes. Nothing
 * is ever written to stdout, which carries results and `--json` documents.
 */
import type { Progress, ProgressCallback } from '@lattn/core';
import type { CliIo } from './io.js';

/** Timing of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  /**
   * The clock, in milliseconds; tests pass a fake one.
   * @defaultValue `performance.now`
   */
  readonly now?: () => number;
  /**
   * On a terminal, the least time between two redraws of the bar, in milliseconds.
   * @defaultValue `100`
   */
  readonly redrawInterval?: number;
  /**
   * Off a terminal, a line is printed at every 10 % step of a stage, and also when this many milliseconds passed
   * since the last line, so long steps still show signs of life.
   * @defaultValue `30000`
   */
  readonly heartbeatInterval?: number;
}

/** What {@link createProgressReporter} returns. */
export interface ProgressReporter {
  /** Pass this to a library's `onProgress` option. */
  readonly onProgress: ProgressCallback;
  /** Ends a bar left open by an unfinished stage; call it when the computation returns or throws. */
  finish(): void;
}

const BAR_WIDTH = 24;

/**
 * Creates a progress display on `io.stderr`, drawn as a live bar when `io.stderr.isTTY` and as plain lines
 * otherwise.
 *
 * @param io - The streams; only `stderr` is written.
 * @param options - The clock and the throttling intervals.
 * @returns The callback to hand to a library and a `finish` to call afterwards.
 * @example
 * ```ts
 * const progress = createProgressReporter(io);
 * try {
 *   fit = fitLinearAttention(dataset, { onProgress: progress.onProgress });
 * } finally {
 *   progress.finish();
 * }
 * ```
 */
export function createProgressReporter(io: CliIo, options: ProgressReporterOptions = {}): ProgressReporter {
  const stream = io.stderr;
  const now = options.now ?? (() => performance.now());
  const redrawInterval = options.redrawInterval ?? 100;
  const heartbeatInterval = options.heartbeatInterval ?? 30_000;
  let stage: string | undefined;
  let lastDone = 0;
  let stageStart = 0;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let lastStep = -1;
  let lineOpen = false;

  const endLine = (): void => {
    if (lineOpen) stream.write('\n');
    lineOpen = false;
  };

  const onProgress = (progress: Progress): void => {
    const time = now();
    if (progress.stage !== stage || progress.done < lastDone) {
      endLine();
      stage = progress.stage;
      stageStart = time;
      lastWrite = Number.NEGATIVE_INFINITY;
      lastStep = -1;
    }
    lastDone = progress.done;
    const known = progress.total > 0;
    const fraction = known ? Math.min(1, Math.max(0, progress.done / progress.total)) : 0;
    const finished = known && progress.done >= progress.total;
    const elapsed = time - stageStart;
    if (stream.isTTY === true) {
      if (!finished && time - lastWrite < redrawInterval) return;
      const counts = known ? `${progress.done}/${progress.total}` : `${progress.done}`;
      let timing = '';
      if (finished) timing = ` in ${formatDuration(elapsed)}`;
      else if (known && progress.done > 0 && elapsed > 0) {
        timing = ` ETA ${formatDuration((elapsed * (progress.total - progress.done)) / progress.done)}`;
      }
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = known ? ` [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent(fraction)}` : '';
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r${`${progress.stage}${bar} ${counts}${timing}`.slice(0, width)}\x1b[K`);
      lineOpen = true;
      lastWrite = time;
      if (finished) endLine();
      return;
    }
    const step = known ? Math.floor(fraction * 10) : lastStep;
    if (step <= lastStep && time - lastWrite < heartbeatInterval) return;
    const counts = known ? `${percent(fraction)} (${progress.done}/${progress.total})` : `(${progress.done})`;
    stream.write(`${progress.stage} ${counts}${finished ? ` in ${formatDuration(elapsed)}` : ''}\n`);
    lastStep = Math.max(step, lastStep);
    lastWrite = time;
  };

  return { onProgress, finish: endLine };
}

function percent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`;
}

/** `850ms`, `4.2s`, `42s`, `3m05s`, `1h02m`. */
function formatDuration(milliseconds: number): string {
  if (milliseconds < 999.5) return `${Math.round(milliseconds)}ms`;
  if (milliseconds < 9950) return `${(milliseconds / 1000).toFixed(1)}s`;
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
