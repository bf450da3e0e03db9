/**
 * A small SVG plotter for the reproduce report: line and scatter plots with linear or logarithmic axes, grid lines,
 * axis labels, a title and a legend (when there is more than one series), as one self-contained `<svg>` element
 * (no scripts, fonts or external files).
 */

/** How an axis maps values to positions. */
export type AxisScale = 'linear' | 'log';

/** One axis of a plot. */
export interface PlotAxis {
  /** The axis title, with units. */
  readonly label: string;
  /**
   * `'log'` draws powers of ten; points with a non-positive coordinate on a log axis are left out.
   * @defaultValue `'linear'`
   */
  readonly scale?: AxisScale;
  /**
   * Lower end of the axis (extended to a tick).
   * @defaultValue the smallest coordinate plotted
   */
  readonly min?: number;
  /**
   * Upper end of the axis (extended to a tick).
   * @defaultValue the largest coordinate plotted
   */
  readonly max?: number;
  /**
   * Ticks at integers only (for counts), on a linear axis.
   * @defaultValue `false`
   */
  readonly integer?: boolean;
}

/** One named set of points. */
export interface PlotSeries {
  /** The legend entry. */
  readonly label: string;
  /** `[x, y]` pairs; lines join them in the order given. Non-finite points are left out. */
  readonly points: readonly (readonly [number, number])[];
  /**
   * `'line'`, `'markers'` (a scatter) or both.
   * @defaultValue `'line+markers'`
   */
  readonly style?: 'line' | 'markers' | 'line+markers';
  /**
   * Draw the line dashed.
   * @defaultValue `false`
   */
  readonly dashed?: boolean;
  /**
   * Index into the palette, so related series across plots share a colour.
   * @defaultValue the series' position
   */
  readonly color?: number;
}

/** What {@link renderPlot} draws. */
export interface PlotSpec {
  /** The title above the plot. */
  readonly title: string;
  /** The horizontal axis. */
  readonly x: PlotAxis;
  /** The vertical axis. */
  readonly y: PlotAxis;
  /** The data. */
  readonly series: readonly PlotSeries[];
  /**
   * Width of the whole figure in pixels (the legend sits right of the plot area).
   * @defaultValue `640`
   */
  readonly width?: number;
  /**
   * Height of the whole figure in pixels.
   * @defaultValue `360`
   */
  readonly height?: number;
}

/** A mapping from data values to pixel positions, with its tick marks. */
export interface Scale {
  /** The data range shown, after rounding out to ticks. */
  readonly domain: readonly [number, number];
  /** Pixel position of a value. */
  map(value: number): number;
  /** Major tick values, ascending. */
  readonly ticks: readonly number[];
  /** Minor tick values (log axes spanning few decades), ascending. */
  readonly minorTicks: readonly number[];
  /** Tick label text for a value. */
  format(value: number): string;
}

/** Okabe–Ito colours (distinguishable with colour-vision deficiencies), then greys. */
export const PALETTE: readonly string[] = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#999999',
];

const MARKERS = ['circle', 'square', 'diamond', 'triangle'] as const;
const MAX_LOG_TICKS = 8;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/**
 * Builds the scale of one axis from the values it must show.
 *
 * @param axis - The axis declaration.
 * @param values - Every coordinate plotted on this axis (non-finite ones, and non-positive ones on a log axis, are
 * ignored).
 * @param range - Pixel positions of the domain's lower and upper ends (reversed for a vertical axis).
 * @returns The scale.
 * @example
 * ```ts
 * const x = createScale({ label: 'time', scale: 'log' }, [0.01, 30], [60, 560]);
 * x.ticks; // [0.01, 0.1, 1, 10, 100]
 * ```
 */
