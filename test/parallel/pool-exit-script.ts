/**
 * Run by pool.test.ts in a child process: after maps on a persistent pool and on the shared
 * pool (keepAlive), whose workers stay alive but idle, the process must still exit by itself;
 * and a map in flight must keep it alive until it settles (busy workers are ref-ed).
 */
import { threadId } from 'node:worker_threads';
import '../../src/node/workers.js';
import { createWorkerPool, parallelMap } from '../../src/parallel/index.js';
import { liveWorkerCount } from '../../src/node/workers.js';

const module = new URL('./tasks.ts', import.meta.url).href;
const pool = createWorkerPool({ workers: 2 });
const a = await pool.map<number, number>({ module, fn: 'busyThread' }, [100, 100, 100, 100], {
  chunkSize: 1,
});
const b = await parallelMap<number, number>({ module, fn: 'square' }, [1, 2, 3], {
  workers: 2,
  keepAlive: true,
});
// Nothing but this pending map keeps the event loop busy while its workers run.
const c = await pool.map<number, number>({ module, fn: 'busyThread' }, [300], {});
const inWorkers = a.every((t) => t !== threadId) && c[0] !== threadId;
console.log(`ok ${b.join(' ')} ${inWorkers ? 'workers' : 'main'} live ${liveWorkerCount()}`);
