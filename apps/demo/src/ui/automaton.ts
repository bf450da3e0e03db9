/**
 * The automaton view: the DFA's transition table, the word, and the learned model executing it one step at a
 * time, with wrong steps highlighted.
 */
import { formatNumber } from '../format.js';
import type { AutomatonStepView, StepStatus } from '../protocol.js';
import { h } from './dom.js';
import { divergingColor } from './heatmap.js';

const STATUS_TEXT: Readonly<Record<StepStatus, string>> = {
  right: 'right',
  wrong: 'wrong step',
  'off-track': 'right step, but off the true path',
};

/**
 * Renders the view with steps `1 … current` executed (`current = 0`: nothing yet). The controls (instance input,
 * step buttons) live outside and call back in.
 */
export function automatonPanel(view: AutomatonStepView, current: number): Node[] {
  const { automaton, word, steps } = view;
  const active = current > 0 ? steps[current - 1] : null;
  const state = active === null ? 0 : active.predicted;

  const table = h(
    'table',
    { class: 'dfa', 'aria-label': 'Transition table δ(q, σ)' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'state \\ symbol'),
        ...Array.from({ length: automaton.numSymbols }, (_, symbol) => h('th', { scope: 'col' }, `σ = ${symbol}`)),
      ),
    ),
    h(
      'tbody',
      {},
      ...automaton.transitions.map((row, q) =>
        h(
          'tr',
          { class: q === state ? 'current-state' : null },
          h('th', { scope: 'row' }, `q = ${q}${q === 0 ? ' (start)' : ''}`),
          ...row.map((next, symbol) =>
            h(
              'td',
              {
                class: active !== null && active.from === q && active.symbol === symbol ? 'lookup' : null,
              },
              `→ ${next}`,
            ),
          ),
        ),
      ),
    ),
  );

  const wordView = h(
    'ol',
    { class: 'word', 'aria-label': 'The word' },
    ...word.map((symbol, i) => {
      const step = steps[i];
      const done = i < current;
      const classes = ['symbol', done ? step.status : 'pending', i === current - 1 ? 'active' : ''].join(' ');
      return h('li', { class: classes, title: `σ${i + 1} = ${symbol}` }, String(symbol));
    }),
  );

  const rows = steps.map((step) => {
    const done = step.index <= current;
    const maxScore = Math.max(1, ...step.scores.map(Math.abs));
    // Dark cells (beyond about half the scale) get light text.
    const textOn = (score: number): string => (Math.abs(score) > 0.55 * maxScore ? 'color: #fff; ' : '');
    return h(
      'tr',
      {
        class: [done ? step.status : 'pending', step.index === current ? 'active' : ''].join(' '),
        'data-status': step.status,
      },
      h('td', {}, String(step.index)),
      h('td', {}, `q̂ = ${step.from}`),
      h('td', {}, `σ = ${step.symbol}`),
      h(
        'td',
        { class: 'scores' },
        ...step.scores.map((score, q) =>
          h(
            'span',
            {
              class: 'score',
              style: `${textOn(score)}background: ${divergingColor(score, maxScore)}`,
              title: `score of state ${q}: ${formatNumber(score, 4)}`,
            },
            formatNumber(score, 2),
          ),
        ),
      ),
      h('td', {}, String(step.predicted)),
      h('td', {}, String(step.correct)),
      h('td', {}, String(step.truth)),
      h('td', {}, done ? STATUS_TEXT[step.status] : '·'),
    );
  });

  const wrongCount = steps.filter((step) => step.status === 'wrong').length;
  return [
    h(
      'div',
      { class: 'automaton-top' },
      h('div', {}, h('h3', {}, `Automaton ${view.instance}: ${automaton.numStates} states`), table),
      h(
        'div',
        {},
        h('h3', {}, `Word (${word.length} symbols)`),
        wordView,
        h(
          'p',
          {
            class: wrongCount > 0 ? 'warning' : 'note',
            'data-testid': 'automaton-wrong-steps',
            'data-value': String(wrongCount),
          },
          wrongCount > 0
            ? `The learned model makes ${wrongCount} wrong step${wrongCount === 1 ? '' : 's'} on this word.`
            : 'The learned model executes every step of this word correctly.',
        ),
      ),
    ),
    h(
      'div',
      { class: 'steps-scroll' },
      h(
        'table',
        { class: 'steps', 'aria-label': 'Steps of the learned model' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'step',
              'model’s state',
              'reads',
              'output scores per state',
              'model → q̂',
              'δ(q̂, σ)',
              'true q',
              'verdict',
            ].map((title) => h('th', { scope: 'col' }, title)),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  ];
}
