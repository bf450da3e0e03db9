/** The result cards: task summary, exact fit, certificate, accuracy, heads and folded weights. */
import type { IdentifiabilityCertificate, ReferenceCertificate } from '@lattn/certificate';
import type { Matrix } from '@lattn/core';
import type { MhlaModel } from '@lattn/feature-map';
import { formatNumber, formatPercent, formatPowerOfTen, formatScientific, formatSeconds } from '../format.js';
import { TASK_LABELS, type TaskKind } from '../params.js';
import type { Accuracy, FitSummary, MinimalHeads, PaperHeads, TaskSummary } from '../protocol.js';
import { h, s } from './dom.js';
import { figure, headsGrid, legend } from './heatmap.js';
import { logAxis } from './race-chart.js';

/** A definition list of `[term, value]` rows; a value may carry a test id and its raw number. */
type Row = readonly [term: string, value: string | Node, raw?: { readonly testId: string; readonly value: number }];

function numbers(rows: readonly Row[]): HTMLDListElement {
  const list = h('dl', { class: 'numbers' });
  for (const [term, value, raw] of rows) {
    list.append(
      h('dt', {}, term),
      h('dd', raw === undefined ? {} : { 'data-testid': raw.testId, 'data-value': String(raw.value) }, value),
    );
  }
  return list;
}

export function taskPanel(summary: TaskSummary): Node[] {
  return [
    h('h2', {}, TASK_LABELS[summary.task]),
    numbers([
      ['token dimension d', String(summary.modelDim)],
      ['output dimension dOut', String(summary.outputDim)],
      ['features D = d·d(d+1)/2', String(summary.featureDim)],
      ['heads of the construction', String(summary.constructionHeads)],
      [
        'training',
        `${summary.trainSequences} sequences, ${summary.trainExamples} examples (${summary.mode === 'all' ? 'every position' : 'last position'})`,
      ],
      ['test', `${summary.testSequences} sequences, ${summary.testExamples} examples`],
    ]),
  ];
}

export function fitPanel(fit: FitSummary): Node[] {
  const determined = fit.rank === fit.featureDim;
  return [
    h('h2', {}, 'Exact fit'),
    numbers([
      ['solver', `${fit.solver} on G = Σψψᵀ`],
      ['rank of G', `${fit.rank} / ${fit.featureDim}${determined ? '' : ' (minimum-norm solution)'}`],
      ['training MSE', formatScientific(fit.trainLoss), { testId: 'fit-loss', value: fit.trainLoss }],
      ['time', formatSeconds(fit.seconds), { testId: 'fit-seconds', value: fit.seconds }],
      [
        'distance to construction',
        formatScientific(fit.relativeDistance),
        { testId: 'fit-distance', value: fit.relativeDistance },
      ],
    ]),
    ...fit.warnings.map((warning) => h('p', { class: 'warning' }, warning)),
  ];
}

function verdict(ok: boolean, text: string, testId: string): HTMLElement {
  return h(
    'p',
    { class: `verdict ${ok ? 'ok' : 'no'}`, 'data-testid': testId, 'data-value': String(ok) },
    h('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '),
    text,
  );
}

const MISSING_SHOWN = 6;