export function createScale(axis: PlotAxis, values: readonly number[], range: readonly [number, number]): Scale {
  const log = axis.scale === 'log';
  const usable = values.filter((value) => Number.isFinite(value) && (!log || value > 0));
  let low = axis.min ?? (usable.length > 0 ? Math.min(...usable) : log ? 1 : 0);
  let high = axis.max ?? (usable.length > 0 ? Math.max(...usable) : log ? 10 : 1);
  if (log) {
    let lowExponent = Math.floor(Math.log10(low) + 1e-9);
    let highExponent = Math.ceil(Math.log10(high) - 1e-9);
    if (highExponent <= lowExponent) highExponent = lowExponent + 1;
    // Ticks every `stride` decades, on multiples of the stride, so that labels read 1e-30, 1e-25, …
    const stride = Math.ceil((highExponent - lowExponent) / MAX_LOG_TICKS);
    lowExponent = Math.floor(lowExponent / stride) * stride;
    highExponent = Math.ceil(highExponent / stride) * stride;
    const ticks: number[] = [];
    for (let e = lowExponent; e <= highExponent; e += stride) ticks.push(10 ** e);
    const minorTicks: number[] = [];
    if (stride === 1 && highExponent - lowExponent <= 4) {
      for (let e = lowExponent; e < highExponent; e++) for (let m = 2; m <= 9; m++) minorTicks.push(m * 10 ** e);
    }
    const a = lowExponent;
    const b = highExponent;
    const map = (value: number): number => range[0] + ((Math.log10(value) - a) / (b - a)) * (range[1] - range[0]);
    return { domain: [10 ** a, 10 ** b], map, ticks, minorTicks, format: formatPower };
  }
  if (high === low) {
    const pad = low === 0 ? 1 : Math.abs(low) / 2;
    low -= pad;
    high += pad;
  }
  const step = axis.integer === true ? Math.max(1, niceStep((high - low) / 5)) : niceStep((high - low) / 5);
  low = Math.floor(low / step + 1e-9) * step;
  high = Math.ceil(high / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; low + i * step <= high + step * 1e-9; i++) ticks.push(roundTo(low + i * step, step));
  const map = (value: number): number => range[0] + ((value - low) / (high - low)) * (range[1] - range[0]);
  return { domain: [low, high], map, ticks, minorTicks: [], format: (value) => formatLinear(value, step) };
}

/**
 * Draws a line or scatter plot as a standalone SVG element.
 *
 * @param spec - Title, axes and series.
 * @returns The `<svg>` markup, with a `<title>` for accessibility.
 * @example
 * ```ts
 * renderPlot({
 *   title: 'Test error',
 *   x: { label: 'seconds', scale: 'log' },
 *   y: { label: 'mean squared error', scale: 'log' },
 *   series: [{ label: 'Adam, 2 heads', points: [[0.1, 3], [1, 0.5]] }],
 * });
 * ```
 */
export function renderPlot(spec: PlotSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 360;
  const showLegend = spec.series.length > 1;
  const legendWidth = showLegend
    ? Math.min(Math.round(width * 0.4), 36 + 7 * Math.max(0, ...spec.series.map((series) => series.label.length)))
    : 0;
  const left = 72;
  const top = 34;
  const bottom = 52;
  const plotRight = width - legendWidth - (showLegend ? 12 : 20);
  const plotBottom = height - bottom;
  const keep = (axis: PlotAxis) => (value: number) => Number.isFinite(value) && (axis.scale !== 'log' || value > 0);
  const series = spec.series.map((item) => ({
    ...item,
    points: item.points.filter(([x, y]) => keep(spec.x)(x) && keep(spec.y)(y)),
  }));
  const xs = series.flatMap((item) => item.points.map(([x]) => x));
  const ys = series.flatMap((item) => item.points.map(([, y]) => y));
  const x = createScale(spec.x, xs, [left, plotRight]);
  const y = createScale(spec.y, ys, [plotBottom, top]);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ${FONT} font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="600" fill="#222">${escapeXml(spec.title)}</text>`,
  ];
  const grid: string[] = [];
  for (const tick of x.minorTicks) grid.push(vertical(x.map(tick), top, plotBottom, '#f0f0f0'));
  for (const tick of y.minorTicks) grid.push(horizontal(y.map(tick), left, plotRight, '#f0f0f0'));
  for (const tick of x.ticks) grid.push(vertical(x.map(tick), top, plotBottom, '#dddddd'));
  for (const tick of y.ticks) grid.push(horizontal(y.map(tick), left, plotRight, '#dddddd'));
  parts.push(`<g stroke-width="1">${grid.join('')}</g>`);
  parts.push(
    `<rect x="${left}" y="${top}" width="${fixed(plotRight - left)}" height="${fixed(plotBottom - top)}" fill="none" stroke="#888"/>`,
  );
  const labels: string[] = [];
  for (const tick of x.ticks) {
    labels.push(
      `<text x="${fixed(x.map(tick))}" y="${plotBottom + 16}" text-anchor="middle">${escapeXml(x.format(tick))}</text>`,
    );
  }
  for (const tick of y.ticks) {
    labels.push(
      `<text x="${left - 6}" y="${fixed(y.map(tick) + 4)}" text-anchor="end">${escapeXml(y.format(tick))}</text>`,
    );
  }
  parts.push(`<g fill="#444">${labels.join('')}</g>`);
  parts.push(
    `<text x="${fixed((left + plotRight) / 2)}" y="${height - 14}" text-anchor="middle" fill="#222">${escapeXml(spec.x.label)}</text>`,
    `<text transform="translate(16 ${fixed((top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(spec.y.label)}</text>`,
  );
  const data: string[] = [];
  series.forEach((item, index) => {
    const color = PALETTE[(item.color ?? index) % PALETTE.length];
    const marker = MARKERS[index % MARKERS.length];
    const style = item.style ?? 'line+markers';
    const pixels = item.points.map(([px, py]) => [x.map(px), y.map(py)] as const);
    if (style !== 'markers' && pixels.length > 1) {
      const dash = item.dashed === true ? ' stroke-dasharray="6 4"' : '';
      data.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pixels.map(([px, py]) => `${fixed(px)},${fixed(py)}`).join(' ')}"/>`,
      );
    }
    if (style !== 'line') {
      for (const [px, py] of pixels) data.push(drawMarker(marker, px, py, color));
    }
  });
  parts.push(`<g>${data.join('')}</g>`);
  const legend: string[] = [];
  const legendX = plotRight + 16;
  (showLegend ? series : []).forEach((item, index) => {
    const color = PALETTE[(item.color ?? index) % PALETTE.length];
    const marker = MARKERS[index % MARKERS.length];
    const style = item.style ?? 'line+markers';
    const rowY = top + 10 + index * 18;
    if (style !== 'markers') {
      const dash = item.dashed === true ? ' stroke-dasharray="6 4"' : '';
      legend.push(horizontal(rowY, legendX, legendX + 20, color, `stroke-width="2"${dash}`));
    }
    if (style !== 'line') legend.push(drawMarker(marker, legendX + 10, rowY, color));
    legend.push(`<text x="${legendX + 26}" y="${rowY + 4}" fill="#222">${escapeXml(item.label)}</text>`);
  });
  parts.push(`<g>${legend.join('')}</g>`, '</svg>');
  return parts.join('');
}

