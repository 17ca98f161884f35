import { InvalidInputError } from '../core/errors.js';
import { binomialLogPmf } from './log-pmf.js';
import type { Rng } from './rng.js';

/** Inversion by sequential search from 0 (p <= 1/2, n p < 10). */
function binomialInversion(rng: Rng, n: number, p: number): number {
  const r = p / (1 - p);
  const f0 = Math.exp(n * Math.log1p(-p));
  for (;;) {
    let u = rng.next();
    let f = f0;
    let k = 0;
    while (u > f) {
      u -= f;
      k++;
      f *= ((n - k + 1) / k) * r;
      if (k >= n || f === 0) break;
    }
    if (u <= f) return k;
    // Ran out of probability mass through rounding: draw again (happens ~1e-16 of the time).
  }
}

/**
 * BTRS, transformed rejection with squeeze (W. Hörmann, "The generation of binomial random
 * variates", J. Statist. Comput. Simul. 46, 101-110, 1993); p <= 1/2, n p >= 10. Exact: the
 * acceptance test compares with the ratio pmf(k) / pmf(mode) from accurate log-pmfs.
 */
function binomialBtrs(rng: Rng, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const logAlpha = Math.log((2.83 + 5.1 / b) * spq);
  const m = Math.floor((n + 1) * p);
  const logPmfMode = binomialLogPmf(m, n, p);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || k > n) continue;
    const lhs = Math.log(v) + logAlpha - Math.log(a / (us * us) + b);
    if (lhs <= binomialLogPmf(k, n, p) - logPmfMode) return k;
  }
}

/**
 * A binomial random count: successes in `n` independent trials of probability `p` (n a safe
 * integer >= 0, 0 <= p <= 1). Exact for all n and p: inversion when min(p, 1-p) n < 10, else
 * Hörmann's BTRS transformed rejection with an accurate log-pmf.
 * @example
 * const detected = binomial(createRng(1), 5000, 0.12); // photons through a 12% efficient path
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidInputError(`binomial: n must be an integer >= 0, got ${String(n)}`);
  }
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new InvalidInputError(`binomial: p must be a probability 0 <= p <= 1, got ${String(p)}`);
  }
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  const k = n * q < 10 ? binomialInversion(rng, n, q) : binomialBtrs(rng, n, q);
  return flip ? n - k : k;
}
