/**
 * Global fits of TRPL fluence series with the rate equations of `models.ts`: the rate constants
 * are shared by all traces, each trace has its known initial density N0 (from its fluence) and,
 * optionally, its own amplitude and background. One `Model` per trace goes to the engine's
 * `fitGlobal`. ODE-based models are integrated on a frozen step grid (smooth in the parameters),
 * which is checked against an adaptive solution at the optimum and rebuilt if needed.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { type Quantity, quantity } from '../../core/quantity.js';
import { fitGlobal } from '../../fit/fitGlobal.js';
import type { FitDataset, Model, ParamSpec } from '../../fit/types.js';
import {
  RATE_MODELS,
  type LossFractions,
  type RateModelName,
  lossFractions,
  needsOde,
  rateParamNames,
  rateParamUnit,
  solveRateModel,
} from './models.js';
import { type FitStatistics, fitStatistics } from '../../fit/statistics.js';

/** One TRPL decay of a fluence series. */
export interface FluenceTrace {
  timesNs: ArrayLike<number>;
  /** PL signal (normalised or counts). */
  signal: ArrayLike<number>;
  /** Initial photoexcited density of this pulse (cm^-3, or excitons per NC for `exciton`). */
  n0: number;
  /** Standard deviation of each signal value (weights the fit). */
  sigma?: ArrayLike<number>;
  label?: string;
}

export interface FluenceFitOptions {
  model: RateModelName;
  /**
   * Start values, bounds or fixing of the shared parameters: a number is a start value
   * (`{ kB: 1e-19 }`; kA then becomes free), a spec holds one fixed (`{ kT: { value: 0.01, fixed: true } }`).
   * Free rate constants are bounded below by 0 unless a spec says otherwise.
   */
  params?: Readonly<Record<string, number | ParamSpec>>;
  /** Per-trace amplitude: `free` (default) or `fixed` at 1 (pears' default for normalised data). */
  amplitude?: 'free' | 'fixed';
  /** Per-trace constant background: `fixed` at 0 (default) or `free`. */
  background?: 'free' | 'fixed';
  tMinNs?: number;
  tMaxNs?: number;
  /** Unit of N0 and of the densities (default `cm^-3`). */
  densityUnit?: string;
  /** Relative tolerance of the ODE solver (default 1e-8). */
  rtol?: number;
  maxIterations?: number;
}

export interface FluenceTraceResult {
  label: string;
  n0: number;
  amplitude: Quantity;
  background: Quantity;
  timesNs: number[];
  signal: number[];
  best: number[];
  residuals: number[];
  chi2: number;
  /** Share of recombination through each channel over the measured time range. */
  losses: LossFractions;
}

export interface FluenceFitResult extends FitStatistics {
  model: RateModelName;
  title: string;
  equations: string;
  signalDefinition: string;
  densityUnit: string;
  /** Shared parameters with units, stderr and whether they were fixed. */
  params: Record<string, Quantity & { fixed: boolean; atBound: boolean }>;
  traces: FluenceTraceResult[];
  /** Times the ODE step grid was rebuilt at the optimum (0 for closed forms). */
  gridRebuilds: number;
  /** Warnings for the user (e.g. a channel with a small share is poorly determined). */
  notes: string[];
}

/** A per-trace engine model: amplitude * I(t)/I(0) + background, with a frozen ODE grid. */
class TraceModel implements Model {
  readonly params: string[];
  grid: Float64Array | null = null;
  constructor(
    readonly rateModel: RateModelName,
    readonly n0: number,
    readonly rtol: number,
  ) {
    this.params = [...rateParamNames(rateModel), 'amplitude', 'background'];
  }

  values(p: ArrayLike<number>): Record<string, number> {
    const names = rateParamNames(this.rateModel);
    const out: Record<string, number> = {};
    names.forEach((n, i) => (out[n] = p[i]!));
    return out;
  }

