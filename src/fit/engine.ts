/**
 * The fitting engine behind `fit()` and `fitGlobal()`: datasets and parameters become one
 * residual problem (weighted least-squares residuals or Poisson deviance residuals) in the
 * unconstrained internal coordinates of the free parameters, solved by Levenberg-Marquardt;
 * the result is then described for the real parameters.
 *
 * @module
 */
import { FitSetupError, InvalidInputError } from '../core/errors.js';
import { covarianceFromJacobian, covarianceFromNormal, EPSILON, gramOfColumns } from './linalg.js';
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
  FitResult,
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
  /** Residual weight per point (1/sigma, the given weights, or 1); read-only (may be shared). */
  w: Float64Array;
  hasSigma: boolean;
  hasWeights: boolean;
  n: number;
  /** Points that count (nonzero weight). */
  nUsed: number;
  /** Global index of each model parameter. */
  map: Int32Array;
}

/** Whether a name occurs twice. */
function hasDuplicate(names: readonly string[]): boolean {
  if (names.length > 16) return new Set(names).size !== names.length;
  for (let i = 1; i < names.length; i++) {
    for (let j = 0; j < i; j++) if (names[i] === names[j]) return true;
  }
  return false;
}

/** A shared buffer of ones: the (read-only) weights of unweighted datasets. */
let onesBuffer = new Float64Array(0);
function ones(n: number): Float64Array {
  if (onesBuffer.length < n)
    onesBuffer = new Float64Array(Math.max(n, 2 * onesBuffer.length)).fill(1);
  return onesBuffer.subarray(0, n);
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
  if (hasDuplicate(model.params)) {
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
  let w: Float64Array;
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
    w = ones(n);
  } else if (sigma !== undefined) {
    const s = toFloat64(sigma, `${label}sigma`);
    if (s.length !== n)
      throw new InvalidInputError(`${label}sigma has ${s.length} values but y has ${n}`);
    w = new Float64Array(n);
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
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (!(s[i]! >= 0) || !Number.isFinite(s[i]!)) {
        throw new InvalidInputError(
          `${label}weights must be >= 0 and finite; index ${i} is ${s[i]}`,
        );
      }
      w[i] = s[i]!;
    }
    hasWeights = true;
  } else w = ones(n);
  let nUsed = n;
  if (hasWeights) {
    nUsed = 0;
    for (let i = 0; i < n; i++) if (w[i]! > 0) nUsed++;
  }
  return { name, model, modelParams: model.params, x, y, w, hasSigma, hasWeights, n, nUsed };
}

/**
 * Gram matrix G (lower triangle, 3 x 3) and right side b = V^T r[off..] of the weighted columns
 * V[i, a] = rf[i] jm[i * np + cols[a]] of a model Jacobian, for three active columns.
 */
function gram3(
  jm: Float64Array,
  np: number,
  cols: Int32Array,
  rf: Float64Array,
  r: Float64Array | null,
  off: number,
  n: number,
  G: Float64Array,
  b: Float64Array,
): void {
  const c0 = cols[0]!;
  const c1 = cols[1]!;
  const c2 = cols[2]!;
  let g00 = 0;
  let g10 = 0;
  let g11 = 0;
  let g20 = 0;
  let g21 = 0;
  let g22 = 0;
  for (let i = 0, row = 0; i < n; i++, row += np) {
    const w = rf[i]!;
    const v0 = w * jm[row + c0]!;
    const v1 = w * jm[row + c1]!;
    const v2 = w * jm[row + c2]!;
    g00 += v0 * v0;
    g10 += v1 * v0;
    g11 += v1 * v1;
    g20 += v2 * v0;
    g21 += v2 * v1;
    g22 += v2 * v2;
  }
  G[0] = g00;
  G[3] = g10;
  G[4] = g11;
  G[6] = g20;
  G[7] = g21;
  G[8] = g22;
  if (r !== null) {
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    for (let i = 0, row = 0; i < n; i++, row += np) {
      const w = rf[i]! * r[off + i]!;
      b0 += w * jm[row + c0]!;
      b1 += w * jm[row + c1]!;
      b2 += w * jm[row + c2]!;
    }
    b[0] = b0;
    b[1] = b1;
    b[2] = b2;
  }
}

