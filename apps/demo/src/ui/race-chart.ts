/**
 * The race: training loss against wall-clock time for the Adam baseline (a curve, one point per epoch) and the
 * exact solver (one point when it finishes, then a flat line: its loss is final).
 */
import { formatNumber, formatScientific, formatSeconds } from '../format.js';
import { h, s } from './dom.js';

export interface RacePoint {
  readonly seconds: number;
  readonly loss: number;
}

export interface RaceData {
  readonly exact: RacePoint | null;
  readonly curve: readonly RacePoint[];
  /** The baseline's live position while it trains. */
  readonly running: { readonly seconds: number; readonly epoch: number; readonly epochs: number } | null;
}

/** Losses below this are drawn on the floor line (an exact fit's loss can be 0 or round-off). */
export const LOSS_FLOOR = 1e-32;

const WIDTH = 640;
const HEIGHT = 280;
const MARGIN = { left: 64, right: 20, top: 16, bottom: 44 };

/** Decade ticks covering `[low, high]` (log10 values), at most about eight of them. */
export function decadeTicks(low: number, high: number): number[] {
  const first = Math.floor(low);
  const last = Math.ceil(high);
  const step = Math.max(1, Math.ceil((last - first) / 8));
  const ticks: number[] = [];
  for (let t = last; t >= first; t -= step) ticks.push(t);
  return ticks.reverse();
}

export function raceChart(data: RaceData): SVGSVGElement {
  const points = [...data.curve, ...(data.exact === null ? [] : [data.exact])];
  const seconds = [...points.map((p) => p.seconds), data.running?.seconds ?? 0, 0.05];
  const xMax = Math.max(...seconds) * 1.08;
  const logs = points.map((p) => Math.log10(Math.max(LOSS_FLOOR, p.loss)));
  const yLow = logs.length > 0 ? Math.floor(Math.min(...logs)) : -12;
  const yHigh = logs.length > 0 ? Math.max(Math.ceil(Math.max(...logs)), yLow + 1) : 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number): number => MARGIN.left + (t / xMax) * plotWidth;
  const y = (loss: number): number =>
    MARGIN.top + ((yHigh - Math.log10(Math.max(LOSS_FLOOR, loss))) / (yHigh - yLow)) * plotHeight;

  const svg = s('svg', {
    class: 'race-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': describe(data),
  });
  for (const tick of decadeTicks(yLow, yHigh)) {
    const ty = y(10 ** tick);
    svg.append(
      s('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: ty, y2: ty, class: 'grid' }),
      s('text', { x: MARGIN.left - 6, y: ty + 4, 'text-anchor': 'end', class: 'tick' }, `1e${tick}`),
    );
  }
  const xStep = niceStep(xMax / 6);
  for (let t = 0; t <= xMax; t += xStep) {
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
      'training MSE (log)',
    ),
  );

  if (data.curve.length > 0) {
    const path = data.curve.map((p) => `${x(p.seconds).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
    svg.append(s('polyline', { points: path, class: 'baseline-line' }));
    const last = data.curve[data.curve.length - 1];
    svg.append(s('circle', { cx: x(last.seconds), cy: y(last.loss), r: 4, class: 'baseline-point' }));
  }
  if (data.running !== null) {
    const rx = x(data.running.seconds);
    svg.append(
      s('line', { x1: rx, x2: rx, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, class: 'running' }),
      s(
        'text',
        { x: rx - 4, y: MARGIN.top + 12, 'text-anchor': 'end', class: 'running-label' },
        `Adam: epoch ${data.running.epoch}/${data.running.epochs}`,
      ),
    );
  }
  if (data.exact !== null) {
    const ex = x(data.exact.seconds);
    const ey = y(data.exact.loss);
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
        {
          x: ex > WIDTH * 0.6 ? ex - 10 : ex + 8,
          y: ey - 8,
          'text-anchor': ex > WIDTH * 0.6 ? 'end' : 'start',
          class: 'exact-label',
        },
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
    parts.push(`Adam: ${formatScientific(last.loss, 2)} after ${formatSeconds(last.seconds)}.`);
  }
  return parts.join(' ');
}

/** The chart's legend, as HTML under the SVG. */
export function raceLegend(): HTMLElement {
  return h(
    'div',
    { class: 'race-legend' },
    h('span', { class: 'swatch exact' }),
    ' exact least squares (one solve) ',
    h('span', { class: 'swatch baseline' }),
    ' Adam on H heads (loss after each epoch)',
  );
}