  evaluate(p: Float64Array, x: Float64Array, out: Float64Array): void {
    const np = this.params.length;
    const amp = p[np - 2]!;
    const bg = p[np - 1]!;
    const v = this.values(p);
    let sig: Float64Array;
    try {
      if (needsOde(this.rateModel, v)) {
        const s = solveRateModel(this.rateModel, x, this.n0, v, {
          rtol: this.rtol,
          grid: this.grid,
        });
        if (!this.grid) this.grid = s.grid;
        sig = s.signal;
      } else {
        sig = solveRateModel(this.rateModel, x, this.n0, v).signal;
      }
    } catch {
      out.fill(NaN); // invalid parameters (the engine rejects the step)
      return;
    }
    for (let i = 0; i < x.length; i++) out[i] = amp * sig[i]! + bg;
  }
}

function toSpec(v: number | ParamSpec | undefined): ParamSpec | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? { value: v } : { ...v };
}

/**
 * Start values from the data: the half-life of each trace against N0 gives a monomolecular rate
 * (intercept) and a density-dependent rate (slope), for `bt` and `exciton`.
 */
function guessRates(
  model: RateModelName,
  traces: Array<{ t: Float64Array; y: Float64Array; n0: number }>,
): Record<string, number> {
  const pts: Array<[number, number]> = [];
  for (const tr of traces) {
    const y0 = Math.max(...tr.y.slice(0, Math.max(1, Math.min(5, tr.y.length))));
    if (!(y0 > 0)) continue;
    let th = NaN;
    for (let i = 0; i < tr.y.length; i++) {
      if (tr.y[i]! <= 0.5 * y0) {
        th = tr.t[i]!;
        break;
      }
    }
    if (Number.isFinite(th) && th > 0) pts.push([tr.n0, Math.LN2 / th]);
  }
  const info = RATE_MODELS[model];
  const start: Record<string, number> = {};
  for (const p of info.params) start[p.name] = p.start;
  if (pts.length === 0 || model === 'btd') return start;
  // PL ∝ n^2 halves when n falls by sqrt(2): the n-decay rate is half the PL rate for bt
  const f = model === 'bt' ? 0.5 : 1;
  let slope = 0;
  let intercept = pts.reduce((s, q) => s + q[1], 0) / pts.length;
  if (pts.length >= 2) {
    const mx = pts.reduce((s, q) => s + q[0], 0) / pts.length;
    const my = intercept;
    let sxy = 0;
    let sxx = 0;
    for (const [x, y] of pts) {
      sxy += (x - mx) * (y - my);
      sxx += (x - mx) ** 2;
    }
    slope = sxx > 0 ? sxy / sxx : 0;
    intercept = my - slope * mx;
  }
  const minRate = Math.min(...pts.map((q) => q[1]));
  const k1 = f * Math.max(intercept, 0.05 * minRate);
  const k2 = f * Math.max(slope, (0.05 * minRate) / Math.max(...pts.map((q) => q[0])));
  if (model === 'bt') {
    start.kT = k1;
    start.kB = k2;
  } else {
    start.kX = k1;
    start.kAnn = 2 * k2;
  }
  return start;
}

/**
 * Global fit of a TRPL fluence series with a rate model: shared rate constants, N0 per trace
 * (known), amplitude per trace (free by default) and background (fixed at 0 by default).
 *
 * @example
 * const r = fitFluenceSeries(
 *   [{ timesNs: t, signal: y1, n0: 1e15 }, { timesNs: t, signal: y2, n0: 1e16 }],
 *   { model: 'bt' },
 * );
 * r.params.kB; // { value, stderr, unit: 'cm^3/ns', fixed: false, atBound: false }
 */