/** As `gram3` for any number of active columns: weighted columns, then dot products. */
function gramColumns(
  jm: Float64Array,
  np: number,
  cols: Int32Array,
  rf: Float64Array,
  r: Float64Array | null,
  off: number,
  n: number,
  G: Float64Array,
  b: Float64Array,
  wc: Float64Array,
): void {
  const na = cols.length;
  // weighted columns, gathered four at a time (one pass over the rows per four columns: a loop
  // with a single store per row runs at about half the speed in V8)
  let a0 = 0;
  for (; a0 + 3 < na; a0 += 4) {
    const c0 = cols[a0]!;
    const c1 = cols[a0 + 1]!;
    const c2 = cols[a0 + 2]!;
    const c3 = cols[a0 + 3]!;
    const o0 = a0 * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    for (let i = 0, row = 0; i < n; i++, row += np) {
      const f = rf[i]!;
      wc[o0 + i] = f * jm[row + c0]!;
      wc[o1 + i] = f * jm[row + c1]!;
      wc[o2 + i] = f * jm[row + c2]!;
      wc[o3 + i] = f * jm[row + c3]!;
    }
  }
  for (; a0 < na; a0++) {
    const ca = cols[a0]!;
    const o = a0 * n;
    for (let i = 0, row = ca; i < n; i++, row += np) wc[o + i] = rf[i]! * jm[row]!;
  }
  gramOfColumns(wc, na, n, r, off, G, b);
}

/**
 * ata += C^T G C and (if given) atr += C^T b, for G symmetric (na x na, lower triangle used) and
 * the chain matrix C (na x nF, row-major).
 */
function addCongruence(
  na: number,
  nF: number,
  G: Float64Array,
  b: Float64Array,
  C: Float64Array,
  ata: Float64Array,
  atr: Float64Array | null,
): void {
  for (let a = 0; a < na; a++) {
    for (let c = 0; c <= a; c++) {
      const gac = G[a * na + c]!;
      if (gac === 0) continue;
      for (let f = 0; f < nF; f++) {
        const caf = C[a * nF + f]!;
        const ccf = C[c * nF + f]!;
        if (caf === 0 && ccf === 0) continue;
        for (let h = 0; h < nF; h++) {
          let add = caf * C[c * nF + h]!;
          if (c !== a) add += ccf * C[a * nF + h]!;
          ata[f * nF + h]! += gac * add;
        }
      }
    }
    if (atr !== null) {
      const ba = b[a]!;
      for (let f = 0; f < nF; f++) atr[f]! += C[a * nF + f]! * ba;
    }
  }
}

/** ln(k!) for integer k below this come from a table (filled lazily with `logGamma`). */
const LN_FACTORIAL_TABLE_MAX = 1 << 16;
let lnFactorialTable = new Float64Array(0);

/** ln(y!) = ln Gamma(y + 1) (a table lookup for the integer counts of a Poisson fit). */
function lnFactorial(y: number): number {
  if (y < lnFactorialTable.length && Number.isInteger(y)) return lnFactorialTable[y]!;
  if (y >= LN_FACTORIAL_TABLE_MAX || !Number.isInteger(y) || !(y >= 0)) return logGamma(y + 1);
  const old = lnFactorialTable;
  const size = Math.min(LN_FACTORIAL_TABLE_MAX, Math.max(1024, 2 * old.length, y + 1));
  lnFactorialTable = new Float64Array(size);
  lnFactorialTable.set(old);
  for (let k = old.length; k < size; k++) lnFactorialTable[k] = logGamma(k + 1);
  return lnFactorialTable[y]!;
}

/**
 * The residual problem in internal coordinates (exported for the engine's own tests). *
 * @example
 * const prob = new FitProblem([{ ...dataset, map }], pp, false, 'auto');
 * prob.residuals(u, r);
 */
