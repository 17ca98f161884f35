/**
 * Dense linear algebra for the Levenberg-Marquardt engine, after Moré's MINPACK design
 * (J. J. Moré, "The Levenberg-Marquardt algorithm: implementation and theory", Lecture Notes in
 * Mathematics 630, 1978): Householder QR with column pivoting, the solution of the damped
 * least-squares system by Givens rotations, and the Levenberg-Marquardt parameter for a trust
 * region. Written for this project from the published algorithm.
 *
 * Matrices are column-major `Float64Array`s: element (i, j) of an m x n matrix is `a[i + j * m]`.
 * Nothing here allocates: callers pass work arrays.
 *
 * @module
 */

/** Machine epsilon of float64. */
export const EPSILON = 2.220446049250313e-16;
/** Smallest positive normal float64. */
export const DWARF = 2.2250738585072014e-308;

/**
 * Euclidean norm of `v[offset .. offset + n)`, without overflow or underflow for extreme values.
 *
 * @example
 * euclideanNorm(Float64Array.of(3, 4), 2); // 5
 */
export function euclideanNorm(v: Float64Array, n: number, offset = 0): number {
  let s = 0;
  for (let i = offset, end = offset + n; i < end; i++) {
    const t = v[i]!;
    s += t * t;
  }
  if (s > 1e-290 && s < 1e290) return Math.sqrt(s);
  if (s === 0) {
    // all zero, or every entry underflowed when squared
    let big = 0;
    for (let i = offset, end = offset + n; i < end; i++) big = Math.max(big, Math.abs(v[i]!));
    if (big === 0) return 0;
    return scaledNorm(v, n, offset, big);
  }
  if (!Number.isFinite(s)) {
    let big = 0;
    for (let i = offset, end = offset + n; i < end; i++) {
      const a = Math.abs(v[i]!);
      if (!(a <= big)) big = a; // NaN propagates
    }
    if (!Number.isFinite(big)) return big;
    return scaledNorm(v, n, offset, big);
  }
  let big = 0;
  for (let i = offset, end = offset + n; i < end; i++) big = Math.max(big, Math.abs(v[i]!));
  return scaledNorm(v, n, offset, big);
}

function scaledNorm(v: Float64Array, n: number, offset: number, big: number): number {
  let s = 0;
  for (let i = offset, end = offset + n; i < end; i++) {
    const t = v[i]! / big;
    s += t * t;
  }
  return big * Math.sqrt(s);
}

/**
 * Householder QR factorisation with column pivoting of the m x n matrix `a` (m >= n), in place:
 * A P = Q R. On return the lower trapezoid of `a` holds the Householder vectors (column j scaled
 * so that its first element a[j, j] is the vector's pivot), the strict upper triangle holds R,
 * and `rdiag` holds R's diagonal. `acnorm` receives the norms of the original columns and `ipvt`
 * the permutation (column j of A P is column ipvt[j] of A). `wa` is work space (n).
 *
 * @example
 * const a = Float64Array.of(3, 4, 0, 1); // 2 x 2, column-major: [[3, 0], [4, 1]]
 * qrFactor(2, 2, a, new Int32Array(2), rdiag, acnorm, work); // |rdiag[0]| = 5
 */
