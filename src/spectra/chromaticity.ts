/**
 * CIE 1931 chromaticity of emission spectra and colour-gamut coverage (Rec. 2020), as used to
 * compare perovskite LED emitters in Ye et al. (paper 002, Fig. 14).
 */
import { InvalidInputError } from '../core/errors.js';
import { CIE1931_START_NM, CIE1931_STEP_NM, CIE1931_X, CIE1931_Y, CIE1931_Z } from './cie1931.js';
import { HC_EV_NM, type SpectrumInput, spectrumXY } from './convert.js';

/** A point in the CIE 1931 xy chromaticity diagram. */
export interface Chromaticity {
  x: number;
  y: number;
}

/** Chromaticity and tristimulus values of a spectrum. */
export interface ChromaticityResult extends Chromaticity {
  /** Tristimulus values (relative: spectrum units x nm). */
  X: number;
  Y: number;
  Z: number;
  /** Fraction of the spectrum's area that lies outside 360-830 nm (ignored). */
  fractionOutsideTable: number;
}

const N_CMF = CIE1931_X.length;
const END_NM = CIE1931_START_NM + (N_CMF - 1) * CIE1931_STEP_NM;

/**
 * CIE 1931 2° colour-matching functions at a wavelength (linear interpolation of the 1 nm table;
 * zero outside 360-830 nm).
 *
 * @example
 * cmf(555); // { x: 0.5121, y: 1.0000, z: 0.0057 }
 */
export function cmf(wavelengthNm: number): { x: number; y: number; z: number } {
  if (!(wavelengthNm >= CIE1931_START_NM && wavelengthNm <= END_NM)) return { x: 0, y: 0, z: 0 };
  const t = (wavelengthNm - CIE1931_START_NM) / CIE1931_STEP_NM;
  const i = Math.min(N_CMF - 2, Math.floor(t));
  const f = t - i;
  return {
    x: CIE1931_X[i] * (1 - f) + CIE1931_X[i + 1] * f,
    y: CIE1931_Y[i] * (1 - f) + CIE1931_Y[i + 1] * f,
    z: CIE1931_Z[i] * (1 - f) + CIE1931_Z[i + 1] * f,
  };
}

/**
 * Chromaticity of monochromatic light (a point on the spectral locus).
 *
 * @example
 * monochromaticChromaticity(630); // { x: 0.7079, y: 0.2920 } = Rec. 2020 red
 */
export function monochromaticChromaticity(wavelengthNm: number): Chromaticity {
  const c = cmf(wavelengthNm);
  const s = c.x + c.y + c.z;
  if (!(s > 0))
    throw new InvalidInputError(`${wavelengthNm} nm is outside the CIE 1931 table (360-830 nm)`);
  return { x: c.x / s, y: c.y / s };
}

/**
 * CIE 1931 xy chromaticity of an emission spectrum (spectral power or photon counts per unit
 * wavelength on an nm axis, or per unit energy on an eV axis - converted with the Jacobian).
 * The spectrum is linearly interpolated onto the 1 nm grid of the colour-matching functions
 * (and the CMFs onto the spectrum's own points where those are finer), then integrated.
 *
 * Note: for photon-counting spectra, chromaticity strictly needs spectral power (multiply
 * counts by photon energy); pass `{ photonCounts: true }` to do that.
 *
 * @example
 * chromaticity(plSpectrum); // { x: 0.10, y: 0.78, ... } for a narrow 515 nm emitter
 */
