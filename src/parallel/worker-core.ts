/**
 * The generic worker body, shared by every backend: load the task module (once per worker),
 * run a chunk of items with their per-item random streams, and reply with results or the first
 * error. Platform-neutral; the thin entries `browser-worker.ts` and `src/node/worker-entry.ts`
 * only wire it to their message ports.
 */
import { NanolumError } from '../core/errors.js';
import { createRng } from '../random/rng.js';
import type { ChunkReply, ChunkRequest, NumericArray, TaskFunction } from './types.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

function loadModule(url: string): Promise<Record<string, unknown>> {
  let p = modules.get(url);
  if (!p) {
    p = import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;
    modules.set(url, p);
    p.catch(() => modules.delete(url));
  }
  return p;
}

/**
 * Load `fn` from a task module, with a clear message when it is missing.
 * @example
 * const fitPixel = await loadTask(new URL('./fit-task.js', import.meta.url).href, 'fitPixel');
 */
export async function loadTask(module: string, fn: string): Promise<TaskFunction> {
  const mod = await loadModule(module);
  const f = mod[fn];
  if (typeof f !== 'function') {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new TaskLoadError(
      `task module ${module} has no exported function "${fn}" (exported functions: ${exported.join(', ') || 'none'})`,
    );
  }
  return f as TaskFunction;
}

class TaskLoadError extends NanolumError {
  constructor(message: string) {
    super(message, 'TASK_LOAD');
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}

function errorReply(
  chunkId: number,
  stage: 'load' | 'run' | 'reply',
  index: number | null,
  e: unknown,
): ChunkReply {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  return {
    type: 'error',
    chunkId,
    stage,
    index,
    name: err.name,
    message: err.message,
    code: typeof code === 'string' ? code : null,
    stack: err.stack ?? null,
  };
}

/**
 * A typed array, but not a DataView.
 * @example
 * isNumericArray(new Float64Array(3)); // true; isNumericArray(new DataView(buf)) is false
 */
export function isNumericArray(x: unknown): x is NumericArray {
  return (
    ArrayBuffer.isView(x) &&
    !(x instanceof DataView) &&
    !(
      typeof BigInt64Array !== 'undefined' &&
      (x instanceof BigInt64Array || x instanceof BigUint64Array)
    )
  );
}

/**
 * Prepare a value for posting with transfer: a typed array that is a view into a larger buffer
 * is copied to its own buffer (structured cloning would otherwise copy the whole buffer), and
 * buffers are listed for transfer when `move` allows it. Looks at the value itself and at the
 * direct properties of plain objects and arrays. Returns the (possibly replaced) value.
 * @example
 * const transfer: ArrayBuffer[] = [];
 * const item = prepareTransfer(cube.subarray(0, 100), transfer, new Set(), false); // a copy of 100 values
 */
export function prepareTransfer(
  value: unknown,
  transfer: ArrayBuffer[],
  seen: Set<ArrayBuffer>,
  move: boolean,
): unknown {
  if (isNumericArray(value)) return prepareArray(value, transfer, seen, move);
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        if (isNumericArray(v)) {
          const w = prepareArray(v, transfer, seen, move);
          if (w !== v) (copy ??= value.slice())[i] = w;
        }
      }
      return copy ?? value;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      let copy: Record<string, unknown> | null = null;
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (isNumericArray(v)) {
          const w = prepareArray(v, transfer, seen, move);
          if (w !== v) (copy ??= { ...(value as Record<string, unknown>) })[key] = w;
        }
      }
      return copy ?? value;
    }
  }
  return value;
}

function prepareArray(
  a: NumericArray,
  transfer: ArrayBuffer[],
  seen: Set<ArrayBuffer>,
  move: boolean,
): NumericArray {
  const buf = a.buffer;
  if (!(buf instanceof ArrayBuffer)) return a; // SharedArrayBuffer: shared, not copied
  const whole = a.byteOffset === 0 && a.byteLength === buf.byteLength;
  if (whole && move) {
    if (!seen.has(buf)) {
      seen.add(buf);
      transfer.push(buf);
    }
    return a;
  }
  const copy = a.slice() as NumericArray;
  if (copy.buffer instanceof ArrayBuffer) transfer.push(copy.buffer);
  return copy;
}

/**
 * Run one chunk: item j gets `{ rng: createRng(seed).split(start + j), index: start + j }`.
 * With `transfer`, typed arrays in the results are moved out of the worker (views into larger
 * buffers are copied first). `shouldStop` is checked between items (in-thread cancellation).
 * @example
 * const { reply } = await runChunk({ type: 'chunk', chunkId: 0, module, fn: 'square', seed: 1, start: 0, items: [1, 2] }, { transfer: false });
 */
export async function runChunk(
  req: ChunkRequest,
  options: { transfer: boolean; shouldStop?: () => boolean },
): Promise<{ reply: ChunkReply; transfer: ArrayBuffer[] }> {
  let f: TaskFunction;
  try {
    f = await loadTask(req.module, req.fn);
  } catch (e) {
    return { reply: errorReply(req.chunkId, 'load', null, e), transfer: [] };
  }
  const root = createRng(req.seed);
  const items = req.items;
  const n = items.length;
  const results: unknown[] = new Array(n);
  for (let j = 0; j < n; j++) {
    if (options.shouldStop?.()) break;
    const index = req.start + j;
    try {
      const r = f(items[j], { rng: root.split(index), index });
      results[j] = isThenable(r) ? await r : r;
    } catch (e) {
      return { reply: errorReply(req.chunkId, 'run', index, e), transfer: [] };
    }
  }
  const transfer: ArrayBuffer[] = [];
  if (options.transfer) {
    const seen = new Set<ArrayBuffer>();
    for (let j = 0; j < n; j++) results[j] = prepareTransfer(results[j], transfer, seen, true);
  }
  return { reply: { type: 'result', chunkId: req.chunkId, results }, transfer };
}

/**
 * Answer a request posted to a worker, catching failures to post the reply itself (results
 * that cannot be cloned) and reporting them as errors.
 * @example
 * port.on('message', (data) => void answer(data, (reply, transfer) => port.postMessage(reply, transfer)));
 */
export async function answer(
  data: unknown,
  post: (reply: ChunkReply, transfer: ArrayBuffer[]) => void,
): Promise<void> {
  const req = data as ChunkRequest;
  const { reply, transfer } = await runChunk(req, { transfer: true });
  try {
    post(reply, transfer);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post(
      errorReply(
        req.chunkId,
        'reply',
        null,
        new Error(
          `results of items ${req.start}..${req.start + req.items.length - 1} cannot be sent back from the worker (${err.message}); return numbers, strings, plain objects, arrays or typed arrays`,
        ),
      ),
      [],
    );
  }
}
