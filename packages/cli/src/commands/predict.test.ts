import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectMatrixClose } from '@lattn/core/testing';
import { forward } from '@lattn/feature-map';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOneLineUserError, runCli } from '../__fixtures__/run-cli.js';
import { type TeacherData, writeTeacherData } from '../__fixtures__/teacher-data.js';
import { readSequences, readTargets } from '../dataset-files.js';
import { writeModel } from '../model-files.js';

let dir: string;
let data: TeacherData;
let model: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-predict-'));
  data = await writeTeacherData(dir, 'all', { mode: 'all', numSequences: 9, seed: 1 });
  model = join(dir, 'teacher.json');
  await writeModel(model, data.teacher);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lattn predict', () => {
  it.each(['all', 'last'] as const)(
    "writes the model's outputs in mode '%s', equal to the forward pass",
    async (mode) => {
      const out = join(dir, `pred-${mode}.npy`);
      const result = await runCli([
        'predict',
        '--model',
        model,
        '--inputs',
        data.inputsPath,
        '--out',
        out,
        '--mode',
        mode,
      ]);
      expect(result.code).toBe(0);
      const shape = mode === 'all' ? '(9, 6, 2)' : '(9, 2)';
      expect(result.stdout).toContain(`outputs  ${out}, shape ${shape}`);
      expect(result.stdout).toContain(`model    ${model} (2 heads)`);
      const predictions = await readTargets(out, mode, await readSequences(data.inputsPath));
      const expected = forward(data.teacher, data.inputs, { mode });
      predictions.forEach((prediction, b) => {
        expectMatrixClose(prediction, expected[b], { rtol: 0, atol: 0 });
      });
    },
  );

  it('writes the same bytes whatever the chunk size, and prints a JSON summary with --json', async () => {
    const whole = join(dir, 'pred-whole.npy');
    const pieces = join(dir, 'pred-pieces.npy');
    await runCli(['predict', '--model', model, '--inputs', data.inputsPath, '--out', whole]);
    const result = await runCli([
      'predict',
      '--model',
      model,
      '--inputs',
      data.inputsPath,
      '--out',
      pieces,
      '--chunk-size',
      '2',
      '--json',
    ]);
    expect(await readFile(pieces)).toEqual(await readFile(whole));
    expect(JSON.parse(result.stdout)).toEqual({
      model,
      inputs: data.inputsPath,
      out: pieces,
      mode: 'all',
      numSequences: 9,
      sequenceLength: 6,
      modelDim: 3,
      outputDim: 2,
      numHeads: 2,
      shape: [9, 6, 2],
    });
    expect(result.stderr).toContain('predict 100% (9/9)');
  });

  it.runIf(process.platform !== 'win32')(
    'streams its output through a named pipe (or a device such as /dev/null) in place, leaving it a pipe (regression: a file was renamed over it)',
    async () => {
      const pipe = join(dir, 'predictions.pipe');
      execFileSync('mkfifo', [pipe]);
      const [result, received] = await Promise.all([
        runCli(['predict', '--model', model, '--inputs', data.inputsPath, '--out', pipe]),
        readFile(pipe),
      ]);
      expect(result.code, result.stderr).toBe(0);
      const file = join(dir, 'predictions.npy');
      await runCli(['predict', '--model', model, '--inputs', data.inputsPath, '--out', file]);
      expect(received).toEqual(await readFile(file));
      expect((await stat(pipe)).isFIFO()).toBe(true);
    },
    10_000,
  );

  it('rejects inputs whose token dimension differs from the model in one line, naming both', async () => {
    const other = await writeTeacherData(dir, 'other', { mode: 'all', numSequences: 2, seed: 3 });
    const wide = join(dir, 'wide.json');
    await writeFile(
      wide,
      '{"format":"lattn.mhla","version":1,"modelDim":2,"outputDim":1,"heads":[{"value":[[1,0]],"query":[[0,1],[1,0]]}]}',
    );
    const result = await runCli([
      'predict',
      '--model',
      wide,
      '--inputs',
      other.inputsPath,
      '--out',
      join(dir, 'x.npy'),
    ]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toBe(
      `lattn predict: '${other.inputsPath}' has tokens of dimension 3, but the model in '${wide}' takes d = 2. Expected shape (B, n, 2); received (2, 6, 3).\n`,
    );
  });

  it.each([
    ['{"format":"lattn.mhla","version":2}', 'version 2 is not supported'],
    ['{"format":"lattn.mhla",', 'is not valid JSON'],
    ['', 'is empty'],
  ])('rejects a malformed model file %j in one line with a valid example', async (text, problem) => {
    const path = join(dir, 'bad-model.json');
    await writeFile(path, text);
    const result = await runCli(['predict', '--model', path, '--inputs', data.inputsPath, '--out', join(dir, 'y.npy')]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toContain(`lattn predict: '${path}'`);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain('{"format":"lattn.mhla","version":1,');
  });

  it('rejects a missing model file and a missing --out in one line', async () => {
    const missing = await runCli(['predict', '--model', join(dir, 'none.json'), '--inputs', 'X.npy', '--out', 'Y.npy']);
    expect(isOneLineUserError(missing), missing.stderr).toBe(true);
    expect(missing.stderr).toContain('none.json');
    const noOut = await runCli(['predict', '--model', model, '--inputs', data.inputsPath]);
    expect(isOneLineUserError(noOut), noOut.stderr).toBe(true);
    expect(noOut.stderr).toContain('--out is required');
  });
});
