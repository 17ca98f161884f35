import { InvalidInputError } from '../core/errors.js';
import { requireFinite } from './check.js';
import type { Rng } from './rng.js';

/**
 * A uniform random number in [a, b) (default [0, 1)).
 * @example
 * const rng = createRng(1);
 * const phase = uniform(rng, 0, 2 * Math.PI);
 */
export function uniform(rng: Rng, a = 0, b = 1): number {
  requireFinite('uniform', 'a', a);
  requireFinite('uniform', 'b', b);
  if (!(b >= a)) throw new InvalidInputError(`uniform: need a <= b, got a = ${a}, b = ${b}`);
  return a + (b - a) * rng.next();
}

/**
 * A uniform random integer in [min, max] (both inclusive, both safe integers), without modulo
 * bias (rejection on 32 bits, or on 53 bits for ranges above 2^32).
 * @example
 * const face = integer(createRng(3), 1, 6); // a die roll
 */
export function integer(rng: Rng, min: number, max: number): number {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
    throw new InvalidInputError(
      `integer: min and max must be safe integers with min <= max, got ${String(min)}, ${String(max)}`,
    );
  }
  const range = max - min + 1;
  if (range <= 0x100000000) {
    // Largest multiple of range below 2^32: accept u < limit.
    const limit = 0x100000000 - (0x100000000 % range);
    for (;;) {
      const u = rng.nextUint32();
      if (u < limit) return min + (u % range);
    }
  }
  if (!Number.isSafeInteger(range)) {
    throw new InvalidInputError(`integer: max - min must be below 2^53, got ${max} - ${min}`);
  }
  const TWO53 = 9007199254740992;
  const limit = TWO53 - (TWO53 % range);
  for (;;) {
    const u = rng.next() * TWO53; // exact integer in [0, 2^53)
    if (u < limit) return min + (u % range);
  }
}

/**
 * Fill `out` with uniform random numbers in [a, b) (default [0, 1)); returns `out`.
 * @example
 * const u = fillUniform(createRng(1), new Float64Array(1000));
 */
export function fillUniform<A extends Float64Array | Float32Array | number[]>(
  rng: Rng,
  out: A,
  a = 0,
  b = 1,
): A {
  requireFinite('fillUniform', 'a', a);
  requireFinite('fillUniform', 'b', b);
  if (!(b >= a)) throw new InvalidInputError(`fillUniform: need a <= b, got a = ${a}, b = ${b}`);
  const w = b - a;
  for (let i = 0; i < out.length; i++) out[i] = a + w * rng.next();
  return out;
}
