/**
 * The fitting engine behind `fit()` and `fitGlobal()`: datasets and parameters become one
 * residual problem (weighted least-squares residuals or Poisson deviance residuals) in the
 * unconstrained internal coordinates of the free parameters, solved by Levenberg-Marquardt;
 * the result is then described for the real parameters.
 *
 * @module
 */
import { FitSetupError, InvalidInputError } from '../core/errors.js';
import { covarianceFromJacobian, EPSILON } from './linalg.js';
import { acquireScratch, Carver, releaseScratch } from './scratch.js';
import { levenbergMarquardt, type LMOutcome, type LMStop, type ResidualProblem } from './lm.js';
import {
  T_BOTH,
  T_NONE,
  toExternal,
  toInternal,
  transformDerivative,
  type PreparedParams,
} from './params.js';
import { logGamma } from './special.js';
import type {
  DatasetFitResult,
  FitMethod,
  FitOptions,
  FitStatus,
  GlobalFitResult,
  Model,
  ParamResult,
} from './types.js';

/** Default relative tolerances (sum of squares, step, gradient cosine). */
export const DEFAULT_FTOL = 1e-15;
export const DEFAULT_XTOL = 1e-15;
export const DEFAULT_GTOL = 1e-10;
export const DEFAULT_MAX_ITERATIONS = 1000;

const SQRT_EPS = Math.sqrt(EPSILON);
const CBRT_EPS = Math.cbrt(EPSILON);
const LN_2PI = Math.log(2 * Math.PI);

/** A dataset after validation, with its work buffers. */
export interface PreparedDataset {
  name: string;
  model: Model;
  /** Model parameter names. */
  modelParams: readonly string[];
  x: Float64Array;
  y: Float64Array;
  /** Residual weight per point (1/sigma, the given weights, or 1). */
  w: Float64Array;
  hasSigma: boolean;
  hasWeights: boolean;
  n: number;
  /** Points that count (nonzero weight). */
  nUsed: number;
  /** Global index of each model parameter. */
  map: Int32Array;
}

function toFloat64(a: ArrayLike<number>, what: string): Float64Array {
  if (a === null || a === undefined || typeof (a as ArrayLike<number>).length !== 'number') {
    throw new InvalidInputError(`${what} must be an array of numbers`);
  }
  return a instanceof Float64Array ? a : Float64Array.from(a as ArrayLike<number>);
}

function checkFinite(a: Float64Array, what: string, nVar = 1): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) {
      const where = nVar > 1 ? `point ${Math.floor(i / nVar)}, variable ${i % nVar}` : `index ${i}`;
      throw new InvalidInputError(`${what} is not finite at ${where} (${a[i]})`);
    }
  }
}

/** Validates one dataset's arrays and model; the parameter map is resolved later. *
 * @example
 * const d = prepareDataset(model, x, y, undefined, undefined, 'least-squares', 'data', '');
 */
