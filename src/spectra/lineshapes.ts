/**
 * Area-normalised peak line shapes with analytic gradients, for spectra and XPS.
 *
 * Every shape is parameterised by `center`, `area` (integral over x) and widths:
 * - gaussian, lorentzian: `fwhm`;
 * - voigt: `fwhmGaussian`, `fwhmLorentzian` (total FWHM via Olivero-Longbothum, `voigtFwhm`);
 * - pseudo-voigt: `fwhm` (shared) and `eta` (Lorentzian fraction, 0..1);
 * - gl-product: `fwhm`, the Gaussian-Lorentzian product GL(m) of XPS software (CasaXPS
 *   convention) exp(-4 ln2 (1-m) u²) / (1 + 4 m u²), u = (x - center)/fwhm, with the mixing m
 *   fixed (e.g. 0.3 for "GL(30)"); `fwhm` is then the width parameter, equal to the FWHM at m = 0
 *   and m = 1.
 */
import { InvalidInputError } from '../core/errors.js';
import { faddeeva, faddeevaDerivative, voigtFwhm } from './faddeeva.js';

/** Names of the supported line shapes. */
export type PeakShape = 'gaussian' | 'lorentzian' | 'voigt' | 'pseudo-voigt' | 'gl-product';
export const PEAK_SHAPES: readonly PeakShape[] = [
  'gaussian',
  'lorentzian',
  'voigt',
  'pseudo-voigt',
  'gl-product',
];

/** Parameters of each shape, in order. */
export const SHAPE_PARAMS: Readonly<Record<PeakShape, readonly string[]>> = {
  gaussian: ['center', 'area', 'fwhm'],
  lorentzian: ['center', 'area', 'fwhm'],
  voigt: ['center', 'area', 'fwhmGaussian', 'fwhmLorentzian'],
  'pseudo-voigt': ['center', 'area', 'fwhm', 'eta'],
  'gl-product': ['center', 'area', 'fwhm'],
};

const LN2 = Math.LN2;
const G_NORM = 2 * Math.sqrt(LN2 / Math.PI); // Gaussian peak height x fwhm / area
const FWHM_TO_SIGMA = 1 / (2 * Math.sqrt(2 * LN2));
const SQRT_PI = Math.sqrt(Math.PI);

/** A line shape evaluator: p[o..] are the shape's parameters in `SHAPE_PARAMS` order. */
export interface LineShape {
  shape: PeakShape;
  params: readonly string[];
  value(x: number, p: ArrayLike<number>, o: number): number;
  /** Value, and d value / d p[o + k] written to g[go + k]. */
  valueAndGradient(x: number, p: ArrayLike<number>, o: number, g: Float64Array, go: number): number;
  /** Peak height (value at the centre) of the shape with these parameters. */
  height(p: ArrayLike<number>, o: number): number;
  /** Full width at half maximum. */
  fwhm(p: ArrayLike<number>, o: number): number;
}

function gaussian(x: number, c: number, a: number, f: number): number {
  const u = (x - c) / f;
  return ((a * G_NORM) / f) * Math.exp(-4 * LN2 * u * u);
}

function lorentzian(x: number, c: number, a: number, f: number): number {
  const d = x - c;
  return (a * f) / (2 * Math.PI) / (d * d + 0.25 * f * f);
}

/**
 * ∫ exp(-4 ln2 (1-m) u²)/(1 + 4 m u²) du over the real line. With u = tan(θ)/2 the integrand
 * becomes ½ sec²θ exp(-ln2 (1-m) tan²θ) / (1 + m tan²θ) on (-π/2, π/2) (Simpson rule).
 */
function glIntegral(m: number): number {
  const n = 4000;
  const h = Math.PI / n;
  let s = 0;
  for (let k = 1; k < n; k++) {
    const th = -Math.PI / 2 + k * h;
    const t = Math.tan(th);
    const c = Math.cos(th);
    const v = Math.exp(-LN2 * (1 - m) * t * t) / (c * c * (1 + m * t * t));
    s += (k % 2 === 1 ? 4 : 2) * (Number.isFinite(v) ? v : 0);
  }
  // end points: the integrand tends to 0 for m < 1 and to 1/m = 1 for m = 1
  const end = m >= 1 ? 1 : 0;
  return 0.5 * (h / 3) * (s + 2 * end);
}

/**
 * A line shape by name. `glMix` is the Lorentzian mixing m of `gl-product` (default 0.3).
 *
 * @example
 * const g = lineShape('gaussian'); g.value(0, [0, 1, 2], 0); // 0.4697 = 2√(ln2/π)/2
 */
