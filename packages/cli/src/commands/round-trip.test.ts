/**
 * The acceptance test of the commands: generate → fit → predict reproduces the teacher's outputs on fresh inputs to
 * 1e-8 relative, and numpy reads every `.npy` file the commands wrote (when a Python with numpy is found).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectVectorClose } from '@lattn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../__fixtures__/run-cli.js';
import { readNpy } from '../npy.js';

// numpy is the reference reader. Without it the numpy test is skipped with the reason in its title, so the skip
// shows in every report instead of passing silently.
const python = ['python3', '/usr/bin/python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
);
const note = python === undefined ? ' [SKIPPED: no python3 with numpy on PATH or at /usr/bin/python3]' : '';
if (python === undefined) console.warn(`round-trip.test.ts:${note}`);

let dir: string;
const written: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-round-trip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lattn(...argv: string[]): Promise<string> {
  const result = await runCli(argv);
  expect(result.code, `lattn ${argv.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

describe('generate → fit → predict', () => {
  it.each([
    ['all', 'full'],
    ['all', 'auto'],
    ['last', 'full'],
    ['last', '3'],
  ])("reproduces the teacher's outputs on fresh inputs to 1e-8 relative (mode %s, --heads %s)", async (mode, heads) => {
    const base = join(dir, `${mode}-${heads}`);
    const teacher = ['--model-dim', '3', '--num-heads', '2', '--mode', mode, '--teacher-seed', '7'];
    await lattn(
      'generate',
      'random-mhla',
      ...teacher,
      '--num-sequences',
      '200',
      '--seed',
      '1',
      '--out',
      `${base}-train`,
    );
    await lattn(
      'generate',
      'random-mhla',
      ...teacher,
      '--num-sequences',
      '50',
      '--seed',
      '2',
      '--out',
      `${base}-fresh`,
    );
    const model = `${base}-model.json`;
    await lattn(
      'fit',
      '--inputs',
      `${base}-train/X.npy`,
      '--targets',
      `${base}-train/Y.npy`,
      '--mode',
      mode,
      '--heads',
      heads,
      '--out',
      model,
    );
    const predictions = `${base}-predictions.npy`;
    await lattn('predict', '--model', model, '--inputs', `${base}-fresh/X.npy`, '--mode', mode, '--out', predictions);
    const predicted = await readNpy(predictions);
    const teacherOutputs = await readNpy(`${base}-fresh/Y.npy`);
    expect(predicted.shape).toEqual(teacherOutputs.shape);
    expectVectorClose(predicted.data, teacherOutputs.data, { rtol: 1e-8, relativeToMax: true });
    written.push(`${base}-train/X.npy`, `${base}-train/Y.npy`, `${base}-fresh/X.npy`, predictions);
  });

  it.skipIf(python === undefined)(
    `numpy reads every .npy file the commands wrote, with the same values${note}`,
    async () => {
      expect(written.length).toBeGreaterThan(0);
      const script = `
import json, sys
import numpy as np
out = []
for path in sys.argv[1:]:
    a = np.load(path)
    out.append({'dtype': a.dtype.str, 'shape': list(a.shape), 'hex': np.ascontiguousarray(a).tobytes().hex()})
print(json.dumps(out))
`;
      const loaded = JSON.parse(execFileSync(python as string, ['-c', script, ...written], { encoding: 'utf8' })) as {
        dtype: string;
        shape: number[];
        hex: string;
      }[];
      for (const [i, path] of written.entries()) {
        const ours = await readNpy(path);
        expect(loaded[i].dtype, path).toBe('<f8');
        expect(loaded[i].shape, path).toEqual(ours.shape);
        const values = new Float64Array(new Uint8Array(Buffer.from(loaded[i].hex, 'hex')).buffer);
        expectVectorClose(values, ours.data, { rtol: 0, atol: 0, label: path });
      }
    },
  );
});