export function prepareDataset(
  model: Model,
  xIn: ArrayLike<number>,
  yIn: ArrayLike<number>,
  sigma: ArrayLike<number> | undefined,
  weights: ArrayLike<number> | undefined,
  method: FitMethod,
  name: string,
  label: string,
): Omit<PreparedDataset, 'map'> {
  if (!model || typeof model.evaluate !== 'function' || !Array.isArray(model.params)) {
    throw new InvalidInputError(
      `${label}model must have a params array and an evaluate(p, x, out) function`,
    );
  }
  if (model.params.length === 0) throw new InvalidInputError(`${label}model has no parameters`);
  if (new Set(model.params).size !== model.params.length) {
    throw new InvalidInputError(
      `${label}model lists a parameter twice: ${model.params.join(', ')}`,
    );
  }
  const nVar = model.nVariables ?? 1;
  if (!Number.isInteger(nVar) || nVar < 1) {
    throw new InvalidInputError(`${label}model.nVariables must be a positive integer, got ${nVar}`);
  }
  const y = toFloat64(yIn, `${label}y`);
  const x = toFloat64(xIn, `${label}x`);
  const n = y.length;
  if (n === 0) throw new InvalidInputError(`${label}y is empty: nothing to fit`);
  if (x.length !== n * nVar) {
    throw new InvalidInputError(
      nVar === 1
        ? `${label}x has ${x.length} values but y has ${n}; they must be the same length`
        : `${label}x has ${x.length} values but y has ${n} points and the model has ${nVar} variables per point (expected ${n * nVar}, point-major)`,
    );
  }
  checkFinite(x, `${label}x`, nVar);
  checkFinite(y, `${label}y`);
  const w = new Float64Array(n).fill(1);
  let hasSigma = false;
  let hasWeights = false;
  if (method === 'poisson') {
    if (sigma !== undefined || weights !== undefined) {
      throw new InvalidInputError(
        `${label}sigma and weights are not used by Poisson fits (the variance is the model); remove them`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (y[i]! < 0)
        throw new InvalidInputError(
          `${label}y is negative at index ${i} (${y[i]}); Poisson fits need counts >= 0`,
        );
    }
  } else if (sigma !== undefined) {
    const s = toFloat64(sigma, `${label}sigma`);
    if (s.length !== n)
      throw new InvalidInputError(`${label}sigma has ${s.length} values but y has ${n}`);
    for (let i = 0; i < n; i++) {
      if (!(s[i]! > 0) || !Number.isFinite(s[i]!)) {
        throw new InvalidInputError(
          `${label}sigma must be positive and finite; index ${i} is ${s[i]}`,
        );
      }
      w[i] = 1 / s[i]!;
    }
    hasSigma = true;
  } else if (weights !== undefined) {
    const s = toFloat64(weights, `${label}weights`);
    if (s.length !== n)
      throw new InvalidInputError(`${label}weights has ${s.length} values but y has ${n}`);
    for (let i = 0; i < n; i++) {
      if (!(s[i]! >= 0) || !Number.isFinite(s[i]!)) {
        throw new InvalidInputError(
          `${label}weights must be >= 0 and finite; index ${i} is ${s[i]}`,
        );
      }
      w[i] = s[i]!;
    }
    hasWeights = true;
  }
  let nUsed = 0;
  for (let i = 0; i < n; i++) if (w[i]! > 0) nUsed++;
  return { name, model, modelParams: model.params, x, y, w, hasSigma, hasWeights, n, nUsed };
}

/** Poisson deviance term 2 [f - y + y ln(y/f)] with care near f = y; NaN if f is invalid. */
function poissonDevianceTerm(y: number, f: number): number {
  if (y === 0) return f >= 0 ? 2 * f : NaN;
  if (!(f > 0)) return NaN;
  return 2 * y * phi((f - y) / y);
}

/** t - ln(1 + t), accurate for small t. */
function phi(t: number): number {
  if (Math.abs(t) < 1e-2) {
    // t^2/2 - t^3/3 + t^4/4 - ...
    let term = t * t;
    let sum = 0;
    let sign = 1;
    for (let k = 2; k <= 9; k++) {
      sum += (sign * term) / k;
      term *= t;
      sign = -sign;
    }
    return sum;
  }
  return t - Math.log1p(t);
}

/** The residual problem in internal coordinates. */
class FitProblem implements ResidualProblem {
  readonly m: number;
  readonly n: number;
  readonly values: Float64Array;
  readonly dxdu: Float64Array;
  /** d tied / d free (external), nTied x nFree row-major. */
  readonly tiedGrad: Float64Array;
  readonly offsets: number[];
  /** Model values and Poisson row factors at the last evaluated (trial) point. */
  f: Float64Array[];
  rowFactor: Float64Array[];
  /** The same at the accepted point, with its parameter values. */
  fCur: Float64Array[];
  rfCur: Float64Array[];
  readonly cur: Float64Array;
  readonly p: Float64Array[];
  readonly jm: Float64Array[];
  readonly fd1: Float64Array[];
  readonly fd2: Float64Array[];
  readonly useAnalytic: boolean[];
  /** Whether a global parameter depends on the free parameters (free, or tied to free). */
  readonly active: Uint8Array;
  private readonly exprGrad: Float64Array;
  /** Per free parameter: 1 + the last dataset whose Jacobian block was written. */
  private readonly touched: Int32Array;
  modelEvaluations = 0;
  private readonly scratch: Float64Array;

  /** Returns the work space; the problem must not be used afterwards. */
  release(): void {
    releaseScratch(this.scratch);
  }

  constructor(
    readonly ds: PreparedDataset[],
    readonly pp: PreparedParams,
    readonly poisson: boolean,
    public jacMode: 'auto' | 'forward' | 'central',
  ) {
    let m = 0;
    this.offsets = [];
    for (const d of ds) {
      this.offsets.push(m);
      m += d.n;
    }
    this.m = m;
    const nF = pp.free.length;
    this.n = nF;
    const P = pp.names.length;
    let size = 5 * P + nF + pp.tied.length * nF;
    for (const d of ds) size += d.n * (7 + d.modelParams.length) + d.modelParams.length;
    this.scratch = acquireScratch(size);
    const c = new Carver(this.scratch);
    this.values = c.take(P);
    this.values.set(pp.initial);
    this.cur = c.take(P);
    this.cur.set(pp.initial);
    this.dxdu = c.take(nF);
    this.tiedGrad = c.take(pp.tied.length * nF);
    this.exprGrad = c.take(P);
    this.touched = new Int32Array(nF);
    this.f = ds.map((d) => c.take(d.n));
    this.rowFactor = ds.map((d) => {
      const a = c.take(d.n);
      a.set(d.w);
      return a;
    });
    this.fCur = ds.map((d) => c.take(d.n));
    this.rfCur = ds.map((d) => {
      const a = c.take(d.n);
      a.set(d.w);
      return a;
    });
    this.p = ds.map((d) => c.take(d.modelParams.length));
    this.jm = ds.map((d) => c.take(d.n * d.modelParams.length));
    this.fd1 = ds.map((d) => c.take(d.n));
    this.fd2 = ds.map((d) => c.take(d.n));
    this.useAnalytic = ds.map((d) => jacMode === 'auto' && typeof d.model.jacobian === 'function');
    this.active = new Uint8Array(P);
    for (let g = 0; g < P; g++) if (pp.freeIndex[g]! >= 0) this.active[g] = 1;
    for (const t of pp.tied) {
      for (const u of t.uses) if (this.active[u]) this.active[t.index] = 1;
    }
  }

  /** Sets all parameter values from internal coordinates. */
  setValues(u: Float64Array): void {
    const pp = this.pp;
    const v = this.values;
    for (let f = 0; f < this.n; f++) {
      v[pp.free[f]!] = toExternal(pp.kind[f]!, u[f]!, pp.lo[f]!, pp.hi[f]!, pp.scale[f]!);
    }
    for (const t of pp.tied) v[t.index] = t.evaluate(v);
  }

  /** Internal coordinates of the starting values. */
  initialInternal(): Float64Array {
    const pp = this.pp;
    const u = new Float64Array(this.n);
    for (let f = 0; f < this.n; f++) {
      u[f] = toInternal(pp.kind[f]!, pp.initial[pp.free[f]!]!, pp.lo[f]!, pp.hi[f]!, pp.scale[f]!);
    }
    return u;
  }

  /** Evaluates every model at the current `values` into `f`; returns the first bad point or -1. */
  private evaluateModels(): { dataset: number; index: number } | null {
    let bad: { dataset: number; index: number } | null = null;
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const p = this.p[d]!;
      const map = ds.map;
      for (let k = 0; k < p.length; k++) p[k] = this.values[map[k]!]!;
      const f = this.f[d]!;
      f.fill(NaN);
      ds.model.evaluate(p, ds.x, f);
      this.modelEvaluations++;
      if (bad === null) {
        for (let i = 0; i < ds.n; i++) {
          if (!Number.isFinite(f[i]!)) {
            bad = { dataset: d, index: i };
            break;
          }
        }
      }
    }
    return bad;
  }

  residuals(u: Float64Array, r: Float64Array): boolean {
    this.setValues(u);
    if (this.evaluateModels() !== null) return false;
    return this.fillResiduals(r);
  }

  /** The last evaluated point becomes the current one (called by the LM loop on acceptance). */
  accept(): void {
    const f = this.f;
    this.f = this.fCur;
    this.fCur = f;
    const rf = this.rowFactor;
    this.rowFactor = this.rfCur;
    this.rfCur = rf;
    this.cur.set(this.values);
  }

  /** Residuals (and Poisson row factors) from the current model values; false if invalid. */
  fillResiduals(r: Float64Array): boolean {
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const f = this.f[d]!;
      const y = ds.y;
      const off = this.offsets[d]!;
      if (!this.poisson) {
        const w = ds.w;
        for (let i = 0; i < ds.n; i++) r[off + i] = w[i]! * (f[i]! - y[i]!);
      } else {
        const rf = this.rowFactor[d]!;
        for (let i = 0; i < ds.n; i++) {
          const yi = y[i]!;
          const fi = f[i]!;
          if (yi === 0) {
            if (!(fi >= 0)) return false;
            r[off + i] = Math.sqrt(2 * fi);
            rf[i] = fi > 0 ? 1 / Math.sqrt(2 * fi) : 0;
          } else {
            if (!(fi > 0)) return false;
            const t = (fi - yi) / yi;
            if (t === 0) {
              r[off + i] = 0;
              rf[i] = 1 / Math.sqrt(yi);
            } else {
              const ph = phi(t);
              const s = Math.sqrt(2 * yi * ph);
              r[off + i] = t > 0 ? s : -s;
              rf[i] = Math.abs(t) / ((1 + t) * Math.sqrt(ph) * Math.sqrt(2 * yi));
            }
          }
        }
      }
    }
    for (let i = 0; i < this.m; i++) if (!Number.isFinite(r[i]!)) return false;
    return true;
  }

  /** Derivatives of free (transform) and tied parameters at the current values. */
  chainFactors(u: Float64Array, external: boolean): void {
    const pp = this.pp;
    const nF = this.n;
    for (let f = 0; f < nF; f++) {
      this.dxdu[f] = external
        ? 1
        : transformDerivative(pp.kind[f]!, u[f]!, pp.lo[f]!, pp.hi[f]!, pp.scale[f]!);
    }
    const tg = this.tiedGrad;
    for (let t = 0; t < pp.tied.length; t++) {
      const tie = pp.tied[t]!;
      const row = t * nF;
      for (let f = 0; f < nF; f++) tg[row + f] = 0;
      if (!this.active[tie.index]) continue;
      const g = tie.gradient(this.cur, this.exprGrad);
      for (const k of tie.uses) {
        const c = g[k]!;
        if (c === 0) continue;
        const fk = pp.freeIndex[k]!;
        if (fk >= 0) tg[row + fk]! += c;
        else {
          const tk = pp.tiedIndex[k]!;
          if (tk >= 0) {
            const rk = tk * nF;
            for (let f = 0; f < nF; f++) tg[row + f]! += c * tg[rk + f]!;
          }
        }
      }
    }
  }

  /** Model Jacobian of dataset d (row-major n x nPar) at the current values; false if not finite. */
  private modelJacobian(d: number): boolean {
    const ds = this.ds[d]!;
    const p = this.p[d]!;
    const jm = this.jm[d]!;
    const np = p.length;
    if (this.useAnalytic[d]) {
      jm.fill(0);
      ds.model.jacobian!(p, ds.x, jm);
      // v * 0 is 0 for finite v and NaN otherwise; four sums keep the loop fast
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const len = jm.length;
      const len4 = len & ~3;
      let i = 0;
      for (; i < len4; i += 4) {
        s0 += jm[i]! * 0;
        s1 += jm[i + 1]! * 0;
        s2 += jm[i + 2]! * 0;
        s3 += jm[i + 3]! * 0;
      }
      for (; i < len; i++) s0 += jm[i]! * 0;
      if (s0 + s1 + s2 + s3 === 0) return true;
      // fall back to finite differences where the analytic Jacobian fails
    }
    const f0 = this.fCur[d]!;
    const fd1 = this.fd1[d]!;
    const central = this.jacMode === 'central';
    const n = ds.n;
    for (let k = 0; k < np; k++) {
      const g = ds.map[k]!;
      if (!this.active[g]) {
        for (let i = 0; i < n; i++) jm[i * np + k] = 0;
        continue;
      }
      const pk = p[k]!;
      const fi = this.pp.freeIndex[g]!;
      const lo = fi >= 0 ? this.pp.lo[fi]! : -Infinity;
      const hi = fi >= 0 ? this.pp.hi[fi]! : Infinity;
      const scale = pk !== 0 ? Math.abs(pk) : 1;
      let done = false;
      if (central) {
        const h0 = CBRT_EPS * scale;
        const up = pk + h0;
        const dn = pk - h0;
        if (up <= hi && dn >= lo) {
          const fd2 = this.fd2[d]!;
          p[k] = up;
          ds.model.evaluate(p, ds.x, fd1);
          p[k] = dn;
          ds.model.evaluate(p, ds.x, fd2);
          this.modelEvaluations += 2;
          const h2 = up - dn;
          done = true;
          for (let i = 0; i < n; i++) {
            const v = (fd1[i]! - fd2[i]!) / h2;
            if (!Number.isFinite(v)) {
              done = false;
              break;
            }
            jm[i * np + k] = v;
          }
        }
      }
      if (!done) {
        // forward difference (backward if forward leaves the bounds or the model's domain)
        for (let attempt = 0; attempt < 2 && !done; attempt++) {
          const h0 = SQRT_EPS * scale;
          let xk = attempt === 0 ? pk + h0 : pk - h0;
          if (attempt === 0 && xk > hi) continue;
          if (attempt === 1 && xk < lo) xk = pk + h0;
          const h = xk - pk;
          if (h === 0) continue;
          p[k] = xk;
          ds.model.evaluate(p, ds.x, fd1);
          this.modelEvaluations++;
          done = true;
          for (let i = 0; i < n; i++) {
            const v = (fd1[i]! - f0[i]!) / h;
            if (!Number.isFinite(v)) {
              done = false;
              break;
            }
            jm[i * np + k] = v;
          }
        }
      }
      p[k] = pk;
      if (!done) return false;
    }
    return true;
  }

  /** Jacobian at the accepted point `u` (whose model values are in `fCur`). */
  jacobian(u: Float64Array, _r: Float64Array, jac: Float64Array): boolean {
    return this.assemble(u, jac, false);
  }

  /**
   * Writes the Jacobian of the residuals into `jac` (column-major m x nFree): with respect to the
   * internal coordinates, or (external = true) to the real parameters, the rows then weighted for
   * the covariance (least squares: w; Poisson: 1/sqrt(f), the Fisher information).
   */
  assemble(u: Float64Array, jac: Float64Array, external: boolean): boolean {
    const pp = this.pp;
    const m = this.m;
    const nF = this.n;
    this.chainFactors(u, external);
    const touched = this.touched;
    touched.fill(0);
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const p = this.p[d]!;
      for (let k = 0; k < p.length; k++) p[k] = this.cur[ds.map[k]!]!;
      if (!this.modelJacobian(d)) return false;
      const np = ds.modelParams.length;
      const jm = this.jm[d]!;
      const off = this.offsets[d]!;
      const n = ds.n;
      let rf = this.rfCur[d]!;
      if (external && this.poisson) {
        rf = this.fd1[d]!; // free to reuse now
        const f = this.fCur[d]!;
        for (let i = 0; i < n; i++) rf[i] = f[i]! > 0 ? 1 / Math.sqrt(f[i]!) : 0;
      }
      // column block (rows off .. off+n) of each free parameter: zeroed on first touch
      const dsIndex = d + 1;
      for (let k = 0; k < np; k++) {
        const g = ds.map[k]!;
        const fi = pp.freeIndex[g]!;
        if (fi >= 0) {
          const c = this.dxdu[fi]!;
          const col = fi * m + off;
          if (touched[fi] !== dsIndex) {
            touched[fi] = dsIndex;
            for (let i = 0, r = k; i < n; i++, r += np) {
              jac[col + i] = c * rf[i]! * jm[r]!;
            }
          } else {
            for (let i = 0, r = k; i < n; i++, r += np) {
              jac[col + i]! += c * rf[i]! * jm[r]!;
            }
          }
        } else {
          const t = pp.tiedIndex[g]!;
          if (t < 0 || !this.active[g]) continue;
          for (let f = 0; f < nF; f++) {
            const c = this.tiedGrad[t * nF + f]! * this.dxdu[f]!;
            if (c === 0) continue;
            const col = f * m + off;
            if (touched[f] !== dsIndex) {
              touched[f] = dsIndex;
              for (let i = 0; i < n; i++) jac[col + i] = 0;
            }
            for (let i = 0, r = k; i < n; i++, r += np) {
              jac[col + i]! += c * rf[i]! * jm[r]!;
            }
          }
        }
      }
      // free parameters this dataset does not depend on
      for (let f = 0; f < nF; f++) {
        if (touched[f] !== dsIndex) jac.fill(0, f * m + off, f * m + off + n);
      }
    }
    // non-finite entries are caught by the caller (column norms in the QR factorisation)
    return true;
  }

  /** Describes the first invalid model value at the current parameters, for an error message. */
  describeBadPoint(): string {
    const bad = this.evaluateModels();
    const parts = this.pp.names.map((nm, g) => `${nm} = ${this.values[g]}`).join(', ');
    let where = bad;
    if (where === null && this.poisson) {
      // finite but not a valid Poisson mean: f <= 0 where counts were seen, or f < 0
      for (let d = 0; d < this.ds.length && where === null; d++) {
        const f = this.f[d]!;
        const y = this.ds[d]!.y;
        for (let i = 0; i < f.length; i++) {
          if (y[i]! > 0 ? !(f[i]! > 0) : f[i]! < 0) {
            where = { dataset: d, index: i };
            break;
          }
        }
      }
    }
    if (where === null) return `the residuals are not finite with the starting values ${parts}`;
    const ds = this.ds[where.dataset]!;
    const nVar = ds.model.nVariables ?? 1;
    const xs = Array.from(ds.x.subarray(where.index * nVar, where.index * nVar + nVar)).join(', ');
    const label = this.ds.length > 1 ? `${ds.name}, ` : '';
    const value = this.f[where.dataset]![where.index];
    const why =
      bad === null
        ? ` but a Poisson fit needs a positive model where counts were observed (y = ${ds.y[where.index]})`
        : '';
    return `the model gives ${value} at ${label}point ${where.index} (x = ${xs})${why} with the starting values ${parts}`;
  }
}

