/**
 * Singular value decomposition of a data matrix (e.g. transient absorption, time x wavelength)
 * by one-sided Jacobi rotations (Hestenes) on the triangular factor of a Householder QR with
 * column pivoting - the preconditioned Jacobi SVD of Drmač and Veselić: accurate also for the
 * small singular values, and quick to converge because R^T already has nearly orthogonal
 * columns. Plus the number of significant components by the Gavish-Donoho hard threshold.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';

/** The SVD A = U diag(s) V^T of an m x n matrix, truncated to the first `u.length` vectors. */
export interface SvdResult {
  rows: number;
  cols: number;
  /** All min(m, n) singular values, largest first. */
  singularValues: number[];
  /** Left singular vectors (length m each; for time-major TA data: kinetics), for the first k values. */
  u: number[][];
  /** Right singular vectors (length n each; for time-major TA data: spectra), for the first k values. */
  v: number[][];
  /** Lag-1 autocorrelation of each returned left / right vector: near 1 for smooth (signal) vectors, near 0 for noise. */
  uAutocorrelation: number[];
  vAutocorrelation: number[];
  /** Jacobi sweeps used. */
  sweeps: number;
}

export interface SvdOptions {
  /** Number of singular vector pairs to return (default 10, capped at min(m, n)). */
  vectors?: number;
  /** Largest number of Jacobi sweeps (default 60). */
  maxSweeps?: number;
}

/**
 * Householder QR with column pivoting of a column-major m x n matrix (m >= n), in place.
 * Returns the Householder data, R (upper, row-major n x n) and the permutation.
 */
function pivotedQr(
  a: Float64Array,
  m: number,
  n: number,
): { beta: Float64Array; r: Float64Array; perm: Int32Array } {
  const perm = Int32Array.from({ length: n }, (_, j) => j);
  const beta = new Float64Array(n);
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[j * m + i]! * a[j * m + i]!;
    norms[j] = s;
  }
  const r = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    // pivot: the remaining column of largest norm (recomputed exactly: robust, and cheap enough)
    let p = k;
    let best = -1;
    for (let j = k; j < n; j++) {
      let s = 0;
      const col = j * m;
      for (let i = k; i < m; i++) s += a[col + i]! * a[col + i]!;
      norms[j] = s;
      if (s > best) {
        best = s;
        p = j;
      }
    }
    if (p !== k) {
      for (let i = 0; i < m; i++) {
        const t = a[k * m + i]!;
        a[k * m + i] = a[p * m + i]!;
        a[p * m + i] = t;
      }
      const tp = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = tp;
    }
    const col = k * m;
    const norm = Math.sqrt(best);
    if (norm === 0) {
      beta[k] = 0;
      continue;
    }
    const alpha = a[col + k]! > 0 ? -norm : norm;
    a[col + k] = a[col + k]! - alpha;
    let vtv = 0;
    for (let i = k; i < m; i++) vtv += a[col + i]! * a[col + i]!;
    const b = vtv > 0 ? 2 / vtv : 0;
    beta[k] = b;
    for (let j = k + 1; j < n; j++) {
      const c2 = j * m;
      let s = 0;
      for (let i = k; i < m; i++) s += a[col + i]! * a[c2 + i]!;
      s *= b;
      if (s !== 0) for (let i = k; i < m; i++) a[c2 + i] = a[c2 + i]! - s * a[col + i]!;
    }
    r[k * n + k] = alpha;
  }
  // the strict upper triangle of R, read after all column swaps
  for (let k = 0; k < n; k++) for (let j = k + 1; j < n; j++) r[k * n + j] = a[j * m + k]!;
  return { beta, r, perm };
}

/** y = Q [v; 0] for the Householder vectors stored below the diagonal of `a`. */
function applyQ(
  a: Float64Array,
  beta: Float64Array,
  m: number,
  n: number,
  v: ArrayLike<number>,
): Float64Array {
  const y = new Float64Array(m);
  for (let i = 0; i < n; i++) y[i] = v[i]!;
  for (let k = n - 1; k >= 0; k--) {
    const b = beta[k]!;
    if (b === 0) continue;
    const col = k * m;
    // v_k = a[col + k ..] (with the stored first element), acting on rows k..m-1
    let s = 0;
    for (let i = k; i < m; i++) s += a[col + i]! * y[i]!;
    s *= b;
    for (let i = k; i < m; i++) y[i] = y[i]! - s * a[col + i]!;
  }
  return y;
}

