/**
 * Multi-exponential fits of one kinetic trace (a TA band-edge bleach, a PL decay), with fixed
 * components (paper 001 fixes tau3 = 7500 ps and fits t > 4 ps), an optional Gaussian
 * instrument response (exponentials convolved with it) and an optional constant offset, by the
 * project's fitting engine. Amplitude start values come from linear least squares at the
 * starting lifetimes, so only the lifetimes need a guess.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { type Quantity, quantity } from '../../core/quantity.js';
import { fit } from '../../fit/fit.js';
import type { Model, ParamSpec } from '../../fit/types.js';
import { FWHM_PER_SIGMA, convolvedExponential } from './basis.js';
import { LeastSquaresQR } from './dense.js';
import { type FitStatistics, fitStatistics } from '../../fit/statistics.js';

/** One exponential component: its lifetime (start value) and whether it is held fixed. */
export interface LifetimeSpec {
  tauPs: number;
  fixed?: boolean;
  min?: number;
  max?: number;
}

/** A Gaussian instrument response: centre (time zero) and FWHM in ps; numbers or engine specs. */
export interface IrfSpec {
  centerPs: number | ParamSpec;
  fwhmPs: number | ParamSpec;
}

export interface KineticFitOptions {
  /** Lifetimes in ps (start values), e.g. `[10, 200, { tauPs: 7500, fixed: true }]`. */
  components: ReadonlyArray<number | LifetimeSpec>;
  /** Fit only t >= tMinPs (001: 4 ps). */
  tMinPs?: number;
  tMaxPs?: number;
  /** Gaussian IRF; without it the exponentials start sharply at `timeZeroPs`. */
  irf?: IrfSpec;
  /** Time zero when there is no IRF (default 0). */
  timeZeroPs?: number;
  /** Add a constant offset (default false). */
  offset?: boolean;
  /** Standard deviation of each value (same length as the trace); weights the fit. */
  sigma?: ArrayLike<number>;
}

/** One fitted component. */
export interface KineticComponent {
  tauPs: Quantity;
  amplitude: Quantity;
  /** amplitude / sum of amplitudes (null if the amplitudes differ in sign). */
  fraction: Quantity | null;
  fixed: boolean;
}

export interface KineticFit extends FitStatistics {
  model: string;
  components: KineticComponent[];
  irf: { centerPs: Quantity; fwhmPs: Quantity } | null;
  offset: Quantity | null;
  /** Amplitude-weighted mean lifetime sum(A tau) / sum(A) (ps), null if amplitudes differ in sign. */
  meanLifetimePs: number | null;
  timesPs: number[];
  values: number[];
  best: number[];
  residuals: number[];
  /** Covariance of the free parameters (engine order, as `freeParams`). */
  covariance: number[][] | null;
}

function toSpec(v: number | ParamSpec): ParamSpec {
  return typeof v === 'number' ? { value: v } : { ...v };
}

/** The engine model of `n` convolved exponentials (+ offset); params A1, tau1, ..., [irfCenter, irfFwhm], [offset]. */
function kineticModel(n: number, withIrf: boolean, withOffset: boolean, timeZero: number): Model {
  const params: string[] = [];
  for (let i = 1; i <= n; i++) params.push(`A${i}`, `tau${i}`);
  if (withIrf) params.push('irfCenter', 'irfFwhm');
  if (withOffset) params.push('offset');
  return {
    params,
    evaluate(p, x, out) {
      const t0 = withIrf ? p[2 * n]! : timeZero;
      const sigma = withIrf ? Math.abs(p[2 * n + 1]!) / FWHM_PER_SIGMA : 0;
      const off = withOffset ? p[params.length - 1]! : 0;
      for (let i = 0; i < x.length; i++) {
        let s = off;
        for (let c = 0; c < n; c++)
          s += p[2 * c]! * convolvedExponential(x[i]!, p[2 * c + 1]!, t0, sigma);
        out[i] = s;
      }
    },
  };
}