/**
 * The smooth bound transforms make the objective flat in the internal coordinate at a bound, so
 * a parameter whose optimum lies on (or beyond) a bound creeps towards it and the fit stops a
 * hair inside (e.g. 1e-9 of its scale). Each free parameter within 1e-6 (relative) of a bound is
 * put exactly on it if that does not increase the objective.
 */
function snapToBounds(prob: FitProblem, out: LMOutcome, r: Float64Array): void {
  const pp = prob.pp;
  let ss = out.fnorm * out.fnorm;
  for (let f = 0; f < prob.n; f++) {
    const kind = pp.kind[f]!;
    if (kind === T_NONE) continue;
    const x = prob.cur[pp.free[f]!]!;
    const lo = pp.lo[f]!;
    const hi = pp.hi[f]!;
    const scale = kind === T_BOTH ? hi - lo : pp.scale[f]!;
    let target: number;
    if (lo > -Infinity && x - lo <= 1e-6 * scale && x !== lo)
      target = kind === T_BOTH ? -Math.PI / 2 : 0;
    else if (hi < Infinity && hi - x <= 1e-6 * scale && x !== hi)
      target = kind === T_BOTH ? Math.PI / 2 : 0;
    else continue;
    const old = out.u[f]!;
    out.u[f] = target;
    let ok = false;
    if (prob.residuals(out.u, r)) {
      let s2 = 0;
      for (let i = 0; i < prob.m; i++) s2 += r[i]! * r[i]!;
      ok = s2 <= ss * (1 + 1e-14);
      if (ok) {
        prob.accept();
        ss = s2;
      }
    }
    if (!ok) out.u[f] = old;
  }
  out.fnorm = Math.sqrt(ss);
}

