/**
 * Experiment (c), executing finite automata (paper §4.2): the exact learner fitted on random DFAs with their
 * tables in the context; exact match on fresh automata and words, and the number of training sequences needed for
 * 100%, as the number of states, the alphabet and the word length grow.
 */
import type { ProgressCallback } from '@lattn/core';
import { featureDim, forwardFolded } from '@lattn/feature-map';
import type { LinearAttentionFit } from '@lattn/learner';
import { exactMatchAutomaton, generateAutomatonTask, runAutomatonWithModel } from '@lattn/tasks';
import { figure, formatPercent, formatValue, paragraph, table, type Verdict, verdictBlock } from './html.js';
import { fitAndScore, formatSamplesNeeded, type SearchedSetting, searchSamples } from './sample-search.js';
import { renderPlot } from './svg.js';

/** One automaton setting. */
export interface AutomatonSetting {
  /** States `|Q|`. */
  readonly numStates: number;
  /** Alphabet size `|Σ|`. */
  readonly numSymbols: number;
  /** Word length `n`. */
  readonly wordLength: number;
}

/** Settings of experiment (c). */
export interface AutomataConfig {
  /** The setting every sweep varies one parameter of. */
  readonly base: AutomatonSetting;
  /** Values of `|Q|` (with the base alphabet and word length). */
  readonly states: readonly number[];
  /** Values of `|Σ|` (with the base states and word length). */
  readonly symbols: readonly number[];
  /** Values of `n` (with the base states and alphabet). */
  readonly wordLengths: readonly number[];
  /** Fresh automata and words the fits are scored on. */
  readonly testSequences: number;
  /** The largest training set tried. */
  readonly maxSequences: number;
  /** The autoregressive check runs on words this many times longer than in training. */
  readonly longWordFactor: number;
  /** Seed of the training sets. */
  readonly trainSeed: number;
  /** Seed of the fresh sets. */
  readonly testSeed: number;
}

/** The outcome for one setting. */
export interface AutomatonOutcome extends AutomatonSetting, SearchedSetting {
  /** Token dimension `d = |Q||Σ| + |Q| + |Σ|`. */
  readonly modelDim: number;
  /** Tokens per sequence, `|Q||Σ| + 2n`. */
  readonly sequenceLength: number;
  /** Training examples (positions) at `samplesNeeded`. */
  readonly examplesNeeded: number | null;
  /** The autoregressive run of that fit on fresh words `longWordFactor` times longer (its own states fed back). */
  readonly longWords: {
    readonly wordLength: number;
    readonly exactMatch: number;
    readonly positionAccuracy: number;
  } | null;
}

/** Results of experiment (c). */
export interface AutomataResults {
  /** The settings used. */
  readonly config: AutomataConfig;
  /** One outcome per distinct setting, in sweep order. */
  readonly outcomes: readonly AutomatonOutcome[];
  /** The qualitative result. */
  readonly verdict: Verdict;
}

/**
 * The distinct settings of the three sweeps, in order: states, then alphabet, then word length.
 *
 * @param config - The sweeps.
 * @returns Each setting once.
 * @example
 * ```ts
 * automatonSettings(PRESETS.quick.automata).length; // 5
 * ```
 */
