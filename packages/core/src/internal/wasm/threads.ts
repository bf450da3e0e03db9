/**
 * Worker threads for the WASM products (ADR 0007): on Node's main thread, a pool of `node:worker_threads` that
 * instantiate the same kernel module on the same shared memory and run jobs — calls of one of its exports, such as
 * `packSlabs` on a range of columns or `productUnits` claiming units of rows of C — while the calling thread runs the
 * first job. The caller waits synchronously (`Atomics.wait`, allowed on Node's main thread), so every public function
 * stays synchronous. Internal.
 *
 * The worker's program is a short script passed as source (`eval`), so no file has to be found next to this module
 * (tests run from the TypeScript sources, bundles move files). `worker_threads` is reached through
 * `process.getBuiltinModule`, never imported, so browsers bundle this file without Node modules; there, in worker
 * threads (no nested pools) and wherever the memory is not shared, every job runs in the calling thread. Workers are
 * started on first use, kept for later calls, and `unref`'d so that they never keep a process alive.
 */
import type { WasmKernels } from './instance.js';

/** The most threads a product uses, the calling one included. */
export const MAX_THREADS = 8;

/** Seconds without progress after which a worker is given up. */
const STALL_SECONDS = 60;

/** A worker's answer in `signal[0]`: still running, done, could not start (nothing written), failed while running. */
const RUNNING = 0;
const DONE = 1;
const UNAVAILABLE = 2;
const FAILED = 3;

/**
 * Flops (`2·n·p·q`, half that for an upper triangle) from which `'auto'` runs a product on every available thread:
 * handing a job to a waiting worker and waking it costs about 0.1 ms, a few percent of a product this size.
 */
export const AUTO_THREAD_FLOPS = 5e7;

/** The program of a pool worker (CommonJS, run with `eval`). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, port, signal } = workerData;
let kernels;
try {
  kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const own = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const warm = new WebAssembly.Instance(module, { env: { memory: own } }).exports;
  own.grow(Math.ceil((warm.heapBase() + warm.warmUpBytes()) / 65536));
  warm.warmUp(warm.heapBase());
} catch {
  kernels = undefined;
}
port.on('message', ([name, args]) => {
  let status = ${UNAVAILABLE};
  if (kernels !== undefined) {
    status = ${FAILED};
    try {
      kernels[name](...args);
      status = ${DONE};
    } catch {}
  }
  Atomics.store(signal, 0, status);
  Atomics.notify(signal, 0);
});
`;

/** The part of `node:worker_threads` used here. */
interface WorkerThreads {
  readonly isMainThread: boolean;
  readonly Worker: new (
    source: string,
    options: { eval: true; workerData: unknown; transferList: unknown[] },
  ) => { unref(): void; terminate(): unknown };
  readonly MessageChannel: new () => { port1: Port; port2: Port };
}

interface Port {
  postMessage(message: unknown): void;
  unref?(): void;
}

interface PoolWorker {
  readonly worker: { terminate(): unknown };
  readonly port: Port;
  /** `[status]`, shared with the worker. */
  readonly signal: Int32Array;
}

interface NodeProcess {
  getBuiltinModule?(name: string): unknown;
}

const pool: PoolWorker[] = [];
/** The memory the pool's workers were started on (a new instance needs a new pool). */
let poolMemory: unknown;

function builtin<T>(name: string): T | undefined {
  const node = (globalThis as { process?: NodeProcess }).process;
  return typeof node?.getBuiltinModule === 'function' ? (node.getBuiltinModule(name) as T | undefined) : undefined;
}

/** Whether products can run on worker threads here: Node's main thread, with the kernels on a shared memory. */
function canUseWorkers(kernels: WasmKernels): boolean {
  if (kernels.shared === undefined) return false;
  const threads = builtin<WorkerThreads>('node:worker_threads');
  return threads?.isMainThread === true;
}

/**
 * The number of threads a product of `flops` floating-point operations runs on, the calling one included: for
 * `'auto'`, the runtime's available parallelism (at most {@link MAX_THREADS}) from {@link AUTO_THREAD_FLOPS} on, else
 * 1; for a count, that count (at most {@link MAX_THREADS}). Always 1 where workers cannot run.
 */
