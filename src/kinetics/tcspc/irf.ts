/**
 * Instrument response (IRF) preparation: background subtraction, support, normalisation, and
 * shifting by a fraction of a bin with cubic (Catmull-Rom) interpolation, whose derivative with
 * respect to the shift is continuous and analytic.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';

/** A measured IRF made ready for reconvolution. */
export interface PreparedIrf {
  /** Background-free IRF of unit sum, on the decay's bins (zero outside its support). */
  irf: Float64Array;
  /** The constant background subtracted from the raw IRF (counts per bin). */
  backgroundCounts: number;
  /** Counts in the IRF after background subtraction. */
  counts: number;
  /** Bin of the IRF maximum. */
  peakIndex: number;
  /** Full width at half maximum, ns. */
  fwhmNs: number;
  /** First and last bin kept (its support). */
  support: [number, number];
}

function median(a: ArrayLike<number>, from: number, to: number): number {
  const s = new Float64Array(Math.max(0, to - from));
  for (let i = 0; i < s.length; i++) s[i] = a[from + i]!;
  s.sort(); // numeric for typed arrays
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/**
 * Estimates the constant background of a histogram from the bins well before its rise: the
 * median of the bins before the first one that reaches 10 % of the maximum, less a margin of
 * a few bins. With fewer than 8 such bins: 0, or (`fallback: 'median'`, right for a narrow IRF)
 * the median of all bins.
 *
 * @example
 * estimateBaseline(counts); // e.g. 20 counts per bin for a measured IRF with dark counts
 */
export function estimateBaseline(
  counts: ArrayLike<number>,
  fallback: 'zero' | 'median' = 'zero',
): number {
  let peak = 0;
  let max = -Infinity;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! > max) {
      max = counts[i]!;
      peak = i;
    }
  }
  let rise = peak;
  while (rise > 0 && counts[rise - 1]! >= 0.1 * max) rise--;
  const end = Math.max(0, rise - Math.max(3, Math.round(0.05 * rise)));
  if (end < 8) return fallback === 'zero' ? 0 : median(counts, 0, counts.length);
  return median(counts, 0, end);
}

/**
 * Prepares a measured IRF: subtracts its background (estimated from the bins before its rise
 * unless given), keeps the contiguous region around the peak where the IRF stands above the
 * noise of that background, clips negative values and normalises to unit sum.
 *
 * @example
 * const p = prepareIrf(irfCounts, 0.004, { nBins: decay.length });
 * p.fwhmNs; // e.g. 0.32
 */
export function prepareIrf(
  raw: ArrayLike<number>,
  binNs: number,
  options: { nBins?: number; background?: number | 'auto'; offsetBins?: number } = {},
): PreparedIrf {
  const n = options.nBins ?? raw.length;
  const offset = options.offsetBins ?? 0;
  for (let i = 0; i < raw.length; i++) {
    if (!Number.isFinite(raw[i]!))
      throw new InvalidInputError(`the IRF is not a finite number at bin ${i} (${raw[i]})`);
  }
  const bgOpt = options.background ?? 'auto';
  if (bgOpt !== 'auto' && !(Number.isFinite(bgOpt) && bgOpt >= 0)) {
    throw new InvalidInputError(
      `irfBackground must be "auto" or a number of counts per bin >= 0, got ${String(bgOpt)}`,
    );
  }
  const bg = bgOpt === 'auto' ? estimateBaseline(raw, 'median') : bgOpt;
  const x = new Float64Array(raw.length);
  let peak = 0;
  let max = -Infinity;
  for (let i = 0; i < raw.length; i++) {
    x[i] = raw[i]! - bg;
    if (x[i]! > max) {
      max = x[i]!;
      peak = i;
    }
  }
  if (!(max > 0)) {
    throw new InvalidInputError(
      `the IRF has no counts above its background (${bg.toFixed(3)} counts per bin): check that the IRF file holds the instrument response`,
    );
  }
  // support: walk out from the peak while a 5-bin running mean stays above the background noise
  const noise = bg > 0 ? 3 * Math.sqrt(bg / 5) : 0;
  const level = Math.max(noise, 1e-6 * max);
  const mean5 = (i: number): number => {
    let s = 0;
    let c = 0;
    for (let k = i - 2; k <= i + 2; k++) {
      if (k >= 0 && k < x.length) {
        s += x[k]!;
        c++;
      }
    }
    return s / c;
  };
  let lo = peak;
  while (lo > 0 && mean5(lo - 1) > level) lo--;
  let hi = peak;
  while (hi < x.length - 1 && mean5(hi + 1) > level) hi++;
  const irf = new Float64Array(n);
  let sum = 0;
  for (let i = lo; i <= hi; i++) {
    const j = i + offset;
    if (j < 0 || j >= n) continue;
    const v = Math.max(0, x[i]!);
    irf[j] = v;
    sum += v;
  }
  if (!(sum > 0)) {
    throw new InvalidInputError(
      'the IRF lies outside the decay histogram (check the time axes of the IRF and the decay)',
    );
  }
  const inv = 1 / sum;
  for (let i = Math.max(0, lo + offset); i <= Math.min(n - 1, hi + offset); i++) irf[i]! *= inv;
  // FWHM by linear interpolation of the half-maximum crossings
  const half = 0.5 * max;
  let a = peak;
  while (a > 0 && x[a - 1]! > half) a--;
  let b = peak;
  while (b < x.length - 1 && x[b + 1]! > half) b++;
  const left = a > 0 ? a - 1 + (half - x[a - 1]!) / (x[a]! - x[a - 1]!) : a;
  const right = b < x.length - 1 ? b + (x[b]! - half) / (x[b]! - x[b + 1]!) : b;
  return {
    irf,
    backgroundCounts: bg,
    counts: sum,
    peakIndex: peak + offset,
    fwhmNs: (right - left) * binNs,
    support: [Math.max(0, lo + offset), Math.min(n - 1, hi + offset)],
  };
}

