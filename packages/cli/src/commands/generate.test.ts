import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '@lattn/core';
import { expectMatrixClose } from '@lattn/core/testing';
import { forward } from '@lattn/feature-map';
import { parseModel } from '@lattn/learner';
import { generateAutomatonTask } from '@lattn/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOneLineUserError, runCli } from '../__fixtures__/run-cli.js';
import { readSequences, readTargets } from '../dataset-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattn-generate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface TaskFile {
  format: string;
  version: number;
  task: string;
  kind: string;
  mode: 'all' | 'last';
  shapes: { inputs: number[]; targets: number[] };
  options: Record<string, unknown>;
  instances?: unknown[];
  construction: unknown;
}

async function readTask(out: string): Promise<{ task: TaskFile; inputs: Matrix[]; targets: Matrix[] }> {
  const task = JSON.parse(await readFile(join(out, 'task.json'), 'utf8')) as TaskFile;
  const inputs = await readSequences(join(out, 'X.npy'));
  return { task, inputs, targets: await readTargets(join(out, 'Y.npy'), task.mode, inputs) };
}

describe('lattn generate', () => {
  it.each([
    [
      'random-mhla',
      ['--num-sequences', '5', '--sequence-length', '4', '--mode', 'last'],
      'random-mhla',
      [5, 4, 4],
      [5, 2],
    ],
    [
      'associative-memory',
      ['--num-sequences', '6', '--key-dim', '3', '--num-pairs', '2'],
      'associative-memory',
      [6, 3, 6],
      [6, 3],
    ],
    [
      'automata',
      ['--num-sequences', '4', '--num-states', '3', '--word-length', '5'],
      'automaton',
      [4, 16, 11],
      [4, 16, 3],
    ],
    [
      'turing',
      ['--num-sequences', '3', '--num-states', '1', '--word-length', '1', '--num-steps', '1'],
      'turing',
      [3, 8, 15],
      [3, 8, 5],
    ],
  ])(
    'writes X.npy, Y.npy and a task.json for %s whose construction reproduces the targets',
    async (name, args, kind, inputShape, targetShape) => {
      const out = join(dir, name);
      const result = await runCli(['generate', name, ...args, '--seed', '3', '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`inputs   ${join(out, 'X.npy')}, shape (${inputShape.join(', ')})`);
      const { task, inputs, targets } = await readTask(out);
      expect(task).toMatchObject({ format: 'lattn.task', version: 1, task: name, kind });
      expect(task.shapes).toEqual({ inputs: inputShape, targets: targetShape });
      expect(task.options.seed).toBe(3);
      const construction = parseModel(task.construction);
      const outputs = forward(construction, inputs, { mode: task.mode });
      outputs.forEach((output, b) => {
        expectMatrixClose(output, targets[b], { rtol: 1e-12, atol: 1e-12 });
      });
    },
  );

  it('records the instances and the options actually used (defaults filled in)', async () => {
    const out = join(dir, 'automata-defaults');
    await runCli(['generate', 'automata', '--seed', '5', '--out', out]);
    const { task } = await readTask(out);
    const reference = generateAutomatonTask({ seed: 5 });
    expect(task.options).toEqual({ ...reference.options });
    expect(task.instances).toEqual(JSON.parse(JSON.stringify(reference.instances)));
  });

  it('gives identical files for the same seed and different data for another seed', async () => {
    const run = async (name: string, seed: string) => {
      const out = join(dir, name);
      await runCli(['generate', 'random-mhla', '--num-sequences', '3', '--seed', seed, '--out', out]);
      return readFile(join(out, 'X.npy'));
    };
    const first = await run('seed-a', '8');
    expect(await run('seed-b', '8')).toEqual(first);
    expect(await run('seed-c', '9')).not.toEqual(first);
  });

  it('keeps the teacher with --teacher-seed while --seed draws fresh inputs', async () => {
    const a = join(dir, 'teacher-a');
    const b = join(dir, 'teacher-b');
    await runCli(['generate', 'random-mhla', '--seed', '1', '--teacher-seed', '7', '--out', a]);
    await runCli(['generate', 'random-mhla', '--seed', '2', '--teacher-seed', '7', '--out', b]);
    const [first, second] = [await readTask(a), await readTask(b)];
    expect(second.task.construction).toEqual(first.task.construction);
    expect(second.inputs[0].data).not.toEqual(first.inputs[0].data);
  });

  it('prints a JSON summary with --json', async () => {
    const out = join(dir, 'json');
    const result = await runCli(['generate', 'turing', '--num-sequences', '2', '--out', out, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      task: 'turing',
      kind: 'turing',
      taskFile: join(out, 'task.json'),
      numSequences: 2,
      modelDim: 53,
      outputDim: 8,
      constructionHeads: 4,
      options: { numStates: 2, wordLength: 3, numSteps: 3, seed: 0 },
    });
  });

  it("documents every task's options with their defaults in --help", async () => {
    const result = await runCli(['generate', '--help']);
    expect(result.code).toBe(0);
    for (const line of [
      'Usage: lattn generate random-mhla --out <DIR> [options]',
      'Usage: lattn generate associative-memory --out <DIR> [options]',
      '--num-states <integer>',
      'word length n (default: 8)',
      '(default: orthogonal)',
    ]) {
      expect(result.stdout).toContain(line);
    }
  });

  it.each([
    [[], '<task> must be one of random-mhla, associative-memory, automata, turing; received nothing'],
    [
      ['automaton', '--out', 'x'],
      "<task> must be one of random-mhla, associative-memory, automata, turing; received 'automaton'",
    ],
    [['automata', '--key-dim', '3', '--out', 'x'], "unknown option '--key-dim'"],
    [['automata', '--num-states', '0', '--out', 'x'], '--num-states must be an integer >= 1 and <= 64'],
    [['turing'], '--out is required'],
    [
      ['associative-memory', '--key-distribution', 'gaussian', '--mixing-fraction', '0.5', '--out', 'x'],
      "options.mixingFraction contradicts keyDistribution 'gaussian'",
    ],
  ])('rejects %j in one line with exit code 2', async (args, message) => {
    const result = await runCli(['generate', ...args]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toContain(message);
  });

  it('rejects an --out that is a file in one line', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const result = await runCli(['generate', 'automata', '--out', file]);
    expect(isOneLineUserError(result), result.stderr).toBe(true);
    expect(result.stderr).toContain(`'${file}' exists and is not a directory`);
  });
});