export function productThreads(kernels: WasmKernels, flops: number, workers: number | 'auto'): number {
  if (!canUseWorkers(kernels)) return 1;
  if (workers !== 'auto') return Math.max(1, Math.min(MAX_THREADS, workers));
  if (flops < AUTO_THREAD_FLOPS) return 1;
  const os = builtin<{ availableParallelism?: () => number }>('node:os');
  return Math.max(1, Math.min(MAX_THREADS, os?.availableParallelism?.() ?? 1));
}

/** The exports that jobs run: each takes a progress counter's address as its last argument. */
export type KernelJobName = 'packSlabs' | 'productUnits';

/**
 * Runs the module's export `name` with each argument list: the first in this thread, the others in pool workers
 * started as needed (or here, in order, when none can start), and returns when all are done.
 *
 * @param jobs - Argument lists; the last argument of each is the address of an `i32` progress counter that the
 * export increments as it works.
 * @throws Error (an internal failure) when a worker fails while running its job or makes no progress for 60 s: what
 * it was writing may then be partly written, so no result is returned.
 */
export function runKernelJobs(kernels: WasmKernels, name: KernelJobName, jobs: readonly (readonly number[])[]): void {
  const run = (job: readonly number[]): void => (kernels.exports[name] as (...args: readonly number[]) => void)(...job);
  const remote = jobs.slice(1);
  const entries = remote.length === 0 ? [] : pool.slice(0, Math.min(grow(kernels, remote.length), remote.length));
  entries.forEach((entry, i) => {
    Atomics.store(entry.signal, 0, RUNNING);
    entry.port.postMessage([name, remote[i]]);
  });
  run(jobs[0]);
  remote.forEach((job, i) => {
    if (i >= entries.length || !finished(kernels, entries[i], job)) run(job);
  });
}

/**
 * Waits for a worker's job. `true` when it is done; `false` when the worker could not run it (nothing was written:
 * the caller runs it).
 */
function finished(kernels: WasmKernels, entry: PoolWorker, job: readonly number[]): boolean {
  const counter = new Int32Array(kernels.exports.memory.buffer, job[job.length - 1], 1); // `progress`, the last argument
  let progress = Atomics.load(counter, 0);
  let quiet = 0;
  while (Atomics.load(entry.signal, 0) === RUNNING) {
    Atomics.wait(entry.signal, 0, RUNNING, 1000);
    const now = Atomics.load(counter, 0);
    quiet = now === progress ? quiet + 1 : 0;
    progress = now;
    if (quiet >= STALL_SECONDS) {
      retire(entry);
      throw new Error(`a kernel worker thread made no progress for ${STALL_SECONDS} s`);
    }
  }
  const status = Atomics.load(entry.signal, 0);
  if (status === DONE) return true;
  retire(entry);
  if (status === UNAVAILABLE) return false;
  throw new Error('a kernel worker thread failed while running its job');
}

/** Starts pool workers on the kernels' shared memory until there are `count`; returns how many there are. */
function grow(kernels: WasmKernels, count: number): number {
  const threads = builtin<WorkerThreads>('node:worker_threads');
  const shared = kernels.shared;
  if (threads === undefined || shared === undefined) return 0;
  if (poolMemory !== shared.memory) {
    for (const entry of pool.splice(0)) entry.worker.terminate();
    poolMemory = shared.memory;
  }
  while (pool.length < count) {
    try {
      const { port1, port2 } = new threads.MessageChannel();
      const signal = new Int32Array(new SharedArrayBuffer(4));
      const worker = new threads.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: shared.module, memory: shared.memory, port: port2, signal },
        transferList: [port2],
      });
      worker.unref();
      port1.unref?.();
      pool.push({ worker, port: port1, signal });
    } catch {
      break;
    }
  }
  return pool.length;
}

function retire(entry: PoolWorker): void {
  entry.worker.terminate();
  pool.splice(pool.indexOf(entry), 1);
}
