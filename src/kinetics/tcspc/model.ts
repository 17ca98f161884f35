/**
 * The TCSPC decay model for the fitting engine: a sum of decay terms (exponential, stretched
 * exponential, power law) reconvolved with a measured IRF (shifted by a fitted fraction of a bin)
 * or a Gaussian IRF, integrated over each time bin, plus a constant background, optionally with
 * the decays left over from previous excitation pulses. Analytic Jacobian throughout.
 *
 * Parameters, in order: for each term k = 1..N `a<k>` (counts per bin at the start of the term,
 * before the IRF broadens it), `tau<k>` (ns; for a power law its onset time t0), and `beta<k>`
 * (stretched) or `alpha<k>` (power law); then `bg` (counts per bin) and `shift` (ns: how much
 * later the measured IRF is placed, or the centre of the Gaussian IRF).
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import type { Model } from '../../fit/types.js';
import {
  Convolver,
  convolveExp,
  gaussianExp,
  gaussianHistogram,
  powerShape,
  shapeKernel,
  stretchedShape,
  type ShapeFunction,
} from './kernels.js';
import { shiftHistogram } from './irf.js';

/** Kinds of decay terms. */
export type DecayTermKind = 'exp' | 'stretched' | 'power';

/** The IRF of a decay model: a prepared measured histogram (unit sum) or a Gaussian. */
export type ModelIrf =
  | { kind: 'measured'; irf: Float64Array; support?: [number, number] }
  | { kind: 'gaussian'; fwhmNs: number };

/** Set-up of a {@link DecayModel}. */
export interface DecayModelOptions {
  /** Bins of the whole histogram (the model is computed from bin 0). */
  nBins: number;
  binNs: number;
  /** Time of the left edge of bin 0, ns (default 0). */
  originNs?: number;
  /** Bins [start, end) that the model returns (the fit range); default all. */
  window?: [number, number];
  irf: ModelIrf;
  terms: readonly DecayTermKind[];
  /** Laser repetition period, ns: adds the decays of all previous pulses (exponential terms only). */
  repetitionPeriodNs?: number;
  /** Compute the derivative with respect to `shift` (skip it when the shift is fixed). Default true. */
  shiftDerivative?: boolean;
}

const FWHM_TO_SIGMA = 1 / (2 * Math.sqrt(2 * Math.LN2));

/** Parameter names of a model with these terms. */
export function decayParamNames(terms: readonly DecayTermKind[]): string[] {
  const names: string[] = [];
  terms.forEach((kind, k) => {
    names.push(`a${k + 1}`, `tau${k + 1}`);
    if (kind === 'stretched') names.push(`beta${k + 1}`);
    if (kind === 'power') names.push(`alpha${k + 1}`);
  });
  names.push('bg', 'shift');
  return names;
}

/**
 * A decay model (see the module notes) implementing the fitting engine's `Model`: `x` is
 * ignored except for its length (the model knows its bins).
 *
 * @example
 * const m = new DecayModel({ nBins: 1024, binNs: 0.01, irf: { kind: 'gaussian', fwhmNs: 0.1 }, terms: ['exp'] });
 * const r = fit(m, t, counts, { a1: { value: 100, min: 0 }, tau1: { value: 2, min: 0.001 }, bg: { value: 1, min: 0 }, shift: 1 }, { method: 'poisson' });
 */
export class DecayModel implements Model {
  readonly params: string[];
  readonly nBins: number;
  readonly binNs: number;
  readonly originNs: number;
  readonly start: number;
  readonly end: number;
  readonly terms: readonly DecayTermKind[];
  readonly irfKind: 'measured' | 'gaussian';
  readonly periodNs: number;
  shiftDerivative: boolean;
  /** Index of each term's first parameter. */
  readonly offsets: number[];
  readonly bgIndex: number;
  readonly shiftIndex: number;

  private readonly irf: Float64Array | null;
  private readonly support: [number, number];
  private readonly sigma: number;
  private readonly edges: Float64Array;
  /** Shifted IRF and its derivative with respect to the shift (ns), on bins [0, end). */
  private readonly xs: Float64Array;
  private readonly dxs: Float64Array;
  private lastShift = NaN;
  private lastHadDerivative = false;
  private readonly unit: Float64Array[];
  private readonly d1: Float64Array[];
  private readonly d2: Float64Array[];
  private readonly dS: Float64Array[];
  private readonly full: Float64Array;
  private readonly kernels: Float64Array[] | null = null;
  private readonly conv: Convolver | null = null;
  private readonly convD: Convolver | null = null;
  private readonly hasGeneral: boolean;

