import type {
  ChunkReply,
  ChunkRequest,
  TaskRef,
  WorkerBackend,
  WorkerEvents,
  WorkerHandle,
} from './types.js';

/**
 * Web Workers (module workers) in browsers: each worker runs `browser-worker.js` from this
 * folder, written as `new Worker(new URL('./browser-worker.js', import.meta.url), { type:
 * 'module' })` so that bundlers such as Vite find and bundle it. Task modules must be URLs the
 * browser can import (same origin or CORS-enabled). This is the default backend wherever a
 * global `Worker` exists and no other backend was registered.
 *
 * @example
 * setDefaultBackend(browserWorkerBackend);
 */
export const browserWorkerBackend: WorkerBackend = {
  name: 'web-worker',
  inThread: false,
  concurrency() {
    const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency;
    return typeof n === 'number' && n > 0 ? n : 2;
  },
  spawn(_task: TaskRef, events: WorkerEvents): WorkerHandle {
    const worker = new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent) => events.onMessage(e.data as ChunkReply);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      events.onError(
        new Error(`web worker failed: ${e.message || 'could not load the worker script'}`),
      );
    };
    worker.onmessageerror = () =>
      events.onError(new Error('web worker reply could not be deserialised'));
    return {
      postMessage(message: ChunkRequest, transfer: ArrayBuffer[]) {
        worker.postMessage(message, transfer);
      },
      async terminate() {
        worker.terminate();
      },
    };
  },
};
