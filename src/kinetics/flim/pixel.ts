/**
 * The per-pixel FLIM fit: one `DecayModel` (IRF shift held at the value fitted to the whole
 * image, so the shifted IRF is computed once), fitted by the project's engine from starting values
 * scaled from the whole-image fit. Also the spatial binning of a block of rows.
 *
 * Everything here is plain data in, typed arrays out, so that it runs the same in a worker.
 *
 * @module
 */
import { fit } from '../../fit/fit.js';
import type { FitMethod, ParamsInput } from '../../fit/types.js';
import { DecayModel, type DecayTermKind, type ModelIrf } from '../tcspc/model.js';
import { nnlsGram } from '../tcspc/nnls.js';

/** Status codes of the FLIM status map. */
export const FLIM_STATUS = {
  /** Fitted; the fit converged. */
  converged: 0,
  /** Fitted, but the fit stopped without converging (values kept, treat with care). */
  notConverged: 1,
  /** Not fitted: fewer counts than `minCounts`. */
  skipped: 2,
  /** The fit failed (no valid starting point); values are NaN. */
  failed: 3,
} as const;

/** What every pixel fit needs (plain data: it travels to workers). */
export interface PixelSetup {
  nt: number;
  binNs: number;
  originNs: number;
  window: [number, number];
  irf: ModelIrf;
  periodNs: number;
  shiftNs: number;
  nComponents: number;
  /** Lifetimes of the whole-image fit (start values), ns. */
  tauNs: number[];
  /** Lifetimes held fixed in every pixel (null: free). */
  fixTauNs: (number | null)[];
  /** Amplitude of each component per count in the window, from the whole-image fit. */
  amplitudePerCount: number[];
  /** Background per bin per count in the window, from the whole-image fit; or a fixed background. */
  backgroundPerCount: number;
  fixedBackground: number | null;
  /** Mean arrival time (ns) of the whole-image decay in the window. */
  centroidNs: number;
  minCounts: number;
  method: FitMethod;
  maxIterations: number;
}

/** Per-pixel output arrays of a block (NaN where not fitted). */
export interface PixelMaps {
  /** Lifetime (1 component) or intensity-weighted mean lifetime (several), ns. */
  lifetimeNs: Float64Array;
  /** Standard error of the lifetime (1 component only), ns. */
  lifetimeStderrNs: Float64Array;
  /** Total amplitude (counts per bin at the start of the decay). */
  amplitude: Float64Array;
  /** Lifetime of each component, ns. */
  tauNs: Float64Array[];
  /** Amplitude of each component. */
  amplitudes: Float64Array[];
  /** Background, counts per bin. */
  background: Float64Array;
  /** Pearson chi-square per degree of freedom. */
  chi2: Float64Array;
  /** Counts in the fit range (after binning). */
  photons: Float64Array;
  /** 0 converged, 1 not converged, 2 skipped (too few counts), 3 failed: see `FLIM_STATUS`. */
  status: Uint8Array;
}

/** Allocates the maps for `n` pixels and `k` components. */
export function allocateMaps(n: number, k: number): PixelMaps {
  const nan = (): Float64Array => new Float64Array(n).fill(NaN);
  return {
    lifetimeNs: nan(),
    lifetimeStderrNs: nan(),
    amplitude: nan(),
    tauNs: Array.from({ length: k }, nan),
    amplitudes: Array.from({ length: k }, nan),
    background: nan(),
    chi2: nan(),
    photons: new Float64Array(n),
    status: new Uint8Array(n),
  };
}

/**
 * A function that fits one pixel's decay (length `nt`) and writes its results at `index` of
 * the maps.
 *
 * @example
 * const fitPixel = createPixelFitter(setup);
 * fitPixel(decay, maps, 0);
 */