function stopStatus(stop: LMStop): FitStatus {
  if (stop.startsWith('converged')) return 'converged';
  switch (stop) {
    case 'max-iterations':
    case 'max-evaluations':
      return 'max-iterations';
    case 'non-finite-jacobian':
    case 'non-finite-steps':
      return 'non-finite';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'stalled';
  }
}

function stopMessage(
  out: LMOutcome,
  s: { ftol: number; xtol: number; gtol: number; maxIterations: number },
  poisson: boolean,
): string {
  const obj = poisson ? 'deviance' : 'sum of squares';
  switch (out.stop) {
    case 'converged-ftol':
      return `converged: the relative change of the ${obj} fell below ftol = ${s.ftol}`;
    case 'converged-xtol':
      return `converged: the relative parameter step fell below xtol = ${s.xtol}`;
    case 'converged-ftol-xtol':
      return `converged: the relative change of the ${obj} and the relative step fell below ftol = ${s.ftol} and xtol = ${s.xtol}`;
    case 'converged-gtol':
      return `converged: the residuals are orthogonal to the Jacobian within gtol = ${s.gtol}`;
    case 'converged-zero-residual':
      return out.iterations === 0 && out.u.length === 0
        ? 'no free parameters: nothing to fit'
        : 'converged: the residuals are exactly zero';
    case 'converged-machine-ftol':
      return `converged: the ${obj} cannot be reduced further at machine precision`;
    case 'converged-machine-gtol':
      return 'converged: the gradient vanishes at machine precision';
    case 'machine-xtol':
      return 'stalled: the trust region shrank to machine precision without meeting a convergence test';
    case 'zero-jacobian':
      return 'stalled: the model does not change with any free parameter here (zero Jacobian); check the starting values';
    case 'max-iterations':
      return `stopped at the iteration cap (${s.maxIterations} Jacobian evaluations) before converging`;
    case 'max-evaluations':
      return `stopped at the cap on model evaluations (${out.evaluations}) before converging`;
    case 'non-finite-jacobian':
      return 'stopped: the Jacobian is not finite at the current parameters';
    case 'non-finite-steps':
      return 'stopped: every step tried from the current parameters gives non-finite model values';
    case 'cancelled':
      return 'cancelled by the caller';
  }
}