/**
 * Singular value decomposition of a row-major `rows` x `cols` matrix. Returns all singular
 * values (largest first) and the first `vectors` left/right singular vector pairs, each pair
 * signed so that the left vector's largest-magnitude element is positive.
 *
 * @example
 * const r = svd(Float64Array.of(3, 0, 0, 4), 2, 2);
 * r.singularValues; // [4, 3]
 */
export function svd(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  options: SvdOptions = {},
): SvdResult {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new InvalidInputError(`svd needs a matrix of at least 1 x 1, got ${rows} x ${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new InvalidInputError(
      `svd: the data have ${data.length} values but ${rows} x ${cols} = ${rows * cols} were expected`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new InvalidInputError(
        `svd: the matrix has a non-finite value at row ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1}; remove or fill missing values first`,
      );
    }
  }
  const transposed = rows < cols;
  const m = transposed ? cols : rows;
  const n = transposed ? rows : cols;
  // working matrix W (m x n, column-major): W = A, or A^T when A is wide
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j]!;
      if (transposed)
        a[i * m + j] = v; // W[j][i] = A[i][j], column i of W
      else a[j * m + i] = v;
    }
  }
  const { beta, r, perm } = pivotedQr(a, m, n);
  // X = R^T (n x n), stored by columns: column i of X = row i of R
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) x[i * n + j] = r[i * n + j]!;
  const vAcc = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vAcc[i * n + i] = 1;
  const norm2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += x[i * n + k]! * x[i * n + k]!;
    norm2[i] = s;
  }
  const tol = 1e-15 * Math.sqrt(n);
  const maxSweeps = options.maxSweeps ?? 60;
  let sweeps = 0;
  for (; sweeps < maxSweeps;) {
    sweeps++;
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const cp = p * n;
      for (let q = p + 1; q < n; q++) {
        const alpha = norm2[p]!;
        const bet = norm2[q]!;
        if (alpha === 0 || bet === 0) continue;
        const cq = q * n;
        let gamma = 0;
        for (let k = 0; k < n; k++) gamma += x[cp + k]! * x[cq + k]!;
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * bet)) continue;
        rotated = true;
        const zeta = (bet - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        let np = 0;
        let nq = 0;
        for (let k = 0; k < n; k++) {
          const xp = x[cp + k]!;
          const xq = x[cq + k]!;
          const a1 = c * xp - s * xq;
          const a2 = s * xp + c * xq;
          x[cp + k] = a1;
          x[cq + k] = a2;
          np += a1 * a1;
          nq += a2 * a2;
          const vp = vAcc[cp + k]!;
          const vq = vAcc[cq + k]!;
          vAcc[cp + k] = c * vp - s * vq;
          vAcc[cq + k] = s * vp + c * vq;
        }
        norm2[p] = np;
        norm2[q] = nq;
      }
    }
    if (!rotated) break;
  }
  // singular values are the column norms of X V
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => norm2[j]! - norm2[i]!);
  const singularValues = order.map((i) => Math.sqrt(norm2[i]!));
  const k = Math.max(0, Math.min(options.vectors ?? 10, n));
  const left: number[][] = [];
  const right: number[][] = [];
  for (let c = 0; c < k; c++) {
    const i = order[c]!;
    const sv = singularValues[c]!;
    // X V = U_X Sigma: u_x = column i of (X V) / s; v = column i of V
    // A_w P = Q V_acc Sigma U_x^T  =>  left of W = Q v_acc_i, right of W = P u_x_i
    const vcol = vAcc.subarray(i * n, i * n + n);
    const leftW = applyQ(a, beta, m, n, vcol);
    const rightW = new Float64Array(n);
    if (sv > 0) for (let j = 0; j < n; j++) rightW[perm[j]!] = x[i * n + j]! / sv;
    let uVec = transposed ? rightW : leftW;
    let vVec = transposed ? leftW : rightW;
    let big = 0;
    for (let j = 0; j < uVec.length; j++) if (Math.abs(uVec[j]!) > Math.abs(big)) big = uVec[j]!;
    if (big < 0) {
      uVec = uVec.map((v) => -v);
      vVec = vVec.map((v) => -v);
    }
    left.push(Array.from(uVec));
    right.push(Array.from(vVec));
  }
  return {
    rows,
    cols,
    singularValues,
    u: left,
    v: right,
    uAutocorrelation: left.map(lagOneAutocorrelation),
    vAutocorrelation: right.map(lagOneAutocorrelation),
    sweeps,
  };
}

/** Lag-1 autocorrelation sum x_i x_{i+1} / sum x_i^2 (after removing the mean). */
function lagOneAutocorrelation(x: readonly number[]): number {
  const n = x.length;
  if (n < 3) return 0;
  const m = x.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - m;
    den += d * d;
    if (i + 1 < n) num += d * (x[i + 1]! - m);
  }
  return den > 0 ? num / den : 0;
}

/**
 * Number of leading SVD components whose left and right singular vectors are both smooth (lag-1
 * autocorrelation above `threshold`, default 0.8): the usual criterion for transient absorption,
 * where noise components have ragged vectors. Robust to non-white noise, unlike a threshold on
 * the singular values alone.
 *
 * @example
 * smoothComponents(svd(data, nt, nw, { vectors: 10 })); // e.g. 4
 */
export function smoothComponents(result: SvdResult, threshold = 0.8): number {
  let k = 0;
  while (
    k < result.u.length &&
    result.uAutocorrelation[k]! > threshold &&
    result.vAutocorrelation[k]! > threshold
  )
    k++;
  return k;
}

/**
 * Number of significant components of a noisy m x n matrix: singular values above the
 * Gavish-Donoho optimal hard threshold for unknown white noise, omega(beta) * median(s),
 * omega(beta) ~ 0.56 beta^3 - 0.95 beta^2 + 1.82 beta + 1.43 with beta = min/max aspect ratio
 * (Gavish & Donoho, IEEE Trans. Inf. Theory 60, 5040 (2014)).
 *
 * @example
 * significantComponents([10, 5, 0.11, 0.1, 0.09], 100, 5); // { rank: 2, threshold: ... }
 */
export function significantComponents(
  singularValues: readonly number[],
  rows: number,
  cols: number,
): { rank: number; threshold: number; noiseSd: number } {
  if (singularValues.length === 0) return { rank: 0, threshold: 0, noiseSd: 0 };
  const b = Math.min(rows, cols) / Math.max(rows, cols);
  const omega = 0.56 * b ** 3 - 0.95 * b ** 2 + 1.82 * b + 1.43;
  const sorted = [...singularValues].sort((p, q) => p - q);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : 0.5 * (sorted[mid - 1]! + sorted[mid]!);
  const threshold = omega * median;
  // median singular value of pure noise ~ sd * sqrt(max dim * mu_beta); mu_beta ~ (1 + sqrt b)^2 median of MP law, approximated
  const muBeta = marchenkoPasturMedian(b);
  const noiseSd = median / Math.sqrt(Math.max(rows, cols) * muBeta);
  return { rank: singularValues.filter((s) => s > threshold).length, threshold, noiseSd };
}

/** Median of the Marchenko-Pastur law with ratio beta (unit variance), by bisection on its CDF. */
function marchenkoPasturMedian(beta: number): number {
  const lo = (1 - Math.sqrt(beta)) ** 2;
  const hi = (1 + Math.sqrt(beta)) ** 2;
  const density = (x: number): number =>
    x <= lo || x >= hi ? 0 : Math.sqrt((hi - x) * (x - lo)) / (2 * Math.PI * beta * x);
  const cdf = (x: number): number => {
    const steps = 400;
    const h = (x - lo) / steps;
    let s = 0;
    for (let i = 0; i < steps; i++) s += density(lo + (i + 0.5) * h);
    return s * h;
  };
  let a = lo;
  let b = hi;
  for (let it = 0; it < 50; it++) {
    const c = 0.5 * (a + b);
    if (cdf(c) < 0.5) a = c;
    else b = c;
  }
  return 0.5 * (a + b);
}
