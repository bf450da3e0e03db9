import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certifyIdentifiability } from '@lattn/certificate';
import { createRng } from '@lattn/core';
import { expectVectorClose } from '@lattn/core/testing';
import { equivalent } from '@lattn/feature-map';
import { fitLinearAttention, parseModel } from '@lattn/learner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOneLineUserError, runCli } from '../__fixtures__/run-cli.js';
import { type TeacherData, writeTeacherData } from '../__fixtures__/teacher-data.js';
import { writeSequences, writeTargets } from '../dataset-files.js';
import { writeNpy } from '../npy.js';

let dir: string;
let all: TeacherData;
let last: TeacherData;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-fit-'));
  all = await writeTeacherData(dir, 'all', { mode: 'all', numSequences: 40, seed: 1 });
  last = await writeTeacherData(dir, 'last', { mode: 'last', numSequences: 60, seed: 2 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lattn fit', () => {
  it("learns a random teacher exactly from one pass (mode 'all') and writes a model equivalent to it", async () => {
    const out = join(dir, 'model-all.json');
    const result = await runCli(['fit', '--inputs', all.inputsPath, '--targets', all.targetsPath, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "lattn fit: 40 sequences of 6 tokens, d = 3, dOut = 2, mode 'all': 240 examples, D = 18 features",
    );
    expect(result.stdout).toMatch(/^fit {10}cholesky, rank 18 of 18, ridge 0, rtol /m);
    expect(result.stdout).toMatch(/^certificate {2}identifiable: λ_min /m);
    expect(result.stdout).toMatch(/^heads {8}6 \(the paper's SVD route, --heads full\); .*, equivalent to the fit$/m);
    expect(result.stdout).toContain(`model        ${out} (lattn.mhla version 1)`);
    expect(result.stderr).toContain('features 100% (40/40)');
    const model = parseModel(await readFile(out, 'utf8'));
    expect(model.heads).toHaveLength(6);
    expect(equivalent(model, all.teacher, { rtol: 1e-9 }).equivalent).toBe(true);
  });

  it("learns from last-position targets (mode 'last') and finds the teacher's 2 heads with --heads auto", async () => {
    const out = join(dir, 'model-last.json');
    const result = await runCli([
      'fit',
      ...['--inputs', last.inputsPath, '--targets', last.targetsPath, '--mode', 'last', '--heads', 'auto'],
      ...['--out', out, '--json'],
    ]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      mode: 'last',
      numSequences: 60,
      numExamples: 60,
      featureDim: 18,
      fit: { solver: 'cholesky', rank: 18, ridge: 0 },
      certificate: { identifiable: true, rank: 18, nullity: 0 },
      heads: { requested: 'auto', numHeads: 2, method: 'alternating-projection', equivalent: true },
    });
    const model = parseModel(await readFile(out, 'utf8'));
    expect(model.heads).toHaveLength(2);
    expect(equivalent(model, last.teacher, { rtol: 1e-9 }).equivalent).toBe(true);
  });

  it('agrees with the in-memory learner on the same data, for any chunk size (--chunk-size 1)', async () => {
    const result = await runCli([
      'fit',
      ...['--inputs', all.inputsPath, '--targets', all.targetsPath, '--chunk-size', '1', '--ridge', '0.5'],
      ...['--out', join(dir, 'model-ridge.json'), '--json'],
    ]);
    expect(result.code).toBe(0);
    const streamed = parseModel(await readFile(join(dir, 'model-ridge.json'), 'utf8'));
    const inMemory = fitLinearAttention({ inputs: all.inputs, targets: all.targets, mode: 'all' }, { ridge: 0.5 });
    expect(equivalent(streamed, inMemory.weights, { rtol: 1e-10 }).equivalent).toBe(true);
    expect(JSON.parse(result.stdout).fit.ridge).toBe(0.5);
  });

  it('writes the best H-head model for --heads H and says how far from the fit it is', async () => {
    const result = await runCli([
      'fit',
      ...['--inputs', all.inputsPath, '--targets', all.targetsPath, '--heads', '1'],
      ...['--out', join(dir, 'model-one.json'), '--json'],
    ]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.heads).toMatchObject({ requested: 1, numHeads: 1, equivalent: false, converged: false });
    expect(summary.heads.relativeWeightError).toBeGreaterThan(1e-3);
    expect(result.stderr).toMatch(/^warning: /m);
  });

  it('reports non-identifiable data in the summary, with the missing directions, and still writes the fit', async () => {
    const rng = createRng(3);
    const inputs = Array.from({ length: 30 }, () => rng.normalMatrix(1, 3)); // one token each: rank 10 of 18
    const targets = Array.from({ length: 30 }, () => rng.normalMatrix(1, 2));
    const x = join(dir, 'X-single.npy');
    const y = join(dir, 'Y-single.npy');
    await writeSequences(x, inputs);
    await writeTargets(y, targets, 'all');
    const result = await runCli(['fit', '--inputs', x, '--targets', y, '--out', join(dir, 'model-single.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^certificate {2}NOT identifiable: rank 10 of 18, 8 directions of the weights not determined by the data$/m,
    );
    expect(result.stdout).toMatch(/^ {13}- .*M\[0,0\]·z\[1\] and M\[0,1\]·z\[0\]/m);
    expect(result.stdout).toMatch(/^fit {10}eigen, rank 10 of 18/m);
  });

  it('prints the certificate of the in-memory library and a residual at its rounding level (--json)', async () => {
    const result = await runCli([
      'fit',
      ...['--inputs', all.inputsPath, '--targets', all.targetsPath, '--out', join(dir, 'model-json.json'), '--json'],
    ]);
    const summary = JSON.parse(result.stdout);
    const inMemory = certifyIdentifiability(all.inputs);
    expectVectorClose(
      [summary.certificate.lambdaMin, summary.certificate.lambdaMax, summary.certificate.tolerance],
      [inMemory.lambdaMin, inMemory.lambdaMax, inMemory.tolerance],
      { rtol: 1e-9 },
    );
    expect(summary.fit.residual.method).toBe('moments');
    expect(summary.fit.residual.meanSquaredError).toBeLessThanOrEqual(
      summary.fit.residual.accuracy / (summary.numExamples * summary.outputDim),
    );
  });

  it.each([
    [['--targets', 'Y.npy', '--out', 'm.json'], '--inputs is required: a non-empty path; received nothing'],
    [
      ['--inputs', 'X.npy', '--targets', 'Y.npy', '--out', 'm.json', '--heads', '0'],
      '--heads must be one of full, auto or an integer >= 1',
    ],
    [
      ['--inputs', 'X.npy', '--targets', 'Y.npy', '--out', 'm.json', '--mode', 'first'],
      '--mode must be one of all, last',
    ],
    [
      ['--inputs', 'X.npy', '--targets', 'Y.npy', '--out', 'm.json', '--ridge=-1'],
      "--ridge must be a number >= 0; received '-1'",
    ],
  ])('rejects bad options %j in one line with exit code 2', async (args, message) => {
    const result = await runCli(['fit', ...args]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toContain(message);
  });

  it('rejects targets of the other mode in one line, naming both shapes and the mode they look like', async () => {
    const result = await runCli([
      'fit',
      ...['--inputs', all.inputsPath, '--targets', all.targetsPath, '--mode', 'last', '--out', join(dir, 'm.json')],
    ]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toBe(
      `lattn fit: '${all.targetsPath}' does not fit the inputs in mode 'last' (these targets look like mode 'all'). Expected (B, dOut) = (40, dOut) for inputs of shape (40, 6, 3); received (40, 6, 2).\n`,
    );
  });

  it('rejects a missing inputs file and an output directory that does not exist, before any computation', async () => {
    const missing = await runCli(['fit', '--inputs', join(dir, 'nope.npy'), '--targets', 'Y.npy', '--out', 'm.json']);
    expect(isOneLineUserError(missing), missing.stderr).toBe(true);
    expect(missing.stderr).toContain('nope.npy');
    expect(missing.stderr).toContain('does not exist');
    const out = join(dir, 'no-such-dir', 'model.json');
    const unwritable = await runCli(['fit', '--inputs', all.inputsPath, '--targets', all.targetsPath, '--out', out]);
    expect(isOneLineUserError(unwritable), unwritable.stderr).toBe(true);
    expect(unwritable.stderr).toContain(`'${out}' does not exist`);
    expect(unwritable.stderr).not.toContain('features');
  });

  it('rejects a NaN in a later chunk of the targets, naming the file and the [b, t, j] index, and writes no model', async () => {
    const data = Float64Array.from(all.targets.flatMap((target) => Array.from(target.data)));
    data[(7 * 6 + 4) * 2 + 1] = Number.NaN;
    const y = join(dir, 'Y-nan.npy');
    await writeNpy(y, { shape: [40, 6, 2], data });
    const out = join(dir, 'model-nan.json');
    const result = await runCli(['fit', '--inputs', all.inputsPath, '--targets', y, '--out', out, '--chunk-size', '5']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /lattn fit: '.*Y-nan\.npy' contains a non-finite value at \[7, 4, 1\]\. Expected finite numbers; received NaN\.\n$/,
    );
    expect(await readdir(dir)).not.toContain('model-nan.json');
  });
});
