/**
 * Worker task of the parallel simulator: run a range of walker chunks and return the sums.
 * The kernel tables are rebuilt from the parameters once per worker (deterministic) and kept
 * for the next call with the same parameters (`kernelConfigFor`; workers of the persistent
 * pool live on between runs), so only the parameters travel to the workers.
 */
import { type Accumulators, type KernelConfig, createAccumulators, runChunks } from './kernel.js';
import { type TransportSimulationParams } from './model.js';
import { type SimulateOptions, kernelConfigFor } from './simulate.js';

/** One work item: chunks [chunkStart, chunkEnd) of the run described by `params`. */
export interface TransportTaskItem {
  params: TransportSimulationParams;
  options: SimulateOptions;
  chunkStart: number;
  chunkEnd: number;
}

/**
 * Simulate chunks of walkers (exported for `parallelMap`).
 *
 * @example
 * const acc = runTransportTask({ params, options: {}, chunkStart: 0, chunkEnd: 4 });
 */
export function runTransportTask(item: TransportTaskItem): Accumulators {
  const cfg = kernelConfigFor(item.params, item.options);
  const acc = createAccumulators(item.params.steps, item.params.dimension, cfg.profileHalfWidth);
  runChunks(cfg, item.chunkStart, item.chunkEnd, acc);
  return acc;
}

/** A work-sharing item: claim chunks from a shared counter until none are left. */
export interface TransportQueueItem {
  params: TransportSimulationParams;
  options: SimulateOptions;
  /** Next unclaimed chunk, in a SharedArrayBuffer shared by every thread of the run. */
  counter: Int32Array;
  nChunks: number;
  /** Chunks claimed at a time. */
  grab: number;
}

/**
 * Simulate chunks claimed from a shared counter (exported for `parallelMap`). Threads that start
 * late (a worker still compiling) simply find fewer chunks left; the sums do not depend on who
 * ran which chunk.
 *
 * @example
 * const acc = runTransportQueue({ params, options: {}, counter, nChunks: 123, grab: 1 });
 */
export function runTransportQueue(item: TransportQueueItem): Accumulators {
  const cfg = kernelConfigFor(item.params, item.options);
  const acc = createAccumulators(item.params.steps, item.params.dimension, cfg.profileHalfWidth);
  drainQueue(cfg, item.counter, item.nChunks, item.grab, acc);
  return acc;
}

/**
 * Claim and run chunks until the shared counter passes nChunks.
 *
 * @example
 * drainQueue(cfg, new Int32Array(new SharedArrayBuffer(4)), chunkCount(p), 1, acc);
 */
export function drainQueue(
  cfg: KernelConfig,
  counter: Int32Array,
  nChunks: number,
  grab: number,
  acc: Accumulators,
): void {
  for (;;) {
    const c = Atomics.add(counter, 0, grab);
    if (c >= nChunks) return;
    runChunks(cfg, c, Math.min(nChunks, c + grab), acc);
  }
}
