import type { Rng } from '../random/rng.js';

/**
 * A task that workers can run: a module URL (absolute, e.g. `new URL('./fit-task.js',
 * import.meta.url).href`) and the name of a function it exports. Workers cannot receive
 * closures, so this is how work is named.
 */
export interface TaskRef {
  module: string;
  fn: string;
}

/** What a task function receives besides its item. */
export interface TaskContext {
  /** A random stream that depends only on (seed, index): `createRng(seed).split(index)`. */
  rng: Rng;
  /** The item's position in the input (0-based). */
  index: number;
}

/** The shape of a task function exported by a task module. */
export type TaskFunction<T = unknown, R = unknown> = (item: T, ctx: TaskContext) => R | Promise<R>;

/** Options of {@link parallelMap}. */
export interface ParallelMapOptions {
  /**
   * Number of workers. 0 or 1 runs every item in the calling thread (no worker). Default: the
   * backend's concurrency (cores available), never more than there are chunks.
   */
  workers?: number;
  /** Seed of the per-item random streams (a safe integer). Default 0. */
  seed?: number;
  /** Called as chunks complete with the number of items done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting terminates the workers and rejects with `CancelledError`. */
  signal?: AbortSignal;
  /** Items per message to a worker (default: about 16 chunks per worker, at most 4096 items). */
  chunkSize?: number;
  /** Run on this backend instead of the default one (see `setDefaultBackend`). */
  backend?: WorkerBackend;
  /**
   * Run on the shared persistent worker pool of the backend (see `getSharedWorkerPool`) instead
   * of starting fresh workers and terminating them at the end. Warm workers skip the start-up
   * (100-200 ms in Node) and keep their JIT-compiled code and imported task modules. Idle pool
   * workers do not keep a Node process alive. Default false.
   */
  keepAlive?: boolean;
}

/** Options of `WorkerPool.map`: those of `parallelMap` without the backend choice. */
export type PoolMapOptions = Omit<ParallelMapOptions, 'backend' | 'keepAlive'>;

/** Typed arrays that can travel to and from workers. */
export type NumericArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

/** Message from the scheduler to a worker: run items [start, start + items.length). */
export interface ChunkRequest {
  type: 'chunk';
  chunkId: number;
  module: string;
  fn: string;
  seed: number;
  start: number;
  items: unknown[] | NumericArray;
}

/** Message from a worker back to the scheduler. */
export type ChunkReply =
  | { type: 'result'; chunkId: number; results: unknown[] }
  | {
      type: 'error';
      chunkId: number;
      /** Where it failed: loading the task, running an item, or sending the results back. */
      stage: 'load' | 'run' | 'reply';
      /** Index of the failing item (null unless stage is 'run'). */
      index: number | null;
      name: string;
      message: string;
      code: string | null;
      stack: string | null;
    };

/** A running worker, as the scheduler sees it. */
export interface WorkerHandle {
  /** Send a request; `transfer` lists buffers to move rather than copy. */
  postMessage(message: ChunkRequest, transfer: ArrayBuffer[]): void;
  /** Stop the worker; resolves when it is gone. */
  terminate(): Promise<void>;
  /**
   * Whether this worker can run `task` (e.g. a Node worker started without TypeScript support
   * cannot import a `.ts` module). Absent means yes.
   */
  supports?(task: TaskRef): boolean;
  /** Let the worker keep the host process alive (while busy), or not (while idle in a pool). */
  ref?(): void;
  unref?(): void;
}

/** Callbacks a backend calls for one worker. */
export interface WorkerEvents {
  onMessage(reply: ChunkReply): void;
  /** The worker died or could not start (not a task error, which comes as a reply). */
  onError(error: Error): void;
}

/**
 * Where workers come from: the in-thread fallback, Web Workers in browsers, or `worker_threads`
 * in Node (registered by importing `nanolum/node`). Each worker runs the generic worker entry,
 * which answers {@link ChunkRequest}s with {@link ChunkReply}s.
 */
export interface WorkerBackend {
  /** e.g. `in-thread`, `web-worker`, `node-worker-threads`. */
  readonly name: string;
  /** True when "workers" run in the calling thread (no structured cloning is needed). */
  readonly inThread: boolean;
  /** How many workers to use by default (cores available). */
  concurrency(): number;
  /** Start a worker for a task module (the URL tells whether TypeScript support is needed). */
  spawn(task: TaskRef, events: WorkerEvents): WorkerHandle;
}