export function qrFactor(
  m: number,
  n: number,
  a: Float64Array,
  ipvt: Int32Array,
  rdiag: Float64Array,
  acnorm: Float64Array,
  wa: Float64Array,
): void {
  for (let j = 0; j < n; j++) {
    const norm = euclideanNorm(a, m, j * m);
    acnorm[j] = norm;
    rdiag[j] = norm;
    wa[j] = norm;
    ipvt[j] = j;
  }
  const minmn = Math.min(m, n);
  for (let j = 0; j < minmn; j++) {
    // bring the column of largest remaining norm into the pivot position
    let kmax = j;
    for (let k = j + 1; k < n; k++) if (rdiag[k]! > rdiag[kmax]!) kmax = k;
    if (kmax !== j) {
      const cj = j * m;
      const ck = kmax * m;
      for (let i = 0; i < m; i++) {
        const t = a[cj + i]!;
        a[cj + i] = a[ck + i]!;
        a[ck + i] = t;
      }
      rdiag[kmax] = rdiag[j]!;
      wa[kmax] = wa[j]!;
      const t = ipvt[j]!;
      ipvt[j] = ipvt[kmax]!;
      ipvt[kmax] = t;
    }
    // Householder transformation that zeroes column j below the diagonal
    const cj = j * m;
    let ajnorm = euclideanNorm(a, m - j, cj + j);
    if (ajnorm !== 0) {
      if (a[cj + j]! < 0) ajnorm = -ajnorm;
      const inv = 1 / ajnorm;
      for (let i = j; i < m; i++) a[cj + i]! *= inv;
      a[cj + j]! += 1;
      const ajj = a[cj + j]!;
      const start = cj + j;
      const end = cj + m;
      const end2 = start + ((m - j) & ~1);
      for (let k = j + 1; k < n; k++) {
        const ck = k * m;
        const dk = ck - cj; // offset from column j to column k
        // dot product and update, unrolled by two (independent accumulators)
        let s0 = 0;
        let s1 = 0;
        let i = start;
        for (; i < end2; i += 2) {
          s0 += a[i]! * a[i + dk]!;
          s1 += a[i + 1]! * a[i + 1 + dk]!;
        }
        if (i < end) s0 += a[i]! * a[i + dk]!;
        const temp = (s0 + s1) / ajj;
        for (i = start; i < end2; i += 2) {
          a[i + dk]! -= temp * a[i]!;
          a[i + 1 + dk]! -= temp * a[i + 1]!;
        }
        if (i < end) a[i + dk]! -= temp * a[i]!;
        // update the remaining column norm cheaply, recomputing when cancellation threatens
        if (rdiag[k]! !== 0) {
          const r = a[ck + j]! / rdiag[k]!;
          rdiag[k]! *= Math.sqrt(Math.max(0, 1 - r * r));
          const q = rdiag[k]! / wa[k]!;
          if (0.05 * q * q <= EPSILON) {
            rdiag[k] = euclideanNorm(a, m - j - 1, ck + j + 1);
            wa[k] = rdiag[k]!;
          }
        }
      }
    }
    rdiag[j] = -ajnorm;
  }
}

/**
 * Applies Q^T (from `qrFactor`, Householder vectors in the lower trapezoid of `a`) to `b` (m) in
 * place; the first n entries are then Q^T b restricted to the range of A.
 *
 * @example
 * qrFactor(m, n, a, ipvt, rdiag, acnorm, work);
 * applyQt(m, n, a, b); // b[0..n) = (Q^T b)[0..n)
 */
export function applyQt(m: number, n: number, a: Float64Array, b: Float64Array): void {
  const minmn = Math.min(m, n);
  for (let j = 0; j < minmn; j++) {
    const cj = j * m;
    const ajj = a[cj + j]!;
    if (ajj !== 0) {
      let sum = 0;
      for (let i = j; i < m; i++) sum += a[cj + i]! * b[i]!;
      const temp = -sum / ajj;
      for (let i = j; i < m; i++) b[i]! += a[cj + i]! * temp;
    }
  }
}

/**
 * Solves min || [A; D] x - [b; 0] || given the QR factorisation A P = Q R (R in the upper
 * triangle of `r`, leading dimension `ldr`), the diagonal D (`diag`, in the original order) and
 * Q^T b (`qtb`). Uses Givens rotations to reduce [R; P^T D P] to upper triangular S. On return
 * the strict lower triangle of `r` holds S^T (strict part), `sdiag` holds S's diagonal; R's upper
 * triangle and diagonal are unchanged. `wa` is work space (n).
 *
 * @example
 * qrSolve(n, r, m, ipvt, diag, qtb, x, sdiag, work); // x solves the damped system
 */
