import { CancelledError } from '../core/errors.js';
import { getDefaultBackend } from './backend.js';
import { inThreadBackend } from './in-thread.js';
import {
  checkMapArguments,
  createWorkerPool,
  getSharedWorkerPool,
  growWorkerPool,
} from './pool.js';
import type { ParallelMapOptions, TaskRef, WorkerBackend } from './types.js';

/**
 * Map a task over items on several workers; results come back in input order.
 *
 * Workers cannot receive closures, so the task is a module URL and the name of a function it
 * exports: `fn(item, { rng, index })`, which may return a value or a promise. Item `index` gets
 * the random stream `createRng(seed).split(index)`: it depends only on (seed, index), so results
 * are identical with 0, 1 or 8 workers and any chunk size. Items travel to workers by structured
 * cloning (typed-array items are copied into buffers of their own and transferred, so views into
 * one big cube do not drag the whole cube along); typed arrays returned by the task are
 * transferred back without copying.
 *
 * `workers: 0` or `1` runs everything in the calling thread (no worker, no cloning). Otherwise
 * the backend is `options.backend`, else the default one: `worker_threads` once `nanolum/node`
 * is imported, Web Workers in browsers. TypeScript task modules (`.ts` URLs, e.g. under Vitest)
 * run in Node workers through tsx (a devDependency); compiled `.js` modules run plainly.
 *
 * By default the workers are started for this call and terminated before it settles. With
 * `keepAlive: true` the map runs on the backend's shared persistent pool (`getSharedWorkerPool`):
 * workers started by an earlier call are reused warm (no start-up, task modules already imported,
 * code already compiled), and idle ones do not keep a Node process alive.
 *
 * Rejects with `ParallelTaskError` (message = the task's message plus the item index; `.index`,
 * `.taskError`) when a task throws, `InvalidInputError` when the task module or function cannot
 * be loaded or an item cannot be sent, and `CancelledError` when `signal` aborts; in every case
 * the workers still running items of this map are terminated first (with `keepAlive`, the pool
 * replaces them when it next needs them).
 *
 * @example
 * // fit-task.ts: export function fitPixel(decay: Float64Array, { rng }: TaskContext) { ... }
 * import 'nanolum/node'; // in Node: registers the worker_threads backend
 * const fits = await parallelMap<Float64Array, FitSummary>(
 *   { module: new URL('./fit-task.js', import.meta.url).href, fn: 'fitPixel' },
 *   decays,
 *   { workers: 2, seed: 42, onProgress: (done, total) => console.log(`${done}/${total}`) },
 * );
 */
export async function parallelMap<T = unknown, R = unknown>(
  task: TaskRef,
  items: ArrayLike<T>,
  options: ParallelMapOptions = {},
): Promise<R[]> {
  checkMapArguments(task, items, options, 'parallelMap');
  if (options.signal?.aborted) throw new CancelledError('parallelMap: cancelled before it started');
  if (items.length === 0) return [];
  const { backend: chosen, keepAlive, ...mapOptions } = options;
  const requested = options.workers;
  const backend: WorkerBackend =
    requested !== undefined && requested <= 1 ? inThreadBackend : (chosen ?? getDefaultBackend());
  if (backend.inThread) mapOptions.workers = 1;
  if (keepAlive && !backend.inThread) {
    const pool = getSharedWorkerPool(backend);
    if (requested !== undefined) growWorkerPool(pool, requested);
    return pool.map<T, R>(task, items, mapOptions);
  }
  const pool = createWorkerPool({
    backend,
    workers: backend.inThread ? 1 : Math.max(1, requested ?? backend.concurrency()),
  });
  try {
    return await pool.map<T, R>(task, items, mapOptions);
  } finally {
    await pool.close();
  }
}