  constructor(options: DecayModelOptions) {
    const { nBins, binNs } = options;
    if (!Number.isInteger(nBins) || nBins < 2)
      throw new InvalidInputError(`a decay needs at least 2 bins, got ${nBins}`);
    if (!(binNs > 0) || !Number.isFinite(binNs))
      throw new InvalidInputError(`the bin width must be a positive number of ns, got ${binNs}`);
    if (options.terms.length === 0)
      throw new InvalidInputError('a decay model needs at least one term');
    this.nBins = nBins;
    this.binNs = binNs;
    this.originNs = options.originNs ?? 0;
    const [s, e] = options.window ?? [0, nBins];
    if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e <= nBins && e - s >= 1)) {
      throw new InvalidInputError(
        `the fit window [${s}, ${e}) is not inside the ${nBins} bins of the decay`,
      );
    }
    this.start = s;
    this.end = e;
    this.terms = [...options.terms];
    this.params = decayParamNames(this.terms);
    this.offsets = [];
    let o = 0;
    for (const t of this.terms) {
      this.offsets.push(o);
      o += t === 'exp' ? 2 : 3;
    }
    this.bgIndex = o;
    this.shiftIndex = o + 1;
    this.periodNs = options.repetitionPeriodNs ?? 0;
    this.hasGeneral = this.terms.some((t) => t !== 'exp');
    if (this.periodNs > 0 && this.hasGeneral) {
      throw new InvalidInputError(
        'repetitionPeriodNs (pile-up from previous pulses) is supported for exponential terms only',
      );
    }
    if (this.periodNs > 0 && this.periodNs < nBins * binNs * (1 - 1e-9)) {
      throw new InvalidInputError(
        `repetitionPeriodNs (${this.periodNs} ns) is shorter than the histogram (${nBins} bins of ${binNs} ns = ${(nBins * binNs).toPrecision(6)} ns)`,
      );
    }
    this.shiftDerivative = options.shiftDerivative ?? true;
    this.irfKind = options.irf.kind;
    const len = e;
    if (options.irf.kind === 'measured') {
      const irf = options.irf.irf;
      if (irf.length < nBins)
        throw new InvalidInputError(
          `the prepared IRF has ${irf.length} bins, fewer than the decay's ${nBins}`,
        );
      this.irf = irf;
      this.support = options.irf.support ?? [0, nBins - 1];
      this.sigma = 0;
    } else {
      const f = options.irf.fwhmNs;
      if (!(f > 0) || !Number.isFinite(f))
        throw new InvalidInputError(`gaussianIrf.fwhmNs must be a positive number of ns, got ${f}`);
      this.irf = null;
      this.support = [0, nBins - 1];
      this.sigma = f * FWHM_TO_SIGMA;
    }
    this.edges = new Float64Array(len + 1);
    for (let i = 0; i <= len; i++) this.edges[i] = this.originNs + i * binNs;
    this.xs = new Float64Array(len);
    this.dxs = new Float64Array(len);
    // per-term work arrays (second-parameter derivatives only for non-exponential terms)
    const empty = new Float64Array(0);
    this.unit = this.terms.map(() => new Float64Array(len));
    this.d1 = this.terms.map(() => new Float64Array(len));
    this.d2 = this.terms.map((t) => (t === 'exp' ? empty : new Float64Array(len)));
    this.dS = this.terms.map(() => empty);
    this.full = new Float64Array(len);
    if (this.hasGeneral) {
      this.kernels = [new Float64Array(len), new Float64Array(len), new Float64Array(len)];
      this.conv = new Convolver(len);
      this.convD = new Convolver(len);
    }
  }

  /** Number of bins in the fit window. */
  get windowLength(): number {
    return this.end - this.start;
  }

  /** Sets the shifted IRF (measured or Gaussian histogram) for this shift. */
  private prepareIrf(shift: number, derivative: boolean): void {
    if (shift === this.lastShift && (this.lastHadDerivative || !derivative)) return;
    const len = this.end;
    if (this.irf) {
      shiftHistogram(
        this.irf,
        shift / this.binNs,
        this.xs,
        derivative ? this.dxs : null,
        this.support[0],
        Math.min(this.support[1], this.irf.length - 1),
      );
      if (derivative) {
        const inv = 1 / this.binNs;
        for (let i = 0; i < len; i++) this.dxs[i]! *= inv;
      }
    } else {
      gaussianHistogram(this.edges, shift, this.sigma, this.xs, derivative ? this.dxs : null, len);
    }
    this.lastShift = shift;
    this.lastHadDerivative = derivative;
  }

  /** Computes each term's unit response (and derivatives) over bins [0, end). */
  private computeTerms(p: Float64Array, derivs: boolean): void {
    const len = this.end;
    const shift = p[this.shiftIndex]!;
    const wantShift = derivs && this.shiftDerivative;
    if (wantShift && this.dS[0]!.length !== len)
      for (let k = 0; k < this.terms.length; k++) this.dS[k] = new Float64Array(len);
    const gaussianExpPath = this.irfKind === 'gaussian';
    const needHistogram = this.irfKind === 'measured' || this.hasGeneral;
    if (needHistogram) this.prepareIrf(shift, wantShift);
    const periodBins = this.periodNs > 0 ? this.periodNs / this.binNs : 0;
    let generalReady = false;
    for (let k = 0; k < this.terms.length; k++) {
      const kind = this.terms[k]!;
      const o = this.offsets[k]!;
      const tau = p[o + 1]!;
      if (kind === 'exp') {
        if (gaussianExpPath) {
          gaussianExp(
            this.edges,
            tau,
            shift,
            this.sigma,
            this.periodNs,
            this.unit[k]!,
            derivs ? this.d1[k] : null,
            wantShift ? this.dS[k] : null,
            len,
          );
        } else {
          convolveExp(
            this.xs,
            tau,
            this.binNs,
            periodBins,
            this.unit[k]!,
            derivs ? this.d1[k] : null,
            wantShift ? this.dxs : null,
            wantShift ? this.dS[k] : null,
            len,
          );
        }
      } else {
        if (!generalReady) {
          this.conv!.setSignal(this.xs);
          if (wantShift) this.convD!.setSignal(this.dxs);
          generalReady = true;
        }
        const shape: ShapeFunction = kind === 'stretched' ? stretchedShape : powerShape;
        const [K, K1, K2] = this.kernels!;
        shapeKernel(
          shape,
          tau,
          p[o + 2]!,
          this.binNs,
          K!,
          derivs ? K1! : null,
          derivs ? K2! : null,
          len,
        );
        const inv = 1 / this.binNs;
        this.conv!.convolve(K!, this.unit[k]!, inv);
        if (derivs) {
          this.conv!.convolve(K1!, this.d1[k]!, inv);
          this.conv!.convolve(K2!, this.d2[k]!, inv);
          if (wantShift) this.convD!.convolve(K!, this.dS[k]!, inv);
        }
      }
    }
  }

  /** The model over bins [0, end) (a view of an internal buffer, overwritten by the next call). */
  evaluateFull(pIn: ArrayLike<number>): Float64Array {
    // one parameter-array type reaches the hot loops (mixing plain arrays in de-optimises them)
    const p = pIn instanceof Float64Array ? pIn : Float64Array.from(pIn);
    this.computeTerms(p, false);
    const f = this.full;
    f.fill(p[this.bgIndex]!);
    for (let k = 0; k < this.terms.length; k++) {
      const a = p[this.offsets[k]!]!;
      const u = this.unit[k]!;
      for (let i = 0; i < f.length; i++) f[i]! += a * u[i]!;
    }
    return f;
  }

  /**
   * Each term's contribution (amplitude included) and the background over bins [0, end), as new
   * arrays: for plotting components and counting their photons.
   */
  components(pIn: ArrayLike<number>): { terms: Float64Array[]; background: Float64Array } {
    const p = pIn instanceof Float64Array ? pIn : Float64Array.from(pIn);
    this.computeTerms(p, false);
    const terms = this.terms.map((_, k) => {
      const a = p[this.offsets[k]!]!;
      const u = this.unit[k]!;
      const out = new Float64Array(u.length);
      for (let i = 0; i < u.length; i++) out[i] = a * u[i]!;
      return out;
    });
    return { terms, background: new Float64Array(this.end).fill(p[this.bgIndex]!) };
  }

  evaluate(p: Float64Array, _x: Float64Array, out: Float64Array): void {
    const f = this.evaluateFull(p);
    const s = this.start;
    for (let i = 0; i < out.length; i++) {
      const v = f[s + i]!;
      // a tiny floor: a count where the model is exactly 0 (before the IRF, background held at 0)
      // is then very unlikely rather than impossible
      // (1e-9 counts per bin, written as a literal: with a module constant V8 deoptimised this
      // line once a bin was exactly 0)
      out[i] = v > 1e-9 ? v : v >= 0 ? 1e-9 : v;
    }
  }

  /**
   * The Jacobian of the model summed over groups of `group` bins of the window (rows = groups),
   * without forming the per-bin Jacobian.
   */
  groupedJacobian(p: Float64Array, group: number, jac: Float64Array): void {
    this.computeTerms(p, true);
    const np = this.params.length;
    const s = this.start;
    const n = this.end - s;
    const groups = Math.ceil(n / group);
    const wantShift = this.shiftDerivative;
    jac.fill(0, 0, groups * np);
    for (let j = 0; j < groups; j++) {
      const lo = s + j * group;
      const hi = Math.min(this.end, lo + group);
      const row = j * np;
      jac[row + this.bgIndex] = hi - lo;
      for (let k = 0; k < this.terms.length; k++) {
        const o = this.offsets[k]!;
        const a = p[o]!;
        const u = this.unit[k]!;
        const d1 = this.d1[k]!;
        let su = 0;
        let s1 = 0;
        for (let i = lo; i < hi; i++) {
          su += u[i]!;
          s1 += d1[i]!;
        }
        jac[row + o] = su;
        jac[row + o + 1] = a * s1;
        if (this.terms[k] !== 'exp') {
          const d2 = this.d2[k]!;
          let s2 = 0;
          for (let i = lo; i < hi; i++) s2 += d2[i]!;
          jac[row + o + 2] = a * s2;
        }
        if (wantShift) {
          const dS = this.dS[k]!;
          let ss = 0;
          for (let i = lo; i < hi; i++) ss += dS[i]!;
          jac[row + this.shiftIndex]! += a * ss;
        }
      }
    }
  }

  jacobian(p: Float64Array, _x: Float64Array, jac: Float64Array): void {
    this.computeTerms(p, true);
    const np = this.params.length;
    const s = this.start;
    const n = this.end - s;
    const bgI = this.bgIndex;
    const shI = this.shiftIndex;
    const wantShift = this.shiftDerivative;
    for (let i = 0; i < n; i++) {
      const row = i * np;
      jac[row + bgI] = 1;
      jac[row + shI] = 0;
    }
    for (let k = 0; k < this.terms.length; k++) {
      const o = this.offsets[k]!;
      const a = p[o]!;
      const u = this.unit[k]!;
      const d1 = this.d1[k]!;
      const general = this.terms[k] !== 'exp';
      const d2 = this.d2[k]!;
      const dS = this.dS[k]!;
      for (let i = 0; i < n; i++) {
        const row = i * np;
        const j = s + i;
        jac[row + o] = u[j]!;
        jac[row + o + 1] = a * d1[j]!;
        if (general) jac[row + o + 2] = a * d2[j]!;
        if (wantShift) jac[row + shI]! += a * dS[j]!;
      }
    }
  }
}

