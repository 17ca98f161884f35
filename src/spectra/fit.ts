/**
 * Multi-peak fits of steady-state spectra (PL, absorption, CL) with the project's fit engine:
 * Gaussian, Lorentzian, Voigt, pseudo-Voigt or GL-product peaks on a constant, linear or
 * polynomial baseline, with automatic starting values.
 */
import { InvalidInputError } from '../core/errors.js';
import { type Quantity, formatQuantity, quantity } from '../core/quantity.js';
import { fit } from '../fit/fit.js';
import type { FitMethod, FitResult, ParamSpec, ParamsInput } from '../fit/types.js';
import {
  HC_EV_NM,
  type SpectrumInput,
  type SpectrumXY,
  spectrumXY,
  wavelengthToEnergy,
} from './convert.js';
import { type PeakShape, PEAK_SHAPES } from './lineshapes.js';
import { type BaselineSpec, type PeakModel, baselineDegree, peakModel } from './model.js';
import { derivedQuantity, fitWarnings, inflateErrors } from './propagate.js';
import { savitzkyGolay } from './savitzky-golay.js';

/** Starting values (and optional fixing) for one peak; missing values are estimated from the data. */
export interface PeakGuess {
  center?: number;
  area?: number;
  fwhm?: number;
  fwhmGaussian?: number;
  fwhmLorentzian?: number;
  eta?: number;
}

/** Options of `fitPeaks`. */
export interface FitPeaksOptions {
  /** Line shape (default `gaussian`). */
  shape?: PeakShape;
  /** Number of peaks to find automatically (default 1, or the length of `initial`). */
  peaks?: number;
  /** Starting values per peak (overrides the automatic guesses). */
  initial?: PeakGuess[];
  /** Baseline (default `constant`). */
  baseline?: BaselineSpec;
  /** Fit only x in [min, max] (axis units, after any energy conversion). */
  range?: [number, number];
  /** Convert a wavelength (nm) spectrum to photon energy (eV, with the λ²/hc Jacobian) before fitting. */
  energy?: boolean;
  /** `least-squares` (default) or `poisson` (maximum likelihood for raw counts). */
  method?: FitMethod;
  /** Standard deviation of each point, or `poisson` for sqrt(max(y, 1)) (least squares). */
  sigma?: ArrayLike<number> | 'poisson';
  /** Mixing m of `gl-product` peaks (default 0.3). */
  glMix?: number;
  /** Extra parameter settings passed to the engine (fix or bound any parameter by name, e.g. `{ p1_fwhmLorentzian: { value: 0.01, fixed: true } }`). */
  params?: ParamsInput;
  maxIterations?: number;
  /** Multiply standard errors by sqrt(reduced chi-square) when it exceeds 1 (default false; with unknown sigma the engine already scales). */
  scaleErrors?: boolean;
}

/** One fitted peak. Positions and widths are in the fitted axis unit. */
export interface FittedPeak {
  center: Quantity;
  area: Quantity;
  /** Full width at half maximum (for Voigt from Olivero-Longbothum; for GL-product numerically). */
  fwhm: Quantity;
  height: Quantity;
  /** This peak's share of the summed peak area. */
  areaFraction: Quantity;
  fwhmGaussian?: Quantity;
  fwhmLorentzian?: Quantity;
  eta?: Quantity;
  /** Centre as photon energy / wavelength, when the axis is in nm or eV. */
  centerEnergyEv?: Quantity;
  centerWavelengthNm?: Quantity;
}

/** Summary of the engine's result (plain JSON). */
export interface FitSummary {
  method: FitMethod;
  converged: boolean;
  status: string;
  message: string;
  chi2: number;
  reducedChi2: number;
  aic: number;
  bic: number;
  nData: number;
  nFree: number;
  dof: number;
  iterations: number;
  params: FitResult['params'];
  freeParams: string[];
  correlation: number[][] | null;
}

