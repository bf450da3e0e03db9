/**
 * The race: training loss against wall-clock time for the Adam baseline (a curve, one point per epoch, drawn live
 * while it trains) and the exact solver (one point when it finishes, then a flat line: its loss is final).
 */
import { formatNumber, formatPowerOfTen, formatScientific, formatSeconds } from '../format.js';
import { h, s } from './dom.js';

export interface RacePoint {
  readonly seconds: number;
  readonly loss: number;
}

/** A point of Adam's curve: its training loss after `epoch` epochs. */
export interface CurvePoint extends RacePoint {
  readonly epoch: number;
}

export interface RaceData {
  readonly exact: RacePoint | null;
  /** Adam's curve so far (epoch 0 is the random start). */
  readonly curve: readonly CurvePoint[];
  /** The epochs Adam runs in all. */
  readonly epochs: number;
  /** Whether Adam is still training (its curve is partial). */
  readonly training: boolean;
}

/** Losses below this are drawn on the floor line (an exact fit's loss can be 0 or round-off). */
export const LOSS_FLOOR = 1e-32;

const WIDTH = 480;
const HEIGHT = 290;
const MARGIN = { left: 56, right: 14, top: 16, bottom: 46 };
const STEPS = [1, 2, 5, 10, 20];

/**
 * A log axis covering `[low, high]` (log10 values) in whole decades (at least one), with ticks at the multiples of
 * 1, 2, 5, 10 or 20 decades: the smallest step that gives at most `maxTicks` ticks.
 */
export function logAxis(low: number, high: number, maxTicks = 8): { low: number; high: number; ticks: number[] } {
  // `+ 0` turns the −0 of Math.ceil(−0.3) into 0.
  const bottom = Math.floor(low) + 0;
  const top = Math.max(Math.ceil(high), bottom + 1) + 0;
  const multiples = (step: number): number[] => {
    const ticks: number[] = [];
    for (let tick = Math.ceil(bottom / step) * step + 0; tick <= top; tick += step) ticks.push(tick);
    return ticks;
  };
  const step = STEPS.find((candidate) => multiples(candidate).length <= maxTicks) ?? STEPS[STEPS.length - 1];
  return { low: bottom, high: top, ticks: multiples(step) };
}

/**
 * The time axis: the latest time shown, or while Adam trains, its projected finish (seconds per epoch so far
 * times the epochs), so that the curve grows left to right in a steady frame.
 */
export function timeExtent(data: RaceData): number {
  const last = data.curve[data.curve.length - 1];
  const projected =
    data.training && last !== undefined && last.epoch > 0 ? (last.seconds / last.epoch) * data.epochs : 0;
  return Math.max(0.05, projected, data.exact?.seconds ?? 0, ...data.curve.map((p) => p.seconds)) * 1.05;
}

