import { CancelledError, InvalidInputError, NanolumError } from '../core/errors.js';
import { getDefaultBackend } from './backend.js';
import { ParallelTaskError } from './errors.js';
import { inThreadBackend } from './in-thread.js';
import type {
  ChunkReply,
  ChunkRequest,
  NumericArray,
  ParallelMapOptions,
  TaskRef,
  WorkerBackend,
  WorkerHandle,
} from './types.js';
import { isNumericArray, prepareTransfer } from './worker-core.js';

function checkOptions(task: TaskRef, items: ArrayLike<unknown>, options: ParallelMapOptions): void {
  if (
    !task ||
    typeof task.module !== 'string' ||
    task.module === '' ||
    typeof task.fn !== 'string' ||
    task.fn === ''
  ) {
    throw new InvalidInputError(
      'parallelMap: task must be { module: <module URL>, fn: <exported function name> }, e.g. { module: new URL("./fit-task.js", import.meta.url).href, fn: "fitPixel" }',
    );
  }
  if (!items || typeof items.length !== 'number') {
    throw new InvalidInputError('parallelMap: items must be an array or a typed array');
  }
  const { workers, seed, chunkSize } = options;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) {
    throw new InvalidInputError(
      `parallelMap: workers must be an integer >= 0, got ${String(workers)}`,
    );
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new InvalidInputError(
      `parallelMap: seed must be an integer with |seed| < 2^53, got ${String(seed)}`,
    );
  }
  if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1)) {
    throw new InvalidInputError(
      `parallelMap: chunkSize must be an integer >= 1, got ${String(chunkSize)}`,
    );
  }
}

function sliceItems(
  items: ArrayLike<unknown>,
  start: number,
  end: number,
): unknown[] | NumericArray {
  if (isNumericArray(items)) return items.subarray(start, end) as NumericArray;
  if (Array.isArray(items)) return items.slice(start, end);
  return Array.from({ length: end - start }, (_, j) => items[start + j]);
}

function taskName(task: TaskRef): string {
  return `task "${task.fn}" (${task.module})`;
}

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
 * Rejects with `ParallelTaskError` (message = the task's message plus the item index; `.index`,
 * `.taskError`) when a task throws, `InvalidInputError` when the task module or function cannot
 * be loaded or an item cannot be sent, and `CancelledError` when `signal` aborts; in every case
 * all workers are terminated first.
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
  checkOptions(task, items, options);
  const { signal, onProgress } = options;
  const seed = options.seed ?? 0;
  if (signal?.aborted) throw new CancelledError('parallelMap: cancelled before it started');
  const total = items.length;
  if (total === 0) return [];

  const requested = options.workers;
  const backend: WorkerBackend =
    requested !== undefined && requested <= 1
      ? inThreadBackend
      : (options.backend ?? getDefaultBackend());
  const wanted = backend.inThread ? 1 : Math.max(1, requested ?? backend.concurrency());
  const chunkSize =
    options.chunkSize ?? Math.max(1, Math.min(4096, Math.ceil(total / (wanted * 16))));
  const nChunks = Math.ceil(total / chunkSize);
  const nWorkers = Math.min(wanted, nChunks);

  return new Promise<R[]>((resolve, reject) => {
    const results = new Array<R>(total);
    const handles: WorkerHandle[] = [];
    let nextChunk = 0;
    let done = 0;
    let finished = false;

    const cleanup = async () => {
      signal?.removeEventListener('abort', onAbort);
      await Promise.allSettled(handles.map((h) => h.terminate()));
    };
    const fail = (error: Error) => {
      if (finished) return;
      finished = true;
      void cleanup().then(() => reject(error));
    };
    const onAbort = () =>
      fail(new CancelledError(`parallelMap: cancelled after ${done} of ${total} items`));
    signal?.addEventListener('abort', onAbort, { once: true });

    const send = (handle: WorkerHandle) => {
      if (finished || nextChunk >= nChunks) return;
      const chunkId = nextChunk++;
      const start = chunkId * chunkSize;
      const end = Math.min(total, start + chunkSize);
      let chunkItems = sliceItems(items, start, end);
      const transfer: ArrayBuffer[] = [];
      if (!backend.inThread) {
        if (isNumericArray(chunkItems)) {
          chunkItems = chunkItems.slice() as NumericArray;
          transfer.push(chunkItems.buffer as ArrayBuffer);
        } else {
          const seen = new Set<ArrayBuffer>();
          // Copies only: the caller's arrays are never detached.
          chunkItems = chunkItems.map((it) => prepareTransfer(it, transfer, seen, false));
        }
      }
      const req: ChunkRequest = {
        type: 'chunk',
        chunkId,
        module: task.module,
        fn: task.fn,
        seed,
        start,
        items: chunkItems,
      };
      try {
        handle.postMessage(req, transfer);
      } catch (e) {
        fail(
          new InvalidInputError(
            `parallelMap: items ${start}..${end - 1} cannot be sent to a worker (${(e as Error).message}); items must be numbers, strings, plain objects, arrays or typed arrays`,
          ),
        );
      }
    };

    const onReply = (handle: WorkerHandle, reply: ChunkReply) => {
      if (finished) return;
      if (reply.type === 'error') {
        const info = {
          name: reply.name,
          message: reply.message,
          code: reply.code,
          stack: reply.stack,
        };
        if (reply.stage === 'load') {
          fail(
            new InvalidInputError(`parallelMap: cannot load ${taskName(task)}: ${reply.message}`),
          );
        } else if (reply.index === null) {
          fail(new ParallelTaskError(`${reply.message} (${taskName(task)})`, null, info));
        } else {
          fail(
            new ParallelTaskError(
              `${reply.message} (${taskName(task)}, item ${reply.index})`,
              reply.index,
              info,
            ),
          );
        }
        return;
      }
      const start = reply.chunkId * chunkSize;
      const r = reply.results;
      for (let j = 0; j < r.length; j++) results[start + j] = r[j] as R;
      done += r.length;
      if (onProgress) {
        try {
          onProgress(done, total);
        } catch (e) {
          fail(e instanceof Error ? e : new NanolumError(String(e)));
          return;
        }
      }
      if (finished) return; // onProgress may have aborted
      if (done === total) {
        finished = true;
        void cleanup().then(() => resolve(results));
        return;
      }
      send(handle);
    };

    try {
      for (let w = 0; w < nWorkers && !finished; w++) {
        // Replies always arrive asynchronously, after `handle` is assigned.
        const handle: WorkerHandle = backend.spawn(task, {
          onMessage: (reply) => onReply(handle, reply),
          onError: (error) =>
            fail(
              new ParallelTaskError(`worker for ${taskName(task)} failed: ${error.message}`, null, {
                name: error.name,
                message: error.message,
                code: null,
                stack: error.stack ?? null,
              }),
            ),
        });
        handles.push(handle);
        send(handle);
      }
    } catch (e) {
      fail(e instanceof Error ? e : new NanolumError(String(e)));
    }
  });
}