export function qrSolve(
  n: number,
  r: Float64Array,
  ldr: number,
  ipvt: Int32Array,
  diag: Float64Array,
  qtb: Float64Array,
  x: Float64Array,
  sdiag: Float64Array,
  wa: Float64Array,
): void {
  // copy R to the lower triangle; keep R's diagonal in x
  for (let j = 0; j < n; j++) {
    const cj = j * ldr;
    for (let i = j; i < n; i++) r[cj + i] = r[i * ldr + j]!;
    x[j] = r[cj + j]!;
    wa[j] = qtb[j]!;
  }
  for (let j = 0; j < n; j++) {
    const l = ipvt[j]!;
    if (diag[l]! !== 0) {
      for (let k = j; k < n; k++) sdiag[k] = 0;
      sdiag[j] = diag[l]!;
      // eliminate the row of D with rotations, carrying the extra element of Q^T b along
      let qtbpj = 0;
      for (let k = j; k < n; k++) {
        const sk = sdiag[k]!;
        if (sk === 0) continue;
        const ck = k * ldr;
        const rkk = r[ck + k]!;
        let sin: number;
        let cos: number;
        if (Math.abs(rkk) < Math.abs(sk)) {
          const cotan = rkk / sk;
          sin = 0.5 / Math.sqrt(0.25 + 0.25 * cotan * cotan);
          cos = sin * cotan;
        } else {
          const tan = sk / rkk;
          cos = 0.5 / Math.sqrt(0.25 + 0.25 * tan * tan);
          sin = cos * tan;
        }
        r[ck + k] = cos * rkk + sin * sk;
        const temp = cos * wa[k]! + sin * qtbpj;
        qtbpj = -sin * wa[k]! + cos * qtbpj;
        wa[k] = temp;
        for (let i = k + 1; i < n; i++) {
          const rik = r[ck + i]!;
          const si = sdiag[i]!;
          r[ck + i] = cos * rik + sin * si;
          sdiag[i] = -sin * rik + cos * si;
        }
      }
    }
    const cj = j * ldr;
    sdiag[j] = r[cj + j]!;
    r[cj + j] = x[j]!;
  }
  // solve S z = wa (least squares if singular)
  let nsing = n;
  for (let j = 0; j < n; j++) {
    if (sdiag[j] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa[j] = 0;
  }
  for (let j = nsing - 1; j >= 0; j--) {
    const cj = j * ldr;
    let sum = 0;
    for (let i = j + 1; i < nsing; i++) sum += r[cj + i]! * wa[i]!;
    wa[j] = (wa[j]! - sum) / sdiag[j]!;
  }
  for (let j = 0; j < n; j++) x[ipvt[j]!] = wa[j]!;
}

/**
 * The Levenberg-Marquardt parameter: finds par >= 0 such that the solution x of
 * min || [A; sqrt(par) D] x - [b; 0] || satisfies || D x || ~ delta (within 10 %), or par = 0 if
 * the Gauss-Newton step is already inside the trust region. Inputs as for `qrSolve`; returns the
 * new par (starting from `par0`) and writes x and sdiag. `wa1`, `wa2` are work space (n).
 *
 * @example
 * par = lmParameter(n, r, m, ipvt, diag, qtf, delta, par, step, sdiag, w1, w2);
 */
export function lmParameter(
  n: number,
  r: Float64Array,
  ldr: number,
  ipvt: Int32Array,
  diag: Float64Array,
  qtb: Float64Array,
  delta: number,
  par0: number,
  x: Float64Array,
  sdiag: Float64Array,
  wa1: Float64Array,
  wa2: Float64Array,
): number {
  // Gauss-Newton direction (least-squares solution if R is singular)
  let nsing = n;
  for (let j = 0; j < n; j++) {
    wa1[j] = qtb[j]!;
    if (r[j * ldr + j] === 0 && nsing === n) nsing = j;
    if (nsing < n) wa1[j] = 0;
  }
  for (let j = nsing - 1; j >= 0; j--) {
    const cj = j * ldr;
    wa1[j] = wa1[j]! / r[cj + j]!;
    const temp = wa1[j]!;
    for (let i = 0; i < j; i++) wa1[i]! -= r[cj + i]! * temp;
  }
  for (let j = 0; j < n; j++) x[ipvt[j]!] = wa1[j]!;

  let iter = 0;
  for (let j = 0; j < n; j++) wa2[j] = diag[j]! * x[j]!;
  let dxnorm = euclideanNorm(wa2, n);
  let fp = dxnorm - delta;
  if (fp <= 0.1 * delta) return 0;

  // lower bound parl (only with full rank)
  let parl = 0;
  if (nsing >= n) {
    for (let j = 0; j < n; j++) {
      const l = ipvt[j]!;
      wa1[j] = diag[l]! * (wa2[l]! / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      const cj = j * ldr;
      let sum = 0;
      for (let i = 0; i < j; i++) sum += r[cj + i]! * wa1[i]!;
      wa1[j] = (wa1[j]! - sum) / r[cj + j]!;
    }
    const temp = euclideanNorm(wa1, n);
    parl = fp / delta / temp / temp;
  }
  // upper bound paru
  for (let j = 0; j < n; j++) {
    const cj = j * ldr;
    let sum = 0;
    for (let i = 0; i <= j; i++) sum += r[cj + i]! * qtb[i]!;
    wa1[j] = sum / diag[ipvt[j]!]!;
  }
  const gnorm = euclideanNorm(wa1, n);
  let paru = gnorm / delta;
  if (paru === 0) paru = DWARF / Math.min(delta, 0.1);

  let par = Math.max(par0, parl);
  par = Math.min(par, paru);
  if (par === 0) par = gnorm / dxnorm;

  for (;;) {
    iter++;
    if (par === 0) par = Math.max(DWARF, 0.001 * paru);
    const sp = Math.sqrt(par);
    for (let j = 0; j < n; j++) wa1[j] = sp * diag[j]!;
    qrSolve(n, r, ldr, ipvt, wa1, qtb, x, sdiag, wa2);
    for (let j = 0; j < n; j++) wa2[j] = diag[j]! * x[j]!;
    dxnorm = euclideanNorm(wa2, n);
    const temp0 = fp;
    fp = dxnorm - delta;
    if (Math.abs(fp) <= 0.1 * delta || (parl === 0 && fp <= temp0 && temp0 < 0) || iter === 10)
      break;
    // Newton correction
    for (let j = 0; j < n; j++) {
      const l = ipvt[j]!;
      wa1[j] = diag[l]! * (wa2[l]! / dxnorm);
    }
    for (let j = 0; j < n; j++) {
      wa1[j] = wa1[j]! / sdiag[j]!;
      const temp = wa1[j]!;
      const cj = j * ldr;
      for (let i = j + 1; i < n; i++) wa1[i]! -= r[cj + i]! * temp;
    }
    const temp = euclideanNorm(wa1, n);
    const parc = fp / delta / temp / temp;
    if (fp > 0) parl = Math.max(parl, par);
    if (fp < 0) paru = Math.min(paru, par);
    par = Math.max(parl, par + parc);
    if (!Number.isFinite(par)) {
      par = paru;
      break;
    }
  }
  return par;
}

/**
 * Covariance (J^T J)^-1 of an m x n Jacobian `jac` (column-major; destroyed), computed from the
 * QR factorisation of the column-scaled Jacobian so the result does not depend on the units of
 * the parameters. Returns false (and leaves `cov` unspecified) if J is rank deficient: a pivot
 * of the scaled R below `rcond` times the largest. `cov` receives the n x n matrix (row-major,
 * symmetric). `work` is work space (4n + n^2 values).
 *
 * @example
 * // straight line through x = 0, 1, 2: J = [1 x]
 * const ok = covarianceFromJacobian(3, 2, Float64Array.of(1, 1, 1, 0, 1, 2), cov); // cov = [5/6, -1/2, -1/2, 1/2]
 */
export function covarianceFromJacobian(
  m: number,
  n: number,
  jac: Float64Array,
  cov: Float64Array,
  rcond = 1e-12,
  work: Float64Array = new Float64Array(4 * n + n * n),
): boolean {
  if (n === 0) return true;
  if (m < n) return false;
  const scale = work.subarray(0, n);
  for (let j = 0; j < n; j++) {
    const s = euclideanNorm(jac, m, j * m);
    if (!(s > 0) || !Number.isFinite(s)) return false;
    scale[j] = s;
    const inv = 1 / s;
    for (let i = 0; i < m; i++) jac[j * m + i]! *= inv;
  }
  const ipvt = new Int32Array(n);
  const rdiag = work.subarray(n, 2 * n);
  const acnorm = work.subarray(2 * n, 3 * n);
  const wa = work.subarray(3 * n, 4 * n);
  qrFactor(m, n, jac, ipvt, rdiag, acnorm, wa);
  const big = Math.abs(rdiag[0]!);
  for (let j = 0; j < n; j++) if (!(Math.abs(rdiag[j]!) > rcond * big)) return false;
  // Rinv: upper triangular inverse of R (R strict upper part in jac, diagonal in rdiag)
  const rinv = work.subarray(4 * n, 4 * n + n * n); // row-major
  rinv.fill(0);
  for (let j = 0; j < n; j++) {
    rinv[j * n + j] = 1 / rdiag[j]!;
    for (let i = j - 1; i >= 0; i--) {
      // (R Rinv)_{i,j} = 0  =>  Rinv_{i,j} = -(sum_{k=i+1..j} R_{i,k} Rinv_{k,j}) / R_{i,i}
      let sum = 0;
      for (let k = i + 1; k <= j; k++) sum += jac[i + k * m]! * rinv[k * n + j]!;
      rinv[i * n + j] = -sum / rdiag[i]!;
    }
  }
  // (A P)^T (A P) = R^T R  =>  cov(P-ordered) = Rinv Rinv^T; undo the pivoting and the scaling
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let sum = 0;
      for (let k = b; k < n; k++) sum += rinv[a * n + k]! * rinv[b * n + k]!;
      const ia = ipvt[a]!;
      const ib = ipvt[b]!;
      const v = sum / (scale[ia]! * scale[ib]!);
      cov[ia * n + ib] = v;
      cov[ib * n + ia] = v;
    }
  }
  return true;
}

