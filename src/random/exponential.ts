import { requirePositive } from './check.js';
import type { Rng } from './rng.js';

/**
 * An exponential random number with the given rate (mean 1/rate), by inversion:
 * -log(1 - U) / rate with 53-bit U, so the largest possible value is about 36.7 / rate.
 * @example
 * const waitNs = exponential(createRng(1), 1 / 2.5); // a 2.5 ns lifetime
 */
export function exponential(rng: Rng, rate = 1): number {
  requirePositive('exponential', 'rate', rate);
  return -Math.log1p(-rng.next()) / rate;
}
