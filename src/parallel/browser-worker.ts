/**
 * Entry of a browser Web Worker (module worker) running nanolum tasks. Started by
 * `browserWorkerBackend`; answers chunk requests with the shared worker body.
 */
import { answer } from './worker-core.js';
import type { ChunkReply } from './types.js';

interface ModuleWorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: ChunkReply, transfer: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as ModuleWorkerScope;
scope.onmessage = (event) => {
  void answer(event.data, (reply, transfer) => scope.postMessage(reply, transfer));
};