/** Result of `fitPeaks`: peaks with uncertainties, baseline, curves for plotting, and the fit summary. */
export interface PeakFitResult {
  analysis: 'spectrum-peak-fit';
  shape: PeakShape;
  baseline: BaselineSpec;
  xName: string;
  xUnit: string;
  unit: string;
  peaks: FittedPeak[];
  baselineCoefficients: Record<string, Quantity>;
  fit: FitSummary;
  /** Data, best fit, residuals, baseline and each peak at the fitted points. */
  curves: {
    x: number[];
    y: number[];
    best: number[];
    residuals: number[];
    baseline: number[];
    peaks: number[][];
  };
  /** Things to check before trusting the numbers (non-convergence, poor fit, parameters at bounds). */
  warnings: string[];
  options: {
    shape: PeakShape;
    baseline: BaselineSpec;
    range: [number, number] | null;
    energy: boolean;
    method: FitMethod;
    glMix: number;
  };
}

/**
 * Summarise an engine result as plain JSON (typed arrays dropped).
 *
 * @example
 * JSON.stringify(fitSummary(fit(model, x, y, params)));
 */
export function fitSummary(r: FitResult): FitSummary {
  return {
    method: r.method,
    converged: r.converged,
    status: r.status,
    message: r.message,
    chi2: r.chi2,
    reducedChi2: r.reducedChi2,
    aic: r.aic,
    bic: r.bic,
    nData: r.nData,
    nFree: r.nFree,
    dof: r.dof,
    iterations: r.iterations,
    params: r.params,
    freeParams: r.freeParams,
    correlation: r.correlation,
  };
}

/**
 * Local maxima ranked by prominence, with widths at half prominence, on a lightly smoothed copy.
 *
 * @example
 * findPeaks(x, y, 2); // [{ center: 515, height: 900, fwhm: 18, base: 10 }, ...]
 */
export function findPeaks(
  x: Float64Array,
  y: Float64Array,
  count: number,
): { center: number; height: number; fwhm: number; base: number }[] {
  const n = x.length;
  let w = Math.max(5, 2 * Math.floor(n / 60) + 1);
  if (w > n) w = n % 2 === 1 ? n : n - 1;
  const ys = w >= 5 ? savitzkyGolay({ x, y }, { window: w, order: 2 }).y : y;
  const found: {
    center: number;
    height: number;
    fwhm: number;
    base: number;
    prominence: number;
  }[] = [];
  for (let i = 1; i < n - 1; i++) {
    if (!(ys[i] > ys[i - 1] && ys[i] >= ys[i + 1])) continue;
    let lmin = ys[i];
    for (let j = i - 1; j >= 0 && ys[j] <= ys[i]; j--) lmin = Math.min(lmin, ys[j]);
    let rmin = ys[i];
    for (let j = i + 1; j < n && ys[j] <= ys[i]; j++) rmin = Math.min(rmin, ys[j]);
    const base = Math.max(lmin, rmin);
    const prominence = ys[i] - base;
    if (!(prominence > 0)) continue;
    const half = ys[i] - prominence / 2;
    let l = x[0];
    for (let j = i; j > 0; j--) {
      if (ys[j - 1] < half) {
        l = x[j - 1] + ((half - ys[j - 1]) * (x[j] - x[j - 1])) / (ys[j] - ys[j - 1]);
        break;
      }
    }
    let r = x[n - 1];
    for (let j = i; j < n - 1; j++) {
      if (ys[j + 1] < half) {
        r = x[j] + ((ys[j] - half) * (x[j + 1] - x[j])) / (ys[j] - ys[j + 1]);
        break;
      }
    }
    found.push({
      center: x[i],
      height: prominence,
      fwhm: Math.max(r - l, x[i + 1] - x[i - 1]),
      base,
      prominence,
    });
  }
  found.sort((a, b) => b.prominence - a.prominence);
  return found
    .slice(0, count)
    .map(({ center, height, fwhm, base }) => ({ center, height, fwhm, base }));
}

