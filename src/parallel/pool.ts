/**
 * A persistent pool of workers: started once, reused by many maps. Each worker imports a task
 * module once and keeps it (and V8's compiled code), so a second map on the pool pays neither
 * the worker start-up nor the cold JIT. `parallelMap` runs on a temporary pool (closed when it
 * settles) or, with `keepAlive: true`, on the shared pool of its backend.
 */
import { CancelledError, InvalidInputError, NanolumError } from '../core/errors.js';
import { getDefaultBackend } from './backend.js';
import { ParallelTaskError } from './errors.js';
import type {
  ChunkReply,
  ChunkRequest,
  NumericArray,
  PoolMapOptions,
  TaskRef,
  WorkerBackend,
  WorkerHandle,
} from './types.js';
import { isNumericArray, prepareTransfer } from './worker-core.js';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Most workers the pool runs at once (default: the backend's concurrency; 1 in-thread). */
  workers?: number;
  /** Where workers come from (default: `getDefaultBackend()`). */
  backend?: WorkerBackend;
}

/** A reusable set of workers (see {@link createWorkerPool}). */
export interface WorkerPool {
  readonly backend: WorkerBackend;
  /** Most workers the pool runs at once. */
  readonly maxWorkers: number;
  /** Workers alive now (idle or busy); workers are started lazily, as maps need them. */
  readonly size: number;
  /** True after `close()`. */
  readonly closed: boolean;
  /**
   * Same contract as `parallelMap` (order, per-item streams `createRng(seed).split(i)`, progress,
   * cancellation, errors with the item index), on this pool's workers; `workers` caps how many
   * of them this map uses (default all). Several maps may run at once; they share the workers.
   * On failure or cancellation the workers still busy with the map's items are terminated (and
   * replaced when needed) before the promise rejects; idle workers stay.
   */
  map<T = unknown, R = unknown>(
    task: TaskRef,
    items: ArrayLike<T>,
    options?: PoolMapOptions,
  ): Promise<R[]>;
  /** Terminate every worker; running maps reject with `CancelledError`. */
  close(): Promise<void>;
}

interface Slot {
  handle: WorkerHandle;
  job: Job | null;
  dead: boolean;
}

interface Job {
  task: TaskRef;
  items: ArrayLike<unknown>;
  total: number;
  seed: number;
  chunkSize: number;
  nChunks: number;
  nextChunk: number;
  inFlight: number;
  maxWorkers: number;
  results: unknown[];
  done: number;
  finished: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  onAbort: () => void;
  resolve: (r: unknown[]) => void;
  reject: (e: Error) => void;
}

/**
 * Check the arguments of `parallelMap` / `WorkerPool.map` (throws `InvalidInputError`).
 * @example
 * checkMapArguments({ module: url, fn: 'fitPixel' }, decays, { workers: 2 }, 'parallelMap');
 */
