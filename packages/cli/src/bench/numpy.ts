/**
 * The numpy reference of `lattn bench`: finds a Python with numpy, runs an embedded script that times the
 * numpy equivalents of the benchmarked operations with the same warm-up-then-best-of rule as `measure.ts`, and
 * reads its JSON answer. numpy runs twice: pinned to one thread, and with its default threads.
 */
import { spawnSync } from 'node:child_process';
import type { MeasureOptions, Timing } from './measure.js';
import type { NumpyEquivalent } from './types.js';

/** One case for the Python script. */
export interface NumpyCase extends NumpyEquivalent {
  /** The operation name, echoed back. */
  readonly operation: string;
  /** The size `n`. */
  readonly size: number;
}

/** A Python interpreter that imports numpy. */
export interface NumpyRuntime {
  /** The interpreter, as run: `'python3'` (from PATH) or `'/usr/bin/python3'`. */
  readonly python: string;
  /** numpy's version. */
  readonly version: string;
}

/** numpy's timings of one run of the script. */
export interface NumpyTimings {
  /** The thread setting: `'1 thread'` or `'default threads'`. */
  readonly threads: string;
  /** Timings keyed by `${operation}@${size}`. */
  readonly timings: ReadonlyMap<string, Timing>;
}

/**
 * The Python side: reads `{ cases, options }` (JSON, first argument), times each case's `run` after its `setup`
 * with the rule and clock of `measure.ts` (`time.process_time` for the CPU clock), and prints
 * `{ version, results: [{ key, seconds, runs }] }`.
 */
const TIMING_SCRIPT = `
import json, math, sys, time
import numpy as np

request = json.loads(sys.argv[1])
options = request['options']

now = time.process_time if options.get('clock') == 'cpu' else time.perf_counter

def once(run, scope):
    start = now()
    eval(run, scope)
    return now() - start

results = []
for case in request['cases']:
    scope = {'np': np, 'n': case['size'], 'rng': np.random.default_rng(0)}
    exec(case['setup'], scope)
    run = compile(case['run'], '<bench>', 'eval')
    first = once(run, scope)
    if first >= options['singleRunSeconds']:
        results.append({'key': case['operation'] + '@' + str(case['size']), 'seconds': first, 'runs': 1})
        continue
    warmup_calls, latest, elapsed = 1, first, first
    while elapsed < options['minSampleSeconds']:
        latest = once(run, scope)
        warmup_calls += 1
        elapsed += latest
    calls = max(1, math.ceil(options['minSampleSeconds'] / max(latest, 1e-9)))
    best = math.inf
    for _ in range(options['repeats']):
        start = now()
        for _ in range(calls):
            eval(run, scope)
        best = min(best, (now() - start) / calls)
    results.append({'key': case['operation'] + '@' + str(case['size']), 'seconds': best, 'runs': warmup_calls + options['repeats'] * calls})
print(json.dumps({'version': np.__version__, 'results': results}))
`;

const THREAD_VARIABLES = ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'];
const PINNING_VARIABLES = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/**
 * Finds the Python to compare against: `python3` on PATH if it imports numpy, else `/usr/bin/python3` (Debian's
 * python3-numpy) if that does.
 *
 * @param env - The environment to search PATH in.
 * @returns The interpreter and numpy's version, or `undefined` when neither imports numpy.
 */
export function findNumpy(env: NodeJS.ProcessEnv = process.env): NumpyRuntime | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import numpy; print(numpy.__version__)'], {
      env: referenceEnvironment(env, true),
      encoding: 'utf8',
    });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return undefined;
}

/**
 * Times every case in a Python subprocess, with BLAS pinned to one thread or left at its default. The subprocess
 * inherits the environment minus `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` (which pin OpenBLAS to a kernel or
 * cache size chosen for another machine) and minus any thread limits, which are then set to 1 for `singleThread`.
 *
 * @param runtime - The interpreter from {@link findNumpy}.
 * @param cases - The operations and sizes to time.
 * @param options - The same sampling rule as the JavaScript side.
 * @param singleThread - Pin BLAS to one thread.
 * @param env - The environment the subprocess starts from.
 * @returns The timings.
 * @throws Error with Python's stderr when the script fails (a bug in an operation's numpy snippet).
 */
export function timeWithNumpy(
  runtime: NumpyRuntime,
  cases: readonly NumpyCase[],
  options: MeasureOptions,
  singleThread: boolean,
  env: NodeJS.ProcessEnv = process.env,
): NumpyTimings {
  const request = JSON.stringify({ cases, options });
  const child = spawnSync(runtime.python, ['-c', TIMING_SCRIPT, request], {
    env: referenceEnvironment(env, singleThread),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) {
    throw new Error(`the numpy timing script failed (exit ${child.status}):\n${child.stderr || child.error?.message}`);
  }
  const answer = JSON.parse(child.stdout) as { results: { key: string; seconds: number; runs: number }[] };
  return {
    threads: singleThread ? '1 thread' : 'default threads',
    timings: new Map(answer.results.map((result) => [result.key, { seconds: result.seconds, runs: result.runs }])),
  };
}

/**
 * The environment of the numpy subprocess: `env` without the OpenBLAS pinning variables and thread limits, with
 * every thread limit set to 1 when `singleThread`.
 *
 * @param env - The environment to start from; not modified.
 * @param singleThread - Pin BLAS to one thread.
 * @returns A fresh environment.
 */
export function referenceEnvironment(env: NodeJS.ProcessEnv, singleThread: boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of [...PINNING_VARIABLES, ...THREAD_VARIABLES]) delete out[name];
  if (singleThread) for (const name of THREAD_VARIABLES) out[name] = '1';
  return out;
}
