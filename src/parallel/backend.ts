import { browserWorkerBackend } from './browser.js';
import { inThreadBackend } from './in-thread.js';
import type { WorkerBackend } from './types.js';

let registered: WorkerBackend | null = null;

/**
 * Choose the backend `parallelMap` uses when none is passed in its options. Importing
 * `nanolum/node` registers the `worker_threads` backend; pass `null` to go back to automatic
 * choice (Web Workers where a global `Worker` exists, else in-thread).
 * @example
 * import { setDefaultBackend, inThreadBackend } from 'nanolum/parallel';
 * setDefaultBackend(inThreadBackend); // e.g. to debug a task in one thread
 */
export function setDefaultBackend(backend: WorkerBackend | null): void {
  registered = backend;
}

/**
 * The backend `parallelMap` uses by default (see {@link setDefaultBackend}).
 * @example
 * getDefaultBackend().name; // 'node-worker-threads' after importing nanolum/node
 */
export function getDefaultBackend(): WorkerBackend {
  if (registered) return registered;
  if (typeof (globalThis as { Worker?: unknown }).Worker === 'function')
    return browserWorkerBackend;
  return inThreadBackend;
}
