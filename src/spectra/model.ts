/**
 * Multi-peak spectrum models (sum of line shapes plus a polynomial baseline) as `Model` objects
 * of the fit engine, with analytic Jacobians.
 */
import { InvalidInputError } from '../core/errors.js';
import type { Model } from '../fit/types.js';
import { type LineShape, type PeakShape, lineShape } from './lineshapes.js';

/** Baseline under the peaks: none, constant, linear, or a polynomial of the given degree. */
export type BaselineSpec = 'none' | 'constant' | 'linear' | { polynomial: number };

/**
 * Degree of a baseline spec (-1 for none).
 *
 * @example
 * baselineDegree({ polynomial: 2 }); // 2
 */
export function baselineDegree(b: BaselineSpec): number {
  if (b === 'none') return -1;
  if (b === 'constant') return 0;
  if (b === 'linear') return 1;
  const d = b.polynomial;
  if (!Number.isInteger(d) || d < 0 || d > 10)
    throw new InvalidInputError(`baseline polynomial degree must be 0..10, got ${d}`);
  return d;
}

/** Description of a multi-peak model. */
export interface PeakModelSpec {
  shape: PeakShape;
  nPeaks: number;
  baseline?: BaselineSpec;
  /** Mixing m of the `gl-product` shape. */
  glMix?: number;
  /** Baseline polynomial variable u = (x - xRef) / xScale (defaults 0 and 1); keeps the fit well conditioned. */
  xRef?: number;
  xScale?: number;
}

/** A multi-peak `Model` with the names of each peak's and the baseline's parameters. */
export interface PeakModel extends Model {
  spec: Required<Omit<PeakModelSpec, 'glMix'>> & { glMix: number };
  line: LineShape;
  /** Parameter names of peak k (0-based), e.g. ['p1_center', 'p1_area', 'p1_fwhm']. */
  peakParams: string[][];
  /** Baseline coefficient names c0..cd of the polynomial in u = (x - xRef)/xScale. */
  baselineParams: string[];
  /** Each peak alone and the baseline alone at the points x (for plots). */
  components(p: Float64Array, x: Float64Array): { peaks: Float64Array[]; baseline: Float64Array };
}

/**
 * Build a sum-of-peaks model with analytic Jacobian. Parameters are named `p1_center`,
 * `p1_area`, `p1_fwhm`, ... for peak 1, and `bg_c0`, `bg_c1`, ... for the baseline.
 *
 * @example
 * const m = peakModel({ shape: 'voigt', nPeaks: 2, baseline: 'linear' });
 * m.params; // ['p1_center', 'p1_area', 'p1_fwhmGaussian', 'p1_fwhmLorentzian', 'p2_center', ..., 'bg_c0', 'bg_c1']
 */
export function peakModel(spec: PeakModelSpec): PeakModel {
  if (!Number.isInteger(spec.nPeaks) || spec.nPeaks < 0)
    throw new InvalidInputError(`nPeaks must be a non-negative integer, got ${spec.nPeaks}`);
  const baseline = spec.baseline ?? 'none';
  const deg = baselineDegree(baseline);
  if (spec.nPeaks === 0 && deg < 0)
    throw new InvalidInputError('a model needs at least one peak or a baseline');
  const glMix = spec.glMix ?? 0.3;
  const line = lineShape(spec.shape, { glMix });
  const np = line.params.length;
  const peakParams: string[][] = [];
  for (let k = 0; k < spec.nPeaks; k++) peakParams.push(line.params.map((n) => `p${k + 1}_${n}`));
  const baselineParams = Array.from({ length: deg + 1 }, (_, i) => `bg_c${i}`);
  const params = [...peakParams.flat(), ...baselineParams];
  const xRef = spec.xRef ?? 0;
  const xScale = spec.xScale ?? 1;
  if (!(xScale > 0)) throw new InvalidInputError(`xScale must be positive, got ${xScale}`);
  const nPar = params.length;
  const bOff = spec.nPeaks * np;
  return {
    params,
    spec: { shape: spec.shape, nPeaks: spec.nPeaks, baseline, glMix, xRef, xScale },
    line,
    peakParams,
    baselineParams,
    evaluate(p, x, out) {
      for (let i = 0; i < x.length; i++) {
        const xi = x[i];
        let v = 0;
        for (let k = 0; k < spec.nPeaks; k++) v += line.value(xi, p, k * np);
        if (deg >= 0) {
          const u = (xi - xRef) / xScale;
          let b = p[bOff + deg];
          for (let d = deg - 1; d >= 0; d--) b = b * u + p[bOff + d];
          v += b;
        }
        out[i] = v;
      }
    },
    jacobian(p, x, jac) {
      for (let i = 0; i < x.length; i++) {
        const xi = x[i];
        const row = i * nPar;
        for (let k = 0; k < spec.nPeaks; k++)
          line.valueAndGradient(xi, p, k * np, jac, row + k * np);
        if (deg >= 0) {
          const u = (xi - xRef) / xScale;
          let up = 1;
          for (let d = 0; d <= deg; d++) {
            jac[row + bOff + d] = up;
            up *= u;
          }
        }
      }
    },
    components(p, x) {
      const peaks = Array.from({ length: spec.nPeaks }, (_, k) =>
        Float64Array.from(x, (xi) => line.value(xi, p, k * np)),
      );
      const base = new Float64Array(x.length);
      if (deg >= 0) {
        for (let i = 0; i < x.length; i++) {
          const u = (x[i] - xRef) / xScale;
          let b = p[bOff + deg];
          for (let d = deg - 1; d >= 0; d--) b = b * u + p[bOff + d];
          base[i] = b;
        }
      }
      return { peaks, baseline: base };
    },
  };
}
