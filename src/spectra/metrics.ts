/**
 * Model-free peak measures of a spectrum: position, height, FWHM from interpolated
 * half-maximum crossings, integrated area and centroid.
 */
import { InvalidInputError } from '../core/errors.js';
import { type Quantity, quantity } from '../core/quantity.js';
import { type SpectrumInput, spectrumXY, trapezoid } from './convert.js';

/** Peak measures of one spectrum. Values carry the axis / intensity units; no stderr (model-free). */
export interface PeakMetrics {
  /** Peak position: maximum refined by a parabola through the three highest points. */
  position: Quantity;
  /** Peak height above the baseline. */
  height: Quantity;
  /** Full width at half maximum between linearly interpolated crossings; null if a side never drops below half. */
  fwhm: Quantity | null;
  /** Half-maximum crossings (left, right); null where not found. */
  halfMaxLeft: number | null;
  halfMaxRight: number | null;
  /** Integral of (y - baseline) over the range (trapezoid rule). */
  area: Quantity;
  /** Intensity-weighted mean position. */
  centroid: Quantity;
  /** Baseline that was subtracted. */
  baseline: number;
  xName: string;
}

/** Options for `peakMetrics`. */
export interface PeakMetricsOptions {
  /** Restrict to x in [min, max] (axis units). */
  range?: [number, number];
  /** Baseline to subtract: a number, `min` (lowest value in range), `edges` (mean of 3 points at each end) or `none` (default). */
  baseline?: number | 'none' | 'min' | 'edges';
}

/**
 * Peak position, height, FWHM (interpolated half-maximum crossings), area and centroid of the
 * highest peak of a spectrum.
 *
 * @example
 * const m = peakMetrics(plSpectrum, { baseline: 'edges' });
 * m.position.value; // 515.2 (nm)
 * m.fwhm?.value;    // 18.4 (nm)
 */
export function peakMetrics(
  spectrum: SpectrumInput,
  options: PeakMetricsOptions = {},
): PeakMetrics {
  let { x, y } = spectrumXY(spectrum);
  const s = spectrumXY(spectrum);
  if (options.range) {
    const [a, b] =
      options.range[0] <= options.range[1] ? options.range : [options.range[1], options.range[0]];
    const keep: number[] = [];
    for (let i = 0; i < x.length; i++) if (x[i] >= a && x[i] <= b) keep.push(i);
    if (keep.length < 3)
      throw new InvalidInputError(
        `range [${a}, ${b}] ${s.xUnit} holds ${keep.length} points; at least 3 are needed`,
      );
    x = Float64Array.from(keep, (i) => s.x[i]);
    y = Float64Array.from(keep, (i) => s.y[i]);
  }
  const n = x.length;
  let base = 0;
  const b = options.baseline ?? 'none';
  if (typeof b === 'number') base = b;
  else if (b === 'min') base = Math.min(...y);
  else if (b === 'edges') {
    const k = Math.min(3, Math.floor(n / 4) || 1);
    let sum = 0;
    for (let i = 0; i < k; i++) sum += y[i] + y[n - 1 - i];
    base = sum / (2 * k);
  }
  const yb = Float64Array.from(y, (v) => v - base);
  let imax = 0;
  for (let i = 1; i < n; i++) if (yb[i] > yb[imax]) imax = i;
  if (!(yb[imax] > 0))
    throw new InvalidInputError('the spectrum has no positive peak above the baseline');
  let pos = x[imax];
  let height = yb[imax];
  if (imax > 0 && imax < n - 1) {
    // parabola through three points (works for non-uniform spacing)
    const x0 = x[imax - 1],
      x1 = x[imax],
      x2 = x[imax + 1];
    const y0 = yb[imax - 1],
      y1 = yb[imax],
      y2 = yb[imax + 1];
    const d = (x0 - x1) * (x0 - x2) * (x1 - x2);
    const A = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / d;
    const B = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / d;
    const C = (x1 * x2 * (x1 - x2) * y0 + x2 * x0 * (x2 - x0) * y1 + x0 * x1 * (x0 - x1) * y2) / d;
    if (A < 0) {
      const xv = -B / (2 * A);
      if (xv >= x0 && xv <= x2) {
        pos = xv;
        height = C - (B * B) / (4 * A);
      }
    }
  }
  const half = height / 2;
  let left: number | null = null;
  for (let i = imax; i > 0; i--) {
    if (yb[i - 1] < half && yb[i] >= half) {
      left = x[i - 1] + ((half - yb[i - 1]) * (x[i] - x[i - 1])) / (yb[i] - yb[i - 1]);
      break;
    }
  }
  let right: number | null = null;
  for (let i = imax; i < n - 1; i++) {
    if (yb[i + 1] < half && yb[i] >= half) {
      right = x[i] + ((yb[i] - half) * (x[i + 1] - x[i])) / (yb[i] - yb[i + 1]);
      break;
    }
  }
  const area = trapezoid(x, yb);
  let sw = 0;
  let sxw = 0;
  for (let i = 0; i < n; i++) {
    sw += yb[i];
    sxw += x[i] * yb[i];
  }
  const areaUnit = s.unit && s.xUnit ? `${s.unit}·${s.xUnit}` : s.unit || s.xUnit;
  return {
    position: quantity(pos, s.xUnit, null),
    height: quantity(height, s.unit, null),
    fwhm: left !== null && right !== null ? quantity(right - left, s.xUnit, null) : null,
    halfMaxLeft: left,
    halfMaxRight: right,
    area: quantity(area, areaUnit, null),
    centroid: quantity(sw !== 0 ? sxw / sw : pos, s.xUnit, null),
    baseline: base,
    xName: s.xName,
  };
}