/**
 * Shifts a histogram later in time by `shiftBins` (any real number) with Catmull-Rom cubic
 * interpolation: out[j] = irf(j - shiftBins). Writes the derivative d out[j] / d shiftBins into
 * `dOut` when given. Where the cubic undershoots at a sharp edge, the value is held at the lower
 * of the two bins it lies between, so the shifted IRF is never negative.
 *
 * Only bins max(0, lo + floor(shiftBins) - 1) to hi + floor(shiftBins) + 2 can be non-zero; with
 * `assumeZero` the caller promises that `out` (and `dOut`) are already 0 outside them, and they
 * are not cleared (callers that shift the same IRF repeatedly clear only the previous range).
 *
 * @example
 * const out = new Float64Array(irf.length), d = new Float64Array(irf.length);
 * shiftHistogram(irf, 0.3, out, d);
 */
export function shiftHistogram(
  irf: Float64Array,
  shiftBins: number,
  out: Float64Array,
  dOut: Float64Array | null,
  lo = 0,
  hi = irf.length - 1,
  assumeZero = false,
): void {
  const n = out.length;
  const k = Math.floor(shiftBins);
  const f = shiftBins - k; // x = j - shift = (j - k - 1) + (1 - f)
  // position x = j - k - 1 + g with g = 1 - f in [0, 1)
  const g = 1 - f;
  const g2 = g * g;
  const g3 = g2 * g;
  const w0 = 0.5 * (-g3 + 2 * g2 - g);
  const w1 = 0.5 * (3 * g3 - 5 * g2 + 2);
  const w2 = 0.5 * (-3 * g3 + 4 * g2 + g);
  const w3 = 0.5 * (g3 - g2);
  // d/d shift = -d/dg
  const d0 = -0.5 * (-3 * g2 + 4 * g - 1);
  const d1 = -0.5 * (9 * g2 - 10 * g);
  const d2 = -0.5 * (-9 * g2 + 8 * g + 1);
  const d3 = -0.5 * (3 * g2 - 2 * g);
  const at = (i: number): number => (i >= lo && i <= hi ? irf[i]! : 0);
  if (!assumeZero) {
    out.fill(0);
    if (dOut) dOut.fill(0);
  }
  const jFrom = Math.max(0, lo + k - 1);
  const jTo = Math.min(n - 1, hi + k + 2);
  for (let j = jFrom; j <= jTo; j++) {
    const i = j - k - 1;
    const inside = i - 1 >= lo && i + 2 <= hi;
    const a = inside ? irf[i - 1]! : at(i - 1);
    const b = inside ? irf[i]! : at(i);
    const c = inside ? irf[i + 1]! : at(i + 1);
    const d = inside ? irf[i + 2]! : at(i + 2);
    const v = w0 * a + w1 * b + w2 * c + w3 * d;
    // no undershoot below the lower of the two bins it lies between (so never negative); a peak
    // between two bins may rise above both
    const floor = b < c ? b : c;
    if (v <= floor) {
      out[j] = floor;
      if (dOut) dOut[j] = 0;
    } else {
      out[j] = v;
      if (dOut) dOut[j] = d0 * a + d1 * b + d2 * c + d3 * d;
    }
  }
}
