/**
 * Experiment (d), Turing-machine computation histories (paper §4.3, bounded sub-case): the exact learner fitted on
 * histories of random machines with their transition tables in the context; next-symbol accuracy and exact match on
 * fresh machines and inputs, teacher forced and autoregressive.
 */
import type { ProgressCallback } from '@lattn/core';
import { featureDim, forwardFolded } from '@lattn/feature-map';
import type { LinearAttentionFit } from '@lattn/learner';
import { exactMatchTuring, generateTuringTask, runTuringWithModel } from '@lattn/tasks';
import { figure, formatPercent, paragraph, table, type Verdict, verdictBlock } from './html.js';
import {
  fitAndScore,
  formatSamplesNeeded,
  type SamplePoint,
  type SearchedSetting,
  searchSamples,
} from './sample-search.js';
import { renderPlot } from './svg.js';

/** The bounds of one Turing setting. */
export interface TuringSetting {
  /** States `|Q|` of every machine. */
  readonly numStates: number;
  /** Input length `n`. */
  readonly wordLength: number;
  /** Computation steps `S`. */
  readonly numSteps: number;
}

/** Settings of experiment (d). */
export interface TuringConfig {
  /** The bounds to learn. */
  readonly settings: readonly TuringSetting[];
  /** Fresh machines and inputs the fits are scored on. */
  readonly testSequences: number;
  /** The largest training set tried. */
  readonly maxSequences: number;
  /** Seed of the training sets. */
  readonly trainSeed: number;
  /** Seed of the fresh sets. */
  readonly testSeed: number;
}

/** The outcome for one setting. */
export interface TuringOutcome extends TuringSetting, SearchedSetting {
  /** The fit with the most training sequences tried, scored on the fresh set. */
  readonly final: {
    readonly numSequences: number;
    /** Next-symbol (history-token) accuracy, teacher forced. */
    readonly nextTokenAccuracy: number;
    /** Whole-history exact match, teacher forced. */
    readonly exactMatch: number;
    /** Whole-history exact match when the model writes the history itself from the table and the input. */
    readonly autoregressiveExactMatch: number;
    /** Token accuracy of that autoregressive run. */
    readonly autoregressiveTokenAccuracy: number;
  };
}

/** Results of experiment (d). */
export interface TuringResults {
  /** The settings used. */
  readonly config: TuringConfig;
  /** One outcome per setting. */
  readonly outcomes: readonly TuringOutcome[];
  /** The qualitative result. */
  readonly verdict: Verdict;
}

/**
 * Runs experiment (d).
 *
 * @param config - The settings.
 * @param onProgress - Receives `{ stage: '(d) Turing machines', done, total }` in settings.
 * @param log - Receives one line per finished setting.
 * @returns The results; fit timings are the only non-deterministic fields.
 * @example
 * ```ts
 * const results = runTuring(PRESETS.quick.turing, reporter.onProgress, (line) => io.stderr.write(line));
 * ```
 */
export function runTuring(
  config: TuringConfig,
  onProgress: ProgressCallback,
  log: (line: string) => void,
): TuringResults {
  const stage = '(d) Turing machines';
  const total = config.settings.length;
  onProgress({ stage, done: 0, total });
  const outcomes = config.settings.map((setting, index) => {
    const fresh = generateTuringTask({ ...setting, numSequences: config.testSequences, seed: config.testSeed });
    let largest: { numSequences: number; fit: LinearAttentionFit } | undefined;
    const search = searchSamples((numSequences) => {
      const train = generateTuringTask({ ...setting, numSequences, seed: config.trainSeed });
      const { point, fit } = fitAndScore(numSequences, train.dataset, (weights) =>
        exactMatchTuring(forwardFolded(weights, fresh.dataset.inputs), fresh),
      );
      if (largest === undefined || numSequences > largest.numSequences) largest = { numSequences, fit };
      onProgress({ stage, done: index, total });
      return point;
    }, config.maxSequences);
    const best = largest as { numSequences: number; fit: LinearAttentionFit };
    const forced = search.points.find((point) => point.numSequences === best.numSequences) as SamplePoint;
    const autoregressive = runTuringWithModel(best.fit.weights, fresh);
    const outcome: TuringOutcome = {
      ...setting,
      modelDim: fresh.encoding.modelDim,
      featureDim: featureDim(fresh.encoding.modelDim),
      sequenceLength: fresh.dataset.inputs[0].rows,
      points: search.points,
      samplesNeeded: search.samplesNeeded,
      lastFailure: search.lastFailure,
      final: {
        numSequences: best.numSequences,
        nextTokenAccuracy: forced.positionAccuracy,
        exactMatch: forced.exactMatch,
        autoregressiveExactMatch: autoregressive.score.exactMatch,
        autoregressiveTokenAccuracy: autoregressive.score.positionAccuracy,
      },
    };
    onProgress({ stage, done: index + 1, total });
    log(
      `(d) |Q| = ${setting.numStates}, n = ${setting.wordLength}, S = ${setting.numSteps}: next-token accuracy ` +
        `${formatPercent(forced.positionAccuracy)} on fresh machines with ${best.numSequences} training sequences`,
    );
    return outcome;
  });
  return { config, outcomes, verdict: judge(outcomes) };
}