interface Prepared extends SpectrumXY {
  /** Poisson sigma of each point: sqrt(max(counts, 1)) of the raw data, times the Jacobian if converted. */
  poissonSigma: Float64Array;
  converted: boolean;
}

function prepare(spectrum: SpectrumInput, options: FitPeaksOptions): Prepared {
  const raw = spectrumXY(spectrum);
  let s: SpectrumXY = raw;
  let poissonSigma = Float64Array.from(raw.y, (v) => Math.sqrt(Math.max(v, 1)));
  let converted = false;
  if (options.energy && raw.xUnit !== 'eV') {
    s = spectrumXY(wavelengthToEnergy(spectrum));
    // the energy axis is the wavelength axis reversed; sigma scales with the same Jacobian as y
    const n = raw.x.length;
    poissonSigma = Float64Array.from({ length: n }, (_, i) => {
      const j = n - 1 - i;
      const counts = raw.y[j];
      const factor = counts !== 0 ? s.y[i] / counts : (raw.x[j] * raw.x[j]) / HC_EV_NM;
      return Math.sqrt(Math.max(counts, 1)) * Math.abs(factor);
    });
    converted = true;
  }
  if (options.range) {
    const [a, b] = [Math.min(...options.range), Math.max(...options.range)];
    const keep: number[] = [];
    for (let i = 0; i < s.x.length; i++) if (s.x[i] >= a && s.x[i] <= b) keep.push(i);
    if (keep.length < 5)
      throw new InvalidInputError(
        `range [${a}, ${b}] ${s.xUnit} holds ${keep.length} points; at least 5 are needed`,
      );
    const ps = poissonSigma;
    s = {
      ...s,
      x: Float64Array.from(keep, (i) => s.x[i]),
      y: Float64Array.from(keep, (i) => s.y[i]),
    };
    poissonSigma = Float64Array.from(keep, (i) => ps[i]);
  }
  return { ...s, poissonSigma, converted };
}

/**
 * Fit a sum of peaks plus a baseline to a spectrum with the project's fit engine (analytic
 * Jacobian). Starting values come from the most prominent local maxima unless given.
 *
 * @example
 * const r = fitPeaks(pl, { shape: 'voigt', peaks: 1, baseline: 'linear' });
 * r.peaks[0].center; // { value: 515.03, stderr: 0.02, unit: 'nm' }
 */
