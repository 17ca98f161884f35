import { InvalidInputError } from '../core/errors.js';
import { poissonLogPmf } from './log-pmf.js';
import type { Rng } from './rng.js';

/** Largest supported Poisson mean: counts stay exact integers in a double well below 2^53. */
export const POISSON_MAX_MEAN = 1e15;

/** Inversion by sequential search from 0, one uniform per draw; for mean < 10. */
function poissonInversion(rng: Rng, mean: number): number {
  for (;;) {
    let u = rng.next();
    let p = Math.exp(-mean);
    let k = 0;
    while (u > p) {
      u -= p;
      k++;
      p *= mean / k;
      // Underflowed probabilities with u left over (rounding, u ~ 1e-16): draw again.
      if (p === 0) break;
    }
    if (p !== 0 || u <= 0) return k;
  }
}

/**
 * PTRS, transformed rejection with squeeze (W. Hörmann, "The transformed rejection method for
 * generating Poisson random variables", Insurance: Math. Econ. 12, 39-45, 1993); for mean >= 10.
 * Exact: the acceptance test uses the Poisson log-pmf computed without cancellation.
 */
function poissonPtrs(rng: Rng, mean: number): number {
  const smu = Math.sqrt(mean);
  const b = 0.931 + 2.53 * smu;
  const a = -0.059 + 0.02483 * b;
  const logInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b) <= poissonLogPmf(k, mean)) return k;
  }
}

function checkMean(fn: string, mean: number): void {
  if (typeof mean !== 'number' || !(mean >= 0) || !(mean <= POISSON_MAX_MEAN)) {
    throw new InvalidInputError(
      `${fn}: Poisson mean must be a number 0 <= mean <= ${POISSON_MAX_MEAN}, got ${String(mean)}`,
    );
  }
}

function poissonUnchecked(rng: Rng, mean: number): number {
  if (mean === 0) return 0;
  return mean < 10 ? poissonInversion(rng, mean) : poissonPtrs(rng, mean);
}

/**
 * A Poisson random count with the given mean: exact for every mean from 0 to 1e15 (inversion
 * below 10, Hörmann's PTRS transformed rejection above, with an accurate log-pmf so large means
 * such as 1e9 photons are exact too).
 * @example
 * const photons = poisson(createRng(1), 12.5);
 */
export function poisson(rng: Rng, mean: number): number {
  checkMean('poisson', mean);
  return poissonUnchecked(rng, mean);
}

/**
 * Shot noise: a Poisson count for every expected count in `means` (e.g. a model decay curve),
 * returned as a new Float64Array of the same length.
 * @example
 * const model = Float64Array.from({ length: 100 }, (_, i) => 1000 * Math.exp(-i / 20));
 * const counts = poissonNoise(createRng(7), model);
 */
export function poissonNoise(rng: Rng, means: ArrayLike<number>): Float64Array {
  const out = new Float64Array(means.length);
  for (let i = 0; i < means.length; i++) {
    const m = means[i]!;
    checkMean(`poissonNoise (element ${i})`, m);
    out[i] = poissonUnchecked(rng, m);
  }
  return out;
}
