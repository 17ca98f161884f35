/**
 * Task functions for the parallelMap tests. Loaded by workers through its URL, so it must only
 * export plain functions of (item, ctx).
 */
import { threadId } from 'node:worker_threads';
import type { TaskContext } from '../../src/parallel/index.js';
import { normal, poisson } from '../../src/random/index.js';

export function square(x: number): number {
  return x * x;
}

/** Random draws that depend only on the item's stream. */
export function simulatePixel(item: { mean: number }, { rng, index }: TaskContext) {
  return { index, counts: poisson(rng, item.mean), noise: normal(rng, 0, 1), u: rng.next() };
}

/** CPU-bound work (a Monte Carlo estimate of pi) that reports the thread it ran on. */
export function monteCarloPi(draws: number, { rng }: TaskContext) {
  let inside = 0;
  for (let i = 0; i < draws; i++) {
    const x = rng.next();
    const y = rng.next();
    if (x * x + y * y < 1) inside++;
  }
  return { pi: (4 * inside) / draws, threadId };
}

export function failOnNegative(x: number): number {
  if (x < 0) throw new RangeError(`pixel value ${x} is negative`);
  return Math.sqrt(x);
}

/** Busy-waits `ms` milliseconds. */
export function busy(ms: number): number {
  const end = Date.now() + ms;
  let k = 0;
  while (Date.now() < end) k++;
  return k > 0 ? ms : 0;
}

/** Doubles a decay curve; returns a fresh array and a view into a larger scratch buffer. */
export function scaleDecay(decay: Float64Array, { index }: TaskContext) {
  const doubled = decay.map((v) => 2 * v);
  const scratch = new Float64Array(decay.length + 10);
  scratch.set(decay, 5);
  return { index, doubled, view: scratch.subarray(5, 5 + decay.length), length: decay.length };
}

export async function delayedSquare(x: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 1));
  return x * x;
}

export function returnsFunction(): () => void {
  return () => {};
}

export function whereAmI(): number {
  return threadId;
}

export const notAFunction = 42;

/** Busy-waits `ms` milliseconds and reports the thread it ran on. */
export function busyThread(ms: number): number {
  busy(ms);
  return threadId;
}

let calls = 0;
/** Calls of this function so far in this thread: grows across maps when a worker is reused. */
export function callCount(): number {
  return ++calls;
}

/** Ends the worker thread it runs in (a crashed worker); only for worker tests. */
export function exitThread(): number {
  if (threadId === 0) throw new Error('exitThread must run in a worker thread');
  process.exit(3);
}
