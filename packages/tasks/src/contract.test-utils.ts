/**
 * The conformance suite every task generator passes (STYLE 7.8, "contract suites"): determinism per seed,
 * different data for different seeds, consistent shapes, finite values, serialisability, resolved options,
 * honoured options and clear errors for bad options. Test-only: excluded from the build.
 */
import { checkDataset, isLattnError, type LattnErrorCode, type Matrix } from '@lattn/core';
import type { MhlaModel } from '@lattn/feature-map';
import { describe, expect, it } from 'vitest';

/** What the suite needs to know of a generated task. */
export interface GeneratedTask {
  readonly kind: string;
  readonly dataset: {
    readonly inputs: readonly Matrix[];
    readonly targets: readonly Matrix[];
    readonly mode: 'all' | 'last';
  };
  readonly construction: MhlaModel;
  readonly options: { readonly numSequences: number; readonly seed: number };
}

/** A task generator under test and the option cases that exercise it. */
export interface TaskGeneratorContract<Options, Task extends GeneratedTask> {
  /** The generator's public name, which every error message must start with. */
  readonly name: string;
  /** The generator. */
  readonly generate: (options?: Options) => Task;
  /** Small valid options (without `seed`) for quick runs. */
  readonly small: Options;
  /** The option fields that have defaults; the suite checks each is reported in `task.options`. */
  readonly optionNames: readonly string[];
  /** Options and what they must do to the generated task. */
  readonly honoured: readonly {
    readonly title: string;
    readonly options: Options;
    readonly check: (task: Task) => void;
  }[];
  /** Bad options and the error code each must raise. */
  readonly invalid: readonly { readonly title: string; readonly options: unknown; readonly code: LattnErrorCode }[];
}

/**
 * Registers the conformance tests of one task generator.
 *
 * @param contract - The generator and its option cases.
 */
export function describeTaskGenerator<Options, Task extends GeneratedTask>(
  contract: TaskGeneratorContract<Options, Task>,
): void {
  const { name, generate, small } = contract;
  const withSeed = (seed: number): Options => ({ ...small, seed }) as Options;

  describe(`${name} (task generator contract)`, () => {
    it('returns identical data, bit for bit, for the same seed', () => {
      const a = generate(withSeed(7));
      const b = generate(withSeed(7));
      expect(b).toEqual(a);
      a.dataset.inputs.forEach((input, i) => {
        expect(bytesOf(b.dataset.inputs[i])).toEqual(bytesOf(input));
        expect(bytesOf(b.dataset.targets[i])).toEqual(bytesOf(a.dataset.targets[i]));
      });
    });

    it('returns different data for different seeds', () => {
      const a = generate(withSeed(1));
      const b = generate(withSeed(2));
      const same = a.dataset.inputs.every((input, i) =>
        bytesOf(input).every((x, j) => x === bytesOf(b.dataset.inputs[i])[j]),
      );
      expect(same).toBe(false);
    });

    it('returns a valid dataset whose shapes agree with the construction and the options', () => {
      const task = generate(withSeed(3));
      const shape = checkDataset(name, task.dataset);
      expect(shape.numSequences).toBe(task.options.numSequences);
      expect(shape.modelDim).toBe(task.construction.modelDim);
      expect(shape.outputDim).toBe(task.construction.outputDim);
      task.dataset.targets.forEach((target, b) => {
        expect(target.rows).toBe(task.dataset.mode === 'all' ? task.dataset.inputs[b].rows : 1);
      });
    });

    it('contains no NaN or infinity', () => {
      const task = generate(withSeed(4));
      for (const matrix of [...task.dataset.inputs, ...task.dataset.targets]) {
        expect(matrix.data.every(Number.isFinite)).toBe(true);
      }
      for (const head of task.construction.heads) {
        expect(head.value.data.every(Number.isFinite) && head.query.data.every(Number.isFinite)).toBe(true);
      }
    });

    it('survives structuredClone unchanged', () => {
      const task = generate(withSeed(5));
      expect(structuredClone(task)).toEqual(task);
    });

    it('reports the options used with every default filled in', () => {
      const task = generate();
      expect(task.options.seed).toBe(0);
      for (const option of contract.optionNames) expect(task.options).toHaveProperty(option);
      const again = generate(task.options as unknown as Options);
      expect(again).toEqual(task);
    });

    it('does not mutate its options', () => {
      const options = Object.freeze(withSeed(6));
      const copy = structuredClone(options);
      generate(options);
      expect(options).toEqual(copy);
    });

    for (const { title, options, check } of contract.honoured) {
      it(`honours ${title}`, () => check(generate(options)));
    }

    it('throws INVALID_ARGUMENT naming an unknown option', () => {
      expectError(() => generate({ ...small, colour: 'blue' } as Options), 'INVALID_ARGUMENT', name, 'colour');
    });

    it('throws INVALID_ARGUMENT when options is not an object', () => {
      expectError(() => generate(42 as Options), 'INVALID_ARGUMENT', name);
    });

    for (const { title, options, code } of contract.invalid) {
      it(`throws ${code} for ${title}`, () => expectError(() => generate(options as Options), code, name));
    }
  });
}

/** Asserts that `run` throws a LattnError with `code` whose message follows the house template. */
export function expectError(run: () => unknown, code: LattnErrorCode, fn: string, mentions?: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isLattnError(caught), `expected a LattnError, got ${String(caught)}`).toBe(true);
  const error = caught as Error & { code: LattnErrorCode };
  expect(error.code).toBe(code);
  expect(error.message.startsWith(`${fn}: `)).toBe(true);
  expect(error.message).toMatch(/Expected .*; received .*\.$/s);
  if (mentions !== undefined) expect(error.message).toContain(mentions);
}

function bytesOf(matrix: Matrix): Uint8Array {
  return new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength);
}
