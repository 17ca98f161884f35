/**
 * `fitDecay`: TCSPC decay fitting by reconvolution with a measured or Gaussian IRF, by Poisson
 * maximum likelihood (default) through the project's fitting engine.
 *
 * @module
 */
import { FitSetupError, InvalidInputError } from '../../core/errors.js';
import { quantity } from '../../core/quantity.js';
import { fit } from '../../fit/fit.js';
import { logGamma } from '../../fit/special.js';
import type { FitResult, ParamsInput } from '../../fit/types.js';
import { toHistogram, type Histogram } from './input.js';
import { prepareIrf, type PreparedIrf } from './irf.js';
import { DecayModel, GroupedDecayModel, type DecayTermKind, type ModelIrf } from './model.js';
import { decayStartValues, risingEdgeNs } from './start.js';
import type {
  DecayCandidate,
  DecayComponent,
  DecayFitResult,
  DecayInput,
  DecayKind,
  FitDecayOptions,
} from './types.js';

/** Counts below which a fit of N exponentials is poorly determined (warning only). */
const FEW_COUNTS = [0, 100, 2000, 20000, 200000];

/** Everything about a decay fit that does not depend on the number of components. */
export interface DecaySetup {
  hist: Histogram;
  window: [number, number];
  irf: ModelIrf;
  prepared: PreparedIrf | null;
  irfFwhmNs: number;
  shiftStart: number;
  shiftRange: number;
  shiftFree: boolean;
  fixedBackground: number | null;
  periodNs: number;
  kind: DecayKind;
  method: 'poisson' | 'least-squares';
  warnings: string[];
  totalCounts: number;
  /** Bins summed per fitted group (1: the original bins). */
  groupBins: number;
}

