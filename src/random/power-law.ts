import { InvalidInputError } from '../core/errors.js';
import type { Rng } from './rng.js';

function fail(fn: string, message: string): never {
  throw new InvalidInputError(`${fn}: ${message}`);
}

/** log1p(u expm1(g L)) / g, continuous at g = 0 (where it is u L). */
function boundedPowerLawLog(u: number, g: number, L: number): number {
  const gl = g * L;
  if (Math.abs(gl) < 1e-12) return u * L * (1 + 0.5 * gl * (1 - u));
  return Math.log1p(u * Math.expm1(gl)) / g;
}

/** Inverse-CDF draw of P(t) ∝ t^-alpha on [tMin, tMax] (tMax may be Infinity when alpha > 1). */
function powerLawUnchecked(u: number, alpha: number, tMin: number, tMax: number): number {
  if (tMax === Infinity) return tMin * Math.pow(1 - u, -1 / (alpha - 1));
  const t = tMin * Math.exp(boundedPowerLawLog(u, 1 - alpha, Math.log(tMax / tMin)));
  return t < tMax ? t : tMax;
}

/**
 * A power-law random number, P(t) ∝ t^-alpha on [tMin, tMax] (exact inverse CDF). Without
 * `tMax` the range is [tMin, ∞) and alpha must be > 1; with a finite `tMax` any real alpha works
 * (alpha = 1 is log-uniform). Typical use: on- and off-times of blinking quantum dots.
 * @example
 * const rng = createRng(1);
 * const offTimeS = powerLaw(rng, 1.6, 1e-3);        // unbounded, alpha > 1
 * const onTimeS = powerLaw(rng, 1.2, 1e-3, 100);    // truncated at 100 s
 */
export function powerLaw(rng: Rng, alpha: number, tMin: number, tMax = Infinity): number {
  const fn = 'powerLaw';
  if (!Number.isFinite(alpha)) fail(fn, `alpha must be a finite number, got ${String(alpha)}`);
  if (!(tMin > 0) || !Number.isFinite(tMin))
    fail(fn, `tMin must be a finite number > 0, got ${String(tMin)}`);
  if (typeof tMax !== 'number' || Number.isNaN(tMax) || !(tMax > tMin)) {
    fail(fn, `tMax must be greater than tMin = ${tMin}, got ${String(tMax)}`);
  }
  if (tMax === Infinity && !(alpha > 1)) {
    fail(fn, `alpha must be > 1 for an unbounded power law (no tMax), got alpha = ${alpha}`);
  }
  return powerLawUnchecked(rng.next(), alpha, tMin, tMax);
}

/**
 * A power law with an exponential cut-off, P(t) ∝ t^-alpha exp(-t / tc) for t >= tMin (alpha >= 0,
 * tMin > 0, tc > 0), drawn exactly by rejection from a two-piece envelope: a bounded power law
 * on [tMin, max(tMin, tc)] and a shifted exponential beyond. Acceptance stays above ~1/3 for
 * alpha <= 3 whatever tMin / tc. `tc = Infinity` is the plain power law (then alpha > 1).
 * @example
 * // on-times of a blinking nanocrystal: alpha 1.5 from 1 ms, cut off at 0.2 s
 * const onTimeS = truncatedPowerLaw(createRng(3), 1.5, 1e-3, 0.2);
 */
export function truncatedPowerLaw(rng: Rng, alpha: number, tMin: number, tc: number): number {
  const fn = 'truncatedPowerLaw';
  if (!(alpha >= 0) || !Number.isFinite(alpha))
    fail(fn, `alpha must be a finite number >= 0, got ${String(alpha)}`);
  if (!(tMin > 0) || !Number.isFinite(tMin))
    fail(fn, `tMin must be a finite number > 0, got ${String(tMin)}`);
  if (!(tc > 0)) fail(fn, `cut-off time tc must be > 0, got ${String(tc)}`);
  if (tc === Infinity) {
    if (!(alpha > 1))
      fail(fn, `alpha must be > 1 without a cut-off (tc = Infinity), got alpha = ${alpha}`);
    return powerLawUnchecked(rng.next(), alpha, tMin, Infinity);
  }
  // Work in units of the target density at tMin: f(t) = (t/tMin)^-alpha exp(-(t - tMin)/tc).
  const T = Math.max(tMin, tc);
  const L = Math.log(T / tMin);
  const g = 1 - alpha;
  // Piece 1 on [tMin, T]: envelope (t/tMin)^-alpha, weight ∫ = tMin * ∫_0^L e^{g s} ds.
  const w1 = L === 0 ? 0 : tMin * (Math.abs(g * L) < 1e-12 ? L : Math.expm1(g * L) / g);
  // Piece 2 on [T, ∞): envelope (T/tMin)^-alpha exp(-(t - tMin)/tc), weight tc (T/tMin)^-alpha e^{-(T-tMin)/tc}.
  const w2 = tc * Math.exp(-alpha * L - (T - tMin) / tc);
  const p1 = w1 / (w1 + w2);
  for (;;) {
    if (rng.next() < p1) {
      const t = powerLawUnchecked(rng.next(), alpha, tMin, T);
      // Accept with f / envelope = exp(-(t - tMin) / tc).
      if (rng.next() < Math.exp(-(t - tMin) / tc)) return t;
    } else {
      const t = T - tc * Math.log1p(-rng.next());
      // Accept with f / envelope = (t / T)^-alpha.
      if (rng.next() < Math.pow(t / T, -alpha)) return t;
    }
  }
}
