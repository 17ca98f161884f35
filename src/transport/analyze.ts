/**
 * Transient PL microscopy analysis (paper 004): fit the spatial PL profile of every time bin,
 * follow sigma^2(t), and derive MSD(t) = sigma^2(t) - sigma^2(0), the PL-weighted average
 * diffusivity D_avg (004 eqn 2), D from a weighted linear fit, the anomalous exponent
 * (MSD ~ t^alpha), the time t_max at which the MSD peaks, the PL lifetime tau_PL (1/e time of the
 * total PL) and a diffusion length. All fits go through the project's engine (`fit`).
 */
import { InvalidInputError } from '../core/errors.js';
import { type Provenance, provenance } from '../core/provenance.js';
import { axisValues } from '../data/axis.js';
import { type CalibratedArray, axisPosition } from '../data/calibrated.js';
import { fit } from '../fit/index.js';
import type { FitMethod, FitResult, FitStatus, Model, ParamSpec } from '../fit/types.js';
import {
  gaussian2dProfileModel,
  gaussianProfileModel,
  voigtProfileModel,
} from './profile-models.js';

export type ProfileModelName = 'gauss' | 'voigt' | 'gauss2d';
export type DiffusionLengthDefinition = 'sqrt(D*tau)' | 'sqrt(2*d*D*tau)';

export interface TplmOptions {
  /** Profile model: `gauss` (default for PL(x, t)), `voigt` (004), `gauss2d` (default for PL(x, y, t)). */
  model?: ProfileModelName;
  /** Constant background in every profile: `free` (default) or `none` (fixed at 0). */
  background?: 'free' | 'none';
  /** Fit statistic: `auto` (Poisson for non-negative integer counts, else least squares), or forced. */
  method?: 'auto' | FitMethod;
  /** Time zero on the file's time axis (ns); default: the bin with the most total PL. */
  tZeroNs?: number;
  /** Last time analysed (ns, file axis); default: the last bin. */
  tEndNs?: number;
  /** Bins with fewer total counts are flagged `no-signal` (default 50 for counts, 0 otherwise). */
  minCounts?: number;
  /** Fewest usable time bins (default 3); fewer is an error. */
  minBins?: number;
  /** Window [from, to] in ns after t0 for the weighted linear fit of sigma^2 (default: up to the D_avg cut-off). */
  linearFitWindowNs?: [number, number];
  /** D_avg cut-off in units of tau_PL (004: 5). */
  cutoffTauMultiple?: number;
  /** Diffusion length definition (default 004's `sqrt(D*tau)`). */
  diffusionLength?: DiffusionLengthDefinition;
  /** d in sqrt(2 d D tau) (default 2, a film). */
  diffusionDimension?: number;
  /** Nanocrystal spacing in nm, needed when positions are in lattice `sites`. */
  siteSpacingNm?: number;
  /** Moving-average width (bins) applied to the MSD before locating t_max (default 1 = none). */
  tMaxSmoothingBins?: number;
}

/** One time bin's profile fit. */
export interface TplmBin {
  /** Time after t0, ns. */
  tNs: number;
  /** Time on the file's axis, ns. */
  timeNs: number;
  /** Sum of the profile (total PL of this bin). */
  totalCounts: number;
  /** Gaussian variance sigma^2 in um^2 and its standard error (null if not fitted). */
  sigma2Um2: number | null;
  sigma2Stderr: number | null;
  centerUm: number | null;
  /** Lorentzian half width (Voigt), um. */
  gammaLUm: number | null;
  reducedChi2: number | null;
  status: FitStatus | null;
  /**
   * Problems with this bin: `no-signal`, `negative-counts`, `not-fitted` (negative values in a
   * Poisson fit), `fit-failed`, `not-converged`,
   * `sigma-at-bound`, `no-stderr`, `unresolved` (sigma below half the pixel pitch). Bins with any
   * flag except `negative-counts` and `unresolved` are left out of the MSD.
   */
  flags: string[];
}

export interface MsdPoint {
  tNs: number;
  msdUm2: number;
  stderr: number;
}

