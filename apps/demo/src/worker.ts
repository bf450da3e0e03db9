/**
 * The Web Worker: every computation of the demo runs here, so the page never freezes. It answers `run` requests
 * with the pipeline's stream of events and keeps the last run's state for `steps` requests.
 */
import { type RunState, runPipeline, stepView } from './pipeline.js';
import type { WorkerEvent, WorkerRequest } from './protocol.js';

/** The part of the dedicated worker scope used here (the page's DOM typings describe `self` as a window). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerEvent): void;
}

const scope = self as unknown as WorkerScope;
let last: { readonly runId: number; readonly state: RunState } | null = null;

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'run') {
    last = null;
    const state = runPipeline(request.runId, request.params, (message) => scope.postMessage(message));
    if (state !== null) last = { runId: request.runId, state };
    return;
  }
  if (last === null || last.runId !== request.runId || last.state.automatonTest === null) return;
  scope.postMessage({ runId: request.runId, type: 'steps', view: stepView(last.state, request.instance) });
};
