/**
 * XPS peak model: chemical-state components, each a spin-orbit doublet (or a singlet) of one line
 * shape, on a background, as a `Model` of the fit engine with analytic Jacobian.
 *
 * Backgrounds:
 * - a fixed array (e.g. the iterative Shirley background computed from the data);
 * - `shirley`: fitted ("active") Shirley, B(E) = L + (H - L) P(E) / P_total with P(E) the
 *   cumulative area of the model peaks from the low-binding-energy end; the end levels L, H are
 *   the parameters `bg_low`, `bg_high` (so their uncertainty enters the results);
 * - `linear`: a straight line from `bg_low` (first point) to `bg_high` (last point).
 */
import { InvalidInputError } from '../core/errors.js';
import type { Model } from '../fit/types.js';
import { type LineShape, type PeakShape, lineShape } from '../spectra/lineshapes.js';

/** Line shapes used for XPS components. */
export type XpsLineShape = Extract<
  PeakShape,
  'gaussian' | 'lorentzian' | 'voigt' | 'pseudo-voigt' | 'gl-product'
>;

/** Description of an XPS model. */
export interface XpsModelSpec {
  shape: XpsLineShape;
  nComponents: number;
  /** True for spin-orbit doublets (global parameters `splitting` and `ratio`), false for singlets. */
  doublet: boolean;
  /** A fixed background at each data point (same order as x), or a fitted `shirley` / `linear` background. */
  background: Float64Array | 'shirley' | 'linear';
  glMix?: number;
}

/** The model plus parameter bookkeeping. */
export interface XpsModel extends Model {
  line: LineShape;
  /** Parameters of component k: position (major line), area (major line), widths... */
  componentParams: string[][];
  /** Major line, minor line (zeros for singlets) of each component, and the background, at x. */
  components(
    p: Float64Array,
    x: Float64Array,
  ): { parts: { major: Float64Array; minor: Float64Array }[]; background: Float64Array };
}

/**
 * Build an XPS model. Component k (1-based in names) has `c{k}_position` (binding energy of the
 * major, j = l + 1/2 line), `c{k}_area` (area of the major line) and the shape's widths
 * (`c{k}_fwhm`, plus `c{k}_fwhmLorentzian` for Voigt, `c{k}_eta` for pseudo-Voigt). Doublets add
 * global `splitting` (minor - major, eV) and `ratio` (minor / major area); fitted backgrounds add
 * `bg_low` and `bg_high`. x must ascend.
 *
 * @example
 * const m = xpsModel({ shape: 'gaussian', nComponents: 2, doublet: true, background: 'shirley' });
 */