export function createPixelFitter(
  setup: PixelSetup,
): (decay: Float64Array, maps: PixelMaps, index: number) => void {
  const K = setup.nComponents;
  const terms: DecayTermKind[] = Array<DecayTermKind>(K).fill('exp');
  const model = new DecayModel({
    nBins: setup.nt,
    binNs: setup.binNs,
    originNs: setup.originNs,
    window: setup.window,
    irf: setup.irf,
    terms,
    shiftDerivative: false,
    ...(setup.periodNs > 0 ? { repetitionPeriodNs: setup.periodNs } : {}),
  });
  const [s, e] = setup.window;
  const m = e - s;
  const x = new Float64Array(m);
  for (let i = 0; i < m; i++) x[i] = setup.originNs + (s + i + 0.5) * setup.binNs;
  const tauMin = Math.max(0.02 * setup.binNs, 1e-6);
  const y = new Float64Array(m);
  const names = model.params;
  const w = new Float64Array(m);
  const cols = Array.from({ length: K }, () => new Float64Array(m));
  const p = new Float64Array(model.params.length);
  const nc = K + (setup.fixedBackground === null ? 1 : 0);
  const G = new Float64Array(nc * nc);
  const b = new Float64Array(nc);
  let coef: Float64Array = new Float64Array(nc);
  /** Weighted non-negative least squares of amplitudes (and background) for these lifetimes; returns the weighted sum of squares. */
  /** The common case (one decay and a free background): the 2 x 2 non-negative solve in closed form. */
  const solveOne = (): number => {
    const u = cols[0]!;
    let suu = 0;
    let su = 0;
    let s1 = 0;
    let suy = 0;
    let sy = 0;
    let syy = 0;
    for (let i = 0; i < m; i++) {
      const wi = w[i]!;
      const ui = u[i]!;
      const yi = y[i]!;
      const wu = wi * ui;
      suu += wu * ui;
      su += wu;
      s1 += wi;
      suy += wu * yi;
      sy += wi * yi;
      syy += wi * yi * yi;
    }
    const det = suu * s1 - su * su;
    let a = det > 0 ? (suy * s1 - su * sy) / det : 0;
    let bg = det > 0 ? (suu * sy - su * suy) / det : 0;
    if (!(a >= 0) || !(bg >= 0)) {
      // one of them on its bound: the better of amplitude only and background only
      const aOnly = suu > 0 ? Math.max(0, suy / suu) : 0;
      const bOnly = s1 > 0 ? Math.max(0, sy / s1) : 0;
      const sseA = syy - 2 * aOnly * suy + aOnly * aOnly * suu;
      const sseB = syy - 2 * bOnly * sy + bOnly * bOnly * s1;
      if (sseA <= sseB) {
        a = aOnly;
        bg = 0;
      } else {
        a = 0;
        bg = bOnly;
      }
    }
    coef[0] = a;
    coef[1] = bg;
    return syy - 2 * (a * suy + bg * sy) + a * a * suu + 2 * a * bg * su + bg * bg * s1;
  };
  /** Weighted non-negative least squares of amplitudes (and background) on the current columns; returns the weighted sum of squares. */
  const solveWeighted = (): number => {
    if (K === 1 && setup.fixedBackground === null) return solveOne();
    const fb = setup.fixedBackground ?? 0;
    const col = (a: number, i: number): number => (a < K ? cols[a]![i]! : 1);
    G.fill(0);
    b.fill(0);
    let yWy = 0;
    for (let i = 0; i < m; i++) {
      const yi = y[i]! - fb;
      const wi = w[i]!;
      yWy += wi * yi * yi;
      for (let a = 0; a < nc; a++) {
        const ca = wi * col(a, i);
        b[a]! += ca * yi;
        for (let c = 0; c <= a; c++) G[a * nc + c]! += ca * col(c, i);
      }
    }
    for (let a = 0; a < nc; a++) for (let c = 0; c < a; c++) G[c * nc + a] = G[a * nc + c]!;
    coef = nnlsGram(G, b, nc);
    let sse = yWy;
    for (let a = 0; a < nc; a++) {
      sse -= 2 * coef[a]! * b[a]!;
      for (let c = 0; c < nc; c++) sse += coef[a]! * G[a * nc + c]! * coef[c]!;
    }
    return sse;
  };
  /** The unit decays at these lifetimes as columns, then `solveWeighted`. */
  const linearStart = (taus: Float64Array): number => {
    for (let k = 0; k < K; k++) {
      p.fill(0);
      p[2 * k] = 1;
      for (let j = 0; j < K; j++) p[2 * j + 1] = taus[j]!;
      p[model.shiftIndex] = setup.shiftNs;
      cols[k]!.set(model.evaluateFull(p).subarray(s, e));
    }
    return solveWeighted();
  };
  /**
   * Poisson deviance profile at these lifetimes: amplitudes and background by iteratively
   * reweighted least squares (weights 1/model, the Poisson maximum-likelihood conditions for the
   * linear parameters), then the deviance.
   */
  const poissonProfile = (taus: Float64Array): number => {
    linearStart(taus);
    for (let it = 0; it < 2; it++) {
      for (let i = 0; i < m; i++) {
        let f = setup.fixedBackground ?? coef[K]!;
        for (let k = 0; k < K; k++) f += coef[k]! * cols[k]![i]!;
        w[i] = 1 / Math.max(f, 1e-3);
      }
      solveWeighted();
    }
    let dev = 0;
    for (let i = 0; i < m; i++) {
      let f = setup.fixedBackground ?? coef[K]!;
      for (let k = 0; k < K; k++) f += coef[k]! * cols[k]![i]!;
      f = Math.max(f, 1e-9);
      const yi = y[i]!;
      dev += 2 * (f - yi + (yi > 0 ? yi * Math.log(yi / f) : 0));
    }
    return dev;
  };
  return (decay, maps, index) => {
    let total = 0;
    let moment = 0;
    for (let i = 0; i < m; i++) {
      const v = decay[s + i]!;
      y[i] = v;
      total += v;
      moment += v * x[i]!;
    }
    maps.photons[index] = total;
    if (!(total >= setup.minCounts) || total <= 0) {
      maps.status[index] = FLIM_STATUS.skipped;
      return;
    }
    // starting values: the whole-image lifetimes (one component: moved by the shift of the mean
    // arrival time, then refined on its profile), amplitudes and background solved linearly
    const centroidShift = moment / total - setup.centroidNs;
    const taus = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      const fixed = setup.fixTauNs[k];
      const t0 = setup.tauNs[k]!;
      taus[k] =
        fixed !== null && fixed !== undefined
          ? fixed
          : K === 1
            ? Math.min(3 * t0, Math.max(0.3 * t0, t0 + centroidShift))
            : t0;
    }
    for (let i = 0; i < m; i++) w[i] = 1 / (y[i]! + 1);
    let sse = linearStart(taus);
    if (K === 1 && (setup.fixTauNs[0] === null || setup.fixTauNs[0] === undefined)) {
      // parabolic steps in ln(tau) on the profile of the weighted sum of squares
      let step = 0.2;
      for (let round = 0; round < 2; round++) {
        const t0 = taus[0]!;
        taus[0] = t0 * Math.exp(-step);
        const lo = linearStart(taus);
        taus[0] = t0 * Math.exp(step);
        const hi = linearStart(taus);
        const curv = lo + hi - 2 * sse;
        let move = curv > 0 ? (0.5 * step * (lo - hi)) / curv : lo < hi ? -step : step;
        move = Math.max(-2 * step, Math.min(2 * step, move));
        taus[0] = Math.max(2 * tauMin, t0 * Math.exp(move));
        const v = linearStart(taus);
        if (v > sse) {
          taus[0] = t0;
          sse = linearStart(taus);
        } else sse = v;
        step = Math.max(0.02, Math.min(step, Math.abs(move)) / 2);
      }
    }
    if (K === 1 && (setup.fixTauNs[0] === null || setup.fixTauNs[0] === undefined)) {
      // one parabolic step on the Poisson deviance profile, about two standard errors wide
      const t0 = taus[0]!;
      const h = Math.max(0.01, 2 / Math.sqrt(total));
      taus[0] = t0 * Math.exp(-h);
      const lo = poissonProfile(taus);
      taus[0] = t0 * Math.exp(h);
      const hi = poissonProfile(taus);
      taus[0] = t0;
      const mid = poissonProfile(taus);
      const curv = lo + hi - 2 * mid;
      if (curv > 0) {
        const move = Math.max(-2 * h, Math.min(2 * h, (0.5 * h * (lo - hi)) / curv));
        taus[0] = Math.max(2 * tauMin, t0 * Math.exp(move));
        if (poissonProfile(taus) > mid) {
          taus[0] = t0;
          poissonProfile(taus);
        }
      }
    } else poissonProfile(taus);
    const params: ParamsInput = {};
    let maxA = 0;
    for (let k = 0; k < K; k++) maxA = Math.max(maxA, coef[k]!);
    for (let k = 0; k < K; k++) {
      const fixed = setup.fixTauNs[k];
      const a =
        coef[k]! > 1e-3 * maxA ? coef[k]! : Math.max(setup.amplitudePerCount[k]! * total, 1e-3);
      params[`a${k + 1}`] = { value: a, min: 0 };
      params[`tau${k + 1}`] =
        fixed !== null && fixed !== undefined
          ? { value: fixed, fixed: true }
          : { value: Math.max(taus[k]!, 2 * tauMin), min: tauMin };
    }
    params.bg =
      setup.fixedBackground === null
        ? {
            value: Math.max(coef[K]!, 1e-3 * Math.max(setup.backgroundPerCount * total, 1e-3)),
            min: 0,
          }
        : { value: setup.fixedBackground, fixed: true };
    params.shift = { value: setup.shiftNs, fixed: true };
    let r;
    try {
      r = fit(model, x, y, params, {
        method: setup.method,
        maxIterations: setup.maxIterations,
        ftol: 1e-5,
        xtol: 1e-6,
      });
    } catch {
      maps.status[index] = FLIM_STATUS.failed;
      return;
    }
    let sumA = 0;
    let sumAT = 0;
    let sumAT2 = 0;
    for (let k = 0; k < K; k++) {
      const a = r.params[names[2 * k]!]!.value;
      const tau = r.params[names[2 * k + 1]!]!.value;
      maps.tauNs[k]![index] = tau;
      maps.amplitudes[k]![index] = a;
      sumA += a;
      sumAT += a * tau;
      sumAT2 += a * tau * tau;
    }
    maps.amplitude[index] = sumA;
    if (K === 1) {
      maps.lifetimeNs[index] = r.params.tau1!.value;
      const se = r.params.tau1!.stderr;
      maps.lifetimeStderrNs[index] =
        se !== null && Number.isFinite(se) && !r.params.tau1!.atBound ? se : NaN;
    } else {
      maps.lifetimeNs[index] = sumAT > 0 ? sumAT2 / sumAT : NaN;
    }
    maps.background[index] = r.params.bg!.value;
    maps.chi2[index] = r.reducedChi2;
    maps.status[index] = r.converged ? FLIM_STATUS.converged : FLIM_STATUS.notConverged;
  };
}

