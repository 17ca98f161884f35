/**
 * Global lifetime analysis of a time x wavelength matrix: lifetimes (and IRF, dispersion) shared
 * by all wavelengths, the amplitudes of each wavelength - the decay-associated spectra (DAS) -
 * solved by linear least squares inside the model (variable projection, Golub & Pereyra). The
 * projected model is an ordinary `Model` for the project's fitting engine, so the lifetimes get
 * the engine's bounds, fixing and convergence tests. Standard errors of lifetimes and of every
 * DAS point come from the Gauss-Newton covariance of the full problem (nonlinear parameters and
 * all amplitudes), obtained by a Schur complement over the per-wavelength amplitude blocks.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { type Quantity, quantity } from '../../core/quantity.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import { fit } from '../../fit/fit.js';
import type { FitStatus, Model, ParamSpec } from '../../fit/types.js';
import { FWHM_PER_SIGMA, convolvedExponential, dispersionShift, gaussianPulse } from './basis.js';
import { LeastSquaresQR, invertSymmetric } from './dense.js';
import type { IrfSpec, LifetimeSpec } from './fit-kinetic.js';
import { taMatrixView } from './matrix.js';
import { svd } from './svd.js';

/** Options of {@link globalLifetimeAnalysis}. */
export interface GlobalAnalysisOptions {
  /** Starting lifetimes in ps (one DAS each); `{ tauPs, fixed: true }` holds one fixed. */
  lifetimesPs: ReadonlyArray<number | LifetimeSpec>;
  /** Gaussian IRF (centre = time zero at the reference wavelength, FWHM), free unless fixed. */
  irf?: IrfSpec;
  /** Time zero without an IRF (default 0 ps); the exponentials then start sharply. */
  timeZeroPs?: number;
  /**
   * Dispersion (chirp) of time zero: t0(lambda) = t0 + sum_k c_k ((lambda - referenceNm)/100)^k,
   * coefficients c_1, c_2, ... in ps (numbers are free starting values; `{ value, fixed: true }` holds one).
   */
  dispersion?: { referenceNm: number; coefficients: ReadonlyArray<number | ParamSpec> };
  /** Add a non-decaying component (infinite lifetime). */
  offset?: boolean;
  /** Add an IRF-shaped component for the coherent artefact (needs `irf`). */
  coherentArtefact?: boolean;
  tMinPs?: number;
  tMaxPs?: number;
  /** Use only wavelengths in this range (nm). */
  wavelengthRangeNm?: [number, number];
  /** Also report the leading singular values of the residual matrix (default false). */
  residualSvd?: boolean;
  maxIterations?: number;
}

/** One decay-associated spectrum (or the offset / artefact spectrum). */
export interface DasComponent {
  label: string;
  /** Lifetime in ps; null for the offset (infinite) and the coherent artefact. */
  tauPs: number | null;
  amplitude: number[];
  /** Standard error of each amplitude (null where not estimable). */
  stderr: Array<number | null>;
}

export interface GlobalAnalysisResult {
  lifetimesPs: Quantity[];
  fixed: boolean[];
  irf: { centerPs: Quantity; fwhmPs: Quantity } | null;
  dispersion: { referenceNm: number; coefficients: Quantity[] } | null;
  timesPs: number[];
  wavelengthsNm: number[];
  das: DasComponent[];
  /** Fitted matrix and residuals, time-major (value at time i, wavelength j is [i * nw + j]). */
  fitted: Float64Array;
  residuals: Float64Array;
  unit: string;
  rmsResidual: number;
  chi2: number;
  /** chi2 / (nData - nonlinear - linear parameters). */
  reducedChi2: number;
  nData: number;
  nNonlinear: number;
  nLinear: number;
  converged: boolean;
  status: FitStatus;
  message: string;
  iterations: number;
  /** Free nonlinear parameter names and their covariance (full-problem Gauss-Newton). */
  freeParams: string[];
  covariance: number[][] | null;
  /** The engine's own stderr of the free nonlinear parameters (projected problem, dof-corrected): a cross-check of `covariance`. */
  engineStderr: Array<number | null>;
  residualSingularValues: number[] | null;
}

interface Layout {
  nTau: number;
  withIrf: boolean;
  nDisp: number;
  offset: boolean;
  artefact: boolean;
  /** Number of linear (amplitude) columns per wavelength. */
  k: number;
}

