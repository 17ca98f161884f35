/**
 * Figures (plain `FigureSpec` data) for transient absorption: the TA map as a heatmap, the
 * singular values and vectors, decay-associated spectra with their uncertainty bands, the chirp,
 * and kinetic traces with fits and residuals.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import { paletteColor } from '../../plot/style.js';
import type { FigureSpec, SeriesSpec } from '../../plot/types.js';
import type { ChirpResult } from './chirp.js';
import { chirpTimeZeroPs } from './chirp.js';
import type { KineticFit } from './fit-kinetic.js';
import type { GlobalAnalysisResult } from './global.js';
import { taMatrixView } from './matrix.js';
import type { SvdResult } from './svd.js';

/** Linear interpolation of y(x) at xq (x increasing), clamped at the ends. */
function interp(x: ArrayLike<number>, y: ArrayLike<number>, xq: number): number {
  const n = x.length;
  if (xq <= x[0]!) return y[0]!;
  if (xq >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= xq) lo = mid;
    else hi = mid;
  }
  const f = (xq - x[lo]!) / (x[hi]! - x[lo]!);
  return (1 - f) * y[lo]! + f * y[hi]!;
}

/**
 * The TA map as a heatmap: wavelength across, time up (resampled onto a regular grid; with
 * `timeScale: 'log'` the rows are uniform in log10 of the time after `timeZeroPs`).
 *
 * @example
 * const fig = taMapFigure(ta, { timeScale: 'log' });
 */
export function taMapFigure(
  a: CalibratedArray,
  options: {
    timeScale?: 'linear' | 'log';
    timeZeroPs?: number;
    rows?: number;
    cols?: number;
    title?: string;
  } = {},
): FigureSpec {
  const v = taMatrixView(a);
  const rows = options.rows ?? 160;
  const cols = Math.min(options.cols ?? 200, Math.max(2, v.nw));
  const log = (options.timeScale ?? 'log') === 'log';
  const t0 = options.timeZeroPs ?? 0;
  const tMax = v.timesPs[v.nt - 1]!;
  let yLo: number;
  let yHi: number;
  if (log) {
    const firstPos = Array.from(v.timesPs).find((t) => t - t0 > 0);
    if (firstPos === undefined)
      throw new InvalidInputError('a log-time TA map needs times after time zero');
    yLo = Math.log10(Math.max(firstPos - t0, (tMax - t0) * 1e-5));
    yHi = Math.log10(tMax - t0);
  } else {
    yLo = v.timesPs[0]!;
    yHi = tMax;
  }
  const wLo = v.wavelengthsNm[0]!;
  const wHi = v.wavelengthsNm[v.nw - 1]!;
  const values: number[] = new Array(rows * cols);
  const col = new Float64Array(v.nt);
  const wIdx = Array.from({ length: cols }, (_, c) => {
    const w = wLo + ((wHi - wLo) * (c + 0.5)) / cols;
    let best = 0;
    for (let j = 1; j < v.nw; j++)
      if (Math.abs(v.wavelengthsNm[j]! - w) < Math.abs(v.wavelengthsNm[best]! - w)) best = j;
    return best;
  });
  for (let c = 0; c < cols; c++) {
    const j = wIdx[c]!;
    for (let i = 0; i < v.nt; i++) col[i] = v.data[i * v.nw + j]!;
    for (let r = 0; r < rows; r++) {
      const y = yLo + ((yHi - yLo) * (r + 0.5)) / rows;
      const t = log ? t0 + 10 ** y : y;
      values[r * cols + c] = interp(v.timesPs, col, t);
    }
  }
  return {
    title: options.title ?? 'Transient absorption map',
    height: 460,
    x: { label: 'Wavelength', unit: 'nm', domain: [wLo, wHi] },
    y: log
      ? { label: 'log₁₀ (time after time zero / ps)', domain: [yLo, yHi] }
      : { label: 'Time', unit: 'ps', domain: [yLo, yHi] },
    series: [
      {
        type: 'heatmap',
        width: cols,
        height: rows,
        values,
        xExtent: [wLo, wHi],
        yExtent: [yLo, yHi],
        colorScheme: 'rdbu',
        colorLabel: `${v.name || 'ΔA'}${v.unit ? ` (${v.unit})` : ''}`,
      },
    ],
    legend: false,
  };
}

/**
 * Singular values on a log axis (the first `show`, default 15), with the noise threshold.
 *
 * @example
 * svdValuesFigure(svd(data, nt, nw), 0.01);
 */
export function svdValuesFigure(s: SvdResult, threshold?: number, show = 15): FigureSpec {
  const k = Math.min(show, s.singularValues.length);
  const series: SeriesSpec[] = [
    {
      type: 'scatter',
      x: Array.from({ length: k }, (_, i) => i + 1),
      y: s.singularValues.slice(0, k),
      label: 'Singular value',
    },
  ];
  if (threshold !== undefined && threshold > 0)
    series.push({ type: 'rule-y', y: threshold, label: 'Noise threshold', dashed: true });
  return {
    title: 'Singular values of the data matrix',
    x: { label: 'Component' },
    y: { label: 'Singular value', scale: 'log' },
    series,
  };
}

