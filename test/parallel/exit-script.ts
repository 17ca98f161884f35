/**
 * Run by parallel-map.test.ts in a child process: the process must exit by itself after a
 * successful, a failing and a cancelled parallelMap (no worker left running).
 */
import '../../src/node/workers.js';
import { parallelMap } from '../../src/parallel/index.js';

const module = new URL('./tasks.ts', import.meta.url).href;
const out = await parallelMap<number, number>({ module, fn: 'square' }, [0, 1, 2, 3], {
  workers: 2,
  chunkSize: 1,
});
const failed = await parallelMap({ module, fn: 'failOnNegative' }, [1, 4, -1, 2], {
  workers: 2,
  chunkSize: 1,
}).catch((e: { index: number }) => `error item ${e.index}`);
const ac = new AbortController();
setTimeout(() => ac.abort(), 300);
const cancelled = await parallelMap({ module, fn: 'busy' }, new Array(1000).fill(50), {
  workers: 2,
  signal: ac.signal,
}).catch((e: Error) => (e.name === 'CancelledError' ? 'cancelled' : e.message));
console.log(`ok ${out.join(' ')} ${String(failed)} ${String(cancelled)}`);