/**
 * Pivoted Cholesky factorisation of a symmetric positive semi-definite n x n matrix `a` (full,
 * column-major = row-major; not modified), computed on its Jacobi-scaled form
 * B = S^-1 A S^-1 (S = sqrt(diag A)) so that the pivoting and the condition estimate do not depend
 * on the units of the columns: P^T A P = R^T R with R upper triangular, written to the upper
 * triangle and diagonal of `r` (column-major, leading dimension `ldr`), column j of A P being
 * column `ipvt[j]` of A. For A = J^T J this R is, up to the signs of its rows, the R of the QR
 * factorisation of J P, so `lmParameter` can use it in place of the QR factor.
 *
 * Returns an estimate of the condition number of B (the 1-norm condition number of the scaled
 * factor, squared), or Infinity if A is not numerically positive definite (a zero, negative or
 * non-finite diagonal, or a pivot lost to rounding): callers then use QR on J instead. `work`
 * needs 2 n^2 + n values; `r` may be null (only the condition estimate and, in `work`, the
 * scaled factor's inverse are wanted).
 *
 * @example
 * const a = Float64Array.of(4, 2, 2, 3); // [[4, 2], [2, 3]]
 * const cond = choleskyPivoted(2, a, r, 2, ipvt, work); // r^T r = P^T a P, cond ~ 3
 */