/**
 * The first `k` right singular vectors (spectra) or left ones (kinetics) against their axis.
 *
 * @example
 * svdVectorsFigure(s, wavelengthsNm, 'spectra', 3);
 */
export function svdVectorsFigure(
  s: SvdResult,
  axis: ArrayLike<number>,
  which: 'spectra' | 'kinetics',
  k = 3,
): FigureSpec {
  const vecs = which === 'spectra' ? s.v : s.u;
  const n = Math.min(k, vecs.length);
  const x = Array.from(axis);
  return {
    title:
      which === 'spectra'
        ? 'Spectral singular vectors (scaled by the singular value)'
        : 'Kinetic singular vectors (scaled by the singular value)',
    x: which === 'spectra' ? { label: 'Wavelength', unit: 'nm' } : { label: 'Time', unit: 'ps' },
    y: { label: 'Amplitude' },
    series: Array.from({ length: n }, (_, c) => ({
      type: 'line' as const,
      x,
      y: vecs[c]!.map((val) => val * Math.sqrt(s.singularValues[c]!)),
      label: `Component ${c + 1}`,
    })),
  };
}

/**
 * Decay-associated spectra with ± 1 standard error bands.
 *
 * @example
 * dasFigure(globalLifetimeAnalysis(ta, { lifetimesPs: [1, 20, 500] }));
 */
export function dasFigure(g: GlobalAnalysisResult, title = 'Decay-associated spectra'): FigureSpec {
  const series: SeriesSpec[] = [{ type: 'rule-y', y: 0 }];
  g.das.forEach((d, c) => {
    const color = paletteColor(c);
    const se = d.stderr.map((e) => e ?? 0);
    series.push({
      type: 'band',
      x: g.wavelengthsNm,
      y1: d.amplitude.map((a, j) => a - se[j]!),
      y2: d.amplitude.map((a, j) => a + se[j]!),
      color,
      opacity: 0.25,
    });
    series.push({ type: 'line', x: g.wavelengthsNm, y: d.amplitude, label: d.label, color });
  });
  return {
    title,
    height: 420,
    x: { label: 'Wavelength', unit: 'nm' },
    y: { label: 'Amplitude', unit: g.unit },
    series,
  };
}

/**
 * Time zero of each wavelength band (with error bars; bands not used in grey) and the chirp polynomial.
 *
 * @example
 * chirpFigure(estimateChirp(ta));
 */
export function chirpFigure(c: ChirpResult): FigureSpec {
  const used = c.points.filter((p) => p.used);
  const unused = c.points.filter((p) => !p.used && Number.isFinite(p.timeZeroPs));
  const wl = c.points.map((p) => p.wavelengthNm);
  const lo = Math.min(...wl);
  const hi = Math.max(...wl);
  const xs = Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100);
  const series: SeriesSpec[] = [
    {
      type: 'scatter',
      x: used.map((p) => p.wavelengthNm),
      y: used.map((p) => p.timeZeroPs),
      yErr: used.map((p) => p.stderr ?? 0),
      label: 'Band time zero',
    },
    {
      type: 'line',
      x: xs,
      y: xs.map((w) => chirpTimeZeroPs(c, w)),
      label: `Polynomial (order ${c.coefficients.length})`,
    },
  ];
  if (unused.length)
    series.push({
      type: 'scatter',
      x: unused.map((p) => p.wavelengthNm),
      y: unused.map((p) => p.timeZeroPs),
      label: 'Not used',
      color: '#aaaaaa',
    });
  return {
    title: 'Chirp: time zero against probe wavelength',
    x: { label: 'Wavelength', unit: 'nm' },
    y: { label: 'Time zero', unit: 'ps' },
    series,
  };
}

/**
 * Kinetic traces with their fits (log time axis for t > 0) and residuals.
 *
 * @example
 * kineticsFigure([{ label: '520 nm', fit: fitKinetic(t, y, { components: [5, 100] }) }]);
 */
export function kineticsFigure(
  traces: ReadonlyArray<{ label: string; fit: KineticFit }>,
  options: { unit?: string; logTime?: boolean } = {},
): FigureSpec {
  const log = options.logTime ?? true;
  const keep = (t: number): boolean => !log || t > 0;
  const series: SeriesSpec[] = [];
  const residuals: SeriesSpec[] = [{ type: 'rule-y', y: 0 }];
  traces.forEach(({ label, fit }, k) => {
    const color = paletteColor(k);
    const idx = fit.timesPs.map((t, i) => (keep(t) ? i : -1)).filter((i) => i >= 0);
    const x = idx.map((i) => fit.timesPs[i]!);
    series.push({
      type: 'scatter',
      x,
      y: idx.map((i) => fit.values[i]!),
      label,
      color,
      radius: 1.8,
    });
    series.push({ type: 'line', x, y: idx.map((i) => fit.best[i]!), color });
    residuals.push({
      type: 'scatter',
      x,
      y: idx.map((i) => fit.residuals[i]!),
      color,
      radius: 1.5,
    });
  });
  return {
    title: 'Kinetics and fits',
    height: 460,
    x: { label: 'Time', unit: 'ps', scale: log ? 'log' : 'linear' },
    y: { label: 'ΔA', unit: options.unit ?? '' },
    series,
    residuals: { y: { label: 'Residual', unit: options.unit ?? '' }, series: residuals },
  };
}