/**
 * A decay model on groups of `group` consecutive bins of the fit window (the last group may be
 * shorter): each value is the exact sum of the underlying model over its bins, so a fit to the
 * summed counts is the exact maximum-likelihood fit of the grouped histogram.
 *
 * @example
 * const g = new GroupedDecayModel(model, 8); // 4096 bins fitted as 512 groups
 */
export class GroupedDecayModel implements Model {
  readonly params: string[];
  readonly groups: number;
  private readonly fine: Float64Array;
  constructor(
    readonly model: DecayModel,
    readonly group: number,
  ) {
    if (!Number.isInteger(group) || group < 1)
      throw new InvalidInputError(`groupBins must be a positive integer, got ${group}`);
    this.params = model.params;
    const n = model.end - model.start;
    this.groups = Math.ceil(n / group);
    this.fine = new Float64Array(n);
  }

  /** Sums consecutive groups of `values` (one per bin of the window). */
  groupValues(values: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.groups);
    for (let i = 0; i < values.length; i++) out[Math.floor(i / this.group)]! += values[i]!;
    return out;
  }

  evaluate(p: Float64Array, _x: Float64Array, out: Float64Array): void {
    const f = this.fine;
    this.model.evaluate(p, f, f);
    const g = this.group;
    for (let j = 0; j < this.groups; j++) {
      let sum = 0;
      const hi = Math.min(f.length, (j + 1) * g);
      for (let i = j * g; i < hi; i++) sum += f[i]!;
      out[j] = sum;
    }
  }

  jacobian(p: Float64Array, _x: Float64Array, jac: Float64Array): void {
    this.model.groupedJacobian(p, this.group, jac);
  }
}
