import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';

function counter(): { run: () => number; calls: () => number } {
  let calls = 0;
  return { run: () => ++calls, calls: () => calls };
}

describe('measure', () => {
  it('warms up, then takes the best of the samples, and reports every call it made', () => {
    const { run, calls } = counter();
    const timing = measure(run, { repeats: 3, minSampleSeconds: 0.01, singleRunSeconds: 5 });
    expect(timing.runs).toBe(calls());
    expect(timing.runs).toBeGreaterThan(3);
    expect(timing.seconds).toBeGreaterThan(0);
    expect(Number.isFinite(timing.seconds)).toBe(true);
  });

  it('measures process CPU time with the cpu clock', () => {
    const { run, calls } = counter();
    const timing = measure(run, { repeats: 2, minSampleSeconds: 0.01, singleRunSeconds: 5, clock: 'cpu' });
    expect(timing.runs).toBe(calls());
    expect(timing.seconds).toBeGreaterThanOrEqual(0);
  });

  it('times a call once when it is slower than singleRunSeconds', () => {
    const { run, calls } = counter();
    const timing = measure(run, { repeats: 3, minSampleSeconds: 1, singleRunSeconds: 0 });
    expect(timing.runs).toBe(1);
    expect(calls()).toBe(1);
  });
});
