/**
 * The worker thread of `moment-workers.ts`: accumulates the feature moments of the shards it is sent, one at a time,
 * and answers each with its accumulator. Node only; started with `workerData = { port, signal }`.
 */

import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'node:worker_threads';
import type { GramAccumulator } from '@lattn/core';
import type { ShardReply, ShardTask } from './moment-workers.js';
import { accumulateFeatureMoments } from './moments.js';

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };

port.on('message', (task: ShardTask) => {
  let reply: ShardReply;
  try {
    const accumulator: GramAccumulator = accumulateFeatureMoments(task.inputs, {
      mode: task.mode,
      ...(task.targets === undefined ? {} : { targets: task.targets }),
      chunkSize: task.chunkSize,
      workers: 1,
      onProgress: () => Atomics.add(signal, 1, 1),
    });
    reply = { accumulator };
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  const transfer = 'accumulator' in reply && reply.accumulator !== undefined ? buffersOf(reply.accumulator) : [];
  port.postMessage(reply, transfer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

function buffersOf(accumulator: GramAccumulator): ArrayBuffer[] {
  return [accumulator.gram.buffer, accumulator.cross.buffer, accumulator.targetGram.buffer] as ArrayBuffer[];
}
