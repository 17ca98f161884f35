/**
 * Chirp (group-velocity dispersion of the white-light probe) in transient absorption: time zero
 * depends on the probe wavelength. Estimated by fitting the rise at each wavelength band (an
 * IRF-broadened step plus an IRF-shaped coherent artefact and a baseline) and then a polynomial
 * t0(lambda) = t0 + sum_k c_k ((lambda - ref)/100 nm)^k through the band time zeros, weighted by
 * their standard errors with outlier rejection; corrected by shifting every column onto a common
 * time zero (linear interpolation).
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { type Quantity, quantity } from '../../core/quantity.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import { fit } from '../../fit/fit.js';
import type { Model } from '../../fit/types.js';
import { FWHM_PER_SIGMA, convolvedExponential, dispersionShift, gaussianPulse } from './basis.js';
import { taMatrix, taMatrixView } from './matrix.js';

export interface ChirpOptions {
  /** Polynomial order in (lambda - ref)/100 nm (default 2). */
  order?: number;
  /** Reference wavelength (default: the middle of the wavelength range, rounded to 10 nm). */
  referenceNm?: number;
  /** Columns are averaged in bands of this width before fitting (default: range / 30). */
  bandNm?: number;
  /** Half-width of the fit window around each band's first guess of time zero (default 1 ps). */
  windowPs?: number;
  /** Time zero is searched within +- searchPs of the rise of the whole matrix (default 3 ps). */
  searchPs?: number;
  /** Add an IRF-shaped coherent-artefact term to the rise model of each band (default false). */
  coherentArtefact?: boolean;
  /** A band is used when its rise exceeds this many times the residual noise of its fit (default 5). */
  minSignificance?: number;
}

/** Time zero found at one wavelength band. */
export interface ChirpPoint {
  wavelengthNm: number;
  timeZeroPs: number;
  stderr: number | null;
  fwhmPs: number;
  used: boolean;
  /** Why a band was not used. */
  reason?: string;
}

/** A chirp polynomial: t0(lambda) = timeZeroPs + sum_k coefficients[k-1] ((lambda - referenceNm)/100)^k. */
export interface ChirpPolynomial {
  referenceNm: number;
  timeZeroPs: number | Quantity;
  coefficients: ReadonlyArray<number | Quantity>;
}

export interface ChirpResult extends ChirpPolynomial {
  timeZeroPs: Quantity;
  /** c_1, c_2, ... in ps per (100 nm)^k. */
  coefficients: Quantity[];
  /** Median IRF FWHM of the used bands (stderr from their spread). */
  irfFwhmPs: Quantity;
  points: ChirpPoint[];
  /** RMS deviation of the used time zeros from the polynomial (ps). */
  rmsPs: number;
}

const valueOf = (v: number | Quantity): number => (typeof v === 'number' ? v : v.value);

/**
 * Time zero at a wavelength from a chirp polynomial.
 *
 * @example
 * chirpTimeZeroPs({ referenceNm: 550, timeZeroPs: 1.2, coefficients: [-0.84, -0.35] }, 450); // 1.2 + 0.84 - 0.35 = 1.69
 */
export function chirpTimeZeroPs(chirp: ChirpPolynomial, wavelengthNm: number): number {
  return (
    valueOf(chirp.timeZeroPs) +
    dispersionShift(wavelengthNm, chirp.referenceNm, chirp.coefficients.map(valueOf))
  );
}

/**
 * Rise model of one band: baseline + B step(t; t0, sigma) + A [exp(-(t - t0)/tau) (x) IRF]
 * (+ C gaussian(t; t0, sigma) for the coherent artefact): an IRF-broadened onset that may
 * partly decay (A B > 0) or keep rising (A = -B) within the window.
 */
function riseModel(artefact: boolean): Model {
  return {
    params: artefact
      ? ['t0', 'fwhm', 'step', 'amp', 'tau', 'baseline', 'artefact']
      : ['t0', 'fwhm', 'step', 'amp', 'tau', 'baseline'],
    evaluate(p, x, out) {
      const sigma = Math.abs(p[1]!) / FWHM_PER_SIGMA;
      for (let i = 0; i < x.length; i++) {
        let v =
          p[5]! +
          p[2]! * convolvedExponential(x[i]!, Infinity, p[0]!, sigma) +
          p[3]! * convolvedExponential(x[i]!, p[4]!, p[0]!, sigma);
        if (artefact) v += p[6]! * gaussianPulse(x[i]!, p[0]!, sigma);
        out[i] = v;
      }
    },
  };
}