export function fitPeaks(spectrum: SpectrumInput, options: FitPeaksOptions = {}): PeakFitResult {
  const shape = options.shape ?? 'gaussian';
  if (!PEAK_SHAPES.includes(shape))
    throw new InvalidInputError(`unknown peak shape "${shape}"; known: ${PEAK_SHAPES.join(', ')}`);
  const baseline = options.baseline ?? 'constant';
  const deg = baselineDegree(baseline);
  const s = prepare(spectrum, options);
  const { x, y } = s;
  const n = x.length;
  const nPeaks = options.peaks ?? options.initial?.length ?? 1;
  if (!Number.isInteger(nPeaks) || nPeaks < 1)
    throw new InvalidInputError(`peaks must be a positive integer, got ${nPeaks}`);
  const xmin = x[0];
  const xmax = x[n - 1];
  const span = xmax - xmin;
  let dxMin = Infinity;
  for (let i = 1; i < n; i++) dxMin = Math.min(dxMin, x[i] - x[i - 1]);
  const xRef = 0.5 * (xmin + xmax);
  const xScale = 0.5 * span;
  const model: PeakModel = peakModel({
    shape,
    nPeaks,
    baseline,
    glMix: options.glMix,
    xRef,
    xScale,
  });
  // starting values
  const edge = Math.max(1, Math.floor(n / 20));
  let left = 0,
    right = 0;
  for (let i = 0; i < edge; i++) {
    left += y[i] / edge;
    right += y[n - 1 - i] / edge;
  }
  const c0 = deg >= 0 ? (deg >= 1 ? 0.5 * (left + right) : Math.min(left, right)) : 0;
  const method = options.method ?? 'least-squares';
  if (method === 'poisson' && s.converted) {
    throw new InvalidInputError(
      'Poisson maximum likelihood needs raw counts; after the energy conversion use sigma: "poisson" instead',
    );
  }
  let sigma: ArrayLike<number> | undefined;
  if (options.sigma === 'poisson') sigma = s.poissonSigma;
  else if (options.sigma) {
    if (options.sigma.length !== n)
      throw new InvalidInputError(`sigma has ${options.sigma.length} values for ${n} points`);
    sigma = options.sigma;
  }
  const fwMin = 0.25 * dxMin;
  const fwMax = 4 * span;
  const ymax = Math.max(...y);
  const peakSpecs = (
    m: PeakModel,
    k: number,
    st: { center: number; area: number; fw: number },
    g: PeakGuess,
    into: Record<string, number | ParamSpec>,
  ): void => {
    const names = m.peakParams[k];
    into[names[0]] = { value: st.center, min: xmin - 0.1 * span, max: xmax + 0.1 * span };
    into[names[1]] = { value: Math.max(st.area, 1e-300), min: 0 };
    const fw = Math.min(Math.max(st.fw, 2 * fwMin), fwMax / 2);
    if (shape === 'voigt') {
      into[names[2]] = { value: g.fwhmGaussian ?? 0.7 * fw, min: fwMin, max: fwMax };
      into[names[3]] = { value: g.fwhmLorentzian ?? 0.4 * fw, min: 0, max: fwMax };
    } else {
      into[names[2]] = { value: fw, min: fwMin, max: fwMax };
      if (shape === 'pseudo-voigt') into[names[3]] = { value: g.eta ?? 0.5, min: 0, max: 1 };
    }
  };
  const baselineSpecs = (into: Record<string, number | ParamSpec>): void => {
    if (deg >= 0) {
      into.bg_c0 = c0;
      if (deg >= 1) into.bg_c1 = 0.5 * (right - left);
      for (let d = 2; d <= deg; d++) into[`bg_c${d}`] = 0;
    }
  };
  // starting peaks: given centres, then clearly prominent maxima, then (greedy) the largest
  // positive residual of a fit with the peaks so far - this finds shoulders that are no maxima
  const auto = findPeaks(x, y, nPeaks);
  const prominent = auto.filter((a) => a.height >= 0.1 * (auto[0]?.height ?? 0));
  const starts: ({ center: number; area: number; fw: number } | null)[] = [];
  let used = 0;
  for (let k = 0; k < nPeaks; k++) {
    const g = options.initial?.[k] ?? {};
    if (g.center !== undefined) {
      const fw = g.fwhm ?? prominent[0]?.fwhm ?? span / (4 * nPeaks);
      starts.push({
        center: g.center,
        area: g.area ?? Math.max(ymax - c0, 1e-12) * fw * 1.0645,
        fw,
      });
    } else if (used < prominent.length) {
      const a = prominent[used++];
      const fw = g.fwhm ?? a.fwhm;
      starts.push({
        center: a.center,
        area: g.area ?? Math.max(a.height, 1e-12 * Math.max(1, Math.abs(ymax))) * fw * 1.0645,
        fw,
      });
    } else starts.push(null);
  }
  if (!starts.some((st) => st !== null)) {
    let im = 0;
    for (let i = 1; i < n; i++) if (y[i] > y[im]) im = i;
    starts[0] = {
      center: x[im],
      area: Math.max(y[im] - c0, 1e-12) * (span / 8) * 1.0645,
      fw: span / 8,
    };
  }
  let seeded = starts.filter(
    (st): st is { center: number; area: number; fw: number } => st !== null,
  );
  while (seeded.length < nPeaks) {
    const sub = peakModel({
      shape,
      nPeaks: seeded.length,
      baseline,
      glMix: options.glMix,
      xRef,
      xScale,
    });
    const sp: Record<string, number | ParamSpec> = {};
    seeded.forEach((st, k) => peakSpecs(sub, k, st, {}, sp));
    baselineSpecs(sp);
    const rs = fit(sub, x, y, sp, { method, sigma, maxIterations: options.maxIterations });
    seeded = seeded.map((_, k) => ({
      center: rs.params[sub.peakParams[k][0]].value,
      area: rs.params[sub.peakParams[k][1]].value,
      fw: sub.line.fwhm(
        sub.peakParams[k].map((nm) => rs.params[nm].value),
        0,
      ),
    }));
    const w = Math.max(5, 2 * Math.floor(n / 40) + 1);
    const resid =
      w <= n
        ? savitzkyGolay({ x, y: rs.residuals }, { window: w % 2 ? w : w + 1, order: 2 }).y
        : rs.residuals;
    let ir = 0;
    for (let i = 1; i < n; i++) if (resid[i] > resid[ir]) ir = i;
    const fw = seeded.reduce((a, st) => a + st.fw, 0) / seeded.length;
    seeded.push({
      center: x[ir],
      area: Math.max(resid[ir], 1e-12 * Math.max(1, Math.abs(ymax))) * fw * 1.0645,
      fw,
    });
  }
  // peaks without given centres take the seeded ones in order
  let q = 0;
  const finalStarts = starts.map(
    (st) => st ?? seeded[starts.filter((t) => t !== null).length + q++],
  );
  const params: Record<string, number | ParamSpec> = {};
  for (let k = 0; k < nPeaks; k++)
    peakSpecs(model, k, finalStarts[k] ?? seeded[k], options.initial?.[k] ?? {}, params);
  baselineSpecs(params);
  if (options.params) {
    for (const [k, v] of Object.entries(options.params)) {
      if (!model.params.includes(k)) {
        throw new InvalidInputError(
          `unknown parameter "${k}"; the model's parameters are ${model.params.join(', ')}`,
        );
      }
      const prev = params[k];
      params[k] =
        typeof v === 'number'
          ? typeof prev === 'object'
            ? { ...prev, value: v }
            : v
          : { ...(typeof prev === 'object' ? prev : {}), ...v };
    }
  }
  const raw = fit(model, x, y, params, { method, sigma, maxIterations: options.maxIterations });
  const absoluteSigma = sigma !== undefined || method === 'poisson';
  const warnings = fitWarnings(raw, absoluteSigma);
  const r = options.scaleErrors && absoluteSigma ? inflateErrors(raw) : raw;
  const v = (name: string): Quantity => quantity(r.params[name].value, '', r.params[name].stderr);
  const shapeOf = model.line;
  const pvec = (p: Record<string, number>, k: number): number[] =>
    model.peakParams[k].map((nm) => p[nm]);
  const peaks: FittedPeak[] = [];
  const areaUnit = s.unit && s.xUnit ? `${s.unit}·${s.xUnit}` : s.unit || s.xUnit;
  for (let k = 0; k < nPeaks; k++) {
    const names = model.peakParams[k];
    const h = derivedQuantity(r, (p) => shapeOf.height(pvec(p, k), 0));
    const fw = derivedQuantity(r, (p) => shapeOf.fwhm(pvec(p, k), 0));
    const frac = derivedQuantity(r, (p) => {
      let tot = 0;
      for (let j = 0; j < nPeaks; j++) tot += p[model.peakParams[j][1]];
      return tot > 0 ? p[names[1]] / tot : 0;
    });
    const center = v(names[0]);
    const peak: FittedPeak = {
      center: { ...center, unit: s.xUnit },
      area: { ...v(names[1]), unit: areaUnit },
      fwhm: quantity(fw.value, s.xUnit, fw.stderr),
      height: quantity(h.value, s.unit, h.stderr),
      areaFraction: quantity(frac.value, '', frac.stderr),
    };
    if (shape === 'voigt') {
      peak.fwhmGaussian = { ...v(names[2]), unit: s.xUnit };
      peak.fwhmLorentzian = { ...v(names[3]), unit: s.xUnit };
    }
    if (shape === 'pseudo-voigt') peak.eta = v(names[3]);
    if (s.xUnit === 'nm' && center.value > 0) {
      const e = HC_EV_NM / center.value;
      peak.centerEnergyEv = quantity(
        e,
        'eV',
        center.stderr === null ? null : (e / center.value) * center.stderr,
      );
      peak.centerWavelengthNm = peak.center;
    } else if (s.xUnit === 'eV' && center.value > 0) {
      const l = HC_EV_NM / center.value;
      peak.centerWavelengthNm = quantity(
        l,
        'nm',
        center.stderr === null ? null : (l / center.value) * center.stderr,
      );
      peak.centerEnergyEv = peak.center;
    }
    peaks.push(peak);
  }
  const order = peaks
    .map((_, i) => i)
    .sort((a, b) => peaks[a].center.value - peaks[b].center.value);
  const pbest = Float64Array.from(model.params, (nm) => r.params[nm].value);
  const comps = model.components(pbest, x);
  const baselineCoefficients: Record<string, Quantity> = {};
  for (const nm of model.baselineParams) baselineCoefficients[nm] = v(nm);
  return {
    analysis: 'spectrum-peak-fit',
    shape,
    baseline,
    xName: s.xName,
    xUnit: s.xUnit,
    unit: s.unit,
    peaks: order.map((i) => peaks[i]),
    baselineCoefficients,
    fit: fitSummary(r),
    curves: {
      x: Array.from(x),
      y: Array.from(y),
      best: Array.from(r.best),
      residuals: Array.from(r.residuals),
      baseline: Array.from(comps.baseline),
      peaks: order.map((i) => Array.from(comps.peaks[i])),
    },
    warnings,
    options: {
      shape,
      baseline,
      range: options.range ? [Math.min(...options.range), Math.max(...options.range)] : null,
      energy: !!options.energy,
      method,
      glMix: model.spec.glMix,
    },
  };
}

