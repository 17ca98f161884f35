/**
 * Fitting the transport model to measured data: the exact Markov-chain model (`markov.ts`) of
 * the lattice Monte Carlo, as `Model` objects of the project's fitting engine with analytic
 * Jacobians (forward sensitivities of the recursion), fitted to MSD(t) and optionally the PL
 * decay at once (`fitGlobal`). Estimates gamma_FRET, gamma_BD, gamma_DB, gamma_trap (and, if
 * asked, gamma_B, gamma_D and the bright fraction) with standard errors.
 */
import { FitSetupError, InvalidInputError } from '../core/errors.js';
import { type Provenance, provenance } from '../core/provenance.js';
import { fitGlobal } from '../fit/index.js';
import type { FitDataset, GlobalFitResult, Model, ParamSpec } from '../fit/types.js';
import { MARKOV_PARAMS, type MarkovCurve, type MarkovParamName, markovCurve } from './markov.js';
import type { TransportModelParams } from './model.js';

/** Fixed settings of the analytic model when fitting. */
export interface MarkovFitConfig {
  /** Time step of the model in ps (the per-step probabilities refer to it). */
  dtPs: number;
  dimension?: 2 | 3;
  nextNearest?: boolean;
  trappedRadiativeFactor?: number;
  trappedFraction?: number;
  /**
   * Nanocrystal spacing in nm: with it the MSD model is in um^2 (data `msdUm2`); without it in
   * sites^2.
   */
  siteSpacingNm?: number | null;
}

function paramsFrom(
  p: Float64Array,
  cfg: MarkovFitConfig,
): Partial<TransportModelParams> &
  Pick<TransportModelParams, 'gammaB' | 'gammaD' | 'gammaBD' | 'gammaFret' | 'brightFraction'> {
  return {
    dimension: cfg.dimension ?? 2,
    nextNearest: cfg.nextNearest ?? true,
    trappedRadiativeFactor: cfg.trappedRadiativeFactor ?? 0.01,
    trappedFraction: cfg.trappedFraction ?? 0,
    gammaB: p[0],
    gammaD: p[1],
    gammaBD: p[2],
    gammaDB: p[3],
    gammaFret: p[4],
    gammaTrap: p[5],
    brightFraction: p[6],
  };
}

function stepsFor(x: Float64Array, dtNs: number, stride: number): number {
  let m = 0;
  for (let i = 0; i < x.length; i += stride) m = Math.max(m, x[i]);
  return Math.max(2, Math.ceil(m / dtNs) + 2);
}

function tryCurve(
  p: Float64Array,
  cfg: MarkovFitConfig,
  steps: number,
  derivatives: boolean,
): MarkovCurve | null {
  try {
    return markovCurve(paramsFrom(p, cfg), steps, { derivatives });
  } catch {
    return null; // probabilities out of range during a trial step: the engine rejects it
  }
}

function checkTimes(x: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= 0))
      throw new InvalidInputError(
        `model times must be >= 0 ns (time after excitation); got ${x[i]} at ${i}`,
      );
  }
}

/**
 * MSD(t) of the emitted excitons from the analytic model, per axis, in um^2 (or sites^2 without
 * a site spacing). x = time after excitation in ns; the curve is interpolated linearly between
 * model steps. Parameters: MARKOV_PARAMS (per-step probabilities).
 *
 * @example
 * const m = markovMsdModel({ dtPs: 25, siteSpacingNm: 7 });
 * const r = fit(m, tNs, msdUm2, { gammaB: { value: 0.03, fixed: true }, ... }, { sigma: stderr });
 */
export function markovMsdModel(cfg: MarkovFitConfig): Model {
  const dtNs = cfg.dtPs / 1000;
  const scale = cfg.siteSpacingNm ? (cfg.siteSpacingNm * 1e-3) ** 2 : 1;
  const K = MARKOV_PARAMS.length;
  return {
    params: [...MARKOV_PARAMS],
    evaluate(p, x, out) {
      checkTimes(x);
      const c = tryCurve(p, cfg, stepsFor(x, dtNs, 1), false);
      for (let i = 0; i < x.length; i++) {
        if (!c) {
          out[i] = NaN;
          continue;
        }
        const f = x[i] / dtNs;
        const n = Math.floor(f);
        const w = f - n;
        out[i] = scale * ((1 - w) * c.msdSites2[n] + w * c.msdSites2[n + 1]);
      }
    },
    jacobian(p, x, jac) {
      const c = tryCurve(p, cfg, stepsFor(x, dtNs, 1), true);
      for (let i = 0; i < x.length; i++) {
        const f = x[i] / dtNs;
        const n = Math.floor(f);
        const w = f - n;
        for (let k = 0; k < K; k++) {
          jac[i * K + k] = c
            ? scale *
              ((1 - w) * (c.dMsd as Float64Array)[n * K + k] +
                w * (c.dMsd as Float64Array)[(n + 1) * K + k])
            : NaN;
        }
      }
    },
  };
}