export function certificatePanel(certificate: IdentifiabilityCertificate, reference: ReferenceCertificate): Node[] {
  const missing = certificate.missingDirections;
  const missingList = (from: number, to: number): HTMLUListElement =>
    h(
      'ul',
      { class: 'missing' },
      ...missing
        .slice(from, to)
        .map((direction) =>
          h(
            'li',
            {},
            direction.description,
            h(
              'span',
              { class: 'count' },
              ` (${direction.numDirections} direction${direction.numDirections === 1 ? '' : 's'})`,
            ),
          ),
        ),
    );
  const nodes: Node[] = [
    h('h2', {}, 'Identifiability certificate'),
    verdict(
      certificate.identifiable,
      certificate.identifiable
        ? 'Identifiable: every exact fit, with any number of heads, computes the same function on every input.'
        : `Not identifiable on all inputs: ${certificate.nullity} of ${certificate.featureDim} directions of the folded weights are not determined by the data.`,
      'certificate-verdict',
    ),
    numbers([
      ['λ_min(Λ)', formatScientific(certificate.lambdaMin), { testId: 'lambda-min', value: certificate.lambdaMin }],
      ['λ_max(Λ)', formatScientific(certificate.lambdaMax), { testId: 'lambda-max', value: certificate.lambdaMax }],
      [
        'condition number κ',
        formatScientific(certificate.condition),
        { testId: 'condition', value: certificate.condition },
      ],
      ['rank / D', `${certificate.rank} / ${certificate.featureDim}`, { testId: 'rank', value: certificate.rank }],
      ['examples N', String(certificate.numExamples)],
      [
        'tolerance rtol·λ_max',
        `${formatScientific(certificate.rtol, 2)} · λ_max = ${formatScientific(certificate.tolerance, 2)}`,
      ],
    ]),
    h('ul', { class: 'reasons' }, ...certificate.reasons.slice(0, 1).map((reason) => h('li', {}, reason))),
  ];
  if (missing.length > 0) {
    nodes.push(h('h3', {}, 'Missing directions, in words'), missingList(0, MISSING_SHOWN));
    if (missing.length > MISSING_SHOWN || certificate.numUnlistedDirections > 0) {
      nodes.push(
        h(
          'details',
          {},
          h(
            'summary',
            {},
            `${Math.max(0, missing.length - MISSING_SHOWN)} more groups${certificate.numUnlistedDirections > 0 ? `, and ${certificate.numUnlistedDirections} unlisted directions` : ''}`,
          ),
          missingList(MISSING_SHOWN, missing.length),
        ),
      );
    }
  }
  nodes.push(
    h('h3', {}, 'On the fresh test inputs'),
    verdict(
      reference.identifiable,
      reference.identifiable
        ? `Determined: the training data pin the function down on every input like the test set (μ = ${formatScientific(reference.lambdaMin)}).`
        : `Not determined: ${reference.numUndetermined} direction${reference.numUndetermined === 1 ? '' : 's'} that the test inputs excite are left open by the training data.`,
      'reference-verdict',
    ),
    h('p', { class: 'note' }, reference.reasons[0] ?? ''),
  );
  return nodes;
}

/** One row of the accuracy table: a model's scores and how the row is labelled. */
export interface AccuracyRow extends Accuracy {
  readonly label: string;
}

/** `95 % (61/64)`, the count allowed to wrap under the percentage in a narrow column. */
function percentWithCount(fraction: number, numCorrect: number, numSequences: number): Node[] {
  return [
    h('span', { class: 'nowrap' }, formatPercent(fraction)),
    h('span', { class: 'fraction' }, ` (${numCorrect}/${numSequences})`),
  ];
}

/**
 * The accuracy table, one row per model reported so far, with what the test measures (`testDescription`, once the
 * task is known) under it.
 */