function checkTolerance(v: number | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new InvalidInputError(`${name} must be a finite number >= 0, got ${String(v)}`);
  }
  return v;
}

/** Runs a prepared fit and describes the result. *
 * @example
 * const result = runFit([{ ...dataset, map: Int32Array.of(0, 1) }], prepareParams(params, names, msg), {});
 */
export function runFit(
  ds: PreparedDataset[],
  pp: PreparedParams,
  options: FitOptions,
  perDataset = true,
): GlobalFitResult {
  const method: FitMethod = options.method ?? 'least-squares';
  if (method !== 'least-squares' && method !== 'poisson') {
    throw new InvalidInputError(
      `method must be "least-squares" or "poisson", got ${JSON.stringify(method)}`,
    );
  }
  const poisson = method === 'poisson';
  const jacMode = options.jacobian ?? 'auto';
  if (jacMode !== 'auto' && jacMode !== 'forward' && jacMode !== 'central') {
    throw new InvalidInputError(
      `jacobian must be "auto", "forward" or "central", got ${JSON.stringify(jacMode)}`,
    );
  }
  const ftol = checkTolerance(options.ftol, 'ftol', DEFAULT_FTOL);
  const xtol = checkTolerance(options.xtol, 'xtol', DEFAULT_XTOL);
  const gtol = checkTolerance(options.gtol, 'gtol', DEFAULT_GTOL);
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new InvalidInputError(`maxIterations must be a positive integer, got ${maxIterations}`);
  }

  const nFree = pp.free.length;
  let nData = 0;
  for (const d of ds) nData += poisson ? d.n : d.nUsed;
  if (nData < nFree) {
    throw new FitSetupError(
      `${nData} data point${nData === 1 ? '' : 's'} cannot determine ${nFree} free parameters (${Array.from(pp.free, (g) => pp.names[g]).join(', ')})`,
    );
  }

  const prob = new FitProblem(ds, pp, poisson, jacMode);
  try {
    const u0 = prob.initialInternal();
    const r0 = new Float64Array(prob.m);
    if (!prob.residuals(u0, r0)) {
      throw new FitSetupError(`cannot start the fit: ${prob.describeBadPoint()}`);
    }
    prob.accept();
    const settings = {
      ftol,
      xtol,
      gtol,
      maxIterations,
      maxEvaluations: Math.max(200, 20 * maxIterations),
      stepBound: 100,
      signal: options.signal,
    };
    let out: LMOutcome;
    if (options.signal?.aborted) {
      out = { u: u0, fnorm: NaN, stop: 'cancelled', iterations: 0, evaluations: 1, gnorm: NaN };
    } else {
      out = levenbergMarquardt(prob, u0, r0, settings);
      if (out.stop !== 'cancelled' && out.stop !== 'non-finite-jacobian')
        snapToBounds(prob, out, r0);
    }
    return describe(
      prob,
      out,
      method,
      stopStatus(out.stop),
      stopMessage(out, settings, poisson),
      perDataset,
    );
  } finally {
    prob.release();
  }
}

