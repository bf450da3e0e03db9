/**
 * Peak memory of the streaming moment pass (ADR 0007): `accumulateFeatureMoments` over `N` sequences, measured in a
 * fresh child process (so that nothing else this process allocated counts) that generates the sequences a batch at
 * a time and adds each batch into one accumulator, with V8's old space capped at 32 MiB so that uncollected garbage
 * does not inflate the figure. If the pass holds `O(D² + chunk · D)` as documented, the peak resident set is about the
 * same for `N = 10⁴` and `N = 10⁵` (measured 70–73 and 79 MiB; the difference is the allocator's, from generating
 * ten times as many input arrays).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BenchOperation } from './types.js';

/** The workload of the memory rows: sequences of 16 tokens at `d = 8` (`D = 288`), one output. */
export const MEMORY_WORKLOAD = { length: 16, modelDim: 8, outputDim: 1, batch: 1000 } as const;

/** What the child process reports. */
export interface MomentMemory {
  /** Peak resident set size of the child, in MiB. */
  readonly peakRssMiB: number;
  /** Examples accumulated (`N · length`). */
  readonly count: number;
}

/** The child's program: `argv[1]` = core URL, `argv[2]` = feature-map URL, `argv[3]` = sequences. */
const CHILD = `
const [core, featureMap, sequences] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const { createRng } = await import(core);
const { accumulateFeatureMoments } = await import(featureMap);
const { length, modelDim, outputDim, batch } = JSON.parse(process.argv[4]);
const rng = createRng(0);
let accumulator;
for (let done = 0; done < sequences; done += batch) {
  const count = Math.min(batch, sequences - done);
  const inputs = Array.from({ length: count }, () => rng.normalMatrix(length, modelDim));
  const targets = inputs.map(() => rng.normalMatrix(length, outputDim));
  accumulator = accumulateFeatureMoments(inputs, { targets, workers: 1, ...(accumulator ? { accumulator } : {}) });
}
process.stdout.write(JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024, count: accumulator.count }));
`;

/** The URL of a package this one depends on, for the child process to import. */
function moduleUrl(name: string): string {
  return pathToFileURL(createRequire(import.meta.url).resolve(name)).href;
}

/**
 * Runs the moment pass over `sequences` sequences in a child process.
 *
 * @param sequences - `N`.
 * @returns The child's peak resident set and the examples it accumulated.
 * @throws Error with the child's stderr when it fails.
 */
export function measureMomentMemory(sequences: number): MomentMemory {
  const child = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=32',
      '--max-semi-space-size=1',
      '--input-type=module',
      '-e',
      CHILD,
      moduleUrl('@lattn/core'),
      moduleUrl('@lattn/feature-map'),
      String(sequences),
      JSON.stringify(MEMORY_WORKLOAD),
    ],
    { encoding: 'utf8', maxBuffer: 1024 * 1024 },
  );
  if (child.status !== 0) throw new Error(`the moment-memory child failed (exit ${child.status}):\n${child.stderr}`);
  return JSON.parse(child.stdout) as MomentMemory;
}

/** The `moments-memory` operation: the size is `N`, the time is the child's, the note its peak memory. */
export function createMomentMemoryOperation(sizes: readonly number[]): BenchOperation {
  let latest: MomentMemory | undefined;
  const { length, modelDim, batch } = MEMORY_WORKLOAD;
  const dim = (modelDim * modelDim * (modelDim + 1)) / 2;
  return {
    name: 'moments-memory',
    convention:
      `accumulateFeatureMoments over N sequences (the size column) of ${length} tokens at d = ${modelDim} ` +
      `(D = ${dim}), generated and added ${batch} at a time in a fresh child process (one thread, V8 old space ` +
      'capped at 32 MiB so that uncollected garbage does not inflate it); the note is the peak resident set of that process, ' +
      'which the documented O(D² + chunk · D) memory keeps about the same for every N (an (N, D) feature matrix ' +
      'would be 352 MiB at N = 10⁴ and 3.4 GiB at 10⁵). ' +
      'Time includes starting Node. Flops: N·16·D²/2 (the structure-aware Gram)',
    ownSizes: sizes,
    flops: (sequences) => (sequences * length * dim * dim) / 2,
    prepare: (sequences) => () => {
      latest = measureMomentMemory(sequences);
    },
    note: () => (latest === undefined ? undefined : `peak RSS ${latest.peakRssMiB.toFixed(0)} MiB`),
  };
}