export function xpsModel(spec: XpsModelSpec): XpsModel {
  if (!Number.isInteger(spec.nComponents) || spec.nComponents < 1) {
    throw new InvalidInputError(`components must be a positive integer, got ${spec.nComponents}`);
  }
  const line = lineShape(spec.shape, { glMix: spec.glMix });
  const np = line.params.length; // center, area, widths
  const widthNames = line.params.slice(2).map((n) => (n === 'fwhmGaussian' ? 'fwhm' : n));
  const componentParams: string[][] = [];
  for (let k = 0; k < spec.nComponents; k++)
    componentParams.push([
      `c${k + 1}_position`,
      `c${k + 1}_area`,
      ...widthNames.map((w) => `c${k + 1}_${w}`),
    ]);
  const fitted = typeof spec.background === 'string' ? spec.background : null;
  const fixedBg = typeof spec.background === 'string' ? null : spec.background;
  const params = [
    ...componentParams.flat(),
    ...(spec.doublet ? ['splitting', 'ratio'] : []),
    ...(fitted ? ['bg_low', 'bg_high'] : []),
  ];
  const nPar = params.length;
  const nPeakPar = spec.nComponents * np + (spec.doublet ? 2 : 0);
  const iSplit = spec.nComponents * np;
  const iLow = nPeakPar;
  const q = new Float64Array(np);
  const gMaj = new Float64Array(np);
  const gMin = new Float64Array(np);

  const check = (x: Float64Array): void => {
    if (fixedBg && x.length !== fixedBg.length)
      throw new InvalidInputError(
        `the model's background has ${fixedBg.length} points but x has ${x.length}`,
      );
  };
  const peaksAt = (p: Float64Array, xi: number): number => {
    let v = 0;
    for (let k = 0; k < spec.nComponents; k++) {
      const o = k * np;
      v += line.value(xi, p, o);
      if (spec.doublet) {
        for (let j = 0; j < np; j++) q[j] = p[o + j];
        q[0] += p[iSplit];
        q[1] *= p[iSplit + 1];
        v += line.value(xi, q, 0);
      }
    }
    return v;
  };
  /** Background from the peak sum P (fitted kinds) into out; returns the normalised cumulative C. */
  const background = (
    p: Float64Array,
    x: Float64Array,
    P: Float64Array,
    out: Float64Array,
  ): Float64Array => {
    const n = x.length;
    const C = new Float64Array(n);
    if (fixedBg) {
      out.set(fixedBg);
      return C;
    }
    const L = p[iLow];
    const H = p[iLow + 1];
    if (fitted === 'linear') {
      const span = x[n - 1] - x[0] || 1;
      for (let i = 0; i < n; i++) {
        C[i] = (x[i] - x[0]) / span;
        out[i] = L + (H - L) * C[i];
      }
      return C;
    }
    let cum = 0;
    C[0] = 0;
    for (let i = 1; i < n; i++) {
      cum += 0.5 * (x[i] - x[i - 1]) * (P[i] + P[i - 1]);
      C[i] = cum;
    }
    const total = cum;
    for (let i = 0; i < n; i++) {
      C[i] = total > 0 ? C[i] / total : 0;
      out[i] = L + (H - L) * C[i];
    }
    return C;
  };

  return {
    params,
    line,
    componentParams,
    evaluate(p, x, out) {
      check(x);
      const P = Float64Array.from(x, (xi) => peaksAt(p, xi));
      const B = new Float64Array(x.length);
      background(p, x, P, B);
      for (let i = 0; i < x.length; i++) out[i] = P[i] + B[i];
    },
    jacobian(p, x, jac) {
      check(x);
      const n = x.length;
      jac.fill(0);
      const P = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const row = i * nPar;
        let v = 0;
        for (let k = 0; k < spec.nComponents; k++) {
          const o = k * np;
          v += line.valueAndGradient(x[i], p, o, gMaj, 0);
          for (let j = 0; j < np; j++) jac[row + o + j] = gMaj[j];
          if (spec.doublet) {
            for (let j = 0; j < np; j++) q[j] = p[o + j];
            q[0] += p[iSplit];
            const r = p[iSplit + 1];
            q[1] *= r;
            v += line.valueAndGradient(x[i], q, 0, gMin, 0);
            jac[row + o] += gMin[0];
            jac[row + o + 1] += r * gMin[1];
            for (let j = 2; j < np; j++) jac[row + o + j] += gMin[j];
            jac[row + iSplit] += gMin[0];
            jac[row + iSplit + 1] += p[o + 1] * gMin[1];
          }
        }
        P[i] = v;
      }
      if (!fitted) return;
      const B = new Float64Array(n);
      const C = background(p, x, P, B);
      for (let i = 0; i < n; i++) {
        jac[i * nPar + iLow] = 1 - C[i];
        jac[i * nPar + iLow + 1] = C[i];
      }
      if (fitted !== 'shirley') return;
      // d/dθ of (H - L) cum_i / cum_N, with cum the running trapezoid of the peak sum
      let total = 0;
      const cum = new Float64Array(n);
      for (let i = 1; i < n; i++) {
        total += 0.5 * (x[i] - x[i - 1]) * (P[i] + P[i - 1]);
        cum[i] = total;
      }
      if (!(total > 0)) return;
      const step = p[iLow + 1] - p[iLow];
      const dcum = new Float64Array(n);
      for (let j = 0; j < nPeakPar; j++) {
        dcum[0] = 0;
        for (let i = 1; i < n; i++)
          dcum[i] =
            dcum[i - 1] + 0.5 * (x[i] - x[i - 1]) * (jac[i * nPar + j] + jac[(i - 1) * nPar + j]);
        const dTot = dcum[n - 1];
        for (let i = 0; i < n; i++)
          jac[i * nPar + j] += (step * (dcum[i] * total - cum[i] * dTot)) / (total * total);
      }
    },
    components(p, x) {
      const parts = Array.from({ length: spec.nComponents }, (_, k) => {
        const o = k * np;
        const major = Float64Array.from(x, (xi) => line.value(xi, p, o));
        const minor = new Float64Array(x.length);
        if (spec.doublet) {
          const qq = Array.from({ length: np }, (_, j) => p[o + j]);
          qq[0] += p[iSplit];
          qq[1] *= p[iSplit + 1];
          for (let i = 0; i < x.length; i++) minor[i] = line.value(x[i], qq, 0);
        }
        return { major, minor };
      });
      const P = Float64Array.from(x, (xi) => peaksAt(p, xi));
      const B = new Float64Array(x.length);
      background(p, x, P, B);
      return { parts, background: B };
    },
  };
}
