/**
 * Savitzky-Golay smoothing and derivatives: at each point a polynomial of degree `order` is
 * fitted by least squares to the `window` nearest points and evaluated (or differentiated)
 * there. With uniform spacing this equals the classic convolution filter (Savitzky & Golay,
 * Anal. Chem. 36 (1964) 1627); with non-uniform x (e.g. an energy axis converted from
 * wavelength) the local fit uses the real x positions. Near the ends the window is shifted
 * inwards rather than shrunk.
 */
import { InvalidInputError } from '../core/errors.js';
import { type SpectrumInput, spectrumXY } from './convert.js';

/** Options of the Savitzky-Golay filter. */
export interface SavitzkyGolayOptions {
  /** Odd number of points in the window (default 11). */
  window?: number;
  /** Polynomial degree (default 3); must be less than `window`. */
  order?: number;
  /** Derivative to return: 0 (smoothing, default), 1, 2, ... up to `order`. */
  derivative?: number;
}

function solveSmall(a: Float64Array, b: Float64Array, n: number): Float64Array {
  // Gauss-Jordan with partial pivoting on an n x n system (a row-major), b overwritten
  const m = Float64Array.from(a);
  const r = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i * n + c]) > Math.abs(m[piv * n + c])) piv = i;
    if (m[piv * n + c] === 0)
      throw new InvalidInputError('Savitzky-Golay: singular local fit (repeated x values?)');
    if (piv !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[piv * n + k]] = [m[piv * n + k], m[c * n + k]];
      [r[c], r[piv]] = [r[piv], r[c]];
    }
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = m[i * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[i * n + k] -= f * m[c * n + k];
      r[i] -= f * r[c];
    }
  }
  for (let c = 0; c < n; c++) r[c] /= m[c * n + c];
  return r;
}

/**
 * Savitzky-Golay smoothed values or derivative (d^k y / dx^k in y units per x unit^k) of a
 * spectrum, on its ascending x.
 *
 * @example
 * const { x, y: d2 } = savitzkyGolay(absorbance, { window: 15, order: 3, derivative: 2 });
 */
export function savitzkyGolay(
  spectrum: SpectrumInput,
  options: SavitzkyGolayOptions = {},
): { x: Float64Array; y: Float64Array } {
  const { x, y } = spectrumXY(spectrum);
  const w = options.window ?? 11;
  const order = options.order ?? 3;
  const deriv = options.derivative ?? 0;
  if (!Number.isInteger(w) || w < 3 || w % 2 === 0)
    throw new InvalidInputError(`window must be an odd integer >= 3, got ${w}`);
  if (!Number.isInteger(order) || order < 0 || order >= w)
    throw new InvalidInputError(`order must be an integer 0..${w - 1}, got ${order}`);
  if (!Number.isInteger(deriv) || deriv < 0 || deriv > order)
    throw new InvalidInputError(`derivative must be an integer 0..${order}, got ${deriv}`);
  const n = x.length;
  if (n < w)
    throw new InvalidInputError(`the spectrum has ${n} points, fewer than the window of ${w}`);
  const half = (w - 1) / 2;
  const k = order + 1;
  const out = new Float64Array(n);
  const ata = new Float64Array(k * k);
  const aty = new Float64Array(k);
  const pw = new Float64Array(2 * k);
  let fact = 1;
  for (let i = 2; i <= deriv; i++) fact *= i;
  for (let i = 0; i < n; i++) {
    const lo = Math.min(Math.max(0, i - half), n - w);
    const h = Math.max(Math.abs(x[lo + w - 1] - x[i]), Math.abs(x[lo] - x[i])) || 1;
    ata.fill(0);
    aty.fill(0);
    for (let j = lo; j < lo + w; j++) {
      const u = (x[j] - x[i]) / h;
      pw[0] = 1;
      for (let q = 1; q < 2 * k; q++) pw[q] = pw[q - 1] * u;
      for (let r = 0; r < k; r++) {
        aty[r] += pw[r] * y[j];
        for (let c = 0; c < k; c++) ata[r * k + c] += pw[r + c];
      }
    }
    const beta = solveSmall(ata, aty, k);
    out[i] = (beta[deriv] * fact) / Math.pow(h, deriv);
  }
  return { x, y: out };
}
