/** Loaded as a module script by browser.test.ts; leaves its findings in globalThis.nanolumResult. */
import {
  closeSharedWorkerPools,
  getDefaultBackend,
  getSharedWorkerPool,
  parallelMap,
} from '../../src/parallel/index.js';

const module = new URL('./browser-task.js', import.meta.url).href;

async function run() {
  const items = Array.from({ length: 40 }, (_, i) => 5 + i * 10);
  const progress: number[] = [];
  const out = await parallelMap({ module, fn: 'simulate' }, items, {
    workers: 2,
    seed: 11,
    chunkSize: 3,
    onProgress: (done) => progress.push(done),
  });
  const err = await parallelMap({ module, fn: 'fail' }, [0, 1, 2, 3, 4], {
    workers: 2,
    chunkSize: 1,
  }).catch((e: { message: string; index: number }) => ({ message: e.message, index: e.index }));
  // the shared persistent pool: a second map runs on the same module workers
  const tags1 = await parallelMap<number, number>({ module, fn: 'workerTag' }, [0, 0, 0, 0], {
    workers: 2,
    chunkSize: 1,
    keepAlive: true,
  });
  const pooled = await parallelMap({ module, fn: 'simulate' }, items, {
    seed: 11,
    chunkSize: 7,
    keepAlive: true,
  });
  const tags2 = await parallelMap<number, number>({ module, fn: 'workerTag' }, [0, 0, 0, 0], {
    workers: 2,
    chunkSize: 1,
    keepAlive: true,
  });
  const poolSize = getSharedWorkerPool().size;
  await closeSharedWorkerPools();
  const reused = tags2.every((t) => tags1.includes(t));
  return { backend: getDefaultBackend().name, out, progress, err, pooled, reused, poolSize };
}

(globalThis as { nanolumResult?: unknown }).nanolumResult = await run().catch((e: Error) => ({
  fatal: e.message,
}));