export function fitFluenceSeries(
  traces: readonly FluenceTrace[],
  options: FluenceFitOptions,
): FluenceFitResult {
  const modelName = options.model;
  if (!(modelName in RATE_MODELS)) {
    throw new InvalidInputError(
      `unknown rate model "${String(modelName)}"; known: ${Object.keys(RATE_MODELS).join(', ')}`,
    );
  }
  const info = RATE_MODELS[modelName];
  if (!Array.isArray(traces) || traces.length === 0)
    throw new InvalidInputError('give at least one TRPL trace { timesNs, signal, n0 }');
  const names = rateParamNames(modelName);
  for (const k of Object.keys(options.params ?? {})) {
    if (!names.includes(k))
      throw new InvalidInputError(
        `unknown parameter "${k}" of the ${modelName} model; its parameters are ${names.join(', ')}`,
      );
  }
  const tMin = Math.max(0, options.tMinNs ?? 0);
  const tMax = options.tMaxNs ?? Infinity;
  const rtol = options.rtol ?? 1e-8;
  const prepared = traces.map((tr, k) => {
    const label = tr.label ?? `N0 = ${tr.n0.toExponential(2)}`;
    if (!(tr.n0 > 0) || !Number.isFinite(tr.n0))
      throw new InvalidInputError(
        `trace ${k + 1} (${label}): N0 must be a positive number, got ${tr.n0}`,
      );
    if (tr.timesNs.length !== tr.signal.length) {
      throw new InvalidInputError(
        `trace ${k + 1} (${label}): ${tr.timesNs.length} times but ${tr.signal.length} signal values`,
      );
    }
    if (tr.sigma && tr.sigma.length !== tr.signal.length) {
      throw new InvalidInputError(
        `trace ${k + 1} (${label}): sigma has ${tr.sigma.length} values, the signal ${tr.signal.length}`,
      );
    }
    const idx: number[] = [];
    for (let i = 0; i < tr.timesNs.length; i++) {
      const ti = tr.timesNs[i]!;
      if (!Number.isFinite(ti) || !Number.isFinite(tr.signal[i]!)) {
        throw new InvalidInputError(
          `trace ${k + 1} (${label}): point ${i + 1} has a non-finite time or signal`,
        );
      }
      if (ti >= tMin && ti <= tMax) idx.push(i);
    }
    idx.sort((a, b) => tr.timesNs[a]! - tr.timesNs[b]!);
    if (idx.length < 3)
      throw new InvalidInputError(
        `trace ${k + 1} (${label}): fewer than 3 points in the fit range ${tMin}-${tMax} ns (times must be >= 0: time zero at the pulse)`,
      );
    const t = Float64Array.from(idx, (i) => tr.timesNs[i]!);
    for (let i = 1; i < t.length; i++) {
      if (t[i] === t[i - 1])
        throw new InvalidInputError(`trace ${k + 1} (${label}): time ${t[i]} ns appears twice`);
    }
    const sigma = tr.sigma ? Float64Array.from(idx, (i) => tr.sigma![i]!) : undefined;
    if (sigma && sigma.some((s) => !(s > 0)))
      throw new InvalidInputError(`trace ${k + 1} (${label}): sigma must be positive`);
    return { label, n0: tr.n0, t, y: Float64Array.from(idx, (i) => tr.signal[i]!), sigma };
  });
  const guesses = guessRates(modelName, prepared);
  const params: Record<string, ParamSpec> = {};
  for (const p of info.params) {
    const user = toSpec(options.params?.[p.name]);
    const base: ParamSpec = { value: guesses[p.name]!, min: 0 };
    if (p.fixedByDefault && !user) params[p.name] = { value: p.start, fixed: true };
    else params[p.name] = { ...base, ...(user ?? {}) };
  }
  const ampFree = (options.amplitude ?? 'free') === 'free';
  const bgFree = (options.background ?? 'fixed') === 'free';
  const models = prepared.map((tr) => new TraceModel(modelName, tr.n0, rtol));
  prepared.forEach((tr, k) => {
    const y0 = tr.y[0]!;
    params[`amplitude_${k + 1}`] = ampFree
      ? { value: Number.isFinite(y0) && y0 !== 0 ? y0 : 1 }
      : { value: 1, fixed: true };
    params[`background_${k + 1}`] = bgFree ? { value: 0 } : { value: 0, fixed: true };
  });
  const datasets: FitDataset[] = prepared.map((tr, k) => ({
    model: models[k]!,
    x: tr.t,
    y: tr.y,
    ...(tr.sigma ? { sigma: tr.sigma } : {}),
    paramMap: { amplitude: `amplitude_${k + 1}`, background: `background_${k + 1}` },
    name: tr.label,
  }));
  let r = fitGlobal(datasets, params, { maxIterations: options.maxIterations ?? 500 });
  // validate the frozen ODE grids at the optimum; rebuild and refit if they are too coarse there
  let rebuilds = 0;
  for (let round = 0; round < 3; round++) {
    if (!models.some((m) => m.grid !== null)) break;
    const best: Record<string, number> = {};
    for (const n of names) best[n] = r.params[n]!.value;
    let worst = 0;
    prepared.forEach((tr, k) => {
      const m = models[k]!;
      if (!m.grid) return;
      const frozen = solveRateModel(modelName, tr.t, tr.n0, best, { rtol, grid: m.grid }).signal;
      const adaptive = solveRateModel(modelName, tr.t, tr.n0, best, { rtol });
      for (let i = 0; i < tr.t.length; i++)
        worst = Math.max(worst, Math.abs(frozen[i]! - adaptive.signal[i]!));
      m.grid = adaptive.grid;
    });
    if (worst <= 100 * rtol) break;
    rebuilds++;
    const restart: Record<string, ParamSpec> = {};
    for (const [n, spec] of Object.entries(params))
      restart[n] = { ...spec, value: r.params[n]!.value };
    r = fitGlobal(datasets, restart, { maxIterations: options.maxIterations ?? 500 });
  }
  const densityUnit = options.densityUnit ?? 'cm^-3';
  const outParams: FluenceFitResult['params'] = {};
  for (const p of info.params) {
    const pr = r.params[p.name]!;
    outParams[p.name] = {
      ...quantity(pr.value, rateParamUnit(p, densityUnit), pr.stderr),
      fixed: pr.fixed,
      atBound: pr.atBound,
    };
  }
  const best: Record<string, number> = {};
  for (const n of names) best[n] = r.params[n]!.value;
  const notes: string[] = [];
  const traceResults: FluenceTraceResult[] = prepared.map((tr, k) => {
    const d = r.datasets[k]!;
    const a = r.params[`amplitude_${k + 1}`]!;
    const b = r.params[`background_${k + 1}`]!;
    const losses = lossFractions(modelName, tr.n0, best, tr.t[tr.t.length - 1]!);
    return {
      label: tr.label,
      n0: tr.n0,
      amplitude: quantity(a.value, '', a.stderr),
      background: quantity(b.value, '', b.stderr),
      timesNs: Array.from(tr.t),
      signal: Array.from(tr.y),
      best: Array.from(d.best),
      residuals: Array.from(d.residuals),
      chi2: d.chi2,
      losses,
    };
  });
  // pears-style advice: a channel that never takes a sizeable share is poorly determined
  const channels = Object.keys(traceResults[0]!.losses.fractions);
  for (const c of channels) {
    const maxShare = Math.max(...traceResults.map((t) => t.losses.fractions[c]!));
    const related: Record<string, string> = {
      trapping: modelName === 'bt' ? 'kT' : 'kT, NT',
      bimolecular: 'kB',
      auger: 'kA',
      detrapping: 'kD',
      monomolecular: 'kX',
      annihilation: 'kAnn',
    };
    const pn = related[c] ?? c;
    const isFree = pn.split(', ').some((n) => outParams[n] && !outParams[n]!.fixed);
    if (isFree && maxShare < 0.1) {
      notes.push(
        `${c} takes at most ${(100 * maxShare).toFixed(1)}% of the recombination in every trace; ${pn} is poorly determined (measure at ${c === 'trapping' || c === 'monomolecular' ? 'lower' : 'higher'} fluence)`,
      );
    }
  }
  for (const [n, p] of Object.entries(outParams))
    if (p.atBound && !p.fixed)
      notes.push(`${n} ended on a bound (${p.value}); its stderr is not reliable`);
  if (!r.converged) notes.push(`the fit did not converge (${r.status}): ${r.message}`);
  return {
    model: modelName,
    title: info.title,
    equations: info.equations,
    signalDefinition: info.signal,
    densityUnit,
    params: outParams,
    traces: traceResults,
    ...fitStatistics(r),
    gridRebuilds: rebuilds,
    notes,
  };
}
