/**
 * Special functions for decay models: the standard normal density and distribution, and the
 * scaled complementary error function erfcx(x) = exp(x^2) erfc(x), which keeps
 * exponential-times-Gaussian (ex-Gaussian) kernels finite where exp overflows and erfc underflows.
 *
 * @module
 */
import { erfc } from '../../fit/formula.js';

const INV_SQRT_2PI = 0.3989422804014327; // 1/sqrt(2 pi)
const INV_SQRT_PI = 0.5641895835477563; // 1/sqrt(pi)
const SQRT1_2 = Math.SQRT1_2;

/**
 * Standard normal probability density.
 *
 * @example
 * normalPdf(0); // 0.3989422804014327
 */
export function normalPdf(u: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * u * u);
}

/**
 * Standard normal cumulative distribution, accurate in both tails (via erfc).
 *
 * @example
 * normalCdf(-1.96); // 0.0249979...
 */
export function normalCdf(u: number): number {
  return 0.5 * erfc(-u * SQRT1_2);
}

/**
 * Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), finite for every x >= -26
 * (for large x it behaves as 1 / (x sqrt(pi))).
 *
 * @example
 * erfcx(0); // 1
 * erfcx(30); // 0.018795888861416751 (= exp(900) erfc(30), which would overflow as a product)
 */
export function erfcx(x: number): number {
  if (x < 3) return Math.exp(x * x) * erfc(x);
  // Laplace continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
  const terms = Math.ceil(8 + 400 / (x * x));
  let t = x;
  for (let n = terms; n >= 1; n--) t = x + n / 2 / t;
  return INV_SQRT_PI / t;
}

/**
 * The unit-area exponential decay (lifetime tau) convolved with a unit-area Gaussian of
 * standard deviation sigma, written in u = (t - t0)/sigma and s = sigma/tau:
 * E = (1/2) exp(s^2/2 - u s) erfc((s - u)/sqrt(2)). This is the decay's value per unit
 * amplitude (1 at the top of an infinitely narrow IRF), stable for all u and s.
 *
 * @example
 * exGaussian(5, 0.1); // ~ exp(-0.5 + 0.005) (long after the pulse: a plain exponential)
 */
export function exGaussian(u: number, s: number): number {
  const z = (s - u) * SQRT1_2;
  if (z > 0) return 0.5 * Math.exp(-0.5 * u * u) * erfcx(z);
  return 0.5 * Math.exp(0.5 * s * s - u * s) * erfc(z);
}