export function checkMapArguments(
  task: TaskRef,
  items: ArrayLike<unknown>,
  options: PoolMapOptions,
  who: string,
): void {
  if (
    !task ||
    typeof task.module !== 'string' ||
    task.module === '' ||
    typeof task.fn !== 'string' ||
    task.fn === ''
  ) {
    throw new InvalidInputError(
      `${who}: task must be { module: <module URL>, fn: <exported function name> }, e.g. { module: new URL("./fit-task.js", import.meta.url).href, fn: "fitPixel" }`,
    );
  }
  if (!items || typeof items.length !== 'number') {
    throw new InvalidInputError(`${who}: items must be an array or a typed array`);
  }
  const { workers, seed, chunkSize } = options;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) {
    throw new InvalidInputError(`${who}: workers must be an integer >= 0, got ${String(workers)}`);
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new InvalidInputError(
      `${who}: seed must be an integer with |seed| < 2^53, got ${String(seed)}`,
    );
  }
  if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1)) {
    throw new InvalidInputError(
      `${who}: chunkSize must be an integer >= 1, got ${String(chunkSize)}`,
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

function asError(e: unknown): Error {
  return e instanceof Error ? e : new NanolumError(String(e));
}

const growers = new WeakMap<WorkerPool, (n: number) => void>();

/**
 * Start a persistent worker pool. Workers are started lazily (on the first map that needs them)
 * and then reused: each imports a task module once and keeps it. In Node, idle workers are
 * `unref`-ed, so a process whose only remaining work is an idle pool exits by itself; busy
 * workers keep it alive until their map settles. Call `close()` to terminate them explicitly.
 *
 * @example
 * import 'nanolum/node';
 * const pool = createWorkerPool({ workers: 2 });
 * const a = await pool.map(task, items, { seed: 1 }); // starts 2 workers
 * const b = await pool.map(task, more, { seed: 2 });  // same, warm workers
 * await pool.close();
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const backend = options.backend ?? getDefaultBackend();
  if (
    options.workers !== undefined &&
    (!Number.isInteger(options.workers) || options.workers < 1)
  ) {
    throw new InvalidInputError(
      `createWorkerPool: workers must be an integer >= 1, got ${String(options.workers)}`,
    );
  }
  let maxWorkers = backend.inThread
    ? 1
    : Math.max(1, options.workers ?? Math.max(1, backend.concurrency()));
  const slots: Slot[] = [];
  const jobs: Job[] = [];
  let closed = false;

  const setBusy = (slot: Slot, job: Job | null) => {
    const wasIdle = slot.job === null;
    slot.job = job;
    if (job && wasIdle) slot.handle.ref?.();
    else if (!job && !wasIdle) slot.handle.unref?.();
  };

  /** Remove slots from the pool and terminate them (resolves when they are gone). */
  const retire = (victims: Slot[]): Promise<unknown> => {
    for (const v of victims) {
      v.dead = true;
      const i = slots.indexOf(v);
      if (i >= 0) slots.splice(i, 1);
    }
    return Promise.allSettled(victims.map((v) => v.handle.terminate()));
  };

  const finishJob = (job: Job) => {
    job.finished = true;
    job.signal?.removeEventListener('abort', job.onAbort);
    const i = jobs.indexOf(job);
    if (i >= 0) jobs.splice(i, 1);
  };

  const fail = (job: Job, error: Error) => {
    if (job.finished) return;
    finishJob(job);
    const busy = slots.filter((s) => s.job === job);
    const gone = retire(busy);
    pump(); // other maps may use the freed capacity (replacements start lazily)
    void gone.then(() => job.reject(error));
  };

  const spawn = (task: TaskRef): Slot => {
    const slot: Slot = { handle: undefined as unknown as WorkerHandle, job: null, dead: false };
    // Replies always arrive asynchronously, after `slot.handle` is assigned.
    slot.handle = backend.spawn(task, {
      onMessage: (reply) => onReply(slot, reply),
      onError: (error) => onWorkerError(slot, error),
    });
    slot.handle.unref?.();
    slots.push(slot);
    return slot;
  };

  const supports = (slot: Slot, task: TaskRef) =>
    !slot.handle.supports || slot.handle.supports(task);

  /** An idle worker for `task`: an idle one that can run it, else a new one if there is room. */
  const idleSlotFor = (task: TaskRef): Slot | null => {
    for (const s of slots) if (s.job === null && !s.dead && supports(s, task)) return s;
    if (slots.length < maxWorkers) return spawn(task);
    const unfit = slots.find((s) => s.job === null && !s.dead);
    if (unfit) {
      void retire([unfit]);
      return spawn(task);
    }
    return null;
  };

  const send = (slot: Slot, job: Job) => {
    const chunkId = job.nextChunk++;
    const start = chunkId * job.chunkSize;
    const end = Math.min(job.total, start + job.chunkSize);
    let chunkItems = sliceItems(job.items, start, end);
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
      module: job.task.module,
      fn: job.task.fn,
      seed: job.seed,
      start,
      items: chunkItems,
    };
    setBusy(slot, job);
    job.inFlight++;
    try {
      slot.handle.postMessage(req, transfer);
    } catch (e) {
      job.inFlight--;
      setBusy(slot, null);
      fail(
        job,
        new InvalidInputError(
          `parallelMap: items ${start}..${end - 1} cannot be sent to a worker (${asError(e).message}); items must be numbers, strings, plain objects, arrays or typed arrays`,
        ),
      );
    }
  };

  /** Hand out chunks to idle workers, oldest map first, starting workers as needed. */
  let pumping = false;
  const pump = () => {
    if (pumping || closed) return;
    pumping = true;
    try {
      // Repeat while something changed: a failing map frees workers for the maps before it.
      for (let changed = true; changed && !closed;) {
        changed = false;
        for (const job of [...jobs]) {
          while (!job.finished && job.nextChunk < job.nChunks && job.inFlight < job.maxWorkers) {
            let slot: Slot | null;
            try {
              slot = idleSlotFor(job.task);
            } catch (e) {
              fail(job, asError(e));
              changed = true;
              break;
            }
            if (!slot) break;
            send(slot, job);
            changed = true;
          }
        }
      }
    } finally {
      pumping = false;
    }
  };

  const onReply = (slot: Slot, reply: ChunkReply) => {
    if (slot.dead) return;
    const job = slot.job;
    setBusy(slot, null);
    if (job && !job.finished) {
      job.inFlight--;
      if (reply.type === 'error') {
        const info = {
          name: reply.name,
          message: reply.message,
          code: reply.code,
          stack: reply.stack,
        };
        if (reply.stage === 'load') {
          fail(
            job,
            new InvalidInputError(
              `parallelMap: cannot load ${taskName(job.task)}: ${reply.message}`,
            ),
          );
        } else if (reply.index === null) {
          fail(job, new ParallelTaskError(`${reply.message} (${taskName(job.task)})`, null, info));
        } else {
          fail(
            job,
            new ParallelTaskError(
              `${reply.message} (${taskName(job.task)}, item ${reply.index})`,
              reply.index,
              info,
            ),
          );
        }
      } else {
        const start = reply.chunkId * job.chunkSize;
        const r = reply.results;
        for (let j = 0; j < r.length; j++) job.results[start + j] = r[j];
        job.done += r.length;
        let ok = true;
        if (job.onProgress) {
          try {
            job.onProgress(job.done, job.total);
          } catch (e) {
            fail(job, asError(e));
            ok = false;
          }
        }
        if (ok && !job.finished && job.done === job.total) {
          finishJob(job);
          job.resolve(job.results);
        }
      }
    }
    pump();
  };

  const onWorkerError = (slot: Slot, error: Error) => {
    if (slot.dead) return;
    const job = slot.job;
    void retire([slot]);
    if (job && !job.finished) {
      job.inFlight--;
      fail(
        job,
        new ParallelTaskError(`worker for ${taskName(job.task)} failed: ${error.message}`, null, {
          name: error.name,
          message: error.message,
          code: null,
          stack: error.stack ?? null,
        }),
      );
    } else {
      pump();
    }
  };

  const pool: WorkerPool = {
    backend,
    get maxWorkers() {
      return maxWorkers;
    },
    get size() {
      return slots.length;
    },
    get closed() {
      return closed;
    },
    map<T = unknown, R = unknown>(
      task: TaskRef,
      items: ArrayLike<T>,
      options: PoolMapOptions = {},
    ): Promise<R[]> {
      // Work is handed out synchronously here (not after an await), so a caller that goes on
      // computing in this thread right after `map()` does not delay the workers.
      try {
        checkMapArguments(task, items, options, 'WorkerPool.map');
        if (options.workers === 0) {
          throw new InvalidInputError(
            'WorkerPool.map: workers must be >= 1 (use parallelMap with workers 0 to run in this thread)',
          );
        }
        if (closed) throw new InvalidInputError('WorkerPool.map: the pool is closed');
        if (options.signal?.aborted)
          throw new CancelledError('parallelMap: cancelled before it started');
      } catch (e) {
        return Promise.reject(asError(e));
      }
      const total = items.length;
      if (total === 0) return Promise.resolve([]);
      const want = Math.min(maxWorkers, options.workers ?? maxWorkers);
      const chunkSize =
        options.chunkSize ?? Math.max(1, Math.min(4096, Math.ceil(total / (want * 16))));
      const nChunks = Math.ceil(total / chunkSize);
      return new Promise<R[]>((resolve, reject) => {
        const job: Job = {
          task,
          items,
          total,
          seed: options.seed ?? 0,
          chunkSize,
          nChunks,
          nextChunk: 0,
          inFlight: 0,
          maxWorkers: Math.min(want, nChunks),
          results: new Array<unknown>(total),
          done: 0,
          finished: false,
          onProgress: options.onProgress,
          signal: options.signal,
          onAbort: () =>
            fail(
              job,
              new CancelledError(`parallelMap: cancelled after ${job.done} of ${total} items`),
            ),
          resolve: resolve as (r: unknown[]) => void,
          reject,
        };
        options.signal?.addEventListener('abort', job.onAbort, { once: true });
        jobs.push(job);
        pump();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of [...jobs])
        fail(job, new CancelledError('parallelMap: the worker pool was closed'));
      await retire([...slots]);
    },
  };
  growers.set(pool, (n: number) => {
    if (!backend.inThread && n > maxWorkers) maxWorkers = n;
  });
  return pool;
}

const shared = new Map<WorkerBackend, WorkerPool>();

/**
 * The shared persistent pool of a backend (default: the default backend), created on first use
 * with one worker per core; `parallelMap(..., { keepAlive: true })` and the transport simulator
 * run on it. It grows when a map asks for more workers. Closing it is allowed: the next call
 * creates a new one.
 *
 * @example
 * const pool = getSharedWorkerPool();
 * await pool.map(task, items, { workers: 2 });
 */
export function getSharedWorkerPool(backend: WorkerBackend = getDefaultBackend()): WorkerPool {
  let pool = shared.get(backend);
  if (!pool || pool.closed) {
    pool = createWorkerPool({ backend });
    shared.set(backend, pool);
  }
  return pool;
}

/**
 * Let a pool run at least `n` workers at once (used by `parallelMap` on the shared pool).
 * @example
 * growWorkerPool(getSharedWorkerPool(), 4);
 */
export function growWorkerPool(pool: WorkerPool, n: number): void {
  growers.get(pool)?.(n);
}

/**
 * Close every shared pool (e.g. at the end of a test file). Not needed for a process to exit.
 * @example
 * await closeSharedWorkerPools();
 */
export async function closeSharedWorkerPools(): Promise<void> {
  const pools = [...shared.values()];
  shared.clear();
  await Promise.all(pools.map((p) => p.close()));
}