/** Index of the largest |slope| of a 3-point smoothed trace within [lo, hi]. */
function steepest(t: Float64Array, v: ArrayLike<number>, lo: number, hi: number): number {
  const n = t.length;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++)
    s[i] = (v[Math.max(0, i - 1)]! + v[i]! + v[Math.min(n - 1, i + 1)]!) / 3;
  let best = -1;
  let bestD = -1;
  for (let i = 1; i < n - 1; i++) {
    if (t[i]! < lo || t[i]! > hi) continue;
    const d = Math.abs((s[i + 1]! - s[i - 1]!) / (t[i + 1]! - t[i - 1]!));
    if (d > bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** A band left out of the chirp fit, with the reason. */
function unusedPoint(wavelengthNm: number, timeZeroPs: number, reason: string): ChirpPoint {
  return { wavelengthNm, timeZeroPs, stderr: null, fwhmPs: NaN, used: false, reason };
}

/**
 * Estimate the chirp of a TA matrix: a time zero (with stderr) per wavelength band from a fit of
 * the rise, then a weighted polynomial in wavelength with iterative 4-sigma outlier rejection.
 *
 * @example
 * const chirp = estimateChirp(ta, { order: 2 });
 * chirp.coefficients; // [{ value, stderr, unit: 'ps' }, ...]
 */
export function estimateChirp(a: CalibratedArray, options: ChirpOptions = {}): ChirpResult {
  const v = taMatrixView(a);
  const order = options.order ?? 2;
  if (!Number.isInteger(order) || order < 0 || order > 6)
    throw new InvalidInputError(`chirp polynomial order must be an integer 0-6, got ${order}`);
  const wMin = v.wavelengthsNm.reduce((m, x) => Math.min(m, x), Infinity);
  const wMax = v.wavelengthsNm.reduce((m, x) => Math.max(m, x), -Infinity);
  const ref = options.referenceNm ?? Math.round((wMin + wMax) / 20) * 10;
  const bandNm = options.bandNm ?? Math.max((wMax - wMin) / 30, 1e-9);
  const windowPs = options.windowPs ?? 1;
  const searchPs = options.searchPs ?? 3;
  const minSig = options.minSignificance ?? 5;
  const artefact = options.coherentArtefact === true;
  if (!(bandNm > 0) || !(windowPs > 0) || !(searchPs > 0))
    throw new InvalidInputError('bandNm, windowPs and searchPs must be positive');
  const t = v.timesPs;
  // rise of the whole matrix (sum of |signal| over wavelengths)
  const total = new Float64Array(v.nt);
  for (let i = 0; i < v.nt; i++) {
    let s = 0;
    for (let j = 0; j < v.nw; j++) s += Math.abs(v.data[i * v.nw + j]!);
    total[i] = s;
  }
  const g = steepest(t, total, -Infinity, Infinity);
  const tGlobal = t[Math.max(0, g)]!;
  // bands: averaged traces and first guesses of time zero
  const nb = Math.max(1, Math.ceil((wMax - wMin) / bandNm));
  const dtNear = (i: number): number => t[Math.min(v.nt - 1, i + 1)]! - t[Math.max(0, i - 1)]!;
  interface Band {
    wl: number;
    trace: Float64Array;
    guess: number;
    fw0: number;
  }
  const bands: Band[] = [];
  const points: ChirpPoint[] = [];
  for (let b = 0; b < nb; b++) {
    const lo = wMin + b * bandNm;
    const hi = b === nb - 1 ? wMax + 1e-9 : lo + bandNm;
    const cols: number[] = [];
    for (let j = 0; j < v.nw; j++)
      if (v.wavelengthsNm[j]! >= lo && v.wavelengthsNm[j]! < hi) cols.push(j);
    if (cols.length === 0) continue;
    const trace = new Float64Array(v.nt);
    for (let i = 0; i < v.nt; i++) {
      let s = 0;
      for (const j of cols) s += v.data[i * v.nw + j]!;
      trace[i] = s / cols.length;
    }
    const wl = cols.reduce((s, j) => s + v.wavelengthsNm[j]!, 0) / cols.length;
    const gi = steepest(t, trace, tGlobal - searchPs, tGlobal + searchPs);
    if (gi < 0) {
      points.push(unusedPoint(wl, NaN, 'no rise within the search range'));
      continue;
    }
    bands.push({ wl, trace, guess: t[gi]!, fw0: Math.max(3 * dtNear(gi), windowPs / 20) });
  }
  /** Fit of one band's rise; the IRF width free (stage 1) or held at a common value (stage 2). */
  const fitBand = (band: Band, fixedFwhm: number | null): ChirpPoint => {
    const { wl, trace, guess } = band;
    const idx: number[] = [];
    for (let i = 0; i < v.nt; i++) if (Math.abs(t[i]! - guess) <= windowPs) idx.push(i);
    if (idx.length < 8) return unusedPoint(wl, guess, 'too few points in the window');
    const x = Float64Array.from(idx, (i) => t[i]!);
    const yv = Float64Array.from(idx, (i) => trace[i]!);
    const mean = (ii: number[]): number =>
      ii.length ? ii.reduce((s, i) => s + trace[i]!, 0) / ii.length : 0;
    const base = mean(idx.filter((i) => t[i]! < guess));
    let r;
    try {
      r = fit(riseModel(artefact), x, yv, {
        t0: { value: guess, min: guess - windowPs, max: guess + windowPs },
        fwhm:
          fixedFwhm !== null
            ? { value: fixedFwhm, fixed: true }
            : { value: band.fw0, min: 1e-3 * windowPs, max: 2 * windowPs },
        step: mean(idx.filter((i) => t[i]! > guess)) - base,
        amp: 0,
        tau: { value: windowPs, min: 0.05 * windowPs, max: 100 * windowPs },
        baseline: base,
        ...(artefact ? { artefact: 0 } : {}),
      });
    } catch {
      return unusedPoint(wl, guess, 'the rise fit could not start');
    }
    const t0 = r.params.t0!;
    // size of the rise (largest excursion of the model from its baseline) against the residual noise
    const baseline = r.params.baseline!.value;
    let excursion = 0;
    for (let i = 0; i < r.best.length; i++)
      excursion = Math.max(excursion, Math.abs(r.best[i]! - baseline));
    const noise = Math.sqrt(r.chi2 / Math.max(1, r.nData - r.nFree));
    let reason: string | undefined;
    if (r.status === 'non-finite' || r.status === 'cancelled') reason = `rise fit ${r.status}`;
    else if (t0.stderr === null || t0.atBound) reason = 'time zero not determined';
    else if (!(excursion >= minSig * noise)) reason = `rise smaller than ${minSig} x the noise`;
    else if (t0.stderr > windowPs / 4) reason = 'time zero too uncertain';
    return {
      wavelengthNm: wl,
      timeZeroPs: t0.value,
      stderr: t0.stderr,
      fwhmPs: Math.abs(r.params.fwhm!.value),
      used: reason === undefined,
      ...(reason ? { reason } : {}),
    };
  };
  // stage 1: every band with its own IRF width; stage 2: all bands with the median width
  const stage1 = bands.map((b) => fitBand(b, null));
  const widths = stage1
    .filter((p) => p.used)
    .map((p) => p.fwhmPs)
    .sort((p, q) => p - q);
  if (widths.length === 0) {
    throw new InvalidInputError(
      'no wavelength band has a clear rise near time zero; check the time range (searchPs) and the signal',
    );
  }
  const medFw = widths[widths.length >> 1]!;
  const madFw =
    widths.map((f) => Math.abs(f - medFw)).sort((p, q) => p - q)[widths.length >> 1]! / 0.6745;
  points.push(...bands.map((b) => fitBand(b, medFw)));
  points.sort((p, q) => p.wavelengthNm - q.wavelengthNm);
  const nCoef = order + 1;
  let used = points.filter((p) => p.used);
  if (used.length < nCoef + 1) {
    throw new InvalidInputError(
      `only ${used.length} wavelength bands have a clear rise; a chirp polynomial of order ${order} needs at least ${nCoef + 1} (lower the order, widen bandNm, or check the time range)`,
    );
  }
  const poly: Model = {
    params: Array.from({ length: nCoef }, (_, k) => `c${k}`),
    evaluate(p, x, out) {
      for (let i = 0; i < x.length; i++) {
        const u = (x[i]! - ref) / 100;
        let s = 0;
        let pw = 1;
        for (let k = 0; k < nCoef; k++) {
          s += p[k]! * pw;
          pw *= u;
        }
        out[i] = s;
      }
    },
    jacobian(_p, x, jac) {
      for (let i = 0; i < x.length; i++) {
        const u = (x[i]! - ref) / 100;
        let pw = 1;
        for (let k = 0; k < nCoef; k++) {
          jac[i * nCoef + k] = pw;
          pw *= u;
        }
      }
    },
  };
  // Weighted fit with an extra scatter term: w = 1 / sqrt(se^2 + s_extra^2), where s_extra is
  // the scatter of the time zeros beyond their fit stderr (model misfit of single bands);
  // points beyond 4 standardised residuals are rejected.
  let result = null;
  let extra2 = 0;
  for (let round = 0; round < 8; round++) {
    const xs = used.map((p) => p.wavelengthNm);
    const ys = used.map((p) => p.timeZeroPs);
    const ws = used.map((p) => 1 / Math.sqrt(Math.max(p.stderr!, 1e-6) ** 2 + extra2));
    const start: Record<string, number> = { c0: ys.reduce((s, q) => s + q, 0) / ys.length };
    for (let k = 1; k < nCoef; k++) start[`c${k}`] = 0;
    result = fit(poly, xs, ys, start, { weights: ws });
    const absRes = Array.from(result.residuals, Math.abs);
    const robustSd = [...absRes].sort((p, q) => p - q)[absRes.length >> 1]! / 0.6745;
    const se2 = used.map((p) => p.stderr! ** 2).sort((p, q) => p - q);
    const newExtra2 = Math.max(0, robustSd * robustSd - se2[se2.length >> 1]!);
    const keep = used.filter(
      (_, i) => absRes[i]! <= 4 * Math.max(robustSd, Math.sqrt(used[i]!.stderr! ** 2 + newExtra2)),
    );
    const settled = Math.abs(newExtra2 - extra2) <= 0.05 * Math.max(extra2, 1e-12);
    extra2 = newExtra2;
    if (keep.length < used.length && keep.length >= nCoef + 1) {
      for (const p of used) {
        if (!keep.includes(p)) {
          p.used = false;
          p.reason = 'outlier from the chirp polynomial';
        }
      }
      used = keep;
      continue;
    }
    if (settled) break;
  }
  const rr = result!;
  const c = Array.from({ length: nCoef }, (_, k) =>
    quantity(rr.params[`c${k}`]!.value, 'ps', rr.params[`c${k}`]!.stderr),
  );
  let ss = 0;
  for (const p of used) {
    const d =
      p.timeZeroPs -
      chirpTimeZeroPs(
        { referenceNm: ref, timeZeroPs: c[0]!, coefficients: c.slice(1) },
        p.wavelengthNm,
      );
    ss += d * d;
  }
  return {
    referenceNm: ref,
    timeZeroPs: c[0]!,
    coefficients: c.slice(1),
    irfFwhmPs: quantity(
      medFw,
      'ps',
      widths.length > 1 ? (1.2533 * madFw) / Math.sqrt(widths.length) : null,
    ),
    points,
    rmsPs: Math.sqrt(ss / used.length),
  };
}

/**
 * Chirp-correct a TA matrix: column lambda is resampled at t + t0(lambda) - t0(ref), and the
 * time axis is shifted by -t0(ref), so that time zero is 0 ps at every wavelength. Values
 * needed outside the measured times take the nearest measured value; their number is recorded in
 * `metadata.chirpCorrection.extrapolatedPoints`.
 *
 * @example
 * const corrected = correctChirp(ta, estimateChirp(ta));
 */
export function correctChirp(
  a: CalibratedArray,
  chirp: ChirpPolynomial,
): CalibratedArray<Float64Array> {
  const v = taMatrixView(a);
  const t0ref = valueOf(chirp.timeZeroPs);
  if (!Number.isFinite(t0ref) || !Number.isFinite(chirp.referenceNm))
    throw new InvalidInputError('the chirp needs a finite timeZeroPs and referenceNm');
  const coef = chirp.coefficients.map(valueOf);
  if (coef.some((c) => !Number.isFinite(c)))
    throw new InvalidInputError('the chirp coefficients must be finite numbers');
  const t = v.timesPs;
  const out = new Float64Array(v.nt * v.nw);
  let extrapolated = 0;
  for (let j = 0; j < v.nw; j++) {
    const shift = dispersionShift(v.wavelengthsNm[j]!, chirp.referenceNm, coef);
    let k = 0;
    for (let i = 0; i < v.nt; i++) {
      const ts = t[i]! + shift;
      if (ts <= t[0]!) {
        if (ts < t[0]!) extrapolated++;
        out[i * v.nw + j] = v.data[j]!;
        continue;
      }
      if (ts >= t[v.nt - 1]!) {
        if (ts > t[v.nt - 1]!) extrapolated++;
        out[i * v.nw + j] = v.data[(v.nt - 1) * v.nw + j]!;
        continue;
      }
      while (k < v.nt - 2 && t[k + 1]! < ts) k++;
      while (k > 0 && t[k]! > ts) k--;
      const f = (ts - t[k]!) / (t[k + 1]! - t[k]!);
      out[i * v.nw + j] = (1 - f) * v.data[k * v.nw + j]! + f * v.data[(k + 1) * v.nw + j]!;
    }
  }
  return taMatrix(
    Array.from(t, (x) => x - t0ref),
    v.wavelengthsNm,
    out,
    {
      unit: v.unit,
      name: v.name,
      metadata: {
        ...a.metadata,
        chirpCorrection: {
          referenceNm: chirp.referenceNm,
          timeZeroPs: t0ref,
          coefficients: coef,
          extrapolatedPoints: extrapolated,
        },
      },
    },
  );
}