export function choleskyPivoted(
  n: number,
  a: Float64Array,
  r: Float64Array | null,
  ldr: number,
  ipvt: Int32Array,
  work: Float64Array,
): number {
  const nn = n * n;
  // work: the scaled matrix, overwritten by its factor (row-major upper triangle) at 0, the
  // factor's inverse at nn, the scales at 2 nn
  const b = work;
  const iv = nn;
  const sc = 2 * nn;
  for (let j = 0; j < n; j++) {
    const d = a[j * n + j]!;
    // squares far from the normal range lose digits (or are inexact): use QR then
    if (!(d > 1e-290 && d < 1e290)) return Infinity;
    work[sc + j] = Math.sqrt(d);
    ipvt[j] = j;
  }
  for (let j = 0; j < n; j++) {
    const sj = work[sc + j]!;
    for (let i = 0; i < n; i++) {
      const v = a[j * n + i]! / (sj * work[sc + i]!);
      if (!Number.isFinite(v)) return Infinity;
      b[i * n + j] = v;
    }
  }
  // outer-product Cholesky with diagonal pivoting on the Schur complement
  for (let k = 0; k < n; k++) {
    let q = k;
    let best = b[k * n + k]!;
    for (let j = k + 1; j < n; j++) {
      const v = b[j * n + j]!;
      if (v > best) {
        best = v;
        q = j;
      }
    }
    // the scaled diagonal starts at 1: a remaining pivot this small carries no digits
    if (!(best > 64 * EPSILON)) return Infinity;
    if (q !== k) {
      // symmetric swap of rows/columns k and q
      for (let i = 0; i < n; i++) {
        const t = b[i * n + k]!;
        b[i * n + k] = b[i * n + q]!;
        b[i * n + q] = t;
      }
      for (let j = 0; j < n; j++) {
        const t = b[k * n + j]!;
        b[k * n + j] = b[q * n + j]!;
        b[q * n + j] = t;
      }
      const t = ipvt[k]!;
      ipvt[k] = ipvt[q]!;
      ipvt[q] = t;
    }
    const rkk = Math.sqrt(best);
    const rk = k * n;
    b[rk + k] = rkk;
    const invr = 1 / rkk;
    for (let j = k + 1; j < n; j++) b[rk + j]! *= invr;
    for (let i = k + 1; i < n; i++) {
      const rki = b[rk + i]!;
      if (rki === 0) continue;
      const ri = i * n;
      // the whole trailing block (both triangles) stays symmetric for the pivoting swaps
      for (let j = k + 1; j < n; j++) b[ri + j]! -= rki * b[rk + j]!;
    }
  }
  // condition estimate: ||Rs||_1 ||Rs^-1||_1 from the explicit inverse (n is small)
  let normR = 0;
  for (let j = 0; j < n; j++) {
    let c = 0;
    for (let i = 0; i <= j; i++) c += Math.abs(b[i * n + j]!);
    normR = Math.max(normR, c);
  }
  let normInv = 0;
  for (let j = 0; j < n; j++) {
    // column j of the inverse: back substitution of e_j
    const d = 1 / b[j * n + j]!;
    work[iv + j * n + j] = d;
    let c = Math.abs(d);
    for (let i = j - 1; i >= 0; i--) {
      let sum = 0;
      for (let k = i + 1; k <= j; k++) sum += b[i * n + k]! * work[iv + k * n + j]!;
      const v = -sum / b[i * n + i]!;
      work[iv + i * n + j] = v;
      c += Math.abs(v);
    }
    normInv = Math.max(normInv, c);
  }
  const cond = normR * normInv;
  if (r !== null) {
    // unscale: R = Rs S_P
    for (let j = 0; j < n; j++) {
      const sj = work[sc + ipvt[j]!]!;
      const cj = j * ldr;
      for (let i = 0; i <= j; i++) r[cj + i] = b[i * n + j]! * sj;
    }
  }
  return Number.isFinite(cond) ? cond * cond : Infinity;
}

