/**
 * Spatial PL profile models for transient PL microscopy, as `Model` objects of the fitting engine
 * with analytic Jacobians: a 1-D Gaussian, a 1-D Voigt (Gaussian of width sigma convolved with a
 * Lorentzian of half width gammaL, the profile 004 fits) and an isotropic 2-D Gaussian. Each has
 * an area `A` (not a height), a centre, `sigma` (the Gaussian standard deviation whose square is
 * the MSD's sigma^2) and a constant background `c`.
 */
import type { Model } from '../fit/types.js';
import { faddeevaInto as faddeeva, voigtProfile } from '../spectra/faddeeva.js';

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

const wbuf = new Float64Array(2);

/**
 * Area-normalised Voigt profile V(x; sigma, gammaL) = Re w((x + i gammaL) / (sigma sqrt 2)) / (sigma sqrt(2 pi)),
 * with the project's one Faddeeva implementation (`nanolum/spectra`).
 *
 * @example
 * voigt(0, 1, 0); // 0.39894 (a unit Gaussian at its centre)
 */
export function voigt(x: number, sigma: number, gammaL: number): number {
  return voigtProfile(x, sigma, Math.max(0, gammaL));
}

/**
 * 1-D Gaussian profile: A / (sigma sqrt(2 pi)) exp(-(x - mu)^2 / (2 sigma^2)) + c.
 *
 * @example
 * const r = fit(gaussianProfileModel, x, y, { A: 100, mu: 0, sigma: 0.3, c: 0 });
 */
export const gaussianProfileModel: Model = {
  params: ['A', 'mu', 'sigma', 'c'],
  evaluate(p, x, out) {
    const [A, mu, s, c] = [p[0], p[1], p[2], p[3]];
    const k = A / (s * SQRT_2PI);
    for (let i = 0; i < x.length; i++) {
      const u = (x[i] - mu) / s;
      out[i] = k * Math.exp(-0.5 * u * u) + c;
    }
  },
  jacobian(p, x, jac) {
    const [A, mu, s] = [p[0], p[1], p[2]];
    const k = 1 / (s * SQRT_2PI);
    for (let i = 0; i < x.length; i++) {
      const u = (x[i] - mu) / s;
      const g = k * Math.exp(-0.5 * u * u);
      const j = 4 * i;
      jac[j] = g;
      jac[j + 1] = (A * g * u) / s;
      jac[j + 2] = (A * g * (u * u - 1)) / s;
      jac[j + 3] = 1;
    }
  },
};

/**
 * 1-D Voigt profile: A V(x - mu; sigma, gammaL) + c (004 eqn 3 without the decay factor, which
 * is constant within one time bin). Fix `gammaL` to hold the Lorentzian.
 *
 * @example
 * const r = fit(voigtProfileModel, x, y, { A: 100, mu: 0, sigma: 0.3, gammaL: 0.1, c: 0 });
 */
export const voigtProfileModel: Model = {
  params: ['A', 'mu', 'sigma', 'gammaL', 'c'],
  evaluate(p, x, out) {
    const [A, mu, s, g, c] = [p[0], p[1], p[2], Math.max(0, p[3]), p[4]];
    const sr = s * SQRT2;
    const k = A / (s * SQRT_2PI);
    for (let i = 0; i < x.length; i++) {
      faddeeva((x[i] - mu) / sr, g / sr, wbuf);
      out[i] = k * wbuf[0] + c;
    }
  },
  jacobian(p, x, jac) {
    const [A, mu, s, g] = [p[0], p[1], p[2], Math.max(0, p[3])];
    const sr = s * SQRT2;
    const k = 1 / (s * SQRT_2PI);
    const twoOverSqrtPi = 2 / SQRT_PI;
    for (let i = 0; i < x.length; i++) {
      const zr = (x[i] - mu) / sr;
      const zi = g / sr;
      faddeeva(zr, zi, wbuf);
      const wr = wbuf[0];
      const wi = wbuf[1];
      // w'(z) = -2 z w + 2 i / sqrt(pi)
      const dr = -2 * (zr * wr - zi * wi);
      const di = -2 * (zr * wi + zi * wr) + twoOverSqrtPi;
      const V = k * wr;
      const j = 5 * i;
      jac[j] = V;
      // dz/dmu = -1/sr (real); dz/dgammaL = i/sr; dz/dsigma = -z/sigma
      jac[j + 1] = A * k * (-dr / sr);
      jac[j + 2] = A * ((k * -(dr * zr - di * zi)) / s - V / s);
      jac[j + 3] = A * k * (-di / sr);
      jac[j + 4] = 1;
    }
  },
};

/**
 * Isotropic 2-D Gaussian: A / (2 pi sigma^2) exp(-((x - mux)^2 + (y - muy)^2) / (2 sigma^2)) + c.
 * Two variables per point, point-major: x[2i] = x, x[2i+1] = y.
 *
 * @example
 * const r = fit(gaussian2dProfileModel, xy, counts, { A: 1e4, mux: 0, muy: 0, sigma: 0.3, c: 0 });
 */
export const gaussian2dProfileModel: Model = {
  params: ['A', 'mux', 'muy', 'sigma', 'c'],
  nVariables: 2,
  evaluate(p, x, out) {
    const [A, mx, my, s, c] = [p[0], p[1], p[2], p[3], p[4]];
    const k = A / (2 * Math.PI * s * s);
    for (let i = 0; i < out.length; i++) {
      const u = (x[2 * i] - mx) / s;
      const v = (x[2 * i + 1] - my) / s;
      out[i] = k * Math.exp(-0.5 * (u * u + v * v)) + c;
    }
  },
  jacobian(p, x, jac) {
    const [A, mx, my, s] = [p[0], p[1], p[2], p[3]];
    const k = 1 / (2 * Math.PI * s * s);
    const n = x.length / 2;
    for (let i = 0; i < n; i++) {
      const u = (x[2 * i] - mx) / s;
      const v = (x[2 * i + 1] - my) / s;
      const g = k * Math.exp(-0.5 * (u * u + v * v));
      const j = 5 * i;
      jac[j] = g;
      jac[j + 1] = (A * g * u) / s;
      jac[j + 2] = (A * g * v) / s;
      jac[j + 3] = (A * g * (u * u + v * v - 2)) / s;
      jac[j + 4] = 1;
    }
  },
};
