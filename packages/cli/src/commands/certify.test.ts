import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certifyIdentifiability } from '@lattn/certificate';
import { createRng } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOneLineUserError, runCli } from '../__fixtures__/run-cli.js';
import { writeSequences } from '../dataset-files.js';
import { writeNpy } from '../npy.js';

let dir: string;
const rng = createRng(4);
const gaussian = Array.from({ length: 20 }, () => rng.normalMatrix(5, 3));
const single = Array.from({ length: 30 }, () => rng.normalMatrix(1, 3));
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-certify-'));
  await writeSequences(join(dir, 'X.npy'), gaussian);
  await writeSequences(join(dir, 'X-single.npy'), single);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lattn certify', () => {
  it('certifies Gaussian sequences and prints the margin', async () => {
    const result = await runCli(['certify', '--inputs', join(dir, 'X.npy')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "lattn certify: 20 sequences of 5 tokens, d = 3, mode 'all': 100 examples, D = 18 features",
    );
    expect(result.stdout).toMatch(/^identifiable {2}yes: every least-squares fit/m);
    expect(result.stdout).toMatch(/^rank {10}18 of 18$/m);
    expect(result.stdout).toMatch(/^ {2}- λ_min\(Λ\) = .* exceeds the tolerance/m);
  });

  it.each(['all', 'last'] as const)(
    "prints the numbers of the in-memory certificate with --json (mode '%s', chunks of 3)",
    async (mode) => {
      const result = await runCli([
        'certify',
        '--inputs',
        join(dir, 'X.npy'),
        '--mode',
        mode,
        '--chunk-size',
        '3',
        '--json',
      ]);
      const summary = JSON.parse(result.stdout);
      const inMemory = certifyIdentifiability(gaussian, { mode });
      expect(summary).toMatchObject({
        inputs: join(dir, 'X.npy'),
        numSequences: 20,
        sequenceLength: 5,
        identifiable: inMemory.identifiable,
        rank: inMemory.rank,
        numExamples: mode === 'all' ? 100 : 20,
        mode,
      });
      expectVectorClose([summary.lambdaMin, summary.lambdaMax], [inMemory.lambdaMin, inMemory.lambdaMax], {
        rtol: 1e-9,
      });
      expect(summary).not.toHaveProperty('nullSpace');
    },
  );

  it('explains why sequences of one token cannot certify, with the coincident features, exit code 0', async () => {
    const result = await runCli(['certify', '--inputs', join(dir, 'X-single.npy')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^identifiable {2}no: 8 directions of the weights are not determined by the data$/m);
    expect(result.stdout).toMatch(/^rank {10}10 of 18$/m);
    expect(result.stdout).toContain('M[0,0]·z[1] and M[0,1]·z[0] are equal on every example');
  });

  it('lists at most --max-directions groups of missing directions and counts the rest', async () => {
    const result = await runCli(['certify', '--inputs', join(dir, 'X-single.npy'), '--max-directions', '1', '--json']);
    const summary = JSON.parse(result.stdout);
    expect(summary.missingDirections).toHaveLength(1);
    expect(summary.numUnlistedDirections).toBe(8 - summary.missingDirections[0].numDirections);
  });

  it('demands a margin with --rtol: the same data fail when the tolerance exceeds λ_min', async () => {
    const result = await runCli(['certify', '--inputs', join(dir, 'X.npy'), '--rtol', '0.9', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ identifiable: false, rtol: 0.9 });
  });

  it.each([
    [['--inputs', 'X.npy', '--rtol', '2'], '--rtol must be a number >= 0 and < 1'],
    [['--mode', 'all'], '--inputs is required'],
    [['--inputs', 'X.npy', '--targets', 'Y.npy'], "unknown option '--targets'"],
  ])('rejects %j in one line with exit code 2', async (args, message) => {
    const result = await runCli(['certify', ...args]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toContain(message);
  });

  it('rejects a file that is not (B, n, d) in one line, with the numpy fix', async () => {
    const path = join(dir, 'flat.npy');
    await writeNpy(path, { shape: [4, 3], data: new Float64Array(12) });
    const result = await runCli(['certify', '--inputs', path]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toBe(
      `lattn certify: '${path}' has 2 axes. Expected shape (B, n, d) (for example save x[None] when the leading axis is missing); received (4, 3).\n`,
    );
  });
});