/** Fills the basis (column-major nt x k) for one wavelength. */
function fillBasis(
  out: Float64Array,
  t: Float64Array,
  taus: ArrayLike<number>,
  center: number,
  sigma: number,
  L: Layout,
): void {
  const nt = t.length;
  for (let c = 0; c < L.nTau; c++) {
    const tau = taus[c]!;
    for (let i = 0; i < nt; i++) out[c * nt + i] = convolvedExponential(t[i]!, tau, center, sigma);
  }
  let c = L.nTau;
  if (L.offset) {
    for (let i = 0; i < nt; i++)
      out[c * nt + i] = convolvedExponential(t[i]!, Infinity, center, sigma);
    c++;
  }
  if (L.artefact)
    for (let i = 0; i < nt; i++) out[c * nt + i] = gaussianPulse(t[i]!, center, sigma);
}

function spec(v: number | ParamSpec, what: string): ParamSpec {
  const s = typeof v === 'number' ? { value: v } : { ...v };
  if (!Number.isFinite(s.value))
    throw new InvalidInputError(`${what}: the start value must be a finite number`);
  if (s.expr !== undefined)
    throw new InvalidInputError(
      `${what}: tied parameters (expr) are not supported in global analysis`,
    );
  return s;
}

/**
 * Global lifetime analysis (parallel decays) of a TA matrix with variable projection. Returns
 * the lifetimes with standard errors, the DAS with a standard error at every wavelength, the IRF
 * and dispersion when fitted, the fitted matrix and the residuals.
 *
 * @example
 * const g = globalLifetimeAnalysis(ta, { lifetimesPs: [1, 20, 500], irf: { centerPs: 0.1, fwhmPs: 0.15 } });
 * g.lifetimesPs.map((q) => q.value); g.das[0].amplitude; // DAS of the first lifetime
 */
