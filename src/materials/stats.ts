/**
 * Small statistics helpers for the materials models (internal): Student-t quantiles for
 * confidence bands from a fit's covariance, and covariance propagation through a gradient.
 * (The Student-t quantile is not among the fit engine's special functions at the time of writing.)
 */
import { InvalidInputError } from '../core/errors.js';

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/**
 * Regularised incomplete beta function I_x(a, b).
 * @example
 * regularizedIncompleteBeta(0.5, 2, 2); // 0.5
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront =
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * Cumulative distribution of Student's t with `dof` degrees of freedom.
 * @example
 * studentTCdf(2.5706, 5); // 0.975
 */
export function studentTCdf(t: number, dof: number): number {
  const x = dof / (dof + t * t);
  const tail = 0.5 * regularizedIncompleteBeta(x, dof / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Two-sided quantile of Student's t: the t with P(|T| <= t) = level (e.g. level 0.95, dof 5 ->
 * 2.5706). For dof <= 0 returns Infinity (no band can be given); for dof = Infinity the normal
 * quantile.
 * @example
 * studentTQuantile(0.95, 5); // 2.5706
 */
export function studentTQuantile(level: number, dof: number): number {
  if (!(level > 0 && level < 1))
    throw new InvalidInputError(`confidence level must be between 0 and 1, got ${level}`);
  if (!(dof > 0)) return Infinity;
  const p = 0.5 + level / 2;
  const effectiveDof = Math.min(dof, 1e7);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, effectiveDof) < p) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, effectiveDof) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-12 * hi) break;
  }
  return 0.5 * (lo + hi);
}

/**
 * g^T C g: variance of a function with gradient g when the parameters have covariance C.
 * @example
 * quadraticForm([1, 2], [[1, 0], [0, 1]]); // 5
 */
export function quadraticForm(
  gradient: readonly number[],
  covariance: readonly (readonly number[])[],
): number {
  let s = 0;
  for (let i = 0; i < gradient.length; i++) {
    const row = covariance[i]!;
    for (let j = 0; j < gradient.length; j++) s += gradient[i]! * row[j]! * gradient[j]!;
  }
  return s;
}
