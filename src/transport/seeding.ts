/**
 * Seeding of the transport simulator's streams from the project's generator: stream k is
 * `createRng(seed).split(k)` (xoshiro128**), whose 4-word state the kernel then advances inline.
 */
import { createRng } from '../random/index.js';

/**
 * 4 uint32 per stream: states of streams `first` .. `first + count - 1` of `seed`.
 *
 * @example
 * streamStates(42, 1, 2); // Uint32Array(8): createRng(42).split(1) and .split(2)
 */
export function streamStates(seed: number, first: number, count: number): Uint32Array {
  const out = new Uint32Array(4 * count);
  const root = createRng(seed);
  for (let i = 0; i < count; i++) {
    const w = root.split(first + i).state().words;
    out.set(w, 4 * i);
  }
  return out;
}