function checkTrace(timesPs: ArrayLike<number>, values: ArrayLike<number>): void {
  if (timesPs.length !== values.length) {
    throw new InvalidInputError(
      `the trace has ${timesPs.length} times but ${values.length} values`,
    );
  }
  for (let i = 0; i < timesPs.length; i++) {
    if (!Number.isFinite(timesPs[i]!) || !Number.isFinite(values[i]!)) {
      throw new InvalidInputError(`the trace has a non-finite time or value at point ${i + 1}`);
    }
  }
}

/**
 * Fit a kinetic trace with a sum of exponentials, some held fixed, optionally convolved with a
 * Gaussian IRF and with an offset, over t in [tMinPs, tMaxPs].
 *
 * @example
 * // 001: tri-exponential, tau3 fixed at 7500 ps, fitted for t > 4 ps
 * const r = fitKinetic(t, bleach, { components: [20, 300, { tauPs: 7500, fixed: true }], tMinPs: 4 });
 * r.components[0].tauPs; // { value, stderr, unit: 'ps' }
 */
export function fitKinetic(
  timesPs: ArrayLike<number>,
  values: ArrayLike<number>,
  options: KineticFitOptions,
): KineticFit {
  checkTrace(timesPs, values);
  const comps = (options.components ?? []).map((c, i): LifetimeSpec => {
    const s = typeof c === 'number' ? { tauPs: c } : c;
    if (!s || !(s.tauPs > 0))
      throw new InvalidInputError(
        `component ${i + 1}: the lifetime must be a positive number of ps, got ${s?.tauPs}`,
      );
    return s;
  });
  if (comps.length === 0)
    throw new InvalidInputError(
      'give at least one exponential component (components: [tauPs, ...])',
    );
  const tMin = options.tMinPs ?? -Infinity;
  const tMax = options.tMaxPs ?? Infinity;
  if (!(tMax > tMin)) throw new InvalidInputError(`tMaxPs (${tMax}) must exceed tMinPs (${tMin})`);
  if (options.sigma && options.sigma.length !== values.length) {
    throw new InvalidInputError(
      `sigma has ${options.sigma.length} values but the trace has ${values.length}`,
    );
  }
  const idx: number[] = [];
  for (let i = 0; i < timesPs.length; i++)
    if (timesPs[i]! >= tMin && timesPs[i]! <= tMax) idx.push(i);
  const x = Float64Array.from(idx, (i) => timesPs[i]!);
  const y = Float64Array.from(idx, (i) => values[i]!);
  const sigma = options.sigma ? Float64Array.from(idx, (i) => options.sigma![i]!) : undefined;
  if (sigma && sigma.some((s) => !(s > 0))) {
    throw new InvalidInputError(
      'sigma must be positive at every fitted point (a band of fewer than 3 columns has no standard error)',
    );
  }
  const withIrf = options.irf !== undefined;
  const withOffset = options.offset === true;
  const n = comps.length;
  const nFreeGuess = 2 * n + (withIrf ? 2 : 0) + (withOffset ? 1 : 0);
  if (x.length <= nFreeGuess) {
    throw new InvalidInputError(
      `only ${x.length} points in the fit range [${tMin}, ${tMax}] ps for ${nFreeGuess} parameters`,
    );
  }
  const timeZero = options.timeZeroPs ?? 0;
  const model = kineticModel(n, withIrf, withOffset, timeZero);
  const irfCenter = withIrf ? toSpec(options.irf!.centerPs) : null;
  const irfFwhm = withIrf ? toSpec(options.irf!.fwhmPs) : null;
  if (irfFwhm && !(irfFwhm.value > 0))
    throw new InvalidInputError(`the IRF FWHM must be positive, got ${irfFwhm.value} ps`);

  // amplitude start values by linear least squares at the starting lifetimes
  const t0 = irfCenter ? irfCenter.value : timeZero;
  const sg = irfFwhm ? irfFwhm.value / FWHM_PER_SIGMA : 0;
  const k = n + (withOffset ? 1 : 0);
  const basis = new Float64Array(x.length * k);
  for (let c = 0; c < n; c++)
    for (let i = 0; i < x.length; i++)
      basis[c * x.length + i] = convolvedExponential(x[i]!, comps[c]!.tauPs, t0, sg);
  if (withOffset) for (let i = 0; i < x.length; i++) basis[n * x.length + i] = 1;
  const a0 = new LeastSquaresQR(basis, x.length, k).solve(y);

  const params: Record<string, ParamSpec> = {};
  comps.forEach((c, i) => {
    params[`A${i + 1}`] = {
      value:
        a0[i] !== 0 && Number.isFinite(a0[i]!) ? a0[i]! : 1e-3 * Math.max(...y.map(Math.abs)) || 1,
    };
    params[`tau${i + 1}`] = {
      value: c.tauPs,
      min: c.min ?? 0,
      ...(c.max !== undefined ? { max: c.max } : {}),
      ...(c.fixed ? { fixed: true } : {}),
    };
  });
  if (irfCenter && irfFwhm) {
    params.irfCenter = irfCenter;
    params.irfFwhm = { min: 0, ...irfFwhm };
  }
  if (withOffset) params.offset = { value: a0[n] ?? 0 };
  const r = fit(model, x, y, params, sigma ? { sigma } : {});
  const q = (name: string, unit: string): Quantity =>
    quantity(r.params[name]!.value, unit, r.params[name]!.stderr);
  const amps = comps.map((_, i) => r.params[`A${i + 1}`]!.value);
  const sumA = amps.reduce((s, v) => s + v, 0);
  const sameSign = amps.every((a) => a >= 0) || amps.every((a) => a <= 0);
  // delta-method stderr of the fractions from the covariance of the free amplitudes
  const cov = r.covariance;
  const fi = (name: string): number => r.freeParams.indexOf(name);
  const components: KineticComponent[] = comps.map((c, i) => {
    let fraction: Quantity | null = null;
    if (sameSign && sumA !== 0) {
      const f = amps[i]! / sumA;
      let varF: number | null = cov ? 0 : null;
      if (cov) {
        // d f_i / d A_j = (delta_ij - f_i) / S
        for (let a = 0; a < n; a++) {
          const ia = fi(`A${a + 1}`);
          if (ia < 0) continue;
          const ga = ((a === i ? 1 : 0) - f) / sumA;
          for (let b = 0; b < n; b++) {
            const ib = fi(`A${b + 1}`);
            if (ib < 0) continue;
            const gb = ((b === i ? 1 : 0) - f) / sumA;
            varF! += ga * gb * cov[ia]![ib]!;
          }
        }
      }
      fraction = quantity(f, '', varF !== null && varF >= 0 ? Math.sqrt(varF) : null);
    }
    return {
      tauPs: q(`tau${i + 1}`, 'ps'),
      amplitude: q(`A${i + 1}`, ''),
      fraction,
      fixed: c.fixed === true,
    };
  });
  const meanLifetimePs =
    sameSign && sumA !== 0
      ? comps.reduce((s, _, i) => s + amps[i]! * r.params[`tau${i + 1}`]!.value, 0) / sumA
      : null;
  return {
    model: `${n}-exponential${withIrf ? ' convolved with a Gaussian IRF' : ''}${withOffset ? ' + offset' : ''}`,
    components,
    irf: withIrf ? { centerPs: q('irfCenter', 'ps'), fwhmPs: q('irfFwhm', 'ps') } : null,
    offset: withOffset ? q('offset', '') : null,
    meanLifetimePs,
    timesPs: Array.from(x),
    values: Array.from(y),
    best: Array.from(r.best),
    residuals: Array.from(r.residuals),
    ...fitStatistics(r),
    covariance: r.covariance,
  };
}