export function accuracyPanel(rows: readonly AccuracyRow[], task: TaskKind, testDescription: string | null): Node[] {
  const automaton = task === 'automaton';
  const header = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'model'),
    h('th', { scope: 'col' }, automaton ? 'histories right, teacher forced' : 'sequences right'),
    automaton ? h('th', { scope: 'col' }, 'histories right, on its own') : null,
    h('th', { scope: 'col' }, automaton ? 'states right' : 'positions right'),
    h('th', { scope: 'col' }, 'test MSE'),
  );
  const body = rows.map((row) =>
    h(
      'tr',
      { 'data-testid': `accuracy-${row.model}` },
      h('th', { scope: 'row' }, row.label),
      h(
        'td',
        { 'data-testid': `accuracy-${row.model}-exact-match`, 'data-value': String(row.exactMatch) },
        ...percentWithCount(row.exactMatch, row.numCorrect, row.numSequences),
      ),
      row.autoregressive === null
        ? null
        : h(
            'td',
            {
              class: 'nowrap',
              'data-testid': `accuracy-${row.model}-autoregressive`,
              'data-value': String(row.autoregressive.exactMatch),
            },
            formatPercent(row.autoregressive.exactMatch),
          ),
      h('td', { class: 'nowrap' }, formatPercent(row.positionAccuracy)),
      h('td', { class: 'nowrap' }, formatScientific(row.testLoss, 2)),
    ),
  );
  const nodes: Node[] = [
    h('h2', {}, 'Accuracy on fresh instances'),
    h(
      'div',
      { class: 'table-scroll' },
      h('table', { class: 'accuracy' }, h('thead', {}, header), h('tbody', {}, ...body)),
    ),
  ];
  if (testDescription !== null) nodes.push(h('p', { class: 'note' }, `Test: ${testDescription}.`));
  nodes.push(
    h(
      'p',
      { class: 'note' },
      automaton
        ? 'Teacher forced: every step starts from the true state. On its own: the model’s own states are fed back, so one wrong step derails the rest.'
        : 'The exact fit is used through its folded weights; the minimal-heads model and Adam through their heads.',
    ),
  );
  return nodes;
}

/** Singular values of the unfolded weights as bars on a log axis relative to σ₁, with the rank cut-off. */
function singularValueChart(values: Float64Array, rtol: number, svdRank: number): HTMLElement {
  const left = 40;
  const right = 52;
  const top = 6;
  const plotWidth = Math.min(440, Math.max(160, values.length * 16));
  const plotHeight = 96;
  const width = left + plotWidth + right;
  const height = top + plotHeight + 6;
  const largest = values[0] > 0 ? values[0] : 1;
  const smallest = Math.min(rtol, ...Array.from(values, (value) => value / largest).filter((ratio) => ratio > 0));
  const axis = logAxis(Math.log10(Math.max(smallest, 1e-18)), 0, 5);
  const bar = plotWidth / Math.max(values.length, 1);
  const y = (ratio: number): number => {
    const log = Math.max(axis.low, Math.log10(Math.max(ratio, 10 ** axis.low)));
    return top + ((axis.high - log) / (axis.high - axis.low)) * plotHeight;
  };
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `${values.length} singular values of the unfolded weights; ${svdRank} above rtol · σ₁`,
  });
  for (const tick of axis.ticks) {
    svg.append(
      s('line', { x1: left, x2: left + plotWidth, y1: y(10 ** tick), y2: y(10 ** tick), class: 'grid' }),
      s('text', { x: left - 4, y: y(10 ** tick) + 3.5, 'text-anchor': 'end', class: 'tick' }, formatPowerOfTen(tick)),
    );
  }
  values.forEach((value, i) => {
    const barTop = y(value / largest);
    svg.append(
      s(
        'rect',
        {
          x: left + i * bar + 0.5,
          y: barTop,
          width: Math.max(bar - 1, 0.5),
          height: top + plotHeight - barTop,
          class: i < svdRank ? 'kept' : 'dropped',
        },
        s('title', {}, `σ${i + 1} = ${formatScientific(value)}`),
      ),
    );
  });
  const cut = y(rtol);
  svg.append(
    s('line', { x1: left, x2: left + plotWidth, y1: cut, y2: cut, class: 'cutoff' }),
    s('text', { x: left + plotWidth + 4, y: cut + 3.5, class: 'cutoff-label' }, 'rtol · σ₁'),
  );
  return h(
    'figure',
    { class: 'singular-values' },
    svg,
    h(
      'figcaption',
      { class: 'note' },
      `Singular values σᵢ/σ₁ of the unfolded weights (log scale): ${svdRank} of ${values.length} are above the dashed line rtol · σ₁, and each of those gives one head.`,
    ),
  );
}

