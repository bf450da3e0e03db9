/** Heatmaps of matrices (diverging colours: blue negative, white zero, red positive) and grids of heads. */
import type { Matrix } from '@lattn/core';
import type { MhlaModel } from '@lattn/feature-map';
import { formatNumber } from '../format.js';
import { h, s } from './dom.js';

const NEGATIVE = [33, 102, 172];
const ZERO = [247, 247, 247];
const POSITIVE = [178, 24, 43];

/** The colour of `value` on a scale where `±scale` are the saturated ends. */
export function divergingColor(value: number, scale: number): string {
  const t = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  const [r, g, b] = ZERO.map((zero, i) => Math.round(zero + (end[i] - zero) * a));
  return `rgb(${r}, ${g}, ${b})`;
}

function maxAbs(data: Float64Array): number {
  let max = 0;
  for (const value of data) max = Math.max(max, Math.abs(value));
  return max;
}

export interface HeatmapOptions {
  /** Accessible name, also shown as the caption. */
  readonly label: string;
  /** Cell size in pixels; ignored when `stretch` is set. */
  readonly cell?: number;
  /** Stretch to the container's width (for wide matrices such as folded weights), each row `rowHeight` tall. */
  readonly stretch?: { readonly rowHeight: number };
  /** The value drawn at full colour; defaults to the largest magnitude in the matrix. */
  readonly scale?: number;
}

/** An SVG heatmap of a matrix, one rectangle per entry with its value as a tooltip. */
export function heatmap(matrix: Matrix, options: HeatmapOptions): SVGSVGElement {
  const scale = options.scale ?? maxAbs(matrix.data);
  const cell = options.cell ?? 12;
  const svg = s('svg', {
    class: 'heatmap',
    role: 'img',
    'aria-label': `${options.label}: ${matrix.rows} × ${matrix.cols}, colour scale ±${formatNumber(scale)}`,
    viewBox: `0 0 ${matrix.cols} ${matrix.rows}`,
    preserveAspectRatio: options.stretch ? 'none' : 'xMidYMid meet',
    width: options.stretch ? '100%' : matrix.cols * cell,
    height: options.stretch ? matrix.rows * options.stretch.rowHeight : matrix.rows * cell,
    'shape-rendering': 'crispEdges',
  });
  for (let i = 0; i < matrix.rows; i++) {
    for (let j = 0; j < matrix.cols; j++) {
      const value = matrix.data[i * matrix.cols + j];
      svg.append(
        s(
          'rect',
          { x: j, y: i, width: 1, height: 1, fill: divergingColor(value, scale) },
          s('title', {}, `(${i}, ${j}) = ${formatNumber(value, 4)}`),
        ),
      );
    }
  }
  return svg;
}

/** A captioned heatmap. */
export function figure(matrix: Matrix, options: HeatmapOptions, caption: string = options.label): HTMLElement {
  return h('figure', { class: 'matrix' }, heatmap(matrix, options), h('figcaption', {}, caption));
}

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';

function subscript(n: number): string {
  return String(n)
    .split('')
    .map((digit) => SUBSCRIPT[Number(digit)])
    .join('');
}

/** Cell size that keeps a `(d, d)` heatmap about 100 px wide. */
export function cellSize(modelDim: number): number {
  return Math.max(6, Math.min(18, Math.floor(100 / modelDim)));
}

/**
 * The heads of a model, each as its value matrix `V_h` `(dOut, d)` and query matrix `Q_h` `(d, d)`; at most
 * `limit` heads are drawn, with a note counting the rest.
 */
export function headsGrid(model: MhlaModel, limit: number, notes: readonly string[] = []): HTMLElement {
  const cell = cellSize(model.modelDim);
  const shown = model.heads.slice(0, limit);
  const grid = h('div', { class: 'heads' });
  shown.forEach((head, index) => {
    const n = subscript(index + 1);
    grid.append(
      h(
        'div',
        { class: 'head' },
        h(
          'div',
          { class: 'head-title' },
          `head ${index + 1}`,
          notes[index] ? h('span', { class: 'head-note' }, ` ${notes[index]}`) : null,
        ),
        figure(head.value, { label: `V${n} of head ${index + 1}`, cell }, `V${n}`),
        figure(head.query, { label: `Q${n} of head ${index + 1}`, cell }, `Q${n}`),
      ),
    );
  });
  if (model.heads.length > limit) {
    grid.append(h('p', { class: 'note' }, `… and ${model.heads.length - limit} more heads`));
  }
  if (model.heads.length === 0) grid.append(h('p', { class: 'note' }, 'no heads: the zero function'));
  return grid;
}

/** A colour legend: the diverging scale from −1 to +1 (each heatmap is scaled to its own largest entry). */
export function legend(): HTMLElement {
  const stops = [-1, -0.5, 0, 0.5, 1].map((t) => divergingColor(t, 1));
  return h(
    'div',
    { class: 'legend', 'aria-hidden': 'true' },
    h('span', {}, '−max'),
    h('span', { class: 'legend-bar', style: `background: linear-gradient(to right, ${stops.join(', ')})` }),
    h('span', {}, '+max'),
    h('span', { class: 'note' }, 'each map scaled to its largest |entry|; hover a cell for its value'),
  );
}
