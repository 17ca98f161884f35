/**
 * The Node backend of `nanolum/parallel`: workers are `worker_threads`. Importing `nanolum/node`
 * registers it as the default backend of `parallelMap`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidInputError } from '../core/errors.js';
import { setDefaultBackend } from '../parallel/backend.js';
import type {
  ChunkReply,
  ChunkRequest,
  TaskRef,
  WorkerBackend,
  WorkerEvents,
  WorkerHandle,
} from '../parallel/types.js';

const HERE = import.meta.url;
/** Running from TypeScript sources (Vitest, tsx) rather than compiled `dist/`. */
const FROM_SOURCES = /\.[cm]?ts$/.test(new URL(HERE).pathname);
const ENTRY = new URL(FROM_SOURCES ? './worker-entry.ts' : './worker-entry.js', HERE).href;

/**
 * Bootstrap for workers that must import TypeScript: register tsx's module hooks inside the
 * worker, then import the real entry. (Node 20 does not apply `--import tsx` from a worker's
 * execArgv to the worker's own entry, so the hooks are registered in-thread.) A fixed string:
 * no user text is evaluated; the URLs come in through workerData.
 */
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi)
  .then((api) => { api.register(); return import(workerData.entry); })
  .catch((e) => { setImmediate(() => { throw e; }); });
`;

let tsxApiUrl: string | null | undefined;

/** URL of tsx's ESM API (`tsx/esm/api`), looked up from this package and from the working directory. */
function findTsxApi(): string | null {
  if (tsxApiUrl !== undefined) return tsxApiUrl;
  tsxApiUrl = null;
  for (const base of [HERE, pathToFileURL(join(process.cwd(), 'package.json')).href]) {
    try {
      const pkgPath = createRequire(base).resolve('tsx/package.json');
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
        exports?: Record<string, { import?: { default?: string } | string }>;
      };
      const entry = pkg.exports?.['./esm/api'];
      const rel =
        typeof entry === 'object'
          ? entry.import && (typeof entry.import === 'string' ? entry.import : entry.import.default)
          : undefined;
      if (rel) {
        tsxApiUrl = pathToFileURL(join(dirname(pkgPath), rel)).href;
        break;
      }
    } catch {
      // not found from this base; try the next
    }
  }
  return tsxApiUrl;
}

function isTypeScriptUrl(url: string): boolean {
  try {
    return /\.[cm]?tsx?$/.test(new URL(url).pathname);
  } catch {
    return /\.[cm]?tsx?$/.test(url);
  }
}

/** Start a worker for `task`; `typescript` tells whether it can import `.ts` modules. */
function startWorker(task: TaskRef): { worker: Worker; typescript: boolean } {
  if (!FROM_SOURCES && !isTypeScriptUrl(task.module))
    return { worker: new Worker(new URL(ENTRY)), typescript: false };
  const tsxApi = findTsxApi();
  if (!tsxApi) {
    throw new InvalidInputError(
      `parallelMap: task module ${task.module} is TypeScript; running it in a worker needs the package "tsx" (npm install -D tsx), or compile it to .js`,
    );
  }
  return {
    worker: new Worker(TS_BOOTSTRAP, { eval: true, workerData: { tsxApi, entry: ENTRY } }),
    typescript: true,
  };
}

let live = 0;

/**
 * Number of nanolum worker threads currently alive in this process (for diagnostics and tests).
 * @example
 * await parallelMap(task, items, { workers: 2 });
 * liveWorkerCount(); // 0: parallelMap terminates its workers before it settles
 * // (idle workers of a persistent pool, e.g. after `keepAlive: true`, are counted)
 */
export function liveWorkerCount(): number {
  return live;
}

/**
 * `worker_threads` backend. Workers run `worker-entry.js`; when running from TypeScript sources
 * or when the task module is a `.ts` URL, tsx's hooks are registered inside the worker first.
 * Handles support `ref`/`unref` (a worker pool unrefs its idle workers, so they never keep the
 * process alive) and tell whether they can import TypeScript task modules.
 * @example
 * import { nodeWorkerBackend } from 'nanolum/node';
 * await parallelMap(task, items, { backend: nodeWorkerBackend, workers: 4 });
 */
export const nodeWorkerBackend: WorkerBackend = {
  name: 'node-worker-threads',
  inThread: false,
  concurrency: () => availableParallelism(),
  spawn(task: TaskRef, events: WorkerEvents): WorkerHandle {
    const { worker, typescript } = startWorker(task);
    live++;
    let stopping = false;
    let exited = false;
    const exitPromise = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        exited = true;
        live--;
        if (!stopping)
          events.onError(new Error(`worker thread stopped unexpectedly (exit code ${code})`));
        resolve();
      });
    });
    worker.on('message', (reply: ChunkReply) => events.onMessage(reply));
    worker.on('error', (error: Error) => {
      if (!stopping) events.onError(error);
    });
    worker.on('messageerror', (error: Error) => {
      if (!stopping)
        events.onError(new Error(`worker reply could not be deserialised: ${error.message}`));
    });
    return {
      postMessage(message: ChunkRequest, transfer: ArrayBuffer[]) {
        worker.postMessage(message, transfer);
      },
      async terminate() {
        stopping = true;
        if (!exited) await worker.terminate();
        await exitPromise;
      },
      supports(other: TaskRef) {
        return typescript || !isTypeScriptUrl(other.module);
      },
      ref() {
        worker.ref();
      },
      unref() {
        worker.unref();
      },
    };
  },
};

setDefaultBackend(nodeWorkerBackend);
