/** Task module for the browser test (no node: imports). */
import type { TaskContext } from '../../src/parallel/index.js';
import { poisson } from '../../src/random/index.js';

export function simulate(mean: number, { rng, index }: TaskContext) {
  return {
    index,
    counts: poisson(rng, mean),
    inWorker: typeof (globalThis as { document?: unknown }).document === 'undefined',
  };
}

export function fail(x: number): number {
  if (x === 3) throw new Error('bad item three');
  return x;
}

const tag = Math.random();
/** A tag drawn once per worker (module instance): equal tags mean the same worker. */
export function workerTag(): number {
  return tag;
}