/**
 * Spatial binning of a block of rows: each output pixel is the sum over the (2r+1) x (2r+1)
 * square around it (clipped at the image edges), for every time bin. `rows` holds `nRows` rows of
 * `nx` pixels of `nt` bins (pixel-major); output rows are `outFrom..outTo` of them.
 *
 * @example
 * const binned = binRows(rows, 5, 256, 256, 1, 1, 4); // rows 1..3 of 5, 3 x 3 binning
 */
export function binRows(
  rows: ArrayLike<number>,
  nRows: number,
  nx: number,
  nt: number,
  radius: number,
  outFrom: number,
  outTo: number,
): Float64Array {
  const outRows = outTo - outFrom;
  const out = new Float64Array(outRows * nx * nt);
  // sum over y first (only the rows needed), then over x with a running window
  const colSum = new Float64Array(nx * nt);
  for (let oy = 0; oy < outRows; oy++) {
    const cy = outFrom + oy;
    colSum.fill(0);
    for (let yy = Math.max(0, cy - radius); yy <= Math.min(nRows - 1, cy + radius); yy++) {
      const base = yy * nx * nt;
      for (let j = 0; j < nx * nt; j++) colSum[j]! += rows[base + j]!;
    }
    const ob = oy * nx * nt;
    for (let xx = 0; xx < nx; xx++) {
      const x0 = Math.max(0, xx - radius);
      const x1 = Math.min(nx - 1, xx + radius);
      const o = ob + xx * nt;
      for (let xs = x0; xs <= x1; xs++) {
        const c = xs * nt;
        for (let t = 0; t < nt; t++) out[o + t]! += colSum[c + t]!;
      }
    }
  }
  return out;
}