export interface TplmResult {
  model: ProfileModelName;
  method: FitMethod;
  /** Profile dimension: 1 for PL(x, t), 2 for PL(x, y, t). */
  profileDimension: 1 | 2;
  t0Ns: number;
  bins: TplmBin[];
  /** MSD of the usable bins (MSD(t0) = 0 with stderr 0). */
  msd: MsdPoint[];
  /** Lorentzian half width held fixed after the first bin (Voigt), um. */
  fixedGammaLUm: number | null;
  /** 004 eqn 2, PL-weighted up to cutoffTauMultiple * tau_PL; cm^2/s. */
  dAvgCm2PerS: number | null;
  dAvgStderr: number | null;
  /** Weighted linear fit sigma^2 = s0 + 2 D t over `windowNs`. */
  dLinear: {
    dCm2PerS: number;
    stderr: number | null;
    windowNs: [number, number];
    reducedChi2: number;
  } | null;
  /** MSD = K t^alpha over the same window. */
  anomalous: { alpha: number; stderr: number | null; prefactorUm2: number } | null;
  tauPlNs: number | null;
  tauPlStderr: number | null;
  diffusionLengthNm: number | null;
  diffusionLengthStderr: number | null;
  diffusionLengthDefinition: string;
  /** Time after t0 where the MSD is largest; `tMaxAtEnd` when that is the last usable bin (a lower bound). */
  tMaxNs: number | null;
  tMaxAtEnd: boolean;
  /** Total PL per time bin (sum over positions), on the file's time axis. */
  totalPl: { timeNs: number[]; counts: number[] };
  warnings: string[];
  provenance: Provenance;
}

const LENGTH_TO_UM: Record<string, number> = { nm: 1e-3, um: 1, µm: 1, μm: 1, mm: 1e3 };
/** 1 um^2/ns = 10 cm^2/s. */
const UM2_PER_NS_TO_CM2_PER_S = 10;

const linearModel: Model = {
  params: ['s0', 'slope'],
  evaluate(p, x, out) {
    for (let i = 0; i < x.length; i++) out[i] = p[0] + p[1] * x[i];
  },
  jacobian(_p, x, jac) {
    for (let i = 0; i < x.length; i++) {
      jac[2 * i] = 1;
      jac[2 * i + 1] = x[i];
    }
  },
};

const powerModel: Model = {
  params: ['K', 'alpha'],
  evaluate(p, x, out) {
    for (let i = 0; i < x.length; i++) out[i] = p[0] * Math.pow(x[i], p[1]);
  },
  jacobian(p, x, jac) {
    for (let i = 0; i < x.length; i++) {
      const v = Math.pow(x[i], p[1]);
      jac[2 * i] = v;
      jac[2 * i + 1] = p[0] * v * Math.log(x[i]);
    }
  },
};

function isCounts(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0 || !Number.isInteger(v)) return false;
  }
  return true;
}

/**
 * Initial guesses from moments of the background-subtracted profile.
 */
function momentGuess(
  x: Float64Array,
  y: Float64Array,
  nVar: number,
): { A: number; mu: number[]; sigma: number; c: number } {
  const n = y.length;
  const sorted = Float64Array.from(y).sort();
  const c = Math.max(0, sorted[Math.floor(0.1 * (n - 1))]);
  let w = 0;
  const mu = new Array<number>(nVar).fill(0);
  for (let i = 0; i < n; i++) {
    const v = Math.max(0, y[i] - c);
    w += v;
    for (let a = 0; a < nVar; a++) mu[a] += v * x[i * nVar + a];
  }
  if (w > 0) for (let a = 0; a < nVar; a++) mu[a] /= w;
  let v2 = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.max(0, y[i] - c);
    for (let a = 0; a < nVar; a++) v2 += v * (x[i * nVar + a] - mu[a]) ** 2;
  }
  const sigma = w > 0 ? Math.sqrt(v2 / w / nVar) : 1;
  return { A: w, mu, sigma, c };
}

function pixelPitch(v: Float64Array): number {
  let m = Infinity;
  for (let i = 1; i < v.length; i++) m = Math.min(m, Math.abs(v[i] - v[i - 1]));
  return m;
}

/**
 * Analyse a TPLM cube PL(time, x) or PL(time, x, y).
 *
 * @example
 * const r = analyzeTransport(readTplmText(text), { model: 'voigt' });
 * r.dAvgCm2PerS; r.msd[3]; // { tNs, msdUm2, stderr }
 */