/** Pivot work space of `covarianceFromNormal` (which calls nothing that could re-enter it). */
let pivotWork = new Int32Array(16);

/**
 * Covariance A^-1 of a symmetric positive definite n x n normal matrix A = J^T W J (full,
 * column-major), by the Jacobi-scaled Cholesky factorisation. Returns false (leaving `cov`
 * unspecified) when the scaled matrix's condition estimate exceeds `maxCond` or A is not
 * positive definite: the caller should then use `covarianceFromJacobian` on J, which is accurate
 * to a condition number of J (not J^T J) and judges rank deficiency. `cov` receives the n x n
 * inverse (row-major, symmetric); `work` needs 2 n^2 + n values.
 *
 * @example
 * const ok = covarianceFromNormal(2, Float64Array.of(3, 3, 3, 5), cov, 1e8); // J = [1 x], x = 0, 1, 2
 * // cov = [5/6, -1/2, -1/2, 1/2]
 */
export function covarianceFromNormal(
  n: number,
  a: Float64Array,
  cov: Float64Array,
  maxCond: number,
  work: Float64Array = new Float64Array(2 * n * n + n),
): boolean {
  if (n === 0) return true;
  const nn = n * n;
  if (pivotWork.length < n) pivotWork = new Int32Array(n);
  const ipvt = pivotWork;
  const cond = choleskyPivoted(n, a, null, n, ipvt, work);
  if (!(cond <= maxCond)) return false;
  // the scaled factor's inverse is left at work[nn .. 2nn) (row-major, upper), the scales at 2nn;
  // cov(P order) = Rs^-1 Rs^-T, then undo the pivoting and the scaling
  const iv = nn;
  const sc = 2 * nn;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = j; k < n; k++) sum += work[iv + i * n + k]! * work[iv + j * n + k]!;
      const ia = ipvt[i]!;
      const ib = ipvt[j]!;
      const v = sum / (work[sc + ia]! * work[sc + ib]!);
      cov[ia * n + ib] = v;
      cov[ib * n + ia] = v;
    }
  }
  for (let i = 0; i < nn; i++) if (!Number.isFinite(cov[i]!)) return false;
  return true;
}

