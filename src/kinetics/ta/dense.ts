/**
 * Small dense linear algebra for the kinetics analyses: Householder least squares with many
 * right-hand sides (variable projection), LU with partial pivoting (the stiff ODE solver),
 * and the inverse of small symmetric positive definite matrices (covariances).
 * Matrices are Float64Array; the storage order is stated at each function.
 *
 * @module
 */

const EPS = 2.220446049250313e-16;

/**
 * Householder QR of an m x k matrix (column-major, m >= k) kept for solving many least-squares
 * problems min ||C a - d|| with the same C. Columns that are numerically dependent (|R_jj| below
 * `rcond` times the largest) get coefficient 0 and are reported in `rank`.
 *
 * @example
 * const qr = new LeastSquaresQR(Float64Array.of(1, 1, 1, 0, 1, 2), 3, 2); // columns [1,1,1] and [0,1,2]
 * qr.solve(Float64Array.of(1, 3, 5)); // [1, 2]
 */
export class LeastSquaresQR {
  readonly m: number;
  readonly k: number;
  /** Householder vectors below the diagonal and R on and above it (column-major m x k). */
  private readonly a: Float64Array;
  private readonly beta: Float64Array;
  private readonly rdiag: Float64Array;
  /** Number of columns kept (the rest are treated as dependent). */
  readonly rank: number;
  private readonly keep: Uint8Array;
  private readonly work: Float64Array;

  constructor(c: Float64Array, m: number, k: number, rcond = 1e-12) {
    this.m = m;
    this.k = k;
    const a = Float64Array.from(c.subarray(0, m * k));
    this.a = a;
    this.beta = new Float64Array(k);
    this.rdiag = new Float64Array(k);
    this.keep = new Uint8Array(k);
    this.work = new Float64Array(m);
    let maxR = 0;
    for (let j = 0; j < k && j < m; j++) {
      const col = j * m;
      let norm = 0;
      for (let i = j; i < m; i++) norm += a[col + i]! * a[col + i]!;
      norm = Math.sqrt(norm);
      if (norm === 0) {
        this.beta[j] = 0;
        this.rdiag[j] = 0;
        continue;
      }
      const alpha = a[col + j]! > 0 ? -norm : norm;
      // v = x - alpha e1 stored in place; beta = 2 / (v^T v)
      a[col + j] = a[col + j]! - alpha;
      let vtv = 0;
      for (let i = j; i < m; i++) vtv += a[col + i]! * a[col + i]!;
      const beta = vtv > 0 ? 2 / vtv : 0;
      this.beta[j] = beta;
      for (let jj = j + 1; jj < k; jj++) {
        const c2 = jj * m;
        let s = 0;
        for (let i = j; i < m; i++) s += a[col + i]! * a[c2 + i]!;
        s *= beta;
        for (let i = j; i < m; i++) a[c2 + i] = a[c2 + i]! - s * a[col + i]!;
      }
      this.rdiag[j] = alpha;
      maxR = Math.max(maxR, Math.abs(alpha));
    }
    let rank = 0;
    for (let j = 0; j < k; j++) {
      if (j < m && Math.abs(this.rdiag[j]!) > rcond * maxR && maxR > 0) {
        this.keep[j] = 1;
        rank++;
      }
    }
    this.rank = rank;
  }

  /** Writes Q^T d into `work` (length m). */
  private applyQt(d: ArrayLike<number>, offset: number): Float64Array {
    const { m, k, a } = this;
    const w = this.work;
    for (let i = 0; i < m; i++) w[i] = d[offset + i]!;
    for (let j = 0; j < k && j < m; j++) {
      const beta = this.beta[j]!;
      if (beta === 0) continue;
      const col = j * m;
      let s = 0;
      for (let i = j; i < m; i++) s += a[col + i]! * w[i]!;
      s *= beta;
      for (let i = j; i < m; i++) w[i] = w[i]! - s * a[col + i]!;
    }
    return w;
  }

  /**
   * Least-squares coefficients for d (read from `d[offset .. offset + m)`), written into `out`
   * (length k). Dependent columns get 0.
   */
  solve(
    d: ArrayLike<number>,
    offset = 0,
    out: Float64Array = new Float64Array(this.k),
  ): Float64Array {
    const { m, k, a } = this;
    const w = this.applyQt(d, offset);
    for (let j = k - 1; j >= 0; j--) {
      if (!this.keep[j]) {
        out[j] = 0;
        continue;
      }
      let s = w[j]!;
      for (let jj = j + 1; jj < k; jj++) if (this.keep[jj]) s -= a[jj * m + j]! * out[jj]!;
      out[j] = s / this.rdiag[j]!;
    }
    return out;
  }
}

/**
 * In-place LU factorisation with partial pivoting of an n x n row-major matrix. Returns false
 * if the matrix is singular to working precision.
 *
 * @example
 * const a = Float64Array.of(4, 3, 6, 3); const piv = new Int32Array(2);
 * luFactor(a, 2, piv); luSolve(a, 2, piv, Float64Array.of(10, 12)); // [1, 2]
 */
export function luFactor(a: Float64Array, n: number, piv: Int32Array): boolean {
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]!));
  if (!(scale > 0) || !Number.isFinite(scale)) return false;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    piv[k] = p;
    if (best <= EPS * scale * 1e-3) return false;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = t;
      }
    }
    const d = a[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k]! /= d);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j] = a[i * n + j]! - f * a[k * n + j]!;
    }
  }
  return true;
}

/**
 * Solves A x = b in place (b becomes x) with the factors of {@link luFactor}.
 *
 * @example
 * luSolve(lu, 2, piv, Float64Array.of(10, 12)); // x, written over b
 */
export function luSolve(
  lu: Float64Array,
  n: number,
  piv: Int32Array,
  b: Float64Array,
): Float64Array {
  for (let k = 0; k < n; k++) {
    const p = piv[k]!;
    if (p !== k) {
      const t = b[k]!;
      b[k] = b[p]!;
      b[p] = t;
    }
  }
  for (let i = 1; i < n; i++) {
    let s = b[i]!;
    for (let j = 0; j < i; j++) s -= lu[i * n + j]! * b[j]!;
    b[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= lu[i * n + j]! * b[j]!;
    b[i] = s / lu[i * n + i]!;
  }
  return b;
}

/**
 * Inverse of a small symmetric positive (semi-)definite matrix (row-major n x n) by Cholesky;
 * null if it is not positive definite to working precision.
 *
 * @example
 * invertSymmetric(Float64Array.of(4, 2, 2, 3), 2); // [0.375, -0.25, -0.25, 0.5]
 */
export function invertSymmetric(a: ArrayLike<number>, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]!));
  if (!(maxDiag > 0)) return null;
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j]!;
    for (let k = 0; k < j; k++) s -= l[j * n + k]! * l[j * n + k]!;
    if (!(s > maxDiag * 1e-14)) return null;
    const d = Math.sqrt(s);
    l[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j]!;
      for (let k = 0; k < j; k++) t -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = t / d;
    }
  }
  // inverse of L, then (L^-1)^T L^-1
  const li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k]! * li[k * n + j]!;
      li[i * n + j] = s / l[i * n + i]!;
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i]! * li[k * n + j]!;
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}