/**
 * Total PL per time bin from the analytic model: amplitude * E(t) where E(n) is the photon
 * probability per exciton in step n (bright + dark + trapped emission). Parameters:
 * MARKOV_PARAMS then `amplitude` (excitons created x detection efficiency x bin/step ratio).
 *
 * @example
 * const m = markovPlModel({ dtPs: 25 });
 */
export function markovPlModel(cfg: MarkovFitConfig): Model {
  const dtNs = cfg.dtPs / 1000;
  const K = MARKOV_PARAMS.length;
  return {
    params: [...MARKOV_PARAMS, 'amplitude'],
    evaluate(p, x, out) {
      checkTimes(x);
      const c = tryCurve(p, cfg, stepsFor(x, dtNs, 1), false);
      const A = p[K];
      for (let i = 0; i < x.length; i++) {
        if (!c) {
          out[i] = NaN;
          continue;
        }
        const f = x[i] / dtNs;
        const n = Math.floor(f);
        const w = f - n;
        out[i] = A * ((1 - w) * c.emission[n] + w * c.emission[n + 1]);
      }
    },
    jacobian(p, x, jac) {
      const c = tryCurve(p, cfg, stepsFor(x, dtNs, 1), true);
      const A = p[K];
      const np = K + 1;
      for (let i = 0; i < x.length; i++) {
        const f = x[i] / dtNs;
        const n = Math.floor(f);
        const w = f - n;
        if (!c) {
          for (let k = 0; k < np; k++) jac[i * np + k] = NaN;
          continue;
        }
        const dE = c.dEmission as Float64Array;
        for (let k = 0; k < K; k++)
          jac[i * np + k] = A * ((1 - w) * dE[n * K + k] + w * dE[(n + 1) * K + k]);
        jac[i * np + K] = (1 - w) * c.emission[n] + w * c.emission[n + 1];
      }
    },
  };
}

/** Measured curves to fit; times are after excitation (t = 0 at the laser pulse / first bin). */
export interface TransportFitData {
  /** MSD(t) per axis with standard errors: `msdUm2` (with a site spacing) or `msdSites2`. */
  msd: Array<{ tNs: number; msdUm2?: number; msdSites2?: number; stderr: number | null }>;
  /** Total PL per bin (optional; constrains the decay rates and bright fraction). */
  pl?: Array<{ tNs: number; counts: number }>;
}

export interface TransportFitOptions extends MarkovFitConfig {
  /** Starting values (per-step probabilities); defaults: 004's 9 K values with gammaDB 0.01, gammaTrap 0.001. */
  initial?: Partial<Record<MarkovParamName, number>>;
  /** Parameters to estimate (default gammaFret, gammaBD, gammaDB, gammaTrap); the others stay at `initial`. */
  vary?: MarkovParamName[];
  /** Drop MSD points with stderr <= 0 or null (default true; otherwise an error). */
  dropUnweighted?: boolean;
  /**
   * Refits with the MSD standard errors rescaled to the model, s_i * f_i / y_i, and the PL
   * weighted by the model's variance sqrt(f_i) instead of sqrt(y_i) (default 0). Use 1-2
   * for Monte Carlo displacement MSDs and low-count PL: their per-step standard error is estimated from the same
   * few photons as the value and scales with it, so low points get too much weight and the plain
   * weighted fit is biased low.
   */
  reweightIterations?: number;
}

export interface TransportFitParam {
  value: number;
  stderr: number | null;
  fixed: boolean;
  atBound: boolean;
  /** The per-step probability as a rate, -ln(1 - p) / dt, in 1/ns. */
  ratePerNs: number;
}

export interface TransportFitResult {
  params: Record<MarkovParamName, TransportFitParam>;
  amplitude: number | null;
  converged: boolean;
  message: string;
  reducedChi2: number;
  /** The model at the data times: MSD and (if fitted) PL. */
  msdBest: Array<{ tNs: number; msd: number }>;
  plBest: Array<{ tNs: number; counts: number }> | null;
  /** Points left out (non-positive stderr). */
  droppedPoints: number;
  fit: GlobalFitResult;
  provenance: Provenance;
}

/**
 * Estimate the transport model's rates from a measured MSD(t) (and PL decay) by fitting the
 * exact analytic model with the project's engine.
 *
 * @example
 * const r = fitTransportModel({ msd, pl }, { dtPs: 25, siteSpacingNm: 7, initial: { gammaB: 0.03, gammaD: 3e-4, brightFraction: 0.5 } });
 * r.params.gammaFret.value; r.params.gammaFret.stderr;
 */