function checkOptions(options: FitDecayOptions): void {
  const known = new Set([
    'irf',
    'gaussianIrf',
    'components',
    'maxComponents',
    'criterion',
    'kind',
    'method',
    'fitRange',
    'shift',
    'shiftNs',
    'background',
    'irfBackground',
    'repetitionPeriodNs',
    'tauNs',
    'fixTauNs',
    'groupBins',
    'maxIterations',
    'signal',
  ]);
  for (const k of Object.keys(options)) {
    if (!known.has(k))
      throw new InvalidInputError(
        `fitDecay: unknown option "${k}"; known options are ${[...known].join(', ')}`,
      );
  }
  const c = options.components ?? 1;
  if (c !== 'auto' && !(Number.isInteger(c) && c >= 1 && c <= 4)) {
    throw new InvalidInputError(`components must be 1, 2, 3, 4 or "auto", got ${String(c)}`);
  }
  const kind = options.kind ?? 'exp';
  if (!['exp', 'stretched', 'power-tail'].includes(kind)) {
    throw new InvalidInputError(
      `kind must be "exp", "stretched" or "power-tail", got ${String(kind)}`,
    );
  }
  const method = options.method ?? 'poisson';
  if (method !== 'poisson' && method !== 'least-squares') {
    throw new InvalidInputError(
      `method must be "poisson" or "least-squares", got ${String(method)}`,
    );
  }
  if (
    options.maxComponents !== undefined &&
    !(
      Number.isInteger(options.maxComponents) &&
      options.maxComponents >= 1 &&
      options.maxComponents <= 4
    )
  ) {
    throw new InvalidInputError(
      `maxComponents must be an integer from 1 to 4, got ${options.maxComponents}`,
    );
  }
  if (
    options.criterion !== undefined &&
    options.criterion !== 'bic' &&
    options.criterion !== 'aic'
  ) {
    throw new InvalidInputError(
      `criterion must be "bic" or "aic", got ${String(options.criterion)}`,
    );
  }
  const bg = options.background ?? 'fit';
  if (bg !== 'fit' && !(typeof bg === 'number' && Number.isFinite(bg) && bg >= 0)) {
    throw new InvalidInputError(
      `background must be "fit" or a number of counts per bin >= 0, got ${String(bg)}`,
    );
  }
  if (
    options.repetitionPeriodNs !== undefined &&
    !(options.repetitionPeriodNs > 0 && Number.isFinite(options.repetitionPeriodNs))
  ) {
    throw new InvalidInputError(
      `repetitionPeriodNs must be a positive number of ns, got ${options.repetitionPeriodNs}`,
    );
  }
  if (options.shiftNs !== undefined && !Number.isFinite(options.shiftNs)) {
    throw new InvalidInputError(`shiftNs must be a finite number of ns, got ${options.shiftNs}`);
  }
  for (const key of ['tauNs', 'fixTauNs'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (!Array.isArray(v))
      throw new InvalidInputError(
        `${key} must be an array of lifetimes in ns (null for automatic)`,
      );
    v.forEach((t, i) => {
      if (t !== null && !(typeof t === 'number' && t > 0 && Number.isFinite(t))) {
        throw new InvalidInputError(
          `${key}[${i}] must be a positive lifetime in ns or null, got ${String(t)}`,
        );
      }
    });
  }
}

/** Default fit window: everything, less a trailing run of empty bins that the decay's rate says should not be empty. */
function defaultWindow(counts: Float64Array, binNs: number, warnings: string[]): [number, number] {
  const n = counts.length;
  let last = n - 1;
  while (last >= 0 && counts[last] === 0) last--;
  const run = n - 1 - last;
  if (last > 0 && run >= Math.max(20, 0.02 * n)) {
    const look = Math.max(20, Math.min(last + 1, Math.round(0.05 * n)));
    let sum = 0;
    for (let i = last + 1 - look; i <= last; i++) sum += counts[i]!;
    const rate = sum / look;
    if (rate * run > 20) {
      warnings.push(
        `the last ${run} bins (from ${((last + 1) * binNs).toPrecision(5)} ns on) are all empty although the decay before them has ${rate.toPrecision(3)} counts per bin: they look beyond the detector's time range and are left out of the fit (set fitRange to include them)`,
      );
      return [0, last + 1];
    }
  }
  return [0, n];
}

/**
 * Validates the inputs and prepares the IRF, the fit window and the starting shift.
 *
 * @example
 * const setup = prepareDecaySetup({ t, counts }, { irf });
 */
export function prepareDecaySetup(decay: DecayInput, options: FitDecayOptions): DecaySetup {
  checkOptions(options);
  const hist = toHistogram(decay, 'decay');
  if (!hist.hasTime)
    throw new InvalidInputError(
      'the decay needs a time axis: pass { t, counts }, { counts, binNs } or a calibrated array',
    );
  const n = hist.counts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += hist.counts[i]!;
  if (!(total > 0))
    throw new InvalidInputError(
      'the decay has no counts (every bin is 0): there is nothing to fit',
    );
  const warnings: string[] = [];
  const { binNs, originNs } = hist;

  // window
  let window: [number, number];
  if (options.fitRange) {
    const { startNs, endNs } = options.fitRange;
    const s =
      startNs === undefined ? 0 : Math.max(0, Math.ceil((startNs - originNs) / binNs - 1e-6));
    const e = endNs === undefined ? n : Math.min(n, Math.floor((endNs - originNs) / binNs + 1e-6));
    if (!(e - s >= 4)) {
      throw new InvalidInputError(
        `fitRange ${startNs ?? 'start'}..${endNs ?? 'end'} ns holds ${Math.max(0, e - s)} bins of the decay (${originNs}..${(originNs + n * binNs).toPrecision(6)} ns); it needs at least 4`,
      );
    }
    window = [s, e];
  } else window = defaultWindow(hist.counts, binNs, warnings);
  let windowCounts = 0;
  for (let i = window[0]; i < window[1]; i++) windowCounts += hist.counts[i]!;
  if (!(windowCounts > 0))
    throw new InvalidInputError(
      'the decay has no counts inside the fit range: there is nothing to fit',
    );

  // IRF
  if (options.irf !== undefined && options.gaussianIrf !== undefined) {
    throw new InvalidInputError('give either irf (a measured IRF) or gaussianIrf, not both');
  }
  if (options.irf === undefined && options.gaussianIrf === undefined) {
    throw new InvalidInputError(
      'fitDecay needs the instrument response: irf (a measured IRF histogram) or gaussianIrf: { fwhmNs } (e.g. { fwhmNs: 0.2 })',
    );
  }
  const periodNs = options.repetitionPeriodNs ?? 0;
  const smooth = 5;
  const decayEdge = risingEdgeNs(hist.counts, binNs, originNs, smooth);
  let irf: ModelIrf;
  let prepared: PreparedIrf | null = null;
  let irfFwhmNs: number;
  let shiftStart: number;
  let shiftRange: number;
  if (options.irf !== undefined) {
    const ih = toHistogram(options.irf, 'the IRF');
    let offsetBins = 0;
    let fractional = 0;
    if (ih.hasTime) {
      const rel = Math.abs(ih.binNs - binNs) / binNs;
      if (rel > 1e-3) {
        throw new InvalidInputError(
          `the IRF's bins are ${ih.binNs} ns wide but the decay's are ${binNs} ns: record (or rebin) both with the same time resolution`,
        );
      }
      const off = (ih.originNs - originNs) / binNs;
      offsetBins = Math.round(off);
      fractional = (off - offsetBins) * binNs;
    }
    if (ih.counts.length + offsetBins > n) {
      throw new InvalidInputError(
        `the IRF (${ih.counts.length} bins${offsetBins ? `, starting ${offsetBins} bins into the decay` : ''}) is longer than the decay (${n} bins): crop the IRF to the decay's time range`,
      );
    }
    prepared = prepareIrf(ih.counts, binNs, {
      nBins: n,
      background: options.irfBackground ?? 'auto',
      offsetBins,
    });
    if (prepared.counts < 100) {
      warnings.push(
        `the IRF has only ${Math.round(prepared.counts)} counts above its background: its shape is noisy`,
      );
    }
    irf = { kind: 'measured', irf: prepared.irf, support: prepared.support };
    irfFwhmNs = prepared.fwhmNs;
    const irfEdge = risingEdgeNs(prepared.irf, binNs, originNs, smooth);
    shiftStart = options.shiftNs ?? decayEdge - irfEdge - 0.25 * irfFwhmNs + fractional;
    shiftRange = Math.max(5 * binNs, 0.75 * irfFwhmNs);
  } else {
    const g = options.gaussianIrf!;
    if (!(g.fwhmNs > 0) || !Number.isFinite(g.fwhmNs))
      throw new InvalidInputError(
        `gaussianIrf.fwhmNs must be a positive number of ns, got ${g.fwhmNs}`,
      );
    if (g.centerNs !== undefined && !Number.isFinite(g.centerNs))
      throw new InvalidInputError(`gaussianIrf.centerNs must be a finite number of ns`);
    irf = { kind: 'gaussian', fwhmNs: g.fwhmNs };
    irfFwhmNs = g.fwhmNs;
    shiftStart = options.shiftNs ?? g.centerNs ?? decayEdge + 0.25 * g.fwhmNs;
    shiftRange = Math.max(5 * binNs, g.fwhmNs);
  }
  const shiftFree = options.shift ?? true;
  const bg = options.background ?? 'fit';
  const len = window[1] - window[0];
  const groupOpt = options.groupBins ?? 'auto';
  let groupBins: number;
  if (groupOpt === 'auto') {
    groupBins = Math.max(
      1,
      Math.min(Math.floor(irfFwhmNs / (3 * binNs)), Math.floor(len / 256), 64),
    );
  } else {
    if (!(Number.isInteger(groupOpt) && groupOpt >= 1 && groupOpt <= len / 4)) {
      throw new InvalidInputError(
        `groupBins must be "auto" or an integer from 1 to ${Math.floor(len / 4)} (a quarter of the fitted bins), got ${String(groupOpt)}`,
      );
    }
    groupBins = groupOpt;
  }
  return {
    hist,
    window,
    irf,
    prepared,
    irfFwhmNs,
    shiftStart,
    shiftRange,
    shiftFree,
    fixedBackground: bg === 'fit' ? null : bg,
    periodNs,
    kind: options.kind ?? 'exp',
    method: options.method ?? 'poisson',
    warnings,
    totalCounts: windowCounts,
    groupBins,
  };
}

/** Term kinds of a model with `n` components of this kind. */
export function termsFor(kind: DecayKind, n: number): DecayTermKind[] {
  if (kind === 'stretched') return ['stretched', ...Array<DecayTermKind>(n - 1).fill('exp')];
  if (kind === 'power-tail') return [...Array<DecayTermKind>(n).fill('exp'), 'power'];
  return Array<DecayTermKind>(n).fill('exp');
}

interface RawFit {
  nComponents: number;
  terms: DecayTermKind[];
  model: DecayModel;
  result: FitResult;
  /** Start time (ns) and counts of each fitted bin or group. */
  x: Float64Array;
  y: Float64Array;
}

/** Start times (ns) of `n` consecutive bins or groups of width `widthNs` from `startNs`. */
function binStarts(startNs: number, widthNs: number, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = startNs + i * widthNs;
  return x;
}

/** Sums of `groups` consecutive groups of `factor` values. */
function sumGroups(values: Float64Array, factor: number, groups: number): Float64Array {
  const out = new Float64Array(groups);
  for (let j = 0, i = 0; j < groups; j++) {
    let sum = 0;
    for (let k = 0; k < factor; k++, i++) sum += values[i]!;
    out[j] = sum;
  }
  return out;
}

/** A coarser copy of a decay problem (bins summed in groups), for a quick first fit. */
interface CoarseProblem {
  factor: number;
  counts: Float64Array;
  binNs: number;
  window: [number, number];
  irf: ModelIrf;
}

/**
 * Long histograms are first fitted with their bins summed in groups (a valid Poisson histogram
 * of its own, with the IRF summed likewise): starting values and most iterations then cost a
 * fraction, and the final fit on the original bins starts next to its optimum.
 */
function coarseProblem(setup: DecaySetup): CoarseProblem | null {
  const { hist, window } = setup;
  const len = window[1] - window[0];
  const factor = Math.min(Math.floor(len / 200), Math.floor(setup.irfFwhmNs / (1.5 * hist.binNs)));
  if (factor < 2) return null;
  // Whole coarse bins only: a partial last bin would make the coarse histogram longer than the
  // fine one (and than the laser period when pile-up is modelled). The window never reaches it.
  const nc = Math.floor(hist.counts.length / factor);
  const n = nc * factor;
  const counts = sumGroups(hist.counts, factor, nc);
  let irf: ModelIrf;
  if (setup.irf.kind === 'measured') {
    const fine = setup.irf.irf;
    const c = sumGroups(fine, factor, nc);
    const sup = setup.irf.support ?? [0, n - 1];
    irf = {
      kind: 'measured',
      irf: c,
      support: [Math.floor(sup[0] / factor), Math.floor(sup[1] / factor)],
    };
  } else irf = setup.irf;
  const cw: [number, number] = [Math.ceil(window[0] / factor), Math.floor(window[1] / factor)];
  if (cw[1] - cw[0] < 50) return null;
  return { factor, counts, binNs: hist.binNs * factor, window: cw, irf };
}

function fitComponents(setup: DecaySetup, nComp: number, options: FitDecayOptions): RawFit {
  const terms = termsFor(setup.kind, nComp);
  const { hist, window } = setup;
  const [s, e] = window;
  const binNs = hist.binNs;
  const fixTaus = options.fixTauNs ?? [];
  const startTaus = options.tauNs ?? [];
  const tauOf = (k: number): number | null => fixTaus[k] ?? startTaus[k] ?? null;
  const periodOpt = setup.periodNs > 0 ? { repetitionPeriodNs: setup.periodNs } : {};
  const baseModel = {
    nBins: hist.counts.length,
    binNs,
    originNs: hist.originNs,
    window,
    irf: setup.irf,
    ...periodOpt,
  };
  const coarse = coarseProblem(setup);
  const startOn = coarse
    ? {
        counts: coarse.counts,
        model: {
          nBins: coarse.counts.length,
          binNs: coarse.binNs,
          originNs: hist.originNs,
          window: coarse.window,
          irf: coarse.irf,
          ...periodOpt,
        },
      }
    : { counts: hist.counts, model: baseModel };
  let p0 = decayStartValues({
    ...startOn,
    terms,
    irfFwhmNs: setup.irfFwhmNs,
    shift: setup.shiftStart,
    shiftFree: setup.shiftFree,
    shiftRange: setup.shiftRange,
    fixedBackground:
      setup.fixedBackground === null ? null : setup.fixedBackground * (coarse?.factor ?? 1),
    taus: terms.map((_, k) => tauOf(k)),
  });
  const model = new DecayModel({ ...baseModel, terms, shiftDerivative: setup.shiftFree });
  const tauMin = Math.max(0.02 * binNs, 1e-6);
  const sh0 = p0[model.shiftIndex]!;
  const reach = Math.max(20 * binNs, 2 * setup.irfFwhmNs);
  /** Parameter set-up from values p (amplitudes and background scaled by 1/scale). */
  const paramsFrom = (p: Float64Array, scale: number): ParamsInput => {
    const params: ParamsInput = {};
    terms.forEach((kind, k) => {
      const o = model.offsets[k]!;
      const i = k + 1;
      params[`a${i}`] = { value: Math.max(p[o]! / scale, 0), min: 0 };
      const fixed = fixTaus[k];
      params[`tau${i}`] =
        fixed !== null && fixed !== undefined
          ? { value: fixed, fixed: true }
          : { value: Math.max(p[o + 1]!, 2 * tauMin), min: tauMin };
      if (kind === 'stretched')
        params[`beta${i}`] = {
          value: Math.min(1.15, Math.max(0.15, p[o + 2]!)),
          min: 0.1,
          max: 1.2,
        };
      if (kind === 'power')
        params[`alpha${i}`] = {
          value: Math.min(7.5, Math.max(1.05, p[o + 2]!)),
          min: 1.01,
          max: 8,
        };
    });
    params.bg =
      setup.fixedBackground === null
        ? { value: Math.max(p[model.bgIndex]! / scale, 0), min: 0 }
        : { value: setup.fixedBackground, fixed: true };
    const sh = Math.min(sh0 + 0.95 * reach, Math.max(sh0 - 0.95 * reach, p[model.shiftIndex]!));
    params.shift = setup.shiftFree
      ? { value: sh, min: sh0 - reach, max: sh0 + reach }
      : { value: sh, fixed: true };
    return params;
  };
  const common = {
    method: setup.method,
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const run = (
    m: DecayModel | GroupedDecayModel,
    x: Float64Array,
    y: Float64Array,
    params: ParamsInput,
    tol: number,
    covariance = true,
  ): FitResult => {
    const fitOptions = {
      ...common,
      ftol: tol,
      xtol: tol,
      covariance,
      ...(setup.method === 'least-squares'
        ? { weights: Float64Array.from(y, (v) => 1 / Math.sqrt(Math.max(v, 1))) }
        : {}),
    };
    try {
      return fit(m, x, y, params, fitOptions);
    } catch (err) {
      if (err instanceof FitSetupError) {
        throw new FitSetupError(
          `cannot fit ${nComp} component${nComp > 1 ? 's' : ''}: ${err.message}`,
        );
      }
      throw err;
    }
  };
  const g = setup.groupBins;
  if (coarse && coarse.factor >= 2 * g) {
    const cm = new DecayModel({
      nBins: coarse.counts.length,
      binNs: coarse.binNs,
      originNs: hist.originNs,
      window: coarse.window,
      irf: coarse.irf,
      terms,
      shiftDerivative: setup.shiftFree,
      ...periodOpt,
    });
    const cy = coarse.counts.subarray(coarse.window[0], coarse.window[1]);
    const cx = binStarts(hist.originNs + coarse.window[0] * coarse.binNs, coarse.binNs, cy.length);
    const rc = run(cm, cx, cy, paramsFrom(p0, 1), 1e-8, false);
    const pc = Float64Array.from(cm.params, (nm) => rc.params[nm]!.value);
    if (pc.every(Number.isFinite)) p0 = pc;
  }
  if (coarse) {
    // back to counts per original bin
    const f = coarse.factor;
    terms.forEach((_, k) => (p0[model.offsets[k]!]! /= f));
    p0[model.bgIndex]! /= f;
  }
  const fitModel = g > 1 ? new GroupedDecayModel(model, g) : model;
  const yFine = hist.counts.subarray(s, e);
  const y = fitModel instanceof GroupedDecayModel ? fitModel.groupValues(yFine) : yFine.slice();
  const x = binStarts(hist.originNs + s * binNs, g * binNs, y.length);
  const result = run(fitModel, x, y, paramsFrom(p0, 1), 1e-8);
  return { nComponents: nComp, terms, model, result, x, y };
}

const gammaFn = (x: number): number => Math.exp(logGamma(x));

/** Integral (I) and first moment (M) of a unit decay term. */
function termIntegrals(kind: DecayTermKind, tau: number, extra: number): { I: number; M: number } {
  if (kind === 'exp') return { I: tau, M: tau * tau };
  if (kind === 'stretched')
    return { I: (tau * gammaFn(1 / extra)) / extra, M: (tau * tau * gammaFn(2 / extra)) / extra };
  const a = extra;
  return { I: tau / (a - 1), M: a > 2 ? (tau * tau) / ((a - 1) * (a - 2)) : Infinity };
}

function valuesOf(model: DecayModel, result: FitResult): Float64Array {
  return Float64Array.from(model.params, (n) => result.params[n]!.value);
}

/** Standard error of g(p) by the delta method (central-difference gradient over the free parameters). */
function propagate(
  g: (p: Float64Array) => number,
  p: Float64Array,
  model: DecayModel,
  result: FitResult,
): number | null {
  const cov = result.covariance;
  if (!cov) return null;
  const free = result.freeParams;
  const idx = free.map((n) => model.params.indexOf(n));
  const grad = new Float64Array(free.length);
  const q = Float64Array.from(p);
  for (let a = 0; a < free.length; a++) {
    const j = idx[a]!;
    const v = p[j]!;
    const se = Math.sqrt(Math.max(cov[a]![a]!, 0));
    const h = Math.max(1e-7 * Math.abs(v), 1e-4 * se, 1e-12);
    q[j] = v + h;
    const up = g(q);
    q[j] = v - h;
    const dn = g(q);
    q[j] = v;
    grad[a] = (up - dn) / (2 * h);
  }
  let v = 0;
  for (let a = 0; a < free.length; a++)
    for (let b = 0; b < free.length; b++) v += grad[a]! * cov[a]![b]! * grad[b]!;
  const s = Math.sqrt(Math.max(v, 0));
  return Number.isFinite(s) ? s : null;
}

function stderrOf(result: FitResult, name: string): number | null {
  const p = result.params[name];
  if (!p || p.stderr === null || !Number.isFinite(p.stderr)) return null;
  return p.stderr;
}

/** Builds the public result of one fit. */
export function describeDecayFit(
  setup: DecaySetup,
  raw: RawFit,
  candidates: DecayCandidate[] | null,
  selectedBy: 'bic' | 'aic' | null,
): DecayFitResult {
  const { model, result, terms } = raw;
  const p = valuesOf(model, result);
  const warnings = [...setup.warnings];
  const nComp = raw.nComponents;
  if (setup.totalCounts < FEW_COUNTS[Math.min(nComp, 4)]!) {
    warnings.push(
      `only ${Math.round(setup.totalCounts)} counts in the fit range: ${nComp} component${nComp > 1 ? 's are' : ' is'} poorly determined with fewer than about ${FEW_COUNTS[Math.min(nComp, 4)]}`,
    );
  }
  if (!result.converged)
    warnings.push(`the fit did not converge (${result.status}): ${result.message}`);

  // integrals of each term as functions of the parameter vector
  const extraOf = (q: Float64Array, k: number): number =>
    terms[k] === 'exp' ? 0 : q[model.offsets[k]! + 2]!;
  const weights = (q: Float64Array): { I: number[]; M: number[]; a: number[] } => {
    const I: number[] = [];
    const M: number[] = [];
    const a: number[] = [];
    terms.forEach((kind, k) => {
      const o = model.offsets[k]!;
      const t = termIntegrals(kind, q[o + 1]!, extraOf(q, k));
      I.push(t.I);
      M.push(t.M);
      a.push(q[o]!);
    });
    return { I, M, a };
  };
  const photonFraction =
    (k: number) =>
    (q: Float64Array): number => {
      const { I, a } = weights(q);
      let sum = 0;
      for (let j = 0; j < I.length; j++) sum += a[j]! * I[j]!;
      return sum > 0 ? (a[k]! * I[k]!) / sum : 0;
    };
  const ampMean = (q: Float64Array): number => {
    const { I, a } = weights(q);
    let num = 0;
    let den = 0;
    for (let j = 0; j < I.length; j++) {
      num += a[j]! * I[j]!;
      den += a[j]!;
    }
    return den > 0 ? num / den : 0;
  };
  const intMean = (q: Float64Array): number => {
    const { I, M, a } = weights(q);
    let num = 0;
    let den = 0;
    for (let j = 0; j < I.length; j++) {
      num += a[j]! * M[j]!;
      den += a[j]! * I[j]!;
    }
    return den > 0 ? num / den : 0;
  };

  // window fractions
  const windowSums = model.termWindowSums(p);
  const windowTotal = windowSums.reduce((x, y) => x + y, 0);

  const components: DecayComponent[] = terms.map((kind, k) => {
    const i = k + 1;
    const tauP = result.params[`tau${i}`]!;
    const aP = result.params[`a${i}`]!;
    const comp: DecayComponent = {
      kind: kind === 'power' ? 'power-law' : kind,
      tauNs: tauP.value,
      tauNsStderr: tauP.atBound ? null : stderrOf(result, `tau${i}`),
      amplitude: aP.value,
      amplitudeStderr: stderrOf(result, `a${i}`),
      photonFraction: photonFraction(k)(p),
      photonFractionStderr: propagate(photonFraction(k), p, model, result),
      windowFraction: windowTotal > 0 ? windowSums[k]! / windowTotal : 0,
      atBound: tauP.atBound || aP.atBound,
    };
    if (kind === 'stretched') {
      const b = result.params[`beta${i}`]!;
      comp.beta = b.value;
      comp.betaStderr = b.atBound ? null : stderrOf(result, `beta${i}`);
      comp.atBound ||= b.atBound;
    }
    if (kind === 'power') {
      const al = result.params[`alpha${i}`]!;
      comp.alpha = al.value;
      comp.alphaStderr = al.atBound ? null : stderrOf(result, `alpha${i}`);
      comp.atBound ||= al.atBound;
    }
    return comp;
  });
  // exponential components in order of lifetime (the stretched term stays first, the power law last)
  const expIdx = components.map((c, k) => (c.kind === 'exp' ? k : -1)).filter((k) => k >= 0);
  const sortedExp = expIdx.map((k) => components[k]!).sort((x, y) => x.tauNs - y.tauNs);
  expIdx.forEach((k, j) => (components[k] = sortedExp[j]!));
  for (const c of components) {
    if (c.atBound) {
      warnings.push(
        c.amplitude === 0 ||
          (result.params.a1 &&
            c.amplitude <= 1e-9 * Math.max(...components.map((d) => d.amplitude)))
          ? `a component (tau ${c.tauNs.toPrecision(3)} ns) has amplitude 0: the data do not support ${nComp} components`
          : `a parameter of the component with tau ${c.tauNs.toPrecision(3)} ns ended on a bound: its uncertainty is not reliable`,
      );
    }
  }

  const amp = ampMean(p);
  const int = intMean(p);
  const bgP = result.params.bg!;
  const shP = result.params.shift!;
  const shiftQ = quantity(shP.value, 'ns', shP.fixed ? null : shP.atBound ? null : shP.stderr);
  if (shP.atBound)
    warnings.push(
      `the IRF ${setup.irf.kind === 'measured' ? 'shift' : 'centre'} ended on its search bound (${shP.value.toPrecision(4)} ns): check the IRF and the decay's time axes`,
    );

  // residuals (on the fitted bins or groups)
  const { hist } = setup;
  const [s, e] = setup.window;
  const counts = raw.y.slice();
  const best = Float64Array.from(result.best);
  const pearson = new Float64Array(counts.length);
  const dev = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const y = counts[i]!;
    const f = best[i]!;
    pearson[i] = f > 0 ? (y - f) / Math.sqrt(f) : 0;
    const d = f > 0 ? 2 * ((y > 0 ? y * Math.log(y / f) : 0) - (y - f)) : 0;
    dev[i] = (y >= f ? 1 : -1) * Math.sqrt(Math.max(d, 0));
  }
  const timeNs = raw.x.slice();
  return {
    kind: setup.kind,
    method: setup.method,
    irf: setup.irf.kind,
    components,
    meanLifetimeNs: {
      amplitudeWeighted: quantity(amp, 'ns', propagate(ampMean, p, model, result)),
      intensityWeighted: Number.isFinite(int)
        ? quantity(int, 'ns', propagate(intMean, p, model, result))
        : quantity(0, 'ns', null),
    },
    background: quantity(bgP.value, 'counts/bin', bgP.fixed ? null : bgP.stderr),
    shiftNs: setup.irf.kind === 'measured' ? shiftQ : null,
    irfCenterNs: setup.irf.kind === 'gaussian' ? shiftQ : null,
    irfFwhmNs: setup.irfFwhmNs,
    irfBackgroundCounts: setup.prepared ? setup.prepared.backgroundCounts : null,
    deviance: result.deviance,
    chi2: result.chi2,
    reducedChi2: result.reducedChi2,
    logLikelihood: result.logLikelihood,
    aic: result.aic,
    bic: result.bic,
    nData: result.nData,
    nFree: result.nFree,
    dof: result.dof,
    converged: result.converged,
    status: result.status,
    message: result.message,
    iterations: result.iterations,
    evaluations: result.evaluations,
    fitRange: {
      startNs: hist.originNs + s * hist.binNs,
      endNs: hist.originNs + e * hist.binNs,
      startIndex: s,
      endIndex: e,
    },
    binNs: hist.binNs,
    groupBins: setup.groupBins,
    timeNs,
    counts,
    best,
    residuals: { pearson, deviance: dev },
    totalCounts: setup.totalCounts,
    params: result.params,
    freeParams: result.freeParams,
    covariance: result.covariance,
    candidates,
    selectedBy,
    warnings,
  };
}

/**
 * Fits a TCSPC decay by reconvolution with its instrument response: 1-4 exponentials (or a
 * stretched exponential, or exponentials plus a power-law tail), a constant background and the
 * IRF shift, by Poisson maximum likelihood (default) with the project's fitting engine. Each
 * exponential is integrated exactly over every time bin (point-sampled kernels bias short
 * lifetimes), and convolved with the measured IRF by an O(n) recursion; the Jacobian is analytic.
 * Starting values are automatic (IRF position from the rising edges, lifetimes from a grid with
 * the amplitudes solved linearly), so none need be given.
 *
 * Components are reported with lifetime, amplitude (counts per bin at the start of the
 * component), their standard errors, and the photon fraction a_k tau_k / sum a_j tau_j with its
 * standard error (delta method on the covariance); mean lifetimes likewise. With
 * `components: 'auto'`, 1..`maxComponents` components are fitted in turn (stopping at the first
 * that does not improve the criterion) and the lowest BIC (or AIC) is kept; every candidate is
 * reported in `candidates`.
 *
 * Throws `InvalidInputError` for unusable input (no counts, NaN, no IRF, an IRF longer than the
 * decay or on different bins); returns warnings for things to watch (few counts for the number
 * of components, trimmed empty bins, parameters on bounds, no convergence).
 *
 * @example
 * const r = fitDecay({ t: timeNs, counts }, { irf: { t: irfTimeNs, counts: irfCounts }, components: 2 });
 * r.components.map((c) => `${c.tauNs.toFixed(3)} ± ${c.tauNsStderr?.toFixed(3)} ns, ${(100 * c.photonFraction).toFixed(1)} %`);
 */
export function fitDecay(decay: DecayInput, options: FitDecayOptions = {}): DecayFitResult {
  const setup = prepareDecaySetup(decay, options);
  const comps = options.components ?? 1;
  if (comps !== 'auto')
    return describeDecayFit(setup, fitComponents(setup, comps, options), null, null);
  const criterion = options.criterion ?? 'bic';
  const maxN = options.maxComponents ?? 4;
  const fits: RawFit[] = [];
  const candidates: DecayCandidate[] = [];
  for (let nComp = 1; nComp <= maxN; nComp++) {
    let raw: RawFit;
    try {
      raw = fitComponents(setup, nComp, options);
    } catch (err) {
      if (nComp > 1 && err instanceof FitSetupError) break; // too few points for more components
      throw err;
    }
    const r = raw.result;
    fits.push(raw);
    candidates.push({
      components: nComp,
      nFree: r.nFree,
      deviance: r.deviance,
      logLikelihood: r.logLikelihood,
      aic: r.aic,
      bic: r.bic,
      converged: r.converged,
      tauNs: raw.terms.map((_, k) => r.params[`tau${k + 1}`]!.value).sort((a, b) => a - b),
    });
    if (nComp > 1) {
      const prev = candidates[nComp - 2]!;
      const cur = candidates[nComp - 1]!;
      if (cur[criterion] >= prev[criterion]) break;
    }
  }
  let bestIdx = 0;
  for (let i = 1; i < fits.length; i++) {
    const ci = candidates[i]!;
    const cb = candidates[bestIdx]!;
    if ((ci.converged || !cb.converged) && ci[criterion] < cb[criterion]) bestIdx = i;
  }
  return describeDecayFit(setup, fits[bestIdx]!, candidates, criterion);
}