export class FitProblem implements ResidualProblem {
  readonly m: number;
  readonly n: number;
  readonly values: Float64Array;
  readonly dxdu: Float64Array;
  /** d tied / d free (external), nTied x nFree row-major. */
  readonly tiedGrad: Float64Array;
  readonly offsets: number[];
  /** Model values at the last evaluated (trial) point. */
  f: Float64Array[];
  /** The same at the accepted point, with its parameter values. */
  fCur: Float64Array[];
  readonly cur: Float64Array;
  readonly p: Float64Array[];
  /** Model Jacobians (row-major n x nPar) at the accepted point, valid while `jmValid`. */
  readonly jm: Float64Array[];
  private jmValid = false;
  /** Row factors d residual / d model of the Jacobian being assembled. */
  readonly rf: Float64Array[];
  readonly fd1: Float64Array[];
  readonly fd2: Float64Array[];
  readonly useAnalytic: boolean[];
  /** Whether a global parameter depends on the free parameters (free, or tied to free). */
  readonly active: Uint8Array;
  /** Per dataset: the model parameters that depend on the free ones. */
  private readonly activeCols: Int32Array[];
  private readonly exprGrad: Float64Array;
  /** Per free parameter: 1 + the last dataset whose Jacobian block was written. */
  private readonly touched: Int32Array;
  /** Work space of the normal equations: model-space Gram matrix, its right side, the chain matrix. */
  private readonly gram: Float64Array;
  private readonly gramRhs: Float64Array;
  /** Weighted active columns of a dataset's model Jacobian (column-major). */
  private readonly gramCols: Float64Array;
  private readonly chain: Float64Array;
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
    let maxNp = 0;
    for (const d of ds) {
      this.offsets.push(m);
      m += d.n;
      maxNp = Math.max(maxNp, d.modelParams.length);
    }
    this.m = m;
    const nF = pp.free.length;
    this.n = nF;
    const P = pp.names.length;
    let maxCols = 0;
    for (const d of ds) maxCols = Math.max(maxCols, d.n * d.modelParams.length);
    let size = 5 * P + nF + pp.tied.length * nF + maxNp * maxNp + maxNp + maxNp * nF + maxCols;
    for (const d of ds) size += d.n * (6 + d.modelParams.length) + d.modelParams.length;
    this.scratch = acquireScratch(size, false);
    const c = new Carver(this.scratch);
    this.values = c.take(P);
    this.values.set(pp.initial);
    this.cur = c.take(P);
    this.cur.set(pp.initial);
    this.dxdu = c.take(nF);
    this.tiedGrad = c.take(pp.tied.length * nF);
    this.exprGrad = c.take(P);
    this.exprGrad.fill(0);
    this.touched = new Int32Array(nF);
    this.gram = c.take(maxNp * maxNp);
    this.gramRhs = c.take(maxNp);
    this.gramCols = c.take(maxCols);
    this.chain = c.take(maxNp * nF);
    this.f = ds.map((d) => c.take(d.n));
    this.fCur = ds.map((d) => c.take(d.n));
    this.rf = ds.map((d) => c.take(d.n));
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
    this.activeCols = ds.map((d) => {
      const cols: number[] = [];
      for (let k = 0; k < d.modelParams.length; k++) if (this.active[d.map[k]!]) cols.push(k);
      return Int32Array.from(cols);
    });
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