function judge(outcomes: readonly TuringOutcome[]): Verdict {
  const exact = outcomes.every(
    (outcome) => outcome.final.nextTokenAccuracy === 1 && outcome.final.autoregressiveExactMatch === 1,
  );
  const needed = outcomes.map(
    (outcome) =>
      `${outcome.samplesNeeded ?? `more than ${outcome.final.numSequences}`} for |Q| = ${outcome.numStates}, n = ${outcome.wordLength}, S = ${outcome.numSteps}`,
  );
  return {
    matchesPaper: exact,
    statement:
      `${exact ? 'On every setting the' : 'Not on every setting did the'} learned model ${exact ? 'predicts' : 'predict'} 100% of the next history ` +
      `symbols of fresh machines and inputs and ${exact ? 'writes' : 'write'} whole histories exactly when run autoregressively; ` +
      `training sequences needed: ${needed.join('; ')}.`,
  };
}

/**
 * Renders experiment (d) as an HTML section.
 *
 * @param results - The results of {@link runTuring}.
 * @returns The `<section>` markup.
 * @example
 * ```ts
 * const html = renderTuring(results);
 * ```
 */
export function renderTuring(results: TuringResults): string {
  const { config, outcomes } = results;
  const name = (outcome: TuringSetting): string =>
    `|Q|=${outcome.numStates}, n=${outcome.wordLength}, S=${outcome.numSteps}`;
  const plot = renderPlot({
    title: 'Next-symbol accuracy on fresh machines against training-set size',
    x: { label: 'training sequences', scale: 'log' },
    y: { label: 'next-symbol accuracy (teacher forced)', scale: 'linear', max: 1 },
    series: outcomes.map((outcome, index) => ({
      label: name(outcome),
      points: outcome.points.map((point) => [point.numSequences, point.positionAccuracy] as [number, number]),
      color: index,
    })),
    width: 720,
  });
  const rows = outcomes.map((outcome) => [
    name(outcome),
    String(outcome.modelDim),
    String(outcome.featureDim),
    String(outcome.sequenceLength),
    formatSamplesNeeded(outcome, config.maxSequences),
    formatPercent(outcome.final.nextTokenAccuracy),
    formatPercent(outcome.final.exactMatch),
    formatPercent(outcome.final.autoregressiveExactMatch),
  ]);
  const setup =
    `Random single-tape machines (binary tape, moves left and right) with their transition tables and the input in the ` +
    `context, followed by the computation history; the target at every position is the next history token (mode 'all'). ` +
    `The exact learner is fitted on N training sequences and scored on ${config.testSequences} fresh machines and inputs: ` +
    `next-symbol accuracy and exact match of whole histories with the true history before each prediction (teacher ` +
    `forced), and exact match when the model writes the history itself from the table and the input (autoregressive). ` +
    `This is the bounded sub-case of the paper's universal-machine result that the tasks package constructs exactly ` +
    `(four heads); d grows with the bounds, so only small bounds are practical.`;
  return [
    '<section id="turing"><h2>(d) Turing-machine histories: next-symbol accuracy on fresh machines</h2>',
    paragraph(setup),
    '<div class="figures">',
    figure(plot, 'Next-symbol accuracy of the exact learner on fresh machines and inputs, one line per setting.'),
    '</div>',
    table(
      [
        'bounds',
        'd',
        'D',
        'tokens',
        'sequences needed',
        'next-symbol accuracy',
        'exact match',
        'autoregressive exact match',
      ],
      rows,
    ),
    verdictBlock(results.verdict),
    '</section>',
  ].join('\n');
}
