import { runChunk } from './worker-core.js';
import type { ChunkRequest, TaskRef, WorkerBackend, WorkerEvents, WorkerHandle } from './types.js';

/** Let timers, I/O and abort events run between chunks. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The fallback backend: one "worker" that runs chunks in the calling thread, one after another,
 * yielding to the event loop between chunks (so progress is reported and an AbortSignal is
 * noticed). Items and results are passed by reference, not cloned. `parallelMap` uses it for
 * `workers: 0` or `1`, and when no other backend exists.
 *
 * @example
 * const out = await parallelMap(task, items, { backend: inThreadBackend });
 */
export const inThreadBackend: WorkerBackend = {
  name: 'in-thread',
  inThread: true,
  concurrency: () => 1,
  spawn(_task: TaskRef, events: WorkerEvents): WorkerHandle {
    let stopped = false;
    let queue: Promise<void> = Promise.resolve();
    return {
      postMessage(message: ChunkRequest) {
        queue = queue.then(async () => {
          await nextMacrotask();
          if (stopped) return;
          const { reply } = await runChunk(message, { transfer: false, shouldStop: () => stopped });
          if (!stopped) events.onMessage(reply);
        });
        queue.catch((e: unknown) => {
          if (!stopped) events.onError(e instanceof Error ? e : new Error(String(e)));
        });
      },
      async terminate() {
        stopped = true;
      },
    };
  },
};
