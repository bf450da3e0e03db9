/**
 * The conformance suite every task generator passes (STYLE 7.8, "contract suites"): determinism per seed,
 * different data for different seeds, consistent shapes, finite values, serialisability, resolved options,
 * honoured options and clear errors for bad options — and, as properties over random option values (fast-check,
 * issue #9): determinism, shapes, finiteness and exactness of the construction for any valid options, a LattnError
 * for any junk value of any option, and NON_FINITE / SHAPE_MISMATCH from every metric for NaN, ±Infinity or
 * misshapen outputs. Also the assertions the generator tests share. Test-only: excluded from the build.
 */
import { checkDataset, isLattnError, type LattnErrorCode, type Matrix } from '@lattn/core';
import { expectLattnError, expectMatrixClose } from '@lattn/core/testing';
import { createModel, forward, type MhlaModel } from '@lattn/feature-map';
import fc from 'fast-check';
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
  /** Valid options (with `seed`) over the generator's ranges, kept small enough to generate in milliseconds. */
  readonly arbitrary: fc.Arbitrary<Options>;
  /** Checks that the construction computes the targets (exactly, or to a stated tolerance), given its outputs. */
  readonly exact: (task: Task, outputs: readonly Matrix[]) => void;
  /** The decoders and metrics that read model outputs, each of which must refuse NaN, ±Infinity and bad shapes. */
  readonly readers: readonly {
    readonly name: string;
    readonly read: (outputs: readonly Matrix[], task: Task) => unknown;
  }[];
}

/** Values that no option of any generator accepts (the seeds accept -1; the property allows success for it). */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1, 0.5, 2 ** 53, -(2 ** 60)),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((value) => !Number.isInteger(value)),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.bigInt(),
);

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
      expectLattnError(() => generate({ ...small, colour: 'blue' } as Options), 'INVALID_ARGUMENT', name, ['colour']);
    });

    it('throws INVALID_ARGUMENT when options is not an object', () => {
      expectLattnError(() => generate(42 as Options), 'INVALID_ARGUMENT', name);
    });

    for (const { title, options, code } of contract.invalid) {
      it(`throws ${code} for ${title}`, () => {
        expectLattnError(() => generate(options as Options), code, name);
      });
    }

    it('gives, for any valid options, the same task twice, shapes that follow the options, finite data and a construction that computes the targets', () => {
      fc.assert(
        fc.property(contract.arbitrary, (options) => {
          const task = generate(options);
          expect(generate(options)).toEqual(task);
          const shape = checkDataset(name, task.dataset);
          expect(shape.numSequences).toBe(task.options.numSequences);
          expect([shape.modelDim, shape.outputDim]).toEqual([task.construction.modelDim, task.construction.outputDim]);
          for (const [key, value] of Object.entries(options as object)) {
            expect(task.options, key).toHaveProperty(key, value);
          }
          contract.exact(task, forward(task.construction, task.dataset.inputs, { mode: task.dataset.mode }));
        }),
        { numRuns: 25, seed: 9 },
      );
    });

    it('throws INVALID_ARGUMENT or TOO_LARGE in the house template for a junk value of any option, and nothing else', () => {
      fc.assert(
        fc.property(fc.constantFrom(...contract.optionNames), junk, (option, value) => {
          let caught: unknown;
          try {
            generate({ ...small, [option]: value } as Options);
          } catch (error) {
            caught = error;
          }
          if (caught === undefined) {
            expect(option.toLowerCase(), `${option} accepted ${String(value)}`).toContain('seed');
            return;
          }
          expect(isLattnError(caught), `${option} = ${String(value)} threw ${String(caught)}`).toBe(true);
          const error = caught as Error & { code: LattnErrorCode };
          expect(['INVALID_ARGUMENT', 'TOO_LARGE']).toContain(error.code);
          expect(error.message.startsWith(`${name}: `)).toBe(true);
          expect(error.message).toMatch(/Expected .*; received .*\.$/s);
          expect(error.message).not.toContain('\n');
        }),
        { numRuns: 150, seed: 10 },
      );
    });

    it('makes every decoder and metric refuse a NaN or ±Infinity anywhere in the outputs (NON_FINITE) and misshapen outputs (SHAPE_MISMATCH), never decoding them', () => {
      const task = generate(withSeed(11));
      const outputs = forward(task.construction, task.dataset.inputs, { mode: task.dataset.mode });
      const poisoned = fc.record({
        b: fc.nat(outputs.length - 1),
        fraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        value: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      });
      for (const { name: reader, read } of contract.readers) {
        fc.assert(
          fc.property(poisoned, ({ b, fraction, value }) => {
            const copy = outputs.map((output) => ({ ...output, data: output.data.slice() }));
            copy[b].data[Math.floor(fraction * copy[b].data.length)] = value;
            expectLattnError(() => read(copy, task), 'NON_FINITE', reader);
          }),
          { numRuns: 20, seed: 12 },
        );
        const first = outputs[0];
        expectLattnError(() => read(outputs.slice(1), task), 'SHAPE_MISMATCH', reader);
        expectLattnError(
          () =>
            read(
              [
                { rows: first.rows, cols: first.cols + 1, data: new Float64Array(first.rows * (first.cols + 1)) },
                ...outputs.slice(1),
              ],
              task,
            ),
          'SHAPE_MISMATCH',
          reader,
        );
        expectLattnError(
          () => read([{ rows: 1, cols: 1, data: new Float64Array(3) }, ...outputs.slice(1)], task),
          'INVALID_ARGUMENT',
          reader,
        );
      }
    });
  });
}

function bytesOf(matrix: Matrix): Uint8Array {
  return new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength);
}

/** Asserts that every output matrix equals the matching target of `dataset` to `atol` (no relative slack). */
export function expectOutputsMatchTargets(
  outputs: readonly Matrix[],
  dataset: { readonly targets: readonly Matrix[] },
  atol: number,
): void {
  expect(outputs).toHaveLength(dataset.targets.length);
  outputs.forEach((output, b) => {
    expectMatrixClose(output, dataset.targets[b], { rtol: 0, atol, label: `outputs[${b}]` });
  });
}

/** Indices of the non-zero entries of a 0/1 row of a one-hot encoding, each of which must be exactly 1. */
export function hotIndices(row: readonly number[]): number[] {
  const indices: number[] = [];
  row.forEach((x, i) => {
    if (x !== 0) {
      expect(x).toBe(1);
      indices.push(i);
    }
  });
  return indices;
}

/** The model with every value and query entry multiplied by `factor` (outputs scale by `factor²`). */
export function scaleHeads(model: MhlaModel, factor: number): MhlaModel {
  return createModel({
    heads: model.heads.map(({ value, query }) => ({
      value: { ...value, data: value.data.map((x) => x * factor) },
      query: { ...query, data: query.data.map((x) => x * factor) },
    })),
  });
}