/** Sum of a[ia + i] * b[ib + i] for i < n (four partial sums). */
export function dotProduct(
  a: Float64Array,
  ia: number,
  b: Float64Array,
  ib: number,
  n: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    s0 += a[ia + i]! * b[ib + i]!;
    s1 += a[ia + i + 1]! * b[ib + i + 1]!;
    s2 += a[ia + i + 2]! * b[ib + i + 2]!;
    s3 += a[ia + i + 3]! * b[ib + i + 3]!;
  }
  for (; i < n; i++) s0 += a[ia + i]! * b[ib + i]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Lower triangle of the Gram matrix G = V^T V of `na` columns stored one after another in `wc`
 * (column a at wc[a * n .. a * n + n)), and, when `r` is given, b = V^T r[off .. off + n): the
 * normal equations of a weighted least-squares problem whose columns are already weighted.
 *
 * @example
 * const G = new Float64Array(4), b = new Float64Array(2);
 * gramOfColumns(Float64Array.of(1, 2, 3, 4), 2, 2, Float64Array.of(1, 1), 0, G, b); // G = [5, ·, 11, 25]
 */
export function gramOfColumns(
  wc: Float64Array,
  na: number,
  n: number,
  r: Float64Array | null,
  off: number,
  G: Float64Array,
  b: Float64Array,
): void {
  const n2 = n & ~1;
  for (let a = 0; a < na; a++) {
    const oa = a * n;
    const ga = a * na;
    let c = 0;
    // four columns at a time, two rows per step: column a is read once for the four products
    for (; c + 3 <= a; c += 4) {
      const o0 = c * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      let i = 0;
      for (; i < n2; i += 2) {
        const v = wc[oa + i]!;
        const u = wc[oa + i + 1]!;
        s0 += v * wc[o0 + i]!;
        s1 += v * wc[o1 + i]!;
        s2 += v * wc[o2 + i]!;
        s3 += v * wc[o3 + i]!;
        t0 += u * wc[o0 + i + 1]!;
        t1 += u * wc[o1 + i + 1]!;
        t2 += u * wc[o2 + i + 1]!;
        t3 += u * wc[o3 + i + 1]!;
      }
      if (i < n) {
        const v = wc[oa + i]!;
        s0 += v * wc[o0 + i]!;
        s1 += v * wc[o1 + i]!;
        s2 += v * wc[o2 + i]!;
        s3 += v * wc[o3 + i]!;
      }
      G[ga + c] = s0 + t0;
      G[ga + c + 1] = s1 + t1;
      G[ga + c + 2] = s2 + t2;
      G[ga + c + 3] = s3 + t3;
    }
    for (; c <= a; c++) G[ga + c] = dotProduct(wc, oa, wc, c * n, n);
    if (r !== null) b[a] = dotProduct(wc, oa, r, off, n);
  }
}