export function analyzeTransport(cube: CalibratedArray, options: TplmOptions = {}): TplmResult {
  const warnings: string[] = [];
  const tPos = axisPosition(cube, 'time');
  if (tPos !== 0)
    throw new InvalidInputError(
      `the time axis must be the first axis (axes are ${cube.axes.map((a) => a.name).join(', ')})`,
    );
  const spaceAxes = cube.axes.slice(1);
  if (spaceAxes.length < 1 || spaceAxes.length > 2) {
    throw new InvalidInputError(
      `expected PL(time, x) or PL(time, x, y); got axes ${cube.axes.map((a) => a.name).join(', ')}`,
    );
  }
  const profileDimension = spaceAxes.length as 1 | 2;
  const model: ProfileModelName = options.model ?? (profileDimension === 2 ? 'gauss2d' : 'gauss');
  if ((model === 'gauss2d') !== (profileDimension === 2)) {
    throw new InvalidInputError(
      `model "${model}" does not match a ${profileDimension}-D profile; use ${profileDimension === 2 ? 'gauss2d' : 'gauss or voigt'}`,
    );
  }
  // Length unit -> um.
  const unit = spaceAxes[0].unit;
  let toUm = LENGTH_TO_UM[unit];
  if (unit === 'sites' || unit === 'site') {
    if (!(options.siteSpacingNm && options.siteSpacingNm > 0)) {
      throw new InvalidInputError(
        'positions are in lattice sites; give siteSpacingNm (nanocrystal centre-to-centre distance) to express the MSD in um^2',
      );
    }
    toUm = options.siteSpacingNm * 1e-3;
  }
  if (toUm === undefined)
    throw new InvalidInputError(`position unit "${unit}" is not a length unit (nm, um or sites)`);
  for (const a of spaceAxes) {
    if (a.unit !== unit)
      throw new InvalidInputError(
        `position axes have different units (${spaceAxes.map((s) => s.unit).join(', ')})`,
      );
  }
  const time = axisValues(cube.axes[0]);
  const nt = time.length;
  const xs = spaceAxes.map((a) => Float64Array.from(axisValues(a), (v) => v * toUm));
  const nPix = xs.reduce((p, v) => p * v.length, 1);
  const pitch = Math.min(...xs.map(pixelPitch));
  const nParams = model === 'voigt' ? 5 : model === 'gauss2d' ? 5 : 4;
  if (nPix < nParams + 1) {
    throw new InvalidInputError(
      `each profile has ${nPix} positions; the ${model} model needs at least ${nParams + 1}`,
    );
  }
  // Independent variables of one profile.
  const X = new Float64Array(nPix * profileDimension);
  if (profileDimension === 1) X.set(xs[0]);
  else {
    for (let i = 0; i < xs[0].length; i++) {
      for (let j = 0; j < xs[1].length; j++) {
        X[2 * (i * xs[1].length + j)] = xs[0][i];
        X[2 * (i * xs[1].length + j) + 1] = xs[1][j];
      }
    }
  }
  const data = cube.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new InvalidInputError(`PL value ${i} (time bin ${Math.floor(i / nPix)}) is not finite`);
  }
  const counts = isCounts(data);
  const method: FitMethod =
    options.method === undefined || options.method === 'auto'
      ? counts
        ? 'poisson'
        : 'least-squares'
      : options.method;
  const minCounts = options.minCounts ?? (counts ? 50 : 0);
  const totalPl = new Array<number>(nt);
  for (let k = 0; k < nt; k++) {
    let s = 0;
    for (let i = 0; i < nPix; i++) s += data[k * nPix + i];
    totalPl[k] = s;
  }
  let k0: number;
  if (options.tZeroNs !== undefined) {
    k0 = 0;
    for (let k = 0; k < nt; k++)
      if (Math.abs(time[k] - options.tZeroNs) < Math.abs(time[k0] - options.tZeroNs)) k0 = k;
  } else {
    k0 = 0;
    for (let k = 1; k < nt; k++) if (totalPl[k] > totalPl[k0]) k0 = k;
  }
  let kEnd = nt - 1;
  if (options.tEndNs !== undefined) {
    while (kEnd > k0 && time[kEnd] > options.tEndNs) kEnd--;
  }
  const minBins = options.minBins ?? 3;
  if (kEnd - k0 + 1 < minBins) {
    throw new InvalidInputError(
      `only ${kEnd - k0 + 1} time bins from t0 = ${time[k0]} ns to the end; at least ${minBins} are needed`,
    );
  }
  if (!(totalPl[k0] > 0))
    throw new InvalidInputError(`no PL signal at t0 = ${time[k0]} ns (total ${totalPl[k0]})`);

  const bins: TplmBin[] = [];
  let fixedGamma: number | null = null;
  const y = new Float64Array(nPix);
  const t0 = time[k0];
  for (let k = k0; k <= kEnd; k++) {
    const flags: string[] = [];
    let neg = false;
    for (let i = 0; i < nPix; i++) {
      y[i] = data[k * nPix + i];
      if (y[i] < 0) neg = true;
    }
    if (neg) flags.push('negative-counts');
    const bin: TplmBin = {
      tNs: time[k] - t0,
      timeNs: time[k],
      totalCounts: totalPl[k],
      sigma2Um2: null,
      sigma2Stderr: null,
      centerUm: null,
      gammaLUm: null,
      reducedChi2: null,
      status: null,
      flags,
    };
    bins.push(bin);
    if (!(totalPl[k] > 0) || totalPl[k] < minCounts) {
      flags.push('no-signal');
      continue;
    }
    if (neg && method === 'poisson') {
      flags.push('not-fitted');
      continue;
    }
    const g = momentGuess(X, y, profileDimension);
    const span = Math.max(...xs.map((v) => v[v.length - 1] - v[0]));
    const sigmaSpec: ParamSpec = {
      value: Math.max(g.sigma, pitch),
      min: 1e-4 * pitch,
      max: 10 * span,
    };
    const cSpec: ParamSpec =
      options.background === 'none'
        ? { value: 0, fixed: true }
        : method === 'poisson'
          ? { value: Math.max(g.c, 1e-3), min: 0 }
          : { value: g.c };
    const ASpec: ParamSpec = {
      value: Math.max(g.A, 1e-9) * (profileDimension === 2 ? pitch * pitch : pitch),
      min: 0,
    };
    let m: Model;
    let params: Record<string, ParamSpec>;
    if (model === 'gauss') {
      m = gaussianProfileModel;
      params = { A: ASpec, mu: { value: g.mu[0] }, sigma: sigmaSpec, c: cSpec };
    } else if (model === 'gauss2d') {
      m = gaussian2dProfileModel;
      params = {
        A: ASpec,
        mux: { value: g.mu[0] },
        muy: { value: g.mu[1] },
        sigma: sigmaSpec,
        c: cSpec,
      };
    } else {
      m = voigtProfileModel;
      const gammaSpec: ParamSpec =
        fixedGamma === null
          ? { value: 0.3 * sigmaSpec.value, min: 0, max: 10 * span }
          : { value: fixedGamma, fixed: true };
      params = {
        A: ASpec,
        mu: { value: g.mu[0] },
        sigma: { ...sigmaSpec, value: 0.8 * sigmaSpec.value },
        gammaL: gammaSpec,
        c: cSpec,
      };
    }
    let r: FitResult;
    try {
      r = fit(m, X, y, params, { method });
    } catch (e) {
      flags.push('fit-failed');
      warnings.push(`time ${time[k]} ns: profile fit failed (${(e as Error).message})`);
      continue;
    }
    bin.status = r.status;
    bin.reducedChi2 = r.reducedChi2;
    const s = r.params.sigma;
    bin.centerUm = model === 'gauss2d' ? r.params.mux.value : r.params.mu.value;
    if (model === 'voigt') bin.gammaLUm = r.params.gammaL.value;
    if (!r.converged) flags.push('not-converged');
    if (s.atBound) flags.push('sigma-at-bound');
    if (s.stderr === null) flags.push('no-stderr');
    if (s.value < 0.5 * pitch) flags.push('unresolved');
    bin.sigma2Um2 = s.value * s.value;
    bin.sigma2Stderr = s.stderr === null ? null : 2 * s.value * s.stderr;
    if (model === 'voigt' && fixedGamma === null && usable(bin)) fixedGamma = r.params.gammaL.value;
  }
  const first = bins[0];
  if (!usable(first)) {
    throw new InvalidInputError(
      `the profile at t0 = ${t0} ns could not be fitted (${first.flags.join(', ')}), so sigma^2(0) is undefined; choose another tZeroNs`,
    );
  }
  const good = bins.filter(usable);
  if (good.length < minBins) {
    throw new InvalidInputError(
      `only ${good.length} time bins gave a usable profile fit (flags: ${summarizeFlags(bins)}); at least ${minBins} are needed`,
    );
  }
  const flagged = bins.filter((b) => !usable(b));
  if (flagged.length)
    warnings.push(
      `${flagged.length} of ${bins.length} time bins left out of the MSD (${summarizeFlags(flagged)})`,
    );
  const s00 = first.sigma2Um2 as number;
  const se0 = first.sigma2Stderr as number;
  const msd: MsdPoint[] = good.map((b, i) => ({
    tNs: b.tNs,
    msdUm2: (b.sigma2Um2 as number) - s00,
    stderr: i === 0 ? 0 : Math.hypot(b.sigma2Stderr as number, se0),
  }));

  // tau_PL: 1/e time of the total PL after its maximum.
  const tau = lifetime(time, totalPl, counts);
  if (tau.tauNs === null)
    warnings.push(
      'the total PL does not fall to 1/e of its maximum within the data: tau_PL undefined, D_avg uses every bin',
    );
  const cutoff = (options.cutoffTauMultiple ?? 5) * (tau.tauNs ?? Infinity);

  // D_avg (004 eqn 2) over consecutive bins i, i+1 with t_i - t0 < cutoff, weighted by I_PL(t_i).
  let dAvg: number | null = null;
  let dAvgErr: number | null = null;
  {
    const coef = new Map<number, number>();
    let wsum = 0;
    let num = 0;
    let skipped = 0;
    for (let i = 0; i + 1 < bins.length; i++) {
      const b = bins[i];
      const b1 = bins[i + 1];
      if (b.tNs >= cutoff) break;
      if (!usable(b) || !usable(b1)) {
        skipped++;
        continue;
      }
      const dt = b1.tNs - b.tNs;
      const w = b.totalCounts;
      num += (w * ((b1.sigma2Um2 as number) - (b.sigma2Um2 as number))) / (2 * dt);
      wsum += w;
      coef.set(i + 1, (coef.get(i + 1) ?? 0) + w / (2 * dt));
      coef.set(i, (coef.get(i) ?? 0) - w / (2 * dt));
    }
    if (skipped) warnings.push(`D_avg: ${skipped} bin pairs with a flagged bin skipped`);
    if (wsum > 0) {
      dAvg = (num / wsum) * UM2_PER_NS_TO_CM2_PER_S;
      let v = 0;
      for (const [i, c] of coef) v += ((c / wsum) * (bins[i].sigma2Stderr as number)) ** 2;
      dAvgErr = Math.sqrt(v) * UM2_PER_NS_TO_CM2_PER_S;
    } else warnings.push('D_avg: no pair of usable consecutive bins before the cut-off');
  }

  // Weighted linear fit of sigma^2(t) and power law of MSD(t) over a window.
  const win: [number, number] = options.linearFitWindowNs ?? [
    0,
    Number.isFinite(cutoff) ? cutoff : good[good.length - 1].tNs,
  ];
  const inWin = good.filter((b) => b.tNs >= win[0] - 1e-12 && b.tNs <= win[1] + 1e-12);
  let dLinear: TplmResult['dLinear'] = null;
  if (inWin.length >= 3) {
    const tx = inWin.map((b) => b.tNs);
    const ys = inWin.map((b) => b.sigma2Um2 as number);
    const sg = inWin.map((b) => Math.max(b.sigma2Stderr as number, 1e-300));
    try {
      const r = fit(linearModel, tx, ys, { s0: ys[0], slope: 0 }, { sigma: sg });
      const scale = Math.sqrt(Math.max(1, r.reducedChi2));
      const se = r.params.slope.stderr;
      dLinear = {
        dCm2PerS: (r.params.slope.value / 2) * UM2_PER_NS_TO_CM2_PER_S,
        stderr: se === null ? null : ((se * scale) / 2) * UM2_PER_NS_TO_CM2_PER_S,
        windowNs: [tx[0], tx[tx.length - 1]],
        reducedChi2: r.reducedChi2,
      };
    } catch (e) {
      warnings.push(`linear fit of sigma^2(t) failed: ${(e as Error).message}`);
    }
  } else warnings.push(`linear fit: fewer than 3 usable bins in the window ${win[0]}-${win[1]} ns`);

  let anomalous: TplmResult['anomalous'] = null;
  {
    const pts = msd.filter(
      (p) => p.tNs > 0 && p.msdUm2 > 0 && p.tNs >= win[0] - 1e-12 && p.tNs <= win[1] + 1e-12,
    );
    if (pts.length >= 3) {
      // log-log start
      const lx = pts.map((p) => Math.log(p.tNs));
      const ly = pts.map((p) => Math.log(p.msdUm2));
      const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
      const my = ly.reduce((a, b) => a + b, 0) / ly.length;
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < lx.length; i++) {
        sxy += (lx[i] - mx) * (ly[i] - my);
        sxx += (lx[i] - mx) ** 2;
      }
      const a0 = sxx > 0 ? sxy / sxx : 1;
      try {
        const r = fit(
          powerModel,
          pts.map((p) => p.tNs),
          pts.map((p) => p.msdUm2),
          { K: { value: Math.exp(my - a0 * mx), min: 0 }, alpha: { value: a0, min: -5, max: 5 } },
          { sigma: pts.map((p) => Math.max(p.stderr, 1e-300)) },
        );
        const se = r.params.alpha.stderr;
        anomalous = {
          alpha: r.params.alpha.value,
          stderr: se === null ? null : se * Math.sqrt(Math.max(1, r.reducedChi2)),
          prefactorUm2: r.params.K.value,
        };
      } catch (e) {
        warnings.push(`power-law fit of MSD(t) failed: ${(e as Error).message}`);
      }
    } else warnings.push('anomalous exponent: fewer than 3 positive MSD points in the window');
  }

  // t_max.
  const sm = Math.max(1, Math.floor(options.tMaxSmoothingBins ?? 1));
  let iMax = 0;
  let best = -Infinity;
  for (let i = 0; i < msd.length; i++) {
    let s = 0;
    let c = 0;
    for (
      let j = Math.max(0, i - Math.floor(sm / 2));
      j <= Math.min(msd.length - 1, i + Math.floor((sm - 1) / 2));
      j++
    ) {
      s += msd[j].msdUm2;
      c++;
    }
    if (s / c > best) {
      best = s / c;
      iMax = i;
    }
  }
  const tMaxAtEnd = iMax === msd.length - 1;
  if (tMaxAtEnd)
    warnings.push('the MSD is largest at the last usable bin: t_max is only a lower bound');

  // Diffusion length.
  const defKind = options.diffusionLength ?? 'sqrt(D*tau)';
  const dDim = options.diffusionDimension ?? 2;
  const factor = defKind === 'sqrt(D*tau)' ? 1 : 2 * dDim;
  const definition =
    defKind === 'sqrt(D*tau)'
      ? 'L = sqrt(D_avg * tau_PL) (paper 004)'
      : `L = sqrt(2 d D_avg tau_PL) with d = ${dDim}`;
  let L: number | null = null;
  let Lerr: number | null = null;
  if (dAvg !== null && tau.tauNs !== null) {
    if (dAvg > 0) {
      // D [cm^2/s] * tau [ns] = 1e-13 m^2 = 1e5 nm^2
      L = Math.sqrt(factor * dAvg * tau.tauNs * 1e5);
      if (dAvgErr !== null && tau.stderr !== null)
        Lerr = 0.5 * L * Math.hypot(dAvgErr / dAvg, tau.stderr / tau.tauNs);
    } else warnings.push('D_avg <= 0 (negative or no diffusion): no diffusion length');
  }

  return {
    model,
    method,
    profileDimension,
    t0Ns: t0,
    bins,
    msd,
    fixedGammaLUm: fixedGamma,
    dAvgCm2PerS: dAvg,
    dAvgStderr: dAvgErr,
    dLinear,
    anomalous,
    tauPlNs: tau.tauNs,
    tauPlStderr: tau.stderr,
    diffusionLengthNm: L,
    diffusionLengthStderr: Lerr,
    diffusionLengthDefinition: definition,
    tMaxNs: msd[iMax].tNs,
    tMaxAtEnd,
    totalPl: { timeNs: Array.from(time), counts: totalPl },
    warnings,
    provenance: provenance('transport.analyze', { ...options, model, method }),
  };
}