/**
 * Escapes text for XML and HTML content and attributes.
 *
 * @param text - Any text.
 * @returns The text with `&`, `<`, `>`, `"` and `'` replaced by entities.
 * @example
 * ```ts
 * escapeXml('a < b'); // 'a &lt; b'
 * ```
 */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function roundTo(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(digits, 15)));
}

function formatLinear(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1).replace('e+', 'e');
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

function formatPower(value: number): string {
  const exponent = Math.round(Math.log10(value));
  if (exponent >= 0 && exponent <= 4) return String(10 ** exponent);
  if (exponent < 0 && exponent >= -3) return (10 ** exponent).toFixed(-exponent);
  return `1e${exponent}`;
}

function fixed(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function vertical(position: number, from: number, to: number, color: string): string {
  return `<line x1="${fixed(position)}" y1="${from}" x2="${fixed(position)}" y2="${to}" stroke="${color}"/>`;
}

function horizontal(position: number, from: number, to: number, color: string, extra = ''): string {
  return `<line x1="${from}" y1="${fixed(position)}" x2="${to}" y2="${fixed(position)}" stroke="${color}" ${extra}/>`;
}

function drawMarker(marker: (typeof MARKERS)[number], px: number, py: number, color: string): string {
  const paint = `fill="${color}" stroke="#ffffff" stroke-width="1"`;
  switch (marker) {
    case 'circle':
      return `<circle cx="${fixed(px)}" cy="${fixed(py)}" r="4" ${paint}/>`;
    case 'square':
      return `<rect x="${fixed(px - 3.5)}" y="${fixed(py - 3.5)}" width="7" height="7" ${paint}/>`;
    case 'diamond':
      return `<polygon points="${fixed(px)},${fixed(py - 5)} ${fixed(px + 5)},${fixed(py)} ${fixed(px)},${fixed(py + 5)} ${fixed(px - 5)},${fixed(py)}" ${paint}/>`;
    case 'triangle':
      return `<polygon points="${fixed(px)},${fixed(py - 5)} ${fixed(px + 5)},${fixed(py + 4)} ${fixed(px - 5)},${fixed(py + 4)}" ${paint}/>`;
  }
}