const HEADS_SHOWN = 8;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function minimalNote(minimal: MinimalHeads): string {
  const bound = `No model has fewer than ${plural(minimal.lowerBound, 'head')} (the learner’s proven lower bound).`;
  const error = `relative weight error ${formatScientific(minimal.relativeWeightError, 2)}`;
  if (minimal.found) {
    return `Alternating projection found ${plural(minimal.numHeads, 'head')} computing exactly the learned function (${error}, ${formatSeconds(minimal.seconds)}). ${minimal.numHeads === minimal.lowerBound ? 'This matches the proven lower bound, so it is the minimum.' : bound}`;
  }
  if (minimal.attempts.length === 0) {
    return `The learned function needs at least ${plural(minimal.lowerBound, 'head')} (the learner’s proven lower bound), more than the search limit of ${minimal.maxHeads}. Shown: the paper’s ${plural(minimal.numHeads, 'head')}.`;
  }
  return `No model with at most ${plural(minimal.maxHeads, 'head')} reproduces the learned function. ${bound} Shown: the best ${minimal.numHeads}-head approximation found (${error}).`;
}

export function headsPanel(
  construction: MhlaModel,
  paper: PaperHeads,
  minimal: MinimalHeads | null,
  fit: FitSummary | null,
): Node[] {
  const nodes: Node[] = [h('h2', {}, 'Recovered heads'), legend()];
  nodes.push(
    h('h3', {}, `Construction: ${construction.heads.length} head${construction.heads.length === 1 ? '' : 's'}`),
    h(
      'p',
      { class: 'note' },
      'The generator’s own weights. Heads are defined only up to scale, mixing and the j↔k split, so compare functions, not pictures.',
    ),
    headsGrid(construction, HEADS_SHOWN),
  );
  if (minimal === null) {
    nodes.push(h('h3', {}, 'Minimal heads'), h('p', { class: 'note' }, 'searching…'));
  } else {
    nodes.push(
      h(
        'h3',
        { 'data-testid': 'minimal-heads', 'data-value': String(minimal.numHeads) },
        minimal.found ? `Minimal heads: H = ${minimal.numHeads}` : `Minimal heads: none with H ≤ ${minimal.maxHeads}`,
      ),
      h('p', { class: minimal.found ? 'note' : 'warning' }, minimalNote(minimal)),
      headsGrid(minimal.model, HEADS_SHOWN),
    );
  }
  nodes.push(
    h('h3', {}, `Paper’s route: ${paper.svdRank} heads from the SVD of the unfolded weights`),
    h(
      'p',
      { class: 'note' },
      'Each singular triple σ u vᵀ of the symmetric unfolding is one head. Exact, but usually far more heads than needed.',
    ),
    singularValueChart(paper.singularValues, paper.rtol, paper.svdRank),
    headsGrid(
      paper.model,
      HEADS_SHOWN,
      Array.from(paper.singularValues.subarray(0, HEADS_SHOWN), (value) => `σ = ${formatNumber(value)}`),
    ),
  );
  if (fit !== null) nodes.push(...foldedWeights(fit));
  return nodes;
}

function difference(a: Matrix, b: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.map((value, i) => value - b.data[i]) };
}

function foldedWeights(fit: FitSummary): Node[] {
  const scale = Math.max(
    ...Array.from(fit.constructionWeights.data, Math.abs),
    ...Array.from(fit.weights.data, Math.abs),
  );
  const stretch = { rowHeight: 14 };
  return [
    h('h3', {}, `Folded weights w (${fit.weights.rows} × ${fit.weights.cols}): what the data determine`),
    h(
      'p',
      { class: 'note' },
      'Two models compute the same function exactly when their folded weights are equal. One colour scale for all three rows.',
    ),
    figure(fit.weights, { label: 'learned w', stretch, scale }),
    figure(fit.constructionWeights, { label: 'construction w', stretch, scale }),
    figure(
      difference(fit.weights, fit.constructionWeights),
      { label: 'learned − construction', stretch, scale },
      `learned − construction (relative distance ${formatScientific(fit.relativeDistance, 2)})`,
    ),
  ];
}