export function chromaticity(
  spectrum: SpectrumInput,
  options: { photonCounts?: boolean } = {},
): ChromaticityResult {
  const s = spectrumXY(spectrum, 'emission spectrum');
  let lam: Float64Array;
  let pow: Float64Array;
  const n = s.x.length;
  if (s.xUnit === 'eV' || s.xUnit === 'meV') {
    const k = s.xUnit === 'meV' ? 1e-3 : 1;
    lam = new Float64Array(n);
    pow = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const e = s.x[n - 1 - i] * k;
      if (!(e > 0))
        throw new InvalidInputError(`photon energy ${s.x[n - 1 - i]} ${s.xUnit} is not positive`);
      lam[i] = HC_EV_NM / e;
      pow[i] = (s.y[n - 1 - i] * e * e) / HC_EV_NM; // per unit energy -> per nm
    }
  } else if (s.xUnit === 'nm' || s.xUnit === '') {
    lam = s.x;
    pow = s.y;
  } else {
    throw new InvalidInputError(`emission spectrum axis unit "${s.xUnit}" is not nm or eV`);
  }
  if (options.photonCounts) pow = Float64Array.from(pow, (v, i) => (v * HC_EV_NM) / lam[i]);
  for (let i = 0; i < n; i++) if (pow[i] < 0) pow[i] = 0; // negative noise after background subtraction carries no colour
  // integrate on the union of the CMF grid and the spectrum's own points within its range
  const grid: number[] = [];
  const a = lam[0];
  const b = lam[n - 1];
  for (let i = 0; i < N_CMF; i++) {
    const w = CIE1931_START_NM + i * CIE1931_STEP_NM;
    if (w > a && w < b) grid.push(w);
  }
  for (let i = 0; i < n; i++) grid.push(lam[i]);
  grid.sort((p, q) => p - q);
  let X = 0,
    Y = 0,
    Z = 0,
    total = 0,
    inside = 0;
  let j = 0;
  const interp = (w: number): number => {
    while (j < n - 2 && lam[j + 1] < w) j++;
    const f = (w - lam[j]) / (lam[j + 1] - lam[j]);
    return pow[j] * (1 - Math.min(1, Math.max(0, f))) + pow[j + 1] * Math.min(1, Math.max(0, f));
  };
  let prev = grid[0];
  let pv = interp(prev);
  let pc = cmf(prev);
  for (let k = 1; k < grid.length; k++) {
    const w = grid[k];
    if (w === prev) continue;
    const v = interp(w);
    const c = cmf(w);
    const h = 0.5 * (w - prev);
    X += h * (pv * pc.x + v * c.x);
    Y += h * (pv * pc.y + v * c.y);
    Z += h * (pv * pc.z + v * c.z);
    total += h * (pv + v);
    if (prev >= CIE1931_START_NM && w <= END_NM) inside += h * (pv + v);
    prev = w;
    pv = v;
    pc = c;
  }
  const sum = X + Y + Z;
  if (!(sum > 0))
    throw new InvalidInputError(
      'the spectrum has no intensity within 360-830 nm; its chromaticity is undefined',
    );
  return {
    x: X / sum,
    y: Y / sum,
    X,
    Y,
    Z,
    fractionOutsideTable: total > 0 ? Math.max(0, 1 - inside / total) : 0,
  };
}

/** Rec. 2020 (ITU-R BT.2020) primaries in CIE 1931 xy. */
export const REC2020_PRIMARIES: Readonly<{
  red: Chromaticity;
  green: Chromaticity;
  blue: Chromaticity;
}> = {
  red: { x: 0.708, y: 0.292 },
  green: { x: 0.17, y: 0.797 },
  blue: { x: 0.131, y: 0.046 },
};

/** Rec. 709 / sRGB primaries in CIE 1931 xy. */
export const REC709_PRIMARIES: Readonly<{
  red: Chromaticity;
  green: Chromaticity;
  blue: Chromaticity;
}> = {
  red: { x: 0.64, y: 0.33 },
  green: { x: 0.3, y: 0.6 },
  blue: { x: 0.15, y: 0.06 },
};

/**
 * Signed area of a polygon (shoelace formula; positive for counter-clockwise vertices).
 *
 * @example
 * polygonArea([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }]); // 0.5
 */
export function polygonArea(points: readonly Chromaticity[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const q = points[(i + 1) % points.length];
    s += p.x * q.y - q.x * p.y;
  }
  return s / 2;
}

