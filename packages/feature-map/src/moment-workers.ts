/**
 * Worker threads for `accumulateFeatureMoments` (ADR 0007): a batch is cut into contiguous shards of sequences, the
 * first accumulated by the calling thread and the others by a pool of Node `worker_threads`, each into its own
 * accumulator; the caller then adds them up in shard order. Sums merge by addition, so the result is one pass's
 * moments up to the grouping of the additions: it depends on the number of shards, never on timing.
 *
 * The calling thread waits synchronously (`Atomics.wait`, allowed on Node's main thread) and reads the answers with
 * `receiveMessageOnPort`, so `accumulateFeatureMoments` stays a synchronous function. `worker_threads` is reached
 * through `process.getBuiltinModule`, never imported, so browsers bundle this file without Node modules; there, and
 * wherever the worker script cannot be started, the shards run one after another in the calling thread (same
 * numbers). Workers are started on first use, kept for later calls, and `unref`'d so that they never keep a process
 * alive.
 */
import type { GramAccumulator, Matrix, PositionMode } from '@lattn/core';

/** What a worker is asked to accumulate. */
export interface ShardTask {
  readonly inputs: readonly Matrix[];
  readonly targets: readonly Matrix[] | undefined;
  readonly mode: PositionMode;
  readonly chunkSize: number;
}

/** A worker's answer. */
export type ShardReply = { readonly accumulator: GramAccumulator } | { readonly error: string };

/** The part of `node:worker_threads` used here. */
interface WorkerThreads {
  readonly Worker: new (
    url: URL,
    options: { workerData: unknown; transferList: unknown[] },
  ) => { unref(): void; terminate(): unknown };
  readonly MessageChannel: new () => { port1: Port; port2: Port };
  receiveMessageOnPort(port: Port): { message: unknown } | undefined;
}

interface Port {
  postMessage(message: unknown): void;
  unref?(): void;
}

interface PoolWorker {
  readonly worker: { terminate(): unknown };
  readonly port: Port;
  /** `[done flag, progress counter]`, shared with the worker. */
  readonly signal: Int32Array;
}

/** Seconds without progress after which a worker is given up and its shard computed here. */
const STALL_SECONDS = 60;

const pool: PoolWorker[] = [];

interface NodeProcess {
  getBuiltinModule?(name: string): unknown;
}

function builtin<T>(name: string): T | undefined {
  const node = (globalThis as { process?: NodeProcess }).process;
  return typeof node?.getBuiltinModule === 'function' ? (node.getBuiltinModule(name) as T | undefined) : undefined;
}

/**
 * The number of threads `workers: 'auto'` may use: the runtime's available parallelism where worker threads can
 * start (Node), else 1.
 */
export function availableThreads(): number {
  if (workerScript() === undefined) return 1;
  const os = builtin<{ availableParallelism?: () => number }>('node:os');
  return Math.max(1, os?.availableParallelism?.() ?? 1);
}

/** The compiled worker script next to this module, when it exists and `worker_threads` is available. */
function workerScript(): URL | undefined {
  if (builtin<WorkerThreads>('node:worker_threads') === undefined) return undefined;
  const url = new URL('./moments-worker.js', import.meta.url);
  const fs = builtin<{ existsSync(path: URL): boolean }>('node:fs');
  return url.protocol === 'file:' && fs?.existsSync(url) === true ? url : undefined;
}

/** Starts pool workers until there are `count`; returns how many there are. */
function grow(count: number): number {
  const threads = builtin<WorkerThreads>('node:worker_threads');
  const url = workerScript();
  if (threads === undefined || url === undefined) return 0;
  while (pool.length < count) {
    try {
      const { port1, port2 } = new threads.MessageChannel();
      const signal = new Int32Array(new SharedArrayBuffer(8));
      const worker = new threads.Worker(url, { workerData: { port: port2, signal }, transferList: [port2] });
      worker.unref();
      port1.unref?.();
      pool.push({ worker, port: port1, signal });
    } catch {
      break;
    }
  }
  return pool.length;
}

/**
 * Accumulates `tasks[0]` with `local` in this thread and the other tasks in worker threads (or here, in order, when
 * no worker can run them), and returns the accumulators of tasks `1 …`, in order.
 */
export function runShards(
  tasks: readonly ShardTask[],
  local: (task: ShardTask) => void,
  inline: (task: ShardTask) => GramAccumulator,
): GramAccumulator[] {
  const remote = tasks.slice(1);
  const entries = pool.slice(0, Math.min(grow(remote.length), remote.length));
  entries.forEach((entry, i) => {
    Atomics.store(entry.signal, 0, 0);
    entry.port.postMessage(remote[i]);
  });
  local(tasks[0]);
  return remote.map((task, i) => (i < entries.length ? collect(entries[i], task, inline) : inline(task)));
}

/** Waits for a worker's answer; computes the shard here if the worker failed or stopped making progress. */
function collect(entry: PoolWorker, task: ShardTask, inline: (task: ShardTask) => GramAccumulator): GramAccumulator {
  const threads = builtin<WorkerThreads>('node:worker_threads') as WorkerThreads;
  let progress = Atomics.load(entry.signal, 1);
  let quiet = 0;
  while (Atomics.load(entry.signal, 0) === 0) {
    Atomics.wait(entry.signal, 0, 0, 1000);
    const now = Atomics.load(entry.signal, 1);
    quiet = now === progress ? quiet + 1 : 0;
    progress = now;
    if (quiet >= STALL_SECONDS) {
      retire(entry);
      return inline(task);
    }
  }
  const reply = threads.receiveMessageOnPort(entry.port)?.message as ShardReply | undefined;
  if (reply === undefined || !('accumulator' in reply)) {
    retire(entry);
    return inline(task);
  }
  return reply.accumulator;
}

function retire(entry: PoolWorker): void {
  entry.worker.terminate();
  pool.splice(pool.indexOf(entry), 1);
}