export function automatonSettings(config: AutomataConfig): AutomatonSetting[] {
  const settings = [
    ...config.states.map((numStates) => ({ ...config.base, numStates })),
    ...config.symbols.map((numSymbols) => ({ ...config.base, numSymbols })),
    ...config.wordLengths.map((wordLength) => ({ ...config.base, wordLength })),
  ];
  const seen = new Set<string>();
  return settings.filter((setting) => {
    const key = `${setting.numStates},${setting.numSymbols},${setting.wordLength}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Runs experiment (c).
 *
 * @param config - The settings.
 * @param onProgress - Receives `{ stage: '(c) finite automata', done, total }` in settings.
 * @param log - Receives one line per finished setting.
 * @returns The results; fit timings are the only non-deterministic fields.
 * @example
 * ```ts
 * const results = runAutomata(PRESETS.quick.automata, reporter.onProgress, (line) => io.stderr.write(line));
 * ```
 */
export function runAutomata(
  config: AutomataConfig,
  onProgress: ProgressCallback,
  log: (line: string) => void,
): AutomataResults {
  const stage = '(c) finite automata';
  const settings = automatonSettings(config);
  onProgress({ stage, done: 0, total: settings.length });
  const outcomes = settings.map((setting, index) => {
    const fresh = generateAutomatonTask({ ...setting, numSequences: config.testSequences, seed: config.testSeed });
    const sequenceLength = fresh.dataset.inputs[0].rows;
    const fits = new Map<number, LinearAttentionFit>();
    const search = searchSamples((numSequences) => {
      const train = generateAutomatonTask({ ...setting, numSequences, seed: config.trainSeed });
      const { point, fit } = fitAndScore(numSequences, train.dataset, (weights) =>
        exactMatchAutomaton(forwardFolded(weights, fresh.dataset.inputs), fresh),
      );
      fits.set(numSequences, fit);
      onProgress({ stage, done: index, total: settings.length });
      return point;
    }, config.maxSequences);
    const needed = search.samplesNeeded;
    let longWords: AutomatonOutcome['longWords'] = null;
    if (needed !== null) {
      const wordLength = setting.wordLength * config.longWordFactor;
      const longer = generateAutomatonTask({
        ...setting,
        wordLength,
        numSequences: config.testSequences,
        seed: config.testSeed,
      });
      const run = runAutomatonWithModel((fits.get(needed) as LinearAttentionFit).weights, longer);
      longWords = { wordLength, exactMatch: run.score.exactMatch, positionAccuracy: run.score.positionAccuracy };
    }
    const outcome: AutomatonOutcome = {
      ...setting,
      modelDim: fresh.encoding.modelDim,
      featureDim: featureDim(fresh.encoding.modelDim),
      sequenceLength,
      points: search.points,
      samplesNeeded: needed,
      lastFailure: search.lastFailure,
      examplesNeeded: needed === null ? null : needed * sequenceLength,
      longWords,
    };
    onProgress({ stage, done: index + 1, total: settings.length });
    log(
      `(c) |Q| = ${setting.numStates}, |Σ| = ${setting.numSymbols}, n = ${setting.wordLength}: ` +
        (needed === null
          ? `below 100% exact match with ${config.maxSequences} sequences`
          : `100% exact match on fresh automata from ${needed} training sequences`),
    );
    return outcome;
  });
  return { config, outcomes, verdict: judge(config, outcomes) };
}

function sweep(
  outcomes: readonly AutomatonOutcome[],
  config: AutomataConfig,
  parameter: 'numStates' | 'numSymbols' | 'wordLength',
  values: readonly number[],
): AutomatonOutcome[] {
  return values.map(
    (value) =>
      outcomes.find(
        (outcome) =>
          outcome[parameter] === value &&
          (['numStates', 'numSymbols', 'wordLength'] as const).every(
            (other) => other === parameter || outcome[other] === config.base[other],
          ),
      ) as AutomatonOutcome,
  );
}

function nondecreasing(values: readonly (number | null)[]): boolean {
  return values.every((value, i) => i === 0 || (value !== null && (values[i - 1] ?? 0) <= value));
}

function judge(config: AutomataConfig, outcomes: readonly AutomatonOutcome[]): Verdict {
  const allExact = outcomes.every((outcome) => outcome.samplesNeeded !== null);
  const longOk = outcomes.every((outcome) => outcome.longWords?.exactMatch === 1);
  const states = sweep(outcomes, config, 'numStates', config.states).map((outcome) => outcome.samplesNeeded);
  const symbols = sweep(outcomes, config, 'numSymbols', config.symbols).map((outcome) => outcome.samplesNeeded);
  const growing = nondecreasing(states) && nondecreasing(symbols);
  const list = (values: readonly (number | null)[]): string => values.map((value) => value ?? 'none').join(' → ');
  const long = outcomes.flatMap((outcome) => (outcome.longWords === null ? [] : [outcome.longWords.exactMatch]));
  const longText = longOk
    ? 'all stay 100% exact'
    : `reach ${formatPercent(Math.min(...long))} to ${formatPercent(Math.max(...long))} exact match`;
  return {
    matchesPaper: allExact && growing,
    statement:
      `${allExact ? 'Every setting reached' : 'Not every setting reached'} 100% exact match on fresh automata and words; ` +
      `the training sequences needed ${growing ? 'grow' : 'do not always grow'} with the states (${list(states)} for |Q| = ${config.states.join(', ')}) ` +
      `and the alphabet (${list(symbols)} for |Σ| = ${config.symbols.join(', ')}). ` +
      `Beyond the paper: run autoregressively on words ${config.longWordFactor}× longer than in training, the fits at the samples needed ${longText}.`,
  };
}

/**
 * Renders experiment (c) as an HTML section.
 *
 * @param results - The results of {@link runAutomata}.
 * @returns The `<section>` markup.
 * @example
 * ```ts
 * const html = renderAutomata(results);
 * ```
 */
export function renderAutomata(results: AutomataResults): string {
  const { config, outcomes } = results;
  const name = (outcome: AutomatonSetting): string =>
    `|Q|=${outcome.numStates}, |Σ|=${outcome.numSymbols}, n=${outcome.wordLength}`;
  const curves = renderPlot({
    title: 'Exact match on fresh automata against training-set size',
    x: { label: 'training sequences', scale: 'log' },
    y: { label: 'exact match (whole histories)', scale: 'linear', min: 0, max: 1 },
    series: outcomes.map((outcome, index) => ({
      label: name(outcome),
      points: outcome.points.map((point) => [point.numSequences, point.exactMatch] as [number, number]),
      color: index,
    })),
    width: 720,
  });
  const needed = (
    parameter: 'numStates' | 'numSymbols' | 'wordLength',
    values: readonly number[],
    label: string,
    color: number,
  ) =>
    renderPlot({
      title: `Samples needed vs ${label.split(' ').at(-1)}`,
      x: { label, scale: 'linear', integer: true },
      y: { label: 'training sequences for 100%', scale: 'linear', min: 0, integer: true },
      series: [
        {
          label: 'samples needed',
          points: sweep(outcomes, config, parameter, values)
            .filter((outcome) => outcome.samplesNeeded !== null)
            .map((outcome) => [outcome[parameter], outcome.samplesNeeded as number] as [number, number]),
          color,
        },
      ],
      width: 340,
      height: 260,
    });
  const rows = outcomes.map((outcome) => [
    name(outcome),
    String(outcome.modelDim),
    String(outcome.featureDim),
    formatSamplesNeeded(outcome, config.maxSequences),
    formatValue(outcome.examplesNeeded),
    String(outcome.points.find((point) => point.numSequences === outcome.samplesNeeded)?.rank ?? '—'),
    outcome.longWords === null
      ? '—'
      : `${formatPercent(outcome.longWords.exactMatch)} (n = ${outcome.longWords.wordLength})`,
  ]);
  const { base } = config;
  const setup =
    `Each sequence holds a uniformly random DFA's shuffled transition table, a random word and the computation history ` +
    `(mode 'all'); the exact learner is fitted on the first N training sequences and scored by exact match of whole ` +
    `histories on ${config.testSequences} fresh automata and words. The search doubles N until 100%, then bisects to ` +
    `within 1/8. Sweeps vary one parameter of |Q| = ${base.numStates}, |Σ| = ${base.numSymbols}, n = ${base.wordLength}. ` +
    `One-hot tokens never excite most cubic features, so the plain certificate cannot hold on all inputs; what grows with ` +
    `the sample is the rank of the feature Gram, the part of the task's feature span the data pin down.`;
  return [
    '<section id="automata"><h2>(c) Finite automata: exact match and samples needed</h2>',
    paragraph(setup),
    '<div class="figures">',
    figure(curves, 'Exact match of the exact learner on fresh automata, one line per setting.'),
    '</div><div class="figures small">',
    figure(needed('numStates', config.states, 'states |Q|', 0), 'Sweep over states.'),
    figure(needed('numSymbols', config.symbols, 'alphabet size |Σ|', 1), 'Sweep over the alphabet.'),
    figure(needed('wordLength', config.wordLengths, 'word length n', 2), 'Sweep over the word length.'),
    '</div>',
    table(
      [
        'setting',
        'd',
        'D',
        'sequences needed',
        'examples needed',
        'rank of Gram',
        `autoregressive, ${config.longWordFactor}× longer words`,
      ],
      rows,
    ),
    verdictBlock(results.verdict),
    '</section>',
  ].join('\n');
}
