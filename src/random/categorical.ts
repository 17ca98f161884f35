import { InvalidInputError } from '../core/errors.js';
import type { Rng } from './rng.js';

function checkWeights(fn: string, weights: ArrayLike<number>): number {
  if (!weights || weights.length === 0)
    throw new InvalidInputError(`${fn}: weights must not be empty`);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new InvalidInputError(
        `${fn}: weight ${i} must be a finite number >= 0, got ${String(w)}`,
      );
    }
    total += w;
  }
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new InvalidInputError(`${fn}: weights must have a finite, positive sum, got ${total}`);
  }
  return total;
}

/**
 * A random index i with probability weights[i] / sum(weights) (weights >= 0, not all zero),
 * by a linear search: O(n) per draw. For many draws from the same weights use
 * {@link categoricalSampler}.
 * @example
 * const state = categorical(createRng(1), [0.7, 0.2, 0.1]); // 0 = bright, 1 = grey, 2 = dark
 */
export function categorical(rng: Rng, weights: ArrayLike<number>): number {
  const total = checkWeights('categorical', weights);
  const target = rng.next() * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w > 0) {
      acc += w;
      last = i;
      if (target < acc) return i;
    }
  }
  return last; // rounding: target landed at the very top
}

/**
 * Precompute Walker's alias table (Vose's construction) for weights: the returned function
 * draws an index in O(1), with the same distribution as {@link categorical}.
 * @example
 * const draw = categoricalSampler([5, 1, 1]);
 * const rng = createRng(9);
 * const i = draw(rng);
 */
export function categoricalSampler(weights: ArrayLike<number>): (rng: Rng) => number {
  const total = checkWeights('categoricalSampler', weights);
  const n = weights.length;
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i]! * n) / total;
    (scaled[i]! < 1 ? small : large).push(i);
  }
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    prob[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  for (const i of large) {
    prob[i] = 1;
    alias[i] = i;
  }
  for (const i of small) {
    // Only reached through rounding; such columns are full.
    prob[i] = 1;
    alias[i] = i;
  }
  return (rng: Rng) => {
    const x = rng.next() * n;
    const i = Math.floor(x);
    return x - i < prob[i]! ? i : alias[i]!;
  };
}
