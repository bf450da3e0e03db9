import { describe, expect, it } from 'vitest';
import { logAxis, type RaceData, timeExtent } from './race-chart.js';

describe('logAxis', () => {
  it('covers the range in whole decades with ticks at multiples of the smallest step giving at most eight', () => {
    expect(logAxis(-30.2, 0.1)).toEqual({ low: -31, high: 1, ticks: [-30, -25, -20, -15, -10, -5, 0] });
    expect(logAxis(-12.5, -0.3)).toEqual({ low: -13, high: 0, ticks: [-12, -10, -8, -6, -4, -2, 0] });
    expect(logAxis(-1.5, -0.5)).toEqual({ low: -2, high: 0, ticks: [-2, -1, 0] });
  });

  it('takes a larger step to stay within a smaller number of ticks', () => {
    expect(logAxis(-14, 0, 5).ticks).toEqual([-10, -5, 0]);
  });

  it('spans at least one decade when every value is in the same one', () => {
    expect(logAxis(-3, -3)).toEqual({ low: -3, high: -2, ticks: [-3, -2] });
  });

  it('gives between one and eight ticks inside the axis for every range up to 140 decades', () => {
    for (let low = -140; low <= 0; low += 1.7) {
      for (const width of [0, 3.3, 17, 64, 139]) {
        const high = Math.min(0, low + width);
        const axis = logAxis(low, high);
        expect(axis.low).toBeLessThanOrEqual(low);
        expect(axis.high).toBeGreaterThanOrEqual(high);
        expect(axis.ticks.length).toBeGreaterThanOrEqual(1);
        expect(axis.ticks.length).toBeLessThanOrEqual(8);
        expect(axis.ticks.every((tick) => tick >= axis.low && tick <= axis.high)).toBe(true);
      }
    }
  });
});

describe('timeExtent', () => {
  const curve = [
    { epoch: 0, seconds: 0.01, loss: 1 },
    { epoch: 10, seconds: 1, loss: 0.1 },
  ];

  it('projects Adam’s finish from its seconds per epoch while it trains', () => {
    const data: RaceData = { exact: { seconds: 0.2, loss: 1e-30 }, curve, epochs: 100, training: true };
    expect(timeExtent(data)).toBeCloseTo(10 * 1.05, 12);
  });

  it('ends at the last time measured once training is over, or at the exact solver when it is later', () => {
    expect(timeExtent({ exact: { seconds: 0.2, loss: 0 }, curve, epochs: 10, training: false })).toBeCloseTo(1.05, 12);
    expect(timeExtent({ exact: { seconds: 3, loss: 0 }, curve, epochs: 10, training: false })).toBeCloseTo(3.15, 12);
    expect(timeExtent({ exact: null, curve: [], epochs: 10, training: false })).toBeCloseTo(0.0525, 12);
  });
});