function usable(b: TplmBin): boolean {
  return (
    b.sigma2Um2 !== null &&
    b.sigma2Stderr !== null &&
    !b.flags.some((f) => f !== 'negative-counts' && f !== 'unresolved')
  );
}

function summarizeFlags(bins: TplmBin[]): string {
  const c = new Map<string, number>();
  for (const b of bins) for (const f of b.flags) c.set(f, (c.get(f) ?? 0) + 1);
  return [...c].map(([f, n]) => `${f} x${n}`).join(', ') || 'none';
}

/**
 * PL lifetime as the 1/e time of a decay after its maximum (log-linear interpolation between
 * bins), with a Poisson standard error when the values are counts.
 *
 * @example
 * plLifetime([0, 1, 2, 3], [100, 60, 36, 22]).tauNs; // ~1.96
 */
export function plLifetime(
  timeNs: ArrayLike<number>,
  pl: ArrayLike<number>,
  counts = true,
): { tauNs: number | null; stderr: number | null } {
  return lifetime(timeNs, pl, counts);
}

function lifetime(
  time: ArrayLike<number>,
  I: ArrayLike<number>,
  counts: boolean,
): { tauNs: number | null; stderr: number | null } {
  let p = 0;
  for (let k = 1; k < I.length; k++) if (I[k] > I[p]) p = k;
  const target = I[p] / Math.E;
  if (!(I[p] > 0)) return { tauNs: null, stderr: null };
  for (let j = p + 1; j < I.length; j++) {
    if (I[j] <= target) {
      const a = I[j - 1];
      const b = I[j];
      const ta = time[j - 1];
      const tb = time[j];
      let tc: number;
      if (b > 0)
        tc = ta + ((Math.log(a) - Math.log(target)) / (Math.log(a) - Math.log(b))) * (tb - ta);
      else tc = ta + ((a - target) / (a - b)) * (tb - ta);
      const tau = tc - time[p];
      let se: number | null = null;
      if (counts) {
        const slope = Math.abs((b - a) / (tb - ta));
        if (slope > 0) se = Math.sqrt(target + I[p] / (Math.E * Math.E)) / slope;
      }
      return { tauNs: tau, stderr: se };
    }
  }
  return { tauNs: null, stderr: null };
}

