import { expectVectorClose } from '@lattn/core/testing';
import { describe, expect, it } from 'vitest';
import { createScale, escapeXml, renderPlot } from './svg.js';

describe('createScale', () => {
  it('puts log ticks on the powers of ten around the data and maps them evenly', () => {
    const scale = createScale({ label: 'x', scale: 'log' }, [0.03, 2, 40], [100, 500]);
    expect(scale.ticks).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(scale.domain).toEqual([0.01, 100]);
    expectVectorClose(scale.ticks.map(scale.map), [100, 200, 300, 400, 500], { rtol: 1e-12 });
    expect(scale.ticks.map(scale.format)).toEqual(['0.01', '0.1', '1', '10', '100']);
    expect(scale.minorTicks).toContain(0.02);
    expect(scale.minorTicks).toHaveLength(4 * 8);
  });

  it('thins log ticks over many decades and writes small powers as 1eN', () => {
    const scale = createScale({ label: 'y', scale: 'log' }, [1e-30, 50], [300, 0]);
    const exponents = scale.ticks.map((tick) => Math.round(Math.log10(tick)));
    expect(exponents).toEqual([-32, -28, -24, -20, -16, -12, -8, -4, 0, 4]); // every 4 decades, on multiples of 4
    expect(scale.format(1e-32)).toBe('1e-32');
    expect(scale.minorTicks).toEqual([]);
    expect(scale.map(1e-32)).toBe(300);
  });

  it('ignores non-positive and non-finite values on a log axis', () => {
    const scale = createScale({ label: 'x', scale: 'log' }, [0, -1, Number.NaN, 5], [0, 100]);
    expect(scale.domain).toEqual([1, 10]);
  });

  it('chooses 1-2-5 steps on a linear axis, rounded out to ticks, and integer steps when asked', () => {
    const scale = createScale({ label: 'x' }, [0.13, 0.97], [0, 100]);
    expect(scale.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(scale.format(0.4)).toBe('0.4');
    expectVectorClose([scale.map(0.5)], [50], { rtol: 1e-12 });
    expect(createScale({ label: 'n', integer: true }, [2, 3], [0, 1]).ticks).toEqual([2, 3]);
  });

  it('widens a linear axis around a single value and honours explicit bounds', () => {
    expect(createScale({ label: 'x' }, [4, 4], [0, 1]).domain).toEqual([2, 6]);
    expect(createScale({ label: 'x', min: 0, max: 1 }, [0.5], [0, 1]).domain).toEqual([0, 1]);
  });
});

describe('renderPlot', () => {
  const spec = {
    title: 'Errors <a & b>',
    x: { label: 'time (s)', scale: 'log' as const },
    y: { label: 'error', scale: 'log' as const },
    series: [
      {
        label: 'Adam, 2 heads',
        points: [
          [0.1, 3],
          [1, 0.5],
          [10, 0],
        ] as [number, number][],
        style: 'line' as const,
      },
      { label: 'exact', points: [[0.05, 1e-29]] as [number, number][], style: 'markers' as const },
    ],
  };

  it('draws a standalone SVG with escaped text, a legend, and only the points a log axis can show', () => {
    const svg = renderPlot(spec);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>Errors &lt;a &amp; b&gt;</title>');
    expect(svg).not.toContain('<a &');
    expect(svg).toContain('>Adam, 2 heads</text>');
    expect(svg).toContain('>exact</text>');
    const polyline = /<polyline [^>]*points="([^"]*)"/.exec(svg);
    expect(polyline?.[1].split(' ')).toHaveLength(2); // (10, 0) is dropped on the log y axis
    expect(svg.match(/<circle /g)).toBeNull(); // the first series has no markers
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="7"/g)).toHaveLength(2); // square markers: the point and its legend
  });

  it('leaves the legend out for a single series', () => {
    const svg = renderPlot({ ...spec, series: [spec.series[0]] });
    expect(svg).not.toContain('>Adam, 2 heads</text>');
  });

  it('is deterministic', () => {
    expect(renderPlot(spec)).toBe(renderPlot(spec));
  });
});

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