  /** Evaluates every model at the current `values` into `f`. */
  private evaluateModels(): void {
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const p = this.p[d]!;
      const map = ds.map;
      for (let k = 0; k < p.length; k++) p[k] = this.values[map[k]!]!;
      const f = this.f[d]!;
      // a model that leaves a value unwritten gives NaN there, not a stale value
      f.fill(NaN);
      ds.model.evaluate(p, ds.x, f);
      this.modelEvaluations++;
    }
  }

  /** The first point where a model is not finite, after `evaluateModels`. */
  private firstBadPoint(): { dataset: number; index: number } | null {
    for (let d = 0; d < this.ds.length; d++) {
      const f = this.f[d]!;
      for (let i = 0; i < f.length; i++) {
        if (!Number.isFinite(f[i]!)) return { dataset: d, index: i };
      }
    }
    return null;
  }

  residuals(u: Float64Array, r: Float64Array): boolean {
    this.setValues(u);
    this.evaluateModels();
    return this.fillResiduals(r);
  }

  /** The last evaluated point becomes the current one (called by the LM loop on acceptance). */
  accept(): void {
    const f = this.f;
    this.f = this.fCur;
    this.fCur = f;
    this.cur.set(this.values);
    this.jmValid = false;
  }

  /**
   * Residuals from the current model values: w (f - y) for least squares, the signed deviance
   * residuals sign(f - y) sqrt(2 [f - y + y ln(y/f)]) for Poisson; false if any is not finite
   * (or a Poisson mean is invalid).
   */
  fillResiduals(r: Float64Array): boolean {
    // v * 0 is 0 for finite v and NaN otherwise
    let check = 0;
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const f = this.f[d]!;
      const y = ds.y;
      const off = this.offsets[d]!;
      const n = ds.n;
      if (!this.poisson) {
        const w = ds.w;
        for (let i = 0; i < n; i++) {
          const v = w[i]! * (f[i]! - y[i]!);
          r[off + i] = v;
          check += v * 0;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const yi = y[i]!;
          const fi = f[i]!;
          let v: number;
          if (yi === 0) {
            if (!(fi >= 0)) return false;
            v = Math.sqrt(2 * fi);
          } else {
            if (!(fi > 0)) return false;
            const diff = fi - yi;
            const t = diff / yi;
            // phi(t) = t - ln(1 + t), by its alternating series t^2/2 - t^3/3 + ... (to t^17,
            // error below 1e-17 relative; Estrin's scheme) where the difference would cancel;
            // written out here because a call returning a double allocates
            let ph: number;
            if (t > -0.1 && t < 0.1) {
              const t2 = t * t;
              const t4 = t2 * t2;
              const q0 = 0.5 + t * (-1 / 3) + t2 * (0.25 + t * -0.2);
              const q1 = 1 / 6 + t * (-1 / 7) + t2 * (0.125 + t * (-1 / 9));
              const q2 = 0.1 + t * (-1 / 11) + t2 * (1 / 12 + t * (-1 / 13));
              const q3 = 1 / 14 + t * (-1 / 15) + t2 * (1 / 16 + t * (-1 / 17));
              ph = t2 * (q0 + t4 * q1 + t4 * t4 * (q2 + t4 * q3));
            } else ph = t - Math.log1p(t);
            const s = Math.sqrt(2 * yi * ph);
            v = diff >= 0 ? s : -s;
          }
          r[off + i] = v;
          check += v * 0;
        }
      }
    }
    return check === 0;
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

  /** The model Jacobians at the accepted point (computed once per point and Jacobian mode). */
  private modelJacobians(): boolean {
    if (this.jmValid) return true;
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const p = this.p[d]!;
      for (let k = 0; k < p.length; k++) p[k] = this.cur[ds.map[k]!]!;
      if (!this.modelJacobian(d)) return false;
    }
    this.jmValid = true;
    return true;
  }

  /** Switches the finite-difference mode (the cached model Jacobians are then stale). */
  setJacobianMode(mode: 'auto' | 'forward' | 'central'): void {
    if (mode !== this.jacMode) this.jmValid = false;
    this.jacMode = mode;
  }

  /**
   * Row factors d residual / d model at the accepted point: least squares w; Poisson, for the
   * fit, the derivative of the deviance residual r (given) |f - y| / (f |r|), or, for the
   * covariance (external), 1/sqrt(f) (the Fisher information).
   */
  private rowFactors(r: Float64Array | null, external: boolean): void {
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const rf = this.rf[d]!;
      const n = ds.n;
      if (!this.poisson) continue; // least squares: rowFactor(d) is w
      const f = this.fCur[d]!;
      if (external || r === null) {
        for (let i = 0; i < n; i++) rf[i] = f[i]! > 0 ? 1 / Math.sqrt(f[i]!) : 0;
        continue;
      }
      const y = ds.y;
      const off = this.offsets[d]!;
      for (let i = 0; i < n; i++) {
        const ri = r[off + i]!;
        const fi = f[i]!;
        const yi = y[i]!;
        // r = sign(f - y) sqrt(2 y phi((f - y)/y)): dr/df = |f - y| / (f |r|); at r = 0 (f = y)
        // the limit 1/sqrt(y)
        rf[i] = ri !== 0 ? Math.abs(fi - yi) / (fi * Math.abs(ri)) : yi > 0 ? 1 / Math.sqrt(yi) : 0;
      }
    }
  }

  /** The row factors of dataset d after `rowFactors`. */
  private rowFactor(d: number): Float64Array {
    return this.poisson ? this.rf[d]! : this.ds[d]!.w;
  }

  /** Jacobian at the accepted point `u` (whose model values are in `fCur`, residuals `r`). */
  jacobian(u: Float64Array, r: Float64Array, jac: Float64Array): boolean {
    return this.assemble(u, r, jac, false);
  }

  /** J^T J and J^T r at the accepted point `u`, without forming J. */
  normalEquations(u: Float64Array, r: Float64Array, ata: Float64Array, atr: Float64Array): boolean {
    if (!this.modelJacobians()) return false;
    this.chainFactors(u, false);
    this.rowFactors(r, false);
    this.gramFromModels(r, ata, atr);
    return true;
  }

  /**
   * J^T J (and J^T r if `r` is given) from the model Jacobians, the row factors and the chain
   * factors: per dataset the Gram matrix of the weighted model Jacobian over the active model
   * parameters, mapped to the free parameters by the chain matrix C (J_d = diag(rf) Jm_d C_d).
   */
  private gramFromModels(r: Float64Array | null, ata: Float64Array, atr: Float64Array): void {
    const pp = this.pp;
    const nF = this.n;
    ata.fill(0, 0, nF * nF);
    atr.fill(0, 0, nF);
    const G = this.gram;
    const b = this.gramRhs;
    const C = this.chain;
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const cols = this.activeCols[d]!;
      const na = cols.length;
      if (na === 0) continue;
      const np = ds.modelParams.length;
      const jm = this.jm[d]!;
      const rf = this.rowFactor(d);
      const off = this.offsets[d]!;
      const n = ds.n;
      if (na === 3) gram3(jm, np, cols, rf, r, off, n, G, b);
      else gramColumns(jm, np, cols, rf, r, off, n, G, b, this.gramCols);
      // chain matrix C (na x nF): d model parameter / d free coordinate
      C.fill(0, 0, na * nF);
      for (let a = 0; a < na; a++) {
        const g = ds.map[cols[a]!]!;
        const fi = pp.freeIndex[g]!;
        if (fi >= 0) C[a * nF + fi] = this.dxdu[fi]!;
        else {
          const t = pp.tiedIndex[g]!;
          for (let f = 0; f < nF; f++) C[a * nF + f] = this.tiedGrad[t * nF + f]! * this.dxdu[f]!;
        }
      }
      addCongruence(na, nF, G, b, C, ata, r === null ? null : atr);
    }
  }

  /**
   * J^T W J of the real free parameters at the accepted point, for the covariance (rows weighted
   * as in `assemble` with external = true); false if the Jacobian cannot be computed.
   */
  normalMatrixExternal(u: Float64Array, ata: Float64Array, work: Float64Array): boolean {
    if (!this.modelJacobians()) return false;
    this.chainFactors(u, true);
    this.rowFactors(null, true);
    this.gramFromModels(null, ata, work);
    return true;
  }

  /**
   * Writes the Jacobian of the residuals into `jac` (column-major m x nFree): with respect to the
   * internal coordinates (row factors from the residuals `r` at `u`), or (external = true) to the
   * real parameters, the rows then weighted for the covariance (least squares: w; Poisson:
   * 1/sqrt(f), the Fisher information).
   */
  assemble(u: Float64Array, r: Float64Array | null, jac: Float64Array, external: boolean): boolean {
    const pp = this.pp;
    const m = this.m;
    const nF = this.n;
    if (!this.modelJacobians()) return false;
    this.chainFactors(u, external);
    this.rowFactors(r, external);
    const touched = this.touched;
    touched.fill(0);
    for (let d = 0; d < this.ds.length; d++) {
      const ds = this.ds[d]!;
      const np = ds.modelParams.length;
      const jm = this.jm[d]!;
      const off = this.offsets[d]!;
      const n = ds.n;
      const rf = this.rowFactor(d);
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
            for (let i = 0, row = k; i < n; i++, row += np) {
              jac[col + i] = c * rf[i]! * jm[row]!;
            }
          } else {
            for (let i = 0, row = k; i < n; i++, row += np) {
              jac[col + i]! += c * rf[i]! * jm[row]!;
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
            for (let i = 0, row = k; i < n; i++, row += np) {
              jac[col + i]! += c * rf[i]! * jm[row]!;
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
    this.evaluateModels();
    const bad = this.firstBadPoint();
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
 * put exactly on it if that does not increase the objective. `r` holds the residuals at `out.u`
 * (kept up to date); `trial` is work space (m).
 */
function snapToBounds(
  prob: FitProblem,
  out: LMOutcome,
  r: Float64Array,
  trial: Float64Array,
): void {
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
    if (prob.residuals(out.u, trial)) {
      let s2 = 0;
      for (let i = 0; i < prob.m; i++) s2 += trial[i]! * trial[i]!;
      ok = s2 <= ss * (1 + 1e-14);
      if (ok) {
        prob.accept();
        r.set(trial);
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

/**
 * Runs a prepared fit and describes the result (with the per-dataset part unless `perDataset`
 * is false). *
 * @example
 * const result = runFit([{ ...dataset, map: Int32Array.of(0, 1) }], prepareParams(params, names, msg), {});
 */
export function runFit(
  ds: PreparedDataset[],
  pp: PreparedParams,
  options: FitOptions,
): GlobalFitResult;
export function runFit(
  ds: PreparedDataset[],
  pp: PreparedParams,
  options: FitOptions,
  perDataset: false,
): FitResult;
export function runFit(
  ds: PreparedDataset[],
  pp: PreparedParams,
  options: FitOptions,
  perDataset = true,
): FitResult | GlobalFitResult {
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
  const work = acquireScratch(2 * prob.m, false);
  try {
    const u0 = prob.initialInternal();
    const r0 = work.subarray(0, prob.m);
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
      // on return r0 holds the residuals at out.u
      out = levenbergMarquardt(prob, u0, r0, settings);
      if (out.stop !== 'cancelled' && out.stop !== 'non-finite-jacobian')
        snapToBounds(prob, out, r0, work.subarray(prob.m, 2 * prob.m));
    }
    return describe(
      prob,
      out,
      r0,
      method,
      stopStatus(out.stop),
      stopMessage(out, settings, poisson),
      perDataset,
      options.covariance ?? true,
    );
  } finally {
    releaseScratch(work);
    prob.release();
  }
}

/** Sums of the statistics loops: chi2, deviance, log-likelihood, sum of ln w. */
const statisticsAccumulator = new Float64Array(4);

/**
 * Poisson statistics of one dataset: residuals y - f, Pearson chi-square (acc[0]), deviance (acc[1],
 * the sum of the squared deviance residuals r), log-likelihood sum [y ln f - f - ln y!] (acc[2]).
 */
function poissonStatistics(
  y: Float64Array,
  f: Float64Array,
  r: Float64Array,
  off: number,
  n: number,
  residuals: Float64Array,
  acc: Float64Array,
): void {
  // ln(y!) from the table (filled up to the largest count first)
  let ymax = 0;
  for (let i = 0; i < n; i++) if (y[i]! > ymax) ymax = y[i]!;
  lnFactorial(Math.floor(ymax));
  const table = lnFactorialTable;
  let c2 = 0;
  let dev = 0;
  let logL = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    const fi = f[i]!;
    const diff = yi - fi;
    residuals[off + i] = diff;
    if (fi > 0) c2 += (diff * diff) / fi;
    const ri = r[off + i]!;
    dev += ri * ri;
    const lnYFactorial = yi < table.length && yi === Math.floor(yi) ? table[yi]! : lnFactorial(yi);
    logL += (yi > 0 ? yi * Math.log(fi) : 0) - fi - lnYFactorial;
  }
  acc[0] = c2;
  acc[1] = dev;
  acc[2] = logL;
}

/** Least-squares statistics of one dataset: residuals y - f, chi2 (acc[0]), sum of ln w over w > 0 (acc[3]). */
function leastSquaresStatistics(
  y: Float64Array,
  f: Float64Array,
  w: Float64Array,
  off: number,
  n: number,
  residuals: Float64Array,
  weighted: boolean,
  acc: Float64Array,
): void {
  let c2 = 0;
  for (let i = 0; i < n; i++) {
    const diff = y[i]! - f[i]!;
    residuals[off + i] = diff;
    const t = w[i]! * diff;
    c2 += t * t;
  }
  let sumLogW = 0;
  if (weighted) for (let i = 0; i < n; i++) if (w[i]! > 0) sumLogW += Math.log(w[i]!);
  acc[0] = c2;
  acc[3] = sumLogW;
}

/** Largest condition estimate of the scaled J^T W J for a covariance from the normal matrix. */
const COVARIANCE_MAX_COND = 1e6;

/**
 * (J^T W J)^-1 of the real free parameters at the accepted point into `cov` (row-major): from the
 * normal matrix when it is well conditioned, else from the QR factorisation of J (which also
 * judges rank deficiency); false if not estimable. Finite-difference fits switch to central
 * differences first (errors ~eps^(2/3), not eps^(1/2)).
 */
function unscaledCovariance(
  prob: FitProblem,
  u: Float64Array,
  cov: Float64Array,
  cc: Carver,
): boolean {
  const nFree = prob.n;
  const nn = nFree * nFree;
  if (prob.jacMode !== 'central' && prob.useAnalytic.some((a) => !a))
    prob.setJacobianMode('central');
  const ata = cc.take(nn);
  const work = cc.take(3 * nn + 5 * nFree);
  if (!prob.normalMatrixExternal(u, ata, work)) return false;
  if (covarianceFromNormal(nFree, ata, cov, COVARIANCE_MAX_COND, work)) return true;
  const jacScratch = acquireScratch(prob.m * nFree, false);
  try {
    const jac = jacScratch.subarray(0, prob.m * nFree);
    return (
      prob.assemble(u, null, jac, true) &&
      covarianceFromJacobian(prob.m, nFree, jac, cov, 1e-12, work)
    );
  } finally {
    releaseScratch(jacScratch);
  }
}

function describe(
  prob: FitProblem,
  out: LMOutcome,
  r: Float64Array,
  method: FitMethod,
  status: FitStatus,
  message: string,
  perDataset: boolean,
  wantCovariance = true,
): FitResult | GlobalFitResult {
  const pp = prob.pp;
  const ds = prob.ds;
  const poisson = method === 'poisson';
  const nFree = pp.free.length;
  const values = prob.cur;

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
  const acc = statisticsAccumulator;
  for (let d = 0; d < ds.length; d++) {
    const dset = ds[d]!;
    const f = prob.fCur[d]!;
    const off = prob.offsets[d]!;
    const y = dset.y;
    const n = dset.n;
    best.set(f, off);
    acc.fill(0);
    if (poisson) poissonStatistics(y, f, r, off, n, residuals, acc);
    else
      leastSquaresStatistics(
        y,
        f,
        dset.w,
        off,
        n,
        residuals,
        dset.hasSigma || dset.hasWeights,
        acc,
      );
    const c2 = acc[0]!;
    const dev = poisson ? acc[1]! : c2;
    logL += acc[2]!;
    sumLogW += acc[3]!;
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

  // covariance of the real free parameters: from the normal matrix J^T W J when it is well
  // conditioned, else from the QR factorisation of J
  let covariance: number[][] | null = null;
  let correlation: number[][] | null = null;
  const nn = nFree * nFree;
  const covScratch = acquireScratch(5 * nn + 6 * nFree, false);
  const cc = new Carver(covScratch);
  const cov = cc.take(nn);
  let haveCov = false;
  if (nFree > 0 && status !== 'cancelled' && wantCovariance) {
    const ok = unscaledCovariance(prob, out.u, cov, cc);
    if (ok) {
      const scaled = !poisson && !allSigma;
      if (!scaled || dof > 0) {
        const factor = scaled ? chi2 / dof : 1;
        for (let i = 0; i < nn; i++) cov[i]! *= factor;
        haveCov = true;
        for (let i = 0; i < nn; i++) if (!Number.isFinite(cov[i]!)) haveCov = false;
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
  const result: FitResult = {
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
  };
  return perDataset ? { ...result, datasets } : result;
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