/** One row of a temperature series (004 Fig. 4). */
export interface TemperatureRow {
  temperatureK: number;
  dAvgCm2PerS: number | null;
  dAvgStderr: number | null;
  tauPlNs: number | null;
  tauPlStderr: number | null;
  diffusionLengthNm: number | null;
  diffusionLengthStderr: number | null;
  tMaxNs: number | null;
  tMaxAtEnd: boolean;
}

/**
 * D_avg, tau_PL, diffusion length and t_max against temperature (004 Fig. 4), sorted by T.
 *
 * @example
 * const rows = transportVsTemperature([{ temperatureK: 9, result: r9 }, { temperatureK: 80, result: r80 }]);
 */
export function transportVsTemperature(
  entries: Array<{ temperatureK: number; result: TplmResult }>,
): TemperatureRow[] {
  for (const e of entries) {
    if (!(e.temperatureK > 0))
      throw new InvalidInputError(`temperature must be > 0 K, got ${e.temperatureK}`);
  }
  return [...entries]
    .sort((a, b) => a.temperatureK - b.temperatureK)
    .map(({ temperatureK, result: r }) => ({
      temperatureK,
      dAvgCm2PerS: r.dAvgCm2PerS,
      dAvgStderr: r.dAvgStderr,
      tauPlNs: r.tauPlNs,
      tauPlStderr: r.tauPlStderr,
      diffusionLengthNm: r.diffusionLengthNm,
      diffusionLengthStderr: r.diffusionLengthStderr,
      tMaxNs: r.tMaxNs,
      tMaxAtEnd: r.tMaxAtEnd,
    }));
}
