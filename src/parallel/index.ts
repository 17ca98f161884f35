/**
 * `nanolum/parallel`: one small parallel map for every domain (per-pixel fits, Monte Carlo).
 * A task is a module URL + exported function name; each item gets a random stream that depends
 * only on (seed, index), so results do not depend on the number of workers.
 */
export { parallelMap } from './parallel-map.js';
export {
  createWorkerPool,
  getSharedWorkerPool,
  growWorkerPool,
  closeSharedWorkerPools,
} from './pool.js';
export type { WorkerPool, WorkerPoolOptions } from './pool.js';
export { setDefaultBackend, getDefaultBackend } from './backend.js';
export { inThreadBackend } from './in-thread.js';
export { browserWorkerBackend } from './browser.js';
export { ParallelTaskError } from './errors.js';
export type { TaskErrorInfo } from './errors.js';
export type {
  TaskRef,
  TaskContext,
  TaskFunction,
  ParallelMapOptions,
  PoolMapOptions,
  WorkerBackend,
  WorkerHandle,
  WorkerEvents,
  ChunkRequest,
  ChunkReply,
  NumericArray,
} from './types.js';