export function lineShape(shape: PeakShape, options: { glMix?: number } = {}): LineShape {
  switch (shape) {
    case 'gaussian':
      return {
        shape,
        params: SHAPE_PARAMS.gaussian,
        value: (x, p, o) => gaussian(x, p[o], p[o + 1], p[o + 2]),
        valueAndGradient(x, p, o, g, go) {
          const c = p[o],
            a = p[o + 1],
            f = p[o + 2];
          const u = (x - c) / f;
          const e = (G_NORM / f) * Math.exp(-4 * LN2 * u * u);
          const v = a * e;
          g[go] = (v * 8 * LN2 * u) / f;
          g[go + 1] = e;
          g[go + 2] = (v * (-1 + 8 * LN2 * u * u)) / f;
          return v;
        },
        height: (p, o) => (p[o + 1] * G_NORM) / p[o + 2],
        fwhm: (p, o) => p[o + 2],
      };
    case 'lorentzian':
      return {
        shape,
        params: SHAPE_PARAMS.lorentzian,
        value: (x, p, o) => lorentzian(x, p[o], p[o + 1], p[o + 2]),
        valueAndGradient(x, p, o, g, go) {
          const c = p[o],
            a = p[o + 1],
            f = p[o + 2];
          const d = x - c;
          const D = d * d + 0.25 * f * f;
          const e = f / (2 * Math.PI) / D;
          g[go] = (a * e * 2 * d) / D;
          g[go + 1] = e;
          g[go + 2] = (a / (2 * Math.PI)) * ((D - 0.5 * f * f) / (D * D));
          return a * e;
        },
        height: (p, o) => (2 * p[o + 1]) / (Math.PI * p[o + 2]),
        fwhm: (p, o) => p[o + 2],
      };
    case 'pseudo-voigt':
      return {
        shape,
        params: SHAPE_PARAMS['pseudo-voigt'],
        value: (x, p, o) =>
          p[o + 3] * lorentzian(x, p[o], p[o + 1], p[o + 2]) +
          (1 - p[o + 3]) * gaussian(x, p[o], p[o + 1], p[o + 2]),
        valueAndGradient(x, p, o, g, go) {
          const c = p[o],
            a = p[o + 1],
            f = p[o + 2],
            eta = p[o + 3];
          const u = (x - c) / f;
          const ge = (G_NORM / f) * Math.exp(-4 * LN2 * u * u);
          const d = x - c;
          const D = d * d + 0.25 * f * f;
          const le = f / (2 * Math.PI) / D;
          g[go] = eta * ((a * le * 2 * d) / D) + (1 - eta) * ((a * ge * 8 * LN2 * u) / f);
          g[go + 1] = eta * le + (1 - eta) * ge;
          g[go + 2] =
            eta * (a / (2 * Math.PI)) * ((D - 0.5 * f * f) / (D * D)) +
            ((1 - eta) * a * ge * (-1 + 8 * LN2 * u * u)) / f;
          g[go + 3] = a * (le - ge);
          return a * (eta * le + (1 - eta) * ge);
        },
        height: (p, o) =>
          p[o + 1] * ((p[o + 3] * 2) / (Math.PI * p[o + 2]) + ((1 - p[o + 3]) * G_NORM) / p[o + 2]),
        fwhm: (p, o) => p[o + 2],
      };
    case 'voigt': {
      const value = (x: number, p: ArrayLike<number>, o: number): number => {
        const s2 = p[o + 2] * FWHM_TO_SIGMA * Math.SQRT2;
        const gamma = 0.5 * p[o + 3];
        return (p[o + 1] * faddeeva((x - p[o]) / s2, gamma / s2)[0]) / (s2 * SQRT_PI);
      };
      return {
        shape,
        params: SHAPE_PARAMS.voigt,
        value,
        valueAndGradient(x, p, o, g, go) {
          const c = p[o],
            a = p[o + 1],
            fg = p[o + 2],
            fl = p[o + 3];
          const sigma = fg * FWHM_TO_SIGMA;
          const s2 = sigma * Math.SQRT2;
          const zr = (x - c) / s2;
          const zi = (0.5 * fl) / s2;
          const [wr, wi] = faddeeva(zr, zi);
          const [dr, di] = faddeevaDerivative(zr, zi, wr, wi);
          const K = 1 / (s2 * SQRT_PI);
          g[go] = (-a * K * dr) / s2;
          g[go + 1] = K * wr;
          g[go + 2] = ((-a * K) / sigma) * (wr + dr * zr - di * zi) * FWHM_TO_SIGMA;
          g[go + 3] = ((-a * K * di) / s2) * 0.5;
          return a * K * wr;
        },
        height: (p, o) => value(p[o], p, o),
        fwhm: (p, o) => voigtFwhm(p[o + 2], p[o + 3]),
      };
    }
    case 'gl-product': {
      const m = options.glMix ?? 0.3;
      if (!(m >= 0 && m <= 1))
        throw new InvalidInputError(`glMix must be between 0 and 1, got ${m}`);
      const aa = 4 * LN2 * (1 - m);
      const bb = 4 * m;
      const norm = glIntegral(m);
      const shapeAt = (u: number): number => Math.exp(-aa * u * u) / (1 + bb * u * u);
      return {
        shape,
        params: SHAPE_PARAMS['gl-product'],
        value: (x, p, o) => (p[o + 1] / (p[o + 2] * norm)) * shapeAt((x - p[o]) / p[o + 2]),
        valueAndGradient(x, p, o, g, go) {
          const c = p[o],
            a = p[o + 1],
            f = p[o + 2];
          const u = (x - c) / f;
          const s = shapeAt(u);
          const ds = s * (-2 * aa * u - (2 * bb * u) / (1 + bb * u * u));
          const k = 1 / (f * norm);
          g[go] = (a * k * ds * -1) / f;
          g[go + 1] = k * s;
          g[go + 2] = (-a * k * s) / f + (a * k * ds * -u) / f;
          return a * k * s;
        },
        height: (p, o) => p[o + 1] / (p[o + 2] * norm),
        fwhm: (p, o) => {
          // solve shapeAt(u) = 1/2 for u > 0 by bisection
          let lo = 0,
            hi = 1;
          while (shapeAt(hi) > 0.5) hi *= 2;
          for (let it = 0; it < 80; it++) {
            const mid = 0.5 * (lo + hi);
            if (shapeAt(mid) > 0.5) lo = mid;
            else hi = mid;
          }
          return 2 * lo * p[o + 2];
        },
      };
    }
    default:
      throw new InvalidInputError(
        `unknown line shape "${shape as string}"; known: ${PEAK_SHAPES.join(', ')}`,
      );
  }
}