/**
 * Convex hull of points (Andrew's monotone chain), counter-clockwise.
 *
 * @example
 * convexHull([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0.2, y: 0.1 }, { x: 0, y: 1 }]); // 3 corners
 */
export function convexHull(points: readonly Chromaticity[]): Chromaticity[] {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const cross = (o: Chromaticity, a: Chromaticity, b: Chromaticity): number =>
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Chromaticity[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0)
      lower.pop();
    lower.push(q);
  }
  const upper: Chromaticity[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0)
      upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * Intersection of a polygon with a convex polygon (Sutherland-Hodgman clipping). Both are
 * vertex lists; the clip polygon must be convex.
 *
 * @example
 * clipPolygon(square, triangle); // the part of the square inside the triangle
 */
export function clipPolygon(
  subject: readonly Chromaticity[],
  convexClip: readonly Chromaticity[],
): Chromaticity[] {
  const clip = polygonArea(convexClip) < 0 ? [...convexClip].reverse() : [...convexClip];
  let out = [...subject];
  for (let i = 0; i < clip.length && out.length > 0; i++) {
    const a = clip[i];
    const b = clip[(i + 1) % clip.length];
    const inside = (p: Chromaticity): boolean =>
      (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x) >= 0;
    const cut = (p: Chromaticity, q: Chromaticity): Chromaticity => {
      const dx = q.x - p.x,
        dy = q.y - p.y;
      const ex = b.x - a.x,
        ey = b.y - a.y;
      const t = (ex * (a.y - p.y) - ey * (a.x - p.x)) / (ex * dy - ey * dx);
      return { x: p.x + t * dx, y: p.y + t * dy };
    };
    const input = out;
    out = [];
    for (let k = 0; k < input.length; k++) {
      const cur = input[k];
      const prev = input[(k + input.length - 1) % input.length];
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cut(prev, cur));
    }
  }
  return out;
}

/** Gamut of a set of emitters relative to a reference triangle. */
export interface GamutCoverage {
  /** Area of the reference gamut covered by the emitters' gamut, as a fraction of the reference area (0..1). */
  coverage: number;
  /** Emitters' gamut area / reference area (can exceed 1). */
  areaRatio: number;
  emitterArea: number;
  referenceArea: number;
  /** Corners of the emitters' gamut (convex hull of their chromaticities). */
  polygon: Chromaticity[];
}

/**
 * Fraction of a reference gamut (default Rec. 2020) covered by the gamut of a set of emitters
 * (the convex hull of their chromaticities, e.g. red, green and blue LEDs): area of the
 * intersection / area of the reference triangle, in the CIE 1931 xy diagram.
 *
 * @example
 * gamutCoverage([red, green, blue]).coverage; // 0.93
 */
export function gamutCoverage(
  emitters: readonly Chromaticity[],
  reference: readonly Chromaticity[] = [
    REC2020_PRIMARIES.red,
    REC2020_PRIMARIES.green,
    REC2020_PRIMARIES.blue,
  ],
): GamutCoverage {
  if (emitters.length < 3)
    throw new InvalidInputError(`a gamut needs at least 3 emitters, got ${emitters.length}`);
  for (const e of [...emitters, ...reference]) {
    if (!Number.isFinite(e.x) || !Number.isFinite(e.y))
      throw new InvalidInputError('chromaticity coordinates must be finite numbers');
  }
  const hull = convexHull(emitters);
  const refHull = convexHull(reference);
  const refArea = polygonArea(refHull);
  if (!(refArea > 0)) throw new InvalidInputError('the reference gamut has zero area');
  const emitterArea = hull.length >= 3 ? polygonArea(hull) : 0;
  const inter = hull.length >= 3 ? clipPolygon(hull, refHull) : [];
  const interArea = inter.length >= 3 ? Math.abs(polygonArea(inter)) : 0;
  return {
    coverage: interArea / refArea,
    areaRatio: emitterArea / refArea,
    emitterArea,
    referenceArea: refArea,
    polygon: hull,
  };
}