export function raceChart(data: RaceData): SVGSVGElement {
  const points = [...data.curve, ...(data.exact === null ? [] : [data.exact])];
  const xMax = timeExtent(data);
  const logs = points.map((p) => Math.log10(Math.max(LOSS_FLOOR, p.loss))).filter(Number.isFinite);
  const axis = logs.length > 0 ? logAxis(Math.min(...logs), Math.max(...logs)) : logAxis(-30, 0);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number): number => MARGIN.left + (t / xMax) * plotWidth;
  const yLog = (log: number): number => MARGIN.top + ((axis.high - log) / (axis.high - axis.low)) * plotHeight;
  const y = (loss: number): number => {
    const log = Math.log10(Math.max(LOSS_FLOOR, loss));
    // A diverged loss (∞ or NaN) is drawn at the top edge.
    return yLog(Number.isFinite(log) ? Math.min(axis.high, log) : axis.high);
  };
  const last = data.curve[data.curve.length - 1];

  const svg = s('svg', {
    class: 'race-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': describe(data),
    'data-baseline-points': data.curve.length,
    'data-training': String(data.training),
  });
  for (const tick of axis.ticks) {
    const ty = yLog(tick);
    svg.append(
      s('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: ty, y2: ty, class: 'grid' }),
      s('text', { x: MARGIN.left - 6, y: ty + 4, 'text-anchor': 'end', class: 'tick' }, formatPowerOfTen(tick)),
    );
  }
  const xStep = niceStep(xMax / 6);
  for (let i = 0; i * xStep <= xMax; i++) {
    const t = i * xStep;
    svg.append(
      s('line', { x1: x(t), x2: x(t), y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, class: 'grid' }),
      s('text', { x: x(t), y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, formatNumber(t)),
    );
  }
  svg.append(
    s(
      'text',
      { x: MARGIN.left + plotWidth / 2, y: HEIGHT - 6, 'text-anchor': 'middle', class: 'axis-label' },
      'wall-clock seconds from each solver’s start',
    ),
    s(
      'text',
      {
        x: 14,
        y: MARGIN.top + plotHeight / 2,
        'text-anchor': 'middle',
        transform: `rotate(-90 14 ${MARGIN.top + plotHeight / 2})`,
        class: 'axis-label',
      },
      'training MSE (log scale)',
    ),
  );

  if (last !== undefined) {
    const path = data.curve.map((p) => `${x(p.seconds).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
    svg.append(
      s('polyline', { points: path, class: 'baseline-line' }),
      s('circle', { cx: x(last.seconds), cy: y(last.loss), r: 4, class: 'baseline-point' }),
    );
  }
  if (data.training && last !== undefined) {
    const rx = x(last.seconds);
    const right = rx > MARGIN.left + plotWidth * 0.6;
    svg.append(
      s('line', { x1: rx, x2: rx, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, class: 'running' }),
      s(
        'text',
        {
          x: right ? rx - 4 : rx + 4,
          y: MARGIN.top + 12,
          'text-anchor': right ? 'end' : 'start',
          class: 'running-label',
        },
        `Adam: epoch ${last.epoch} of ${data.epochs}`,
      ),
    );
  }
  if (data.exact !== null) {
    const ex = x(data.exact.seconds);
    const ey = y(data.exact.loss);
    // The label (about 190 units wide) goes on whichever side of the point has room.
    const right = ex > WIDTH * 0.5;
    svg.append(
      s('line', { x1: ex, x2: WIDTH - MARGIN.right, y1: ey, y2: ey, class: 'exact-line' }),
      s('rect', {
        x: ex - 5,
        y: ey - 5,
        width: 10,
        height: 10,
        transform: `rotate(45 ${ex} ${ey})`,
        class: 'exact-point',
      }),
      s(
        'text',
        { x: right ? ex - 10 : ex + 8, y: ey - 8, 'text-anchor': right ? 'end' : 'start', class: 'exact-label' },
        `exact: ${formatScientific(data.exact.loss, 2)} at ${formatSeconds(data.exact.seconds)}`,
      ),
    );
  }
  return svg;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  return (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * power;
}

function describe(data: RaceData): string {
  const parts = ['Training loss against time.'];
  if (data.exact !== null) {
    parts.push(`Exact solver: ${formatScientific(data.exact.loss, 2)} after ${formatSeconds(data.exact.seconds)}.`);
  }
  const last = data.curve[data.curve.length - 1];
  if (last !== undefined) {
    const when = data.training ? `at epoch ${last.epoch} of ${data.epochs}` : `after ${data.epochs} epochs`;
    parts.push(`Adam: ${formatScientific(last.loss, 2)} ${when}, ${formatSeconds(last.seconds)}.`);
  }
  return parts.join(' ');
}

/** The chart's legend, as HTML under the SVG; `numHeads` is Adam's head count once known. */
export function raceLegend(numHeads: number | null): HTMLElement {
  return h(
    'div',
    { class: 'race-legend' },
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch exact' }), 'exact least squares (one solve)'),
    h(
      'span',
      { class: 'legend-item' },
      h('span', { class: 'swatch baseline' }),
      `Adam${numHeads === null ? '' : `, H\u00a0=\u00a0${numHeads}`} (loss after each epoch)`,
    ),
  );
}
