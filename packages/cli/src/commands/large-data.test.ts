/**
 * Large data (issue #9): `lattn fit` and `lattn predict` stream their `.npy` files a chunk at a time, so the memory
 * they hold does not grow with the number of sequences. Each command runs in a child process (the built `dist/`, as
 * in main.test.ts) that forces a full garbage collection at every progress line and records the live memory (V8
 * heap plus ArrayBuffers). The statistic is the lowest such value over the second half of the streaming stage:
 * whatever a run retains of the data it has read shows there, while a buffer freed but not yet swept (an upward
 * spike) does not. A file ten times larger must not raise it by more than an eighth of the extra data.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRng } from '@lattn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyHeader, writeNpyRows } from '../npy.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Runs `lattn` with the arguments given, sampling live memory after a full collection at every stderr write. */
const HARNESS = `
const { main } = await import(process.env.LATTN_MAIN);
const samples = [];
const stderr = {
  write: (chunk) => {
    globalThis.gc();
    const memory = process.memoryUsage();
    samples.push([chunk.trim(), memory.heapUsed + memory.arrayBuffers]);
  },
};
const code = await main(process.argv.slice(2), { stdout: { write: () => undefined }, stderr });
process.stdout.write(JSON.stringify({ code, samples }));
`;

let dir: string;
let harness: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-large-'));
  harness = join(dir, 'harness.mjs');
  await writeFile(harness, HARNESS);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `(B, 100, 4)` Gaussian inputs and `(B, 100, 1)` targets, a thousand sequences at a time. */
async function dataset(name: string, numSequences: number): Promise<{ x: string; y: string; bytes: number }> {
  const rng = createRng(numSequences);
  const fill = (width: number) => async (writer: { write(rows: Float64Array): Promise<void> }) => {
    for (let b = 0; b < numSequences; b += 1000) {
      const rows = new Float64Array(Math.min(1000, numSequences - b) * 100 * width);
      for (let i = 0; i < rows.length; i++) rows[i] = rng.normal();
      await writer.write(rows);
    }
  };
  const x = join(dir, `X-${name}.npy`);
  const y = join(dir, `Y-${name}.npy`);
  await writeNpyRows(x, [numSequences, 100, 4], fill(4));
  await writeNpyRows(y, [numSequences, 100, 1], fill(1));
  return { x, y, bytes: (await stat(x)).size + (await stat(y)).size };
}

/** The lowest live memory, in bytes, over the progress lines of `stage` at or after half of its total. */
async function retained(stage: string, argv: readonly string[]): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', harness, ...argv], {
    env: { ...process.env, LATTN_MAIN: MAIN },
    maxBuffer: 1 << 24,
  });
  const { code, samples } = JSON.parse(stdout) as { code: number; samples: [string, number][] };
  expect(code, JSON.stringify(samples.map(([line]) => line))).toBe(0);
  const late = samples
    .filter(([line]) => {
      const match = new RegExp(`^${stage} \\d+% \\((\\d+)/(\\d+)\\)`).exec(line);
      return match !== null && 2 * Number(match[1]) >= Number(match[2]);
    })
    .map(([, live]) => live);
  expect(late.length).toBeGreaterThan(0);
  return Math.min(...late);
}

describe('streaming over files larger than one chunk', () => {
  it('fits and predicts in memory that does not grow with the number of sequences (800 vs 8000 sequences, 3.2 MB vs 32 MB)', async () => {
    const small = await dataset('small', 800);
    const large = await dataset('large', 8000);
    const extra = large.bytes - small.bytes;
    const fit = async ({ x, y }: { x: string; y: string }, out: string) =>
      retained('features', ['fit', '--inputs', x, '--targets', y, '--out', join(dir, out)]);
    const fitGrowth = (await fit(large, 'large.json')) - (await fit(small, 'small.json'));
    expect(fitGrowth, `fit retained ${fitGrowth} more bytes for ${extra} more bytes of data`).toBeLessThan(extra / 8);

    const predict = async ({ x }: { x: string }, model: string, out: string) =>
      retained('predict', ['predict', '--model', join(dir, model), '--inputs', x, '--out', join(dir, out)]);
    const predictGrowth =
      (await predict(large, 'large.json', 'P-large.npy')) - (await predict(small, 'small.json', 'P-small.npy'));
    expect(predictGrowth, `predict retained ${predictGrowth} more bytes`).toBeLessThan(extra / 8);
    expect((await readNpyHeader(join(dir, 'P-large.npy'))).shape).toEqual([8000, 100, 1]);
  }, 120_000);
});