export function fitTransportModel(
  data: TransportFitData,
  options: TransportFitOptions,
): TransportFitResult {
  if (!(options.dtPs > 0)) throw new InvalidInputError(`dtPs must be > 0, got ${options.dtPs}`);
  const useUm = !!options.siteSpacingNm;
  const init: Record<MarkovParamName, number> = {
    gammaB: 0.03,
    gammaD: 0.0003,
    gammaBD: 0.15,
    gammaDB: 0.01,
    gammaFret: 0.09,
    gammaTrap: 0.001,
    brightFraction: 0.5,
    ...options.initial,
  };
  const vary = new Set<MarkovParamName>(
    options.vary ?? ['gammaFret', 'gammaBD', 'gammaDB', 'gammaTrap'],
  );
  for (const v of vary)
    if (!MARKOV_PARAMS.includes(v))
      throw new InvalidInputError(
        `unknown parameter "${v}"; choose from ${MARKOV_PARAMS.join(', ')}`,
      );
  const t: number[] = [];
  const y: number[] = [];
  const s: number[] = [];
  let dropped = 0;
  data.msd.forEach((p, i) => {
    const v = useUm ? p.msdUm2 : p.msdSites2;
    if (v === undefined || !Number.isFinite(v)) {
      throw new InvalidInputError(
        `MSD point ${i} has no ${useUm ? 'msdUm2 (siteSpacingNm is set)' : 'msdSites2 (no siteSpacingNm)'} value`,
      );
    }
    if (!(p.tNs >= 0))
      throw new InvalidInputError(
        `MSD point ${i}: time ${p.tNs} ns must be >= 0 (after excitation)`,
      );
    if (p.stderr === null || !(p.stderr > 0)) {
      if (options.dropUnweighted === false)
        throw new InvalidInputError(`MSD point ${i} (t = ${p.tNs} ns) has no positive stderr`);
      dropped++;
      return;
    }
    t.push(p.tNs);
    y.push(v);
    s.push(p.stderr);
  });
  if (t.length < vary.size + 1) {
    throw new InvalidInputError(
      `only ${t.length} weighted MSD points for ${vary.size} free parameters`,
    );
  }
  const datasets: FitDataset[] = [
    { model: markovMsdModel(options), x: t, y, sigma: s, name: 'MSD' },
  ];
  let plMax = 0;
  if (data.pl && data.pl.length) {
    const tp = data.pl.map((p) => p.tNs);
    const yp = data.pl.map((p) => p.counts);
    yp.forEach((v, i) => {
      if (!(v >= 0))
        throw new InvalidInputError(`PL point ${i} has negative or missing counts (${v})`);
      plMax = Math.max(plMax, v);
    });
    datasets.push({
      model: markovPlModel(options),
      x: tp,
      y: yp,
      sigma: yp.map((v) => Math.sqrt(Math.max(v, 1))),
      name: 'PL',
    });
  }
  const params: Record<string, ParamSpec> = {};
  for (const k of MARKOV_PARAMS)
    params[k] = vary.has(k) ? { value: init[k], min: 0, max: 1 } : { value: init[k], fixed: true };
  if (data.pl && data.pl.length) {
    const c0 = markovCurve(
      paramsFrom(Float64Array.from(MARKOV_PARAMS.map((k) => init[k])), options),
      2,
    );
    params.amplitude = { value: c0.emission[0] > 0 ? plMax / c0.emission[0] : plMax, min: 0 };
  }
  let r: GlobalFitResult;
  const run = (): GlobalFitResult => {
    try {
      return fitGlobal(datasets, params, {});
    } catch (e) {
      if (e instanceof FitSetupError)
        throw new FitSetupError(
          `transport model fit could not start: ${e.message}; check the initial rates`,
        );
      throw e;
    }
  };
  r = run();
  const reweight = Math.max(0, Math.floor(options.reweightIterations ?? 0));
  for (let it = 0; it < reweight; it++) {
    const f = r.datasets[0].best;
    let floor = 0;
    for (let i = 0; i < y.length; i++) floor = Math.max(floor, Math.abs(y[i]));
    floor *= 1e-3;
    datasets[0] = {
      ...datasets[0],
      sigma: s.map(
        (si, i) => (si * Math.max(Math.abs(f[i]), floor)) / Math.max(Math.abs(y[i]), floor),
      ),
    };
    if (datasets.length > 1) {
      // Pearson weights for the counts: variance = model, not the observed counts.
      const fp = r.datasets[1].best;
      datasets[1] = { ...datasets[1], sigma: Array.from(fp, (v) => Math.sqrt(Math.max(v, 1))) };
    }
    for (const k of Object.keys(params))
      if (!params[k].fixed) params[k] = { ...params[k], value: r.params[k].value };
    r = run();
  }
  const dtNs = options.dtPs / 1000;
  const out = {} as Record<MarkovParamName, TransportFitParam>;
  for (const k of MARKOV_PARAMS) {
    const pr = r.params[k];
    out[k] = {
      value: pr.value,
      stderr: pr.stderr,
      fixed: pr.fixed,
      atBound: pr.atBound,
      ratePerNs: -Math.log1p(-Math.min(pr.value, 1 - 1e-15)) / dtNs,
    };
  }
  const msdBest = t.map((tt, i) => ({ tNs: tt, msd: r.datasets[0].best[i] }));
  const plBest =
    data.pl && data.pl.length
      ? data.pl.map((p, i) => ({ tNs: p.tNs, counts: r.datasets[1].best[i] }))
      : null;
  return {
    params: out,
    amplitude: r.params.amplitude ? r.params.amplitude.value : null,
    converged: r.converged,
    message: r.message,
    reducedChi2: r.reducedChi2,
    msdBest,
    plBest,
    droppedPoints: dropped,
    fit: r,
    provenance: provenance('transport.fit', { ...options, vary: [...vary] }),
  };
}