export function globalLifetimeAnalysis(
  a: CalibratedArray,
  options: GlobalAnalysisOptions,
): GlobalAnalysisResult {
  const view = taMatrixView(a);
  const taus = (options.lifetimesPs ?? []).map((c, i): LifetimeSpec => {
    const s = typeof c === 'number' ? { tauPs: c } : c;
    if (!s || !(s.tauPs > 0) || !Number.isFinite(s.tauPs)) {
      throw new InvalidInputError(
        `lifetime ${i + 1}: the start value must be a positive number of ps, got ${s?.tauPs}`,
      );
    }
    return s;
  });
  if (taus.length === 0)
    throw new InvalidInputError('give at least one starting lifetime (lifetimesPs)');
  if (options.coherentArtefact && !options.irf)
    throw new InvalidInputError(
      'a coherent-artefact component needs an IRF (irf: { centerPs, fwhmPs })',
    );
  const tMin = options.tMinPs ?? -Infinity;
  const tMax = options.tMaxPs ?? Infinity;
  const [wLo, wHi] = options.wavelengthRangeNm ?? [-Infinity, Infinity];
  const ti: number[] = [];
  for (let i = 0; i < view.nt; i++)
    if (view.timesPs[i]! >= tMin && view.timesPs[i]! <= tMax) ti.push(i);
  const wj: number[] = [];
  for (let j = 0; j < view.nw; j++)
    if (view.wavelengthsNm[j]! >= wLo && view.wavelengthsNm[j]! <= wHi) wj.push(j);
  const nt = ti.length;
  const nw = wj.length;
  const t = Float64Array.from(ti, (i) => view.timesPs[i]!);
  const wl = Float64Array.from(wj, (j) => view.wavelengthsNm[j]!);
  const L: Layout = {
    nTau: taus.length,
    withIrf: options.irf !== undefined,
    nDisp: options.dispersion?.coefficients.length ?? 0,
    offset: options.offset === true,
    artefact: options.coherentArtefact === true,
    k: taus.length + (options.offset ? 1 : 0) + (options.coherentArtefact ? 1 : 0),
  };
  if (nw === 0) throw new InvalidInputError(`no wavelengths in the range ${wLo}-${wHi} nm`);
  if (nt <= L.k + 2)
    throw new InvalidInputError(`only ${nt} times in [${tMin}, ${tMax}] ps for ${L.k} components`);
  const nNonlinearMax = L.nTau + (L.withIrf ? 2 : 0) + L.nDisp;
  if (nw * (nt - L.k) <= nNonlinearMax) {
    throw new InvalidInputError(
      `${nt} times x ${nw} wavelengths are too few for ${L.k} spectra and ${nNonlinearMax} shared parameters`,
    );
  }
  // data, wavelength-major: y[j * nt + i]
  const y = new Float64Array(nt * nw);
  for (let j = 0; j < nw; j++)
    for (let i = 0; i < nt; i++) y[j * nt + i] = view.data[ti[i]! * view.nw + wj[j]!]!;

  const names: string[] = taus.map((_, i) => `tau${i + 1}`);
  const params: Record<string, ParamSpec> = {};
  taus.forEach((s, i) => {
    params[`tau${i + 1}`] = {
      value: s.tauPs,
      min: s.min ?? 0,
      ...(s.max !== undefined ? { max: s.max } : {}),
      ...(s.fixed ? { fixed: true } : {}),
    };
  });
  if (L.withIrf) {
    names.push('irfCenter', 'irfFwhm');
    params.irfCenter = spec(options.irf!.centerPs, 'irf centre');
    const fw = spec(options.irf!.fwhmPs, 'irf FWHM');
    if (!(fw.value > 0))
      throw new InvalidInputError(`the IRF FWHM must be positive, got ${fw.value} ps`);
    params.irfFwhm = { min: 0, ...fw };
  }
  const refNm = options.dispersion?.referenceNm ?? 0;
  if (options.dispersion && !Number.isFinite(refNm))
    throw new InvalidInputError('dispersion.referenceNm must be a number (nm)');
  for (let d = 0; d < L.nDisp; d++) {
    names.push(`disp${d + 1}`);
    params[`disp${d + 1}`] = spec(
      options.dispersion!.coefficients[d]!,
      `dispersion coefficient ${d + 1}`,
    );
  }
  const timeZero = options.timeZeroPs ?? 0;
  const perWavelength = L.nDisp > 0;

  const nonlinear = (
    p: ArrayLike<number>,
  ): { tauv: number[]; center: number; sigma: number; disp: number[] } => ({
    tauv: Array.from({ length: L.nTau }, (_, c) => p[c]!),
    center: L.withIrf ? p[L.nTau]! : timeZero,
    sigma: L.withIrf ? Math.abs(p[L.nTau + 1]!) / FWHM_PER_SIGMA : 0,
    disp: Array.from({ length: L.nDisp }, (_, d) => p[L.nTau + (L.withIrf ? 2 : 0) + d]!),
  });
  const basis = new Float64Array(nt * L.k);
  const coef = new Float64Array(L.k);
  /** Projected fit: writes C_j a_j for every wavelength into out (wavelength-major); amplitudes into amps if given. */
  const project = (p: ArrayLike<number>, out: Float64Array, amps?: Float64Array[]): void => {
    const { tauv, center, sigma, disp } = nonlinear(p);
    let qr: LeastSquaresQR | null = null;
    if (!perWavelength) {
      fillBasis(basis, t, tauv, center, sigma, L);
      qr = new LeastSquaresQR(basis, nt, L.k);
    }
    for (let j = 0; j < nw; j++) {
      if (perWavelength) {
        fillBasis(basis, t, tauv, center + dispersionShift(wl[j]!, refNm, disp), sigma, L);
        qr = new LeastSquaresQR(basis, nt, L.k);
      }
      qr!.solve(y, j * nt, coef);
      if (amps) amps[j]!.set(coef);
      const off = j * nt;
      for (let i = 0; i < nt; i++) {
        let s = 0;
        for (let c = 0; c < L.k; c++) s += basis[c * nt + i]! * coef[c]!;
        out[off + i] = s;
      }
    }
  };
  const model: Model = {
    params: names,
    evaluate(p, _x, out) {
      project(p, out);
    },
  };
  const x = new Float64Array(nt * nw);
  for (let i = 0; i < x.length; i++) x[i] = i;
  const r = fit(model, x, y, params, { maxIterations: options.maxIterations ?? 200 });

  // ---- amplitudes and the full-problem covariance at the optimum ----
  const pBest = Float64Array.from(names, (n) => r.params[n]!.value);
  const amps = Array.from({ length: nw }, () => new Float64Array(L.k));
  const fittedW = new Float64Array(nt * nw);
  project(pBest, fittedW, amps);
  let chi2 = 0;
  for (let i = 0; i < y.length; i++) chi2 += (y[i]! - fittedW[i]!) ** 2;
  const free = r.freeParams;
  const q = free.length;
  const nData = nt * nw;
  const nLinear = nw * L.k;
  const dof = nData - q - nLinear;
  const s2 = dof > 0 ? chi2 / dof : NaN;
  // d(C_j a_j)/d theta by central differences of the basis (amplitudes held)
  const cj = new Float64Array(nt * L.k);
  const cPlus = new Float64Array(nt * L.k);
  const cMinus = new Float64Array(nt * L.k);
  const g = new Float64Array(nt * q);
  const A = new Float64Array(L.k * L.k);
  const Bs: Float64Array[] = [];
  const Ainvs: Array<Float64Array | null> = [];
  const D = new Float64Array(q * q);
  const basisAt = (p: ArrayLike<number>, j: number, out: Float64Array): void => {
    const { tauv, center, sigma, disp } = nonlinear(p);
    fillBasis(
      out,
      t,
      tauv,
      center + (perWavelength ? dispersionShift(wl[j]!, refNm, disp) : 0),
      sigma,
      L,
    );
  };
  const pTmp = Float64Array.from(pBest);
  const freeIdx = free.map((n) => names.indexOf(n));
  for (let j = 0; j < nw; j++) {
    basisAt(pBest, j, cj);
    const aj = amps[j]!;
    for (let f = 0; f < q; f++) {
      const gi = freeIdx[f]!;
      const v = pBest[gi]!;
      const h = 1e-6 * Math.max(Math.abs(v), 1e-3);
      pTmp[gi] = v + h;
      basisAt(pTmp, j, cPlus);
      pTmp[gi] = v - h;
      basisAt(pTmp, j, cMinus);
      pTmp[gi] = v;
      for (let i = 0; i < nt; i++) {
        let s = 0;
        for (let c = 0; c < L.k; c++)
          s += ((cPlus[c * nt + i]! - cMinus[c * nt + i]!) / (2 * h)) * aj[c]!;
        g[f * nt + i] = s;
      }
    }
    for (let c1 = 0; c1 < L.k; c1++) {
      for (let c2 = 0; c2 <= c1; c2++) {
        let s = 0;
        for (let i = 0; i < nt; i++) s += cj[c1 * nt + i]! * cj[c2 * nt + i]!;
        A[c1 * L.k + c2] = s;
        A[c2 * L.k + c1] = s;
      }
    }
    const B = new Float64Array(L.k * q);
    for (let c = 0; c < L.k; c++) {
      for (let f = 0; f < q; f++) {
        let s = 0;
        for (let i = 0; i < nt; i++) s += cj[c * nt + i]! * g[f * nt + i]!;
        B[c * q + f] = s;
      }
    }
    for (let f1 = 0; f1 < q; f1++) {
      for (let f2 = 0; f2 < q; f2++) {
        let s = 0;
        for (let i = 0; i < nt; i++) s += g[f1 * nt + i]! * g[f2 * nt + i]!;
        D[f1 * q + f2] = D[f1 * q + f2]! + s;
      }
    }
    Bs.push(B);
    Ainvs.push(invertSymmetric(A, L.k));
  }
  // Schur complement S = D - sum_j B_j^T A_j^-1 B_j
  const S = Float64Array.from(D);
  let schurOk = true;
  for (let j = 0; j < nw; j++) {
    const Ai = Ainvs[j];
    if (!Ai) {
      schurOk = false;
      continue;
    }
    const B = Bs[j]!;
    for (let f1 = 0; f1 < q; f1++) {
      for (let f2 = 0; f2 < q; f2++) {
        let s = 0;
        for (let c1 = 0; c1 < L.k; c1++) {
          const b1 = B[c1 * q + f1]!;
          if (b1 === 0) continue;
          for (let c2 = 0; c2 < L.k; c2++) s += b1 * Ai[c1 * L.k + c2]! * B[c2 * q + f2]!;
        }
        S[f1 * q + f2] = S[f1 * q + f2]! - s;
      }
    }
  }
  const Sinv = q === 0 ? new Float64Array(0) : schurOk ? invertSymmetric(S, q) : null;
  const covNl: number[][] | null =
    Sinv && Number.isFinite(s2)
      ? Array.from({ length: q }, (_, a1) =>
          Array.from({ length: q }, (_, a2) => s2 * Sinv[a1 * q + a2]!),
        )
      : null;
  const nlStderr = (name: string): number | null => {
    const f = free.indexOf(name);
    if (f < 0 || !covNl) return null;
    const v = covNl[f]![f]!;
    return v >= 0 ? Math.sqrt(v) : null;
  };
  const ampStderr: Array<Array<number | null>> = Array.from({ length: L.k }, () =>
    new Array<number | null>(nw).fill(null),
  );
  for (let j = 0; j < nw; j++) {
    const Ai = Ainvs[j];
    if (!Ai || !Number.isFinite(s2)) continue;
    const B = Bs[j]!;
    // M = A^-1 B (k x q)
    const M = new Float64Array(L.k * q);
    for (let c = 0; c < L.k; c++) {
      for (let f = 0; f < q; f++) {
        let s = 0;
        for (let c2 = 0; c2 < L.k; c2++) s += Ai[c * L.k + c2]! * B[c2 * q + f]!;
        M[c * q + f] = s;
      }
    }
    for (let c = 0; c < L.k; c++) {
      let v = Ai[c * L.k + c]!;
      if (Sinv && q > 0) {
        for (let f1 = 0; f1 < q; f1++)
          for (let f2 = 0; f2 < q; f2++) v += M[c * q + f1]! * Sinv[f1 * q + f2]! * M[c * q + f2]!;
      } else if (q > 0) continue;
      ampStderr[c]![j] = v >= 0 ? Math.sqrt(s2 * v) : null;
    }
  }
  const dofEngine = Math.max(1, nData - q);
  const engineStderr = free.map((n) => {
    const se = r.params[n]!.stderr;
    return se === null || dof <= 0 ? null : se * Math.sqrt(dofEngine / dof);
  });

  // ---- results ----
  const das: DasComponent[] = [];
  for (let c = 0; c < L.k; c++) {
    const isTau = c < L.nTau;
    const isOffset = !isTau && L.offset && c === L.nTau;
    const tauV = isTau ? r.params[`tau${c + 1}`]!.value : null;
    das.push({
      label: isTau
        ? `τ${c + 1} = ${formatPs(tauV!)}`
        : isOffset
          ? 'offset (non-decaying)'
          : 'coherent artefact',
      tauPs: tauV,
      amplitude: amps.map((aj) => aj[c]!),
      stderr: ampStderr[c]!,
    });
  }
  const fitted = new Float64Array(nt * nw);
  const residuals = new Float64Array(nt * nw);
  for (let i = 0; i < nt; i++) {
    for (let j = 0; j < nw; j++) {
      fitted[i * nw + j] = fittedW[j * nt + i]!;
      residuals[i * nw + j] = y[j * nt + i]! - fittedW[j * nt + i]!;
    }
  }
  let residualSingularValues: number[] | null = null;
  if (options.residualSvd)
    residualSingularValues = svd(residuals, nt, nw, { vectors: 0 }).singularValues.slice(0, 8);
  const pq = (name: string): Quantity => quantity(r.params[name]!.value, 'ps', nlStderr(name));
  return {
    lifetimesPs: taus.map((_, i) => pq(`tau${i + 1}`)),
    fixed: taus.map((s) => s.fixed === true),
    irf: L.withIrf ? { centerPs: pq('irfCenter'), fwhmPs: pq('irfFwhm') } : null,
    dispersion:
      L.nDisp > 0
        ? {
            referenceNm: refNm,
            coefficients: Array.from({ length: L.nDisp }, (_, d) => pq(`disp${d + 1}`)),
          }
        : null,
    timesPs: Array.from(t),
    wavelengthsNm: Array.from(wl),
    das,
    fitted,
    residuals,
    unit: view.unit,
    rmsResidual: Math.sqrt(chi2 / nData),
    chi2,
    reducedChi2: dof > 0 ? chi2 / dof : NaN,
    nData,
    nNonlinear: q,
    nLinear,
    converged: r.converged,
    status: r.status,
    message: r.message,
    iterations: r.iterations,
    freeParams: free,
    covariance: covNl,
    engineStderr,
    residualSingularValues,
  };
}

function formatPs(v: number): string {
  if (v >= 1000) return `${(v / 1000).toPrecision(3)} ns`;
  if (v < 1) return `${(v * 1000).toPrecision(3)} fs`;
  return `${v.toPrecision(3)} ps`;
}
