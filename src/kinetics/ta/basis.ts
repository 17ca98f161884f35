/**
 * Kinetic basis functions of transient absorption: an exponential decay started at time zero
 * and convolved with a Gaussian instrument response (the standard model of global analysis),
 * its IRF-shaped companion for the coherent artefact, and the scaled complementary error
 * function they need for numerical stability.
 *
 * @module
 */
import { erfc } from '../../fit/formula.js';

/** FWHM of a Gaussian divided by its standard deviation: 2 sqrt(2 ln 2). */
export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

const ONE_OVER_SQRT_PI = 0.5641895835477563;
const SQRT2 = Math.SQRT2;

/**
 * The scaled complementary error function erfcx(x) = exp(x^2) erfc(x), finite for large x
 * (where exp(x^2) overflows and erfc(x) underflows); behaves as 1/(x sqrt(pi)) for x -> inf.
 *
 * @example
 * erfcx(0); // 1
 * erfcx(30); // 0.018795888861416751
 */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 4) {
    if (x < -26) return Infinity;
    return Math.exp(x * x) * erfc(x);
  }
  // Laplace continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  const terms = Math.ceil(8 + 800 / (x * x));
  let t = x;
  for (let n = terms; n >= 1; n--) t = x + n / 2 / t;
  return ONE_OVER_SQRT_PI / t;
}

/**
 * An exponential decay exp(-(t - t0)/tau) for t >= t0 (0 before), convolved with a Gaussian
 * instrument response of standard deviation `sigma` centred at t0. `tau = Infinity` gives the
 * IRF-broadened step (a non-decaying component); `sigma = 0` the bare exponential. Stable for
 * all arguments (no overflow at t << t0 or tau << sigma).
 *
 * c(t) = 1/2 exp(-k u + k^2 sigma^2 / 2) erfc((k sigma^2 - u) / (sigma sqrt 2)), u = t - t0, k = 1/tau
 *
 * @example
 * convolvedExponential(1, 2, 0, 0); // exp(-0.5) = 0.6065
 * convolvedExponential(0, Infinity, 0, 0.1); // 0.5 (half-way up the step)
 */
export function convolvedExponential(t: number, tau: number, t0: number, sigma: number): number {
  const u = t - t0;
  const k = tau === Infinity ? 0 : 1 / tau;
  if (!(sigma > 0)) {
    if (u < 0) return 0;
    return k === 0 ? 1 : Math.exp(-k * u);
  }
  if (k === 0) return 0.5 * erfc(-u / (sigma * SQRT2));
  const z = (k * sigma * sigma - u) / (sigma * SQRT2);
  if (z > 0) {
    const g = (u * u) / (2 * sigma * sigma);
    if (g > 745) return 0;
    return 0.5 * Math.exp(-g) * erfcx(z);
  }
  // erfc(z) = 2 to double precision for z < -6 (well after the IRF)
  const e = Math.exp(-k * u + 0.5 * k * k * sigma * sigma);
  return z < -6 ? e : 0.5 * e * erfc(z);
}

/**
 * A Gaussian of unit height, exp(-(t - t0)^2 / (2 sigma^2)): the instrument response shape used
 * as a basis function for the coherent artefact at time zero.
 *
 * @example
 * gaussianPulse(0.1, 0.1, 0.05); // 1
 */
export function gaussianPulse(t: number, t0: number, sigma: number): number {
  if (!(sigma > 0)) return t === t0 ? 1 : 0;
  const u = (t - t0) / sigma;
  return Math.exp(-0.5 * u * u);
}

/**
 * The shift of time zero at a wavelength relative to the reference wavelength, from a dispersion
 * (chirp) polynomial in the Glotaran convention: sum_k c_k ((lambda - ref) / 100 nm)^k, k = 1, 2, ...
 * (`coefficients[0]` is c_1, in ps).
 *
 * @example
 * dispersionShift(600, 500, [0.3, -0.1]); // 0.3 - 0.1 = 0.2 ps
 */
export function dispersionShift(
  wavelengthNm: number,
  referenceNm: number,
  coefficients: ArrayLike<number>,
): number {
  const x = (wavelengthNm - referenceNm) / 100;
  let s = 0;
  let p = x;
  for (let k = 0; k < coefficients.length; k++) {
    s += coefficients[k]! * p;
    p *= x;
  }
  return s;
}
