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
  expKernelCoefficients,
  type ExpKernelCoefficients,
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
  /** Bins [from, to) of xs and of dxs that may be non-zero (written by the last shifts). */
  private readonly xsRange = Int32Array.of(0, 0, 0, 0);
  /** Bin after the last non-zero bin of the shifted measured IRF (and its derivative). */
  private irfEnd = 0;
  /**
   * Bins [fineBegin, fineEnd) computed bin by bin by the last `computeTerms`; before fineBegin
   * the IRF has not started (every term is 0), from fineEnd on the terms are summed in closed form.
   */
  private fineBegin = 0;
  private fineEnd = 0;
  /** Per term: the convolution's recursion state (s, ds/dq, s of the IRF derivative) at fineEnd. */
  private readonly tailState: Float64Array[];
  /** Measured IRF and only exponential terms: past the IRF, every term is a pure exponential. */
  private readonly closedTail: boolean;
  private readonly coef: ExpKernelCoefficients = { q: 0, dq: 0, k0: 0, dk0: 0, c: 0, dc: 0 };
  private readonly unit: Float64Array[];
  private readonly d1: Float64Array[];
  private readonly d2: Float64Array[];
  private readonly dS: Float64Array[];
  private full: Float64Array | null = null;
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
    // bin edges for the Gaussian IRF's exact integrals
    this.edges = new Float64Array(this.irfKind === 'gaussian' ? len + 1 : 0);
    for (let i = 0; i < this.edges.length; i++) this.edges[i] = this.originNs + i * binNs;
    this.xs = new Float64Array(len);
    this.dxs = new Float64Array(len);
    // per-term work arrays, grown to the bins a computation needs (grouped fits with a
    // closed-form tail need only the IRF's extent); second-parameter derivatives only for
    // non-exponential terms
    const empty = new Float64Array(0);
    this.unit = this.terms.map(() => empty);
    this.d1 = this.terms.map(() => empty);
    this.d2 = this.terms.map((t) => (t === 'exp' ? empty : new Float64Array(len)));
    this.dS = this.terms.map(() => empty);
    this.tailState = this.terms.map(() => new Float64Array(3));
    this.closedTail = this.irfKind === 'measured' && !this.hasGeneral;
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
      const lo = this.support[0];
      const hi = Math.min(this.support[1], this.irf.length - 1);
      // shiftHistogram writes bins lo + k - 1 .. hi + k + 2 (k = floor(shift in bins)): clear
      // only what the previous shift wrote
      const k = Math.floor(shift / this.binNs);
      const from = Math.max(0, Math.min(len, lo + k - 1));
      const to = Math.max(0, Math.min(len, hi + k + 3));
      this.xs.fill(0, this.xsRange[0], this.xsRange[1]);
      if (derivative) this.dxs.fill(0, this.xsRange[2], this.xsRange[3]);
      shiftHistogram(
        this.irf,
        shift / this.binNs,
        this.xs,
        derivative ? this.dxs : null,
        lo,
        hi,
        true,
      );
      this.xsRange[0] = from;
      this.xsRange[1] = to;
      if (derivative) {
        this.xsRange[2] = from;
        this.xsRange[3] = to;
        const inv = 1 / this.binNs;
        for (let i = from; i < to; i++) this.dxs[i]! *= inv;
      }
      this.irfEnd = to;
    } else {
      gaussianHistogram(this.edges, shift, this.sigma, this.xs, derivative ? this.dxs : null, len);
    }
    this.lastShift = shift;
    this.lastHadDerivative = derivative;
  }

  /**
   * Computes each term's unit response (and derivatives) over bins [0, end); with `group` > 0 and
   * a closed-form tail, only up to the first group boundary (groups of the window) past the IRF,
   * keeping each term's recursion state there (see `fineEnd`, `tailState`).
   */
  private computeTerms(p: Float64Array, derivs: boolean, group = 0): void {
    let len = this.end;
    const shift = p[this.shiftIndex]!;
    const wantShift = derivs && this.shiftDerivative;
    const gaussianExpPath = this.irfKind === 'gaussian';
    const needHistogram = this.irfKind === 'measured' || this.hasGeneral;
    if (needHistogram) this.prepareIrf(shift, wantShift);
    let begin = 0;
    if (group > 0 && this.closedTail) {
      const s = this.start;
      len =
        this.irfEnd <= s ? s : Math.min(this.end, s + Math.ceil((this.irfEnd - s) / group) * group);
      // without earlier pulses nothing happens before the IRF: start at its group
      if (this.periodNs === 0) {
        const first = Math.min(this.xsRange[0]!, len);
        begin = first <= s ? 0 : s + Math.floor((first - s) / group) * group;
      }
    }
    this.fineBegin = begin;
    this.fineEnd = len;
    if (this.unit[0]!.length < len || (wantShift && this.dS[0]!.length < len)) {
      // grow (with some room, as the IRF's extent moves with the shift)
      const size = Math.min(this.end, Math.max(len, Math.ceil(1.25 * len)));
      for (let k = 0; k < this.terms.length; k++) {
        if (this.unit[k]!.length < len) {
          this.unit[k] = new Float64Array(size);
          this.d1[k] = new Float64Array(size);
        }
        if (wantShift && this.dS[k]!.length < len) this.dS[k] = new Float64Array(size);
      }
    }
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
            this.tailState[k],
            begin,
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
    this.full ??= new Float64Array(this.end);
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
   * The unit response (amplitude 1, no background) of the model's first term over bins [0, end),
   * a view of an internal buffer overwritten by the next call: the basis column of a one-term
   * model, without the passes `evaluateFull` spends on amplitude and background.
   */
  unitResponse(pIn: ArrayLike<number>): Float64Array {
    const p = pIn instanceof Float64Array ? pIn : Float64Array.from(pIn);
    this.computeTerms(p, false);
    return this.unit[0]!;
  }

  /** Expected counts of each term (amplitude included) summed over the fit window. */
  termWindowSums(pIn: ArrayLike<number>): number[] {
    const p = pIn instanceof Float64Array ? pIn : Float64Array.from(pIn);
    this.computeTerms(p, false);
    return this.terms.map((_, k) => {
      const u = this.unit[k]!;
      let sum = 0;
      for (let i = this.start; i < this.end; i++) sum += u[i]!;
      return p[this.offsets[k]!]! * sum;
    });
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
   * Closed-form sums of a pure exponential tail over a group of `g` bins: with q the kernel's
   * ratio, g0 = sum_{j<g} q^j, g1 = sum_{j<g} j q^(j-1) (= d g0 / dq), qg = q^g, qg1 = q^(g-1).
   */
  private static groupSums(q: number, g: number, out: Float64Array): void {
    let g0 = 0;
    let g1 = 0;
    let pw = 1;
    let prev = 1;
    for (let j = 0; j < g; j++) {
      g0 += pw;
      if (j > 0) g1 += j * prev;
      prev = pw;
      pw *= q;
    }
    out[0] = g0;
    out[1] = g1;
    out[2] = pw;
    out[3] = prev;
  }

  private readonly sumsFull = new Float64Array(4);
  private readonly sumsLast = new Float64Array(4);

  /**
   * The model summed over groups of `group` bins of the window (the last group may be shorter),
   * floored like `evaluate`. With a measured IRF and exponential terms, the groups past the IRF
   * are summed in closed form, so the cost grows with the IRF's extent, not the histogram's.
   */
  groupedEvaluate(p: Float64Array, group: number, out: Float64Array): void {
    this.computeTerms(p, false, group);
    const s = this.start;
    const end = this.end;
    const fineEnd = this.fineEnd;
    const fineBegin = this.fineBegin;
    const groups = Math.ceil((end - s) / group);
    const bg = p[this.bgIndex]!;
    const nt = this.terms.length;
    let j = 0;
    for (; j < groups; j++) {
      const lo = s + j * group;
      if (lo >= fineEnd) break;
      const hi = Math.min(end, lo + group);
      let sum = bg * (hi - lo);
      if (hi <= fineBegin) {
        out[j] = sum;
        continue;
      }
      for (let k = 0; k < nt; k++) {
        const a = p[this.offsets[k]!]!;
        const u = this.unit[k]!;
        let su = 0;
        for (let i = lo; i < hi; i++) su += u[i]!;
        sum += a * su;
      }
      out[j] = sum;
    }
    const firstTail = j;
    for (let g = firstTail; g < groups; g++) {
      const lo = s + g * group;
      out[g] = bg * (Math.min(end, lo + group) - lo);
    }
    if (firstTail < groups) {
      const lastLen = end - (s + (groups - 1) * group);
      for (let k = 0; k < nt; k++) {
        const a = p[this.offsets[k]!]!;
        const cf = expKernelCoefficients(p[this.offsets[k]! + 1]!, this.binNs, this.coef);
        const q = cf.q;
        const scale = (a * cf.c) / this.binNs;
        DecayModel.groupSums(q, group, this.sumsFull);
        DecayModel.groupSums(q, lastLen, this.sumsLast);
        const g0 = this.sumsFull[0]!;
        const qg = this.sumsFull[2]!;
        let S = this.tailState[k]![0]!;
        for (let g = firstTail; g < groups - 1; g++) {
          out[g]! += scale * S * g0;
          S *= qg;
        }
        out[groups - 1]! += scale * S * this.sumsLast[0]!;
      }
    }
    for (let g = 0; g < groups; g++) {
      const v = out[g]!;
      out[g] = v > 1e-9 ? v : v >= 0 ? 1e-9 : v;
    }
  }

  /**
   * The Jacobian of the model summed over groups of `group` bins of the window (rows = groups),
   * without forming the per-bin Jacobian; past the IRF in closed form as in `groupedEvaluate`.
   */
  groupedJacobian(p: Float64Array, group: number, jac: Float64Array): void {
    this.computeTerms(p, true, group);
    const np = this.params.length;
    const s = this.start;
    const end = this.end;
    const fineEnd = this.fineEnd;
    const groups = Math.ceil((end - s) / group);
    const wantShift = this.shiftDerivative;
    jac.fill(0, 0, groups * np);
    let firstTail = groups;
    for (let j = 0; j < groups; j++) {
      const lo = s + j * group;
      const hi = Math.min(end, lo + group);
      const row = j * np;
      jac[row + this.bgIndex] = hi - lo;
      if (lo >= fineEnd) {
        if (firstTail === groups) firstTail = j;
        continue;
      }
      if (hi <= this.fineBegin) continue; // before the IRF: only the background
      for (let k = 0; k < this.terms.length; k++) {
        const o = this.offsets[k]!;
        const a = p[o]!;
        const u = this.unit[k]!;
        const d1 = this.d1[k]!;
        let su = 0;
        let s1 = 0;
        if (wantShift) {
          const dS = this.dS[k]!;
          let ss = 0;
          for (let i = lo; i < hi; i++) {
            su += u[i]!;
            s1 += d1[i]!;
            ss += dS[i]!;
          }
          jac[row + this.shiftIndex]! += a * ss;
        } else {
          for (let i = lo; i < hi; i++) {
            su += u[i]!;
            s1 += d1[i]!;
          }
        }
        jac[row + o] = su;
        jac[row + o + 1] = a * s1;
        if (this.terms[k] !== 'exp') {
          const d2 = this.d2[k]!;
          let s2 = 0;
          for (let i = lo; i < hi; i++) s2 += d2[i]!;
          jac[row + o + 2] = a * s2;
        }
      }
    }
    if (firstTail === groups) return;
    // past the IRF: s_m = S q^m, ds_m/dq = T q^m + m S q^(m-1), u_m = U q^m (bins m of the tail)
    const lastLen = end - (s + (groups - 1) * group);
    const inv = 1 / this.binNs;
    const shI = this.shiftIndex;
    for (let k = 0; k < this.terms.length; k++) {
      const o = this.offsets[k]!;
      const a = p[o]!;
      const cf = expKernelCoefficients(p[o + 1]!, this.binNs, this.coef);
      const { q, c, dc, dq } = cf;
      DecayModel.groupSums(q, group, this.sumsFull);
      const st = this.tailState[k]!;
      let S = st[0]!;
      let T = st[1]!;
      let U = st[2]!;
      for (let j = firstTail; j < groups; j++) {
        const sums = j === groups - 1 ? this.sumsLast : this.sumsFull;
        if (j === groups - 1) DecayModel.groupSums(q, lastLen, sums);
        const g0 = sums[0]!;
        const g1 = sums[1]!;
        const row = j * np;
        const sumS = S * g0;
        const sumT = T * g0 + S * g1;
        jac[row + o] = c * sumS * inv;
        jac[row + o + 1] = a * (dc * sumS + c * dq * sumT) * inv;
        if (wantShift) jac[row + shI]! += a * c * U * g0 * inv;
        const qg = sums[2]!;
        const gl = j === groups - 1 ? lastLen : group;
        T = T * qg + gl * S * sums[3]!;
        S *= qg;
        U *= qg;
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
 * summed counts is the exact maximum-likelihood fit of the grouped histogram. With a measured IRF
 * and exponential terms only the bins the IRF covers are computed one by one; the groups after
 * it are summed in closed form (see `DecayModel.groupedEvaluate`).
 *
 * @example
 * const g = new GroupedDecayModel(model, 8); // 4096 bins fitted as 512 groups
 */
export class GroupedDecayModel implements Model {
  readonly params: string[];
  readonly groups: number;
  constructor(
    readonly model: DecayModel,
    readonly group: number,
  ) {
    if (!Number.isInteger(group) || group < 1)
      throw new InvalidInputError(`groupBins must be a positive integer, got ${group}`);
    this.params = model.params;
    const n = model.end - model.start;
    this.groups = Math.ceil(n / group);
  }

  /** Sums consecutive groups of `values` (one per bin of the window). */
  groupValues(values: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.groups);
    for (let i = 0; i < values.length; i++) out[Math.floor(i / this.group)]! += values[i]!;
    return out;
  }

  evaluate(p: Float64Array, _x: Float64Array, out: Float64Array): void {
    this.model.groupedEvaluate(p, this.group, out);
  }

  jacobian(p: Float64Array, _x: Float64Array, jac: Float64Array): void {
    this.model.groupedJacobian(p, this.group, jac);
  }
}