/**
 * A short text report of a peak fit.
 *
 * @example
 * console.log(peakFitReport(fitPeaks(pl)));
 */
export function peakFitReport(r: PeakFitResult): string {
  const lines = [
    `${r.peaks.length} ${r.shape} peak${r.peaks.length > 1 ? 's' : ''} on a ${typeof r.baseline === 'string' ? r.baseline : `degree-${r.baseline.polynomial}`} baseline; ${r.fit.status} after ${r.fit.iterations} iterations; reduced chi2 ${r.fit.reducedChi2.toPrecision(4)} (${r.fit.nData} points, ${r.fit.nFree} free parameters)`,
  ];
  r.peaks.forEach((p, i) => {
    const extra =
      p.centerEnergyEv && r.xUnit === 'nm'
        ? ` (${formatQuantity(p.centerEnergyEv)})`
        : p.centerWavelengthNm && r.xUnit === 'eV'
          ? ` (${formatQuantity(p.centerWavelengthNm)})`
          : '';
    lines.push(
      `peak ${i + 1}: centre ${formatQuantity(p.center)}${extra}, FWHM ${formatQuantity(p.fwhm)}, area ${formatQuantity(p.area)}, height ${formatQuantity(p.height)}, area fraction ${formatQuantity({ ...p.areaFraction, value: 100 * p.areaFraction.value, stderr: p.areaFraction.stderr === null ? null : 100 * p.areaFraction.stderr, unit: '%' })}`,
    );
  });
  return lines.join('\n');
}
