import { describe, expect, it } from 'vitest';
import { capturedIo } from './__fixtures__/captured-io.js';
import { createProgressReporter } from './progress.js';

/** Captured streams and a clock the test advances by hand. */
function setup(isTTY: boolean, columns?: number) {
  const { io, out, err } = capturedIo({ isTTY, ...(columns === undefined ? {} : { columns }) });
  let time = 0;
  const reporter = createProgressReporter(io, { now: () => time });
  const advance = (milliseconds: number) => {
    time += milliseconds;
  };
  return { reporter, out, err, advance };
}

describe('createProgressReporter off a terminal', () => {
  it('prints one plain line per 10 % step and a final line with the elapsed time, never on stdout', () => {
    const { reporter, out, err, advance } = setup(false);
    for (let done = 0; done <= 2000; done += 50) {
      reporter.onProgress({ stage: 'features', done, total: 2000 });
      advance(100);
    }
    reporter.finish();
    expect(out).toEqual([]);
    expect(err).toEqual([
      'features 0% (0/2000)\n',
      'features 10% (200/2000)\n',
      'features 20% (400/2000)\n',
      'features 30% (600/2000)\n',
      'features 40% (800/2000)\n',
      'features 50% (1000/2000)\n',
      'features 60% (1200/2000)\n',
      'features 70% (1400/2000)\n',
      'features 80% (1600/2000)\n',
      'features 90% (1800/2000)\n',
      'features 100% (2000/2000) in 4.0s\n',
    ]);
  });

  it('adds a heartbeat line when a step takes longer than 30 s, and restarts for a new stage', () => {
    const { reporter, err, advance } = setup(false);
    reporter.onProgress({ stage: 'solve', done: 0, total: 100 });
    advance(20_000);
    reporter.onProgress({ stage: 'solve', done: 1, total: 100 });
    advance(20_000);
    reporter.onProgress({ stage: 'solve', done: 2, total: 100 });
    reporter.onProgress({ stage: 'recover', done: 0, total: 3 });
    reporter.onProgress({ stage: 'recover', done: 3, total: 3 });
    expect(err).toEqual([
      'solve 0% (0/100)\n',
      'solve 2% (2/100)\n',
      'recover 0% (0/3)\n',
      'recover 100% (3/3) in 0ms\n',
    ]);
  });

  it('shows counts alone when the total is unknown', () => {
    const { reporter, err } = setup(false);
    reporter.onProgress({ stage: 'epoch', done: 5, total: 0 });
    expect(err).toEqual(['epoch (5)\n']);
  });
});

describe('createProgressReporter on a terminal', () => {
  it('redraws one line with a bar, percentage and ETA at most every 100 ms, then ends it', () => {
    const { reporter, out, err, advance } = setup(true);
    reporter.onProgress({ stage: 'features', done: 0, total: 2000 });
    advance(50);
    reporter.onProgress({ stage: 'features', done: 100, total: 2000 });
    advance(1950);
    reporter.onProgress({ stage: 'features', done: 800, total: 2000 });
    advance(3000);
    reporter.onProgress({ stage: 'features', done: 2000, total: 2000 });
    reporter.finish();
    expect(out).toEqual([]);
    expect(err).toEqual([
      '\rfeatures [------------------------] 0% 0/2000\x1b[K',
      '\rfeatures [##########--------------] 40% 800/2000 ETA 3.0s\x1b[K',
      '\rfeatures [########################] 100% 2000/2000 in 5.0s\x1b[K',
      '\n',
    ]);
  });

  it('ends an unfinished bar before the next stage and on finish', () => {
    const { reporter, err } = setup(true);
    reporter.onProgress({ stage: 'a', done: 1, total: 4 });
    reporter.onProgress({ stage: 'b', done: 1, total: 4 });
    reporter.finish();
    reporter.finish();
    expect(err.filter((chunk) => chunk === '\n')).toHaveLength(2);
    expect(err.at(-1)).toBe('\n');
  });

  it('cuts the line to the terminal width', () => {
    const { reporter, err } = setup(true, 30);
    reporter.onProgress({ stage: 'a-very-long-stage-name', done: 1, total: 4 });
    expect(err[0]).toBe('\ra-very-long-stage-name [#####\x1b[K');
  });

  it('formats long ETAs in minutes and hours', () => {
    const { reporter, err, advance } = setup(true);
    reporter.onProgress({ stage: 's', done: 0, total: 1000 });
    advance(65_000);
    reporter.onProgress({ stage: 's', done: 500, total: 1000 });
    advance(7_135_000);
    reporter.onProgress({ stage: 's', done: 510, total: 1000 });
    expect(err[1]).toContain('ETA 1m05s');
    expect(err[2]).toContain('ETA 1h55m');
  });
});