function describe(
  prob: FitProblem,
  out: LMOutcome,
  method: FitMethod,
  status: FitStatus,
  message: string,
  perDataset: boolean,
): GlobalFitResult {
  const pp = prob.pp;
  const ds = prob.ds;
  const poisson = method === 'poisson';
  const nFree = pp.free.length;
  const values = Float64Array.from(prob.cur);

  // statistics
  let chi2 = 0;
  let deviance = 0;
  let logL = 0;
  let nData = 0;
  let sumLogW = 0;
  let allSigma = true;
  const datasets: DatasetFitResult[] = [];
  const best = new Float64Array(prob.m);
  const residuals = new Float64Array(prob.m);
  for (let d = 0; d < ds.length; d++) {
    const dset = ds[d]!;
    const f = prob.fCur[d]!;
    const off = prob.offsets[d]!;
    let c2 = 0;
    let dev = 0;
    best.set(f, off);
    for (let i = 0; i < dset.n; i++) {
      const yi = dset.y[i]!;
      const fi = f[i]!;
      residuals[off + i] = yi - fi;
      if (poisson) {
        if (fi > 0) c2 += ((yi - fi) * (yi - fi)) / fi;
        dev += poissonDevianceTerm(yi, fi);
        logL += (yi > 0 ? yi * Math.log(fi) : 0) - fi - logGamma(yi + 1);
      } else {
        const wi = dset.w[i]!;
        const t = wi * (yi - fi);
        c2 += t * t;
        if (wi > 0) sumLogW += Math.log(wi);
      }
    }
    if (!poisson) dev = c2;
    if (!dset.hasSigma) allSigma = false;
    chi2 += c2;
    deviance += dev;
    const nd = poisson ? dset.n : dset.nUsed;
    nData += nd;
    if (perDataset) {
      const params: Record<string, number> = {};
      dset.modelParams.forEach((name, k) => (params[name] = values[dset.map[k]!]!));
      datasets.push({
        name: dset.name,
        params,
        best: best.slice(off, off + dset.n),
        residuals: residuals.slice(off, off + dset.n),
        chi2: c2,
        deviance: dev,
        nData: nd,
      });
    }
  }
  const dof = nData - nFree;
  const reducedChi2 = chi2 / Math.max(dof, 1);
  const chi2Floor = Math.max(chi2, Number.MIN_VALUE);
  let aic: number;
  let bic: number;
  if (poisson) {
    aic = -2 * logL + 2 * nFree;
    bic = -2 * logL + Math.log(nData) * nFree;
  } else {
    if (allSigma) logL = -0.5 * chi2 + sumLogW - 0.5 * nData * LN_2PI;
    else logL = -0.5 * nData * (LN_2PI + Math.log(chi2Floor) - Math.log(nData) + 1) + sumLogW;
    const lnChi2PerPoint = Math.log(chi2Floor) - Math.log(nData);
    aic = nData * lnChi2PerPoint + 2 * nFree;
    bic = nData * lnChi2PerPoint + Math.log(nData) * nFree;
  }

  // covariance of the real free parameters
  let covariance: number[][] | null = null;
  let correlation: number[][] | null = null;
  const covScratch = acquireScratch(prob.m * nFree + 2 * nFree * nFree + 4 * nFree);
  const cc = new Carver(covScratch);
  const cov = cc.take(nFree * nFree);
  let haveCov = false;
  if (nFree > 0 && status !== 'cancelled') {
    const jac = cc.take(prob.m * nFree);
    // finite-difference fits: central differences for the covariance (errors ~eps^(2/3), not eps^(1/2))
    if (prob.jacMode !== 'central' && prob.useAnalytic.some((a) => !a)) prob.jacMode = 'central';
    if (
      prob.assemble(out.u, jac, true) &&
      covarianceFromJacobian(prob.m, nFree, jac, cov, 1e-12, cc.take(4 * nFree + nFree * nFree))
    ) {
      const scaled = !poisson && !allSigma;
      if (!scaled || dof > 0) {
        const factor = scaled ? chi2 / dof : 1;
        for (let i = 0; i < cov.length; i++) cov[i]! *= factor;
        haveCov = true;
        for (let i = 0; i < cov.length; i++) if (!Number.isFinite(cov[i]!)) haveCov = false;
      }
    }
  }
  if (haveCov) {
    covariance = [];
    correlation = [];
    for (let a = 0; a < nFree; a++) {
      const row: number[] = [];
      const crow: number[] = [];
      for (let b = 0; b < nFree; b++) {
        row.push(cov[a * nFree + b]!);
        const den = Math.sqrt(cov[a * nFree + a]! * cov[b * nFree + b]!);
        crow.push(den > 0 ? cov[a * nFree + b]! / den : a === b ? 1 : 0);
      }
      covariance.push(row);
      correlation.push(crow);
    }
  }

  if (nFree === 0) {
    covariance = [];
    correlation = [];
  }

  // parameters
  const params: Record<string, ParamResult> = {};
  prob.chainFactors(out.u, true);
  for (let g = 0; g < pp.names.length; g++) {
    const name = pp.names[g]!;
    const fi = pp.freeIndex[g]!;
    const ti = pp.tiedIndex[g]!;
    let stderr: number | null = null;
    if (haveCov) {
      if (fi >= 0) stderr = Math.sqrt(Math.max(0, cov[fi * nFree + fi]!));
      else if (ti >= 0 && prob.active[g]) {
        const row = ti * nFree;
        let v = 0;
        for (let a = 0; a < nFree; a++) {
          const ga = prob.tiedGrad[row + a]!;
          if (ga === 0) continue;
          for (let b = 0; b < nFree; b++) v += ga * cov[a * nFree + b]! * prob.tiedGrad[row + b]!;
        }
        stderr = Math.sqrt(Math.max(0, v));
      }
      if (stderr !== null && !Number.isFinite(stderr)) stderr = null;
    }
    const v = values[g]!;
    const lo = pp.min[g]!;
    const hi = pp.max[g]!;
    params[name] = {
      value: v,
      stderr,
      initial: pp.initial[g]!,
      min: lo,
      max: hi,
      fixed: pp.fixed[g]!,
      expr: pp.expr[g] ?? null,
      atBound: fi >= 0 && isAtBound(v, lo, hi, pp.initial[g]!),
    };
  }

  releaseScratch(covScratch);
  return {
    method,
    params,
    freeParams: Array.from(pp.free, (g) => pp.names[g]!),
    covariance,
    correlation,
    chi2,
    reducedChi2,
    deviance,
    logLikelihood: logL,
    aic,
    bic,
    nData,
    nFree,
    dof,
    converged: status === 'converged',
    status,
    message,
    iterations: out.iterations,
    evaluations: prob.modelEvaluations,
    best,
    residuals,
    datasets,
  };
}

/** Within 1e-10 (relative to the range, or to the bound's size and the start's distance) of a bound. */
function isAtBound(v: number, lo: number, hi: number, x0: number): boolean {
  const range = hi - lo;
  if (Number.isFinite(range)) return v - lo <= 1e-10 * range || hi - v <= 1e-10 * range;
  if (lo > -Infinity)
    return v - lo <= 1e-10 * Math.max(Math.abs(lo), Math.abs(x0 - lo), Number.MIN_VALUE);
  if (hi < Infinity)
    return hi - v <= 1e-10 * Math.max(Math.abs(hi), Math.abs(hi - x0), Number.MIN_VALUE);
  return false;
}
