/**
 * The engine's building blocks: QR with column pivoting, the damped least-squares solve, the
 * Levenberg-Marquardt parameter, the covariance, the bound transforms and the LM loop itself.
 */
import { describe, expect, it } from 'vitest';
import {
  applyQt,
  covarianceFromJacobian,
  euclideanNorm,
  gramOfColumns,
  lmParameter,
  qrFactor,
  qrSolve,
} from '../../src/fit/linalg.js';
import { levenbergMarquardt, type ResidualProblem } from '../../src/fit/lm.js';
import {
  T_BOTH,
  T_LOWER,
  T_NONE,
  T_UPPER,
  toExternal,
  toInternal,
  transformDerivative,
} from '../../src/fit/params.js';
import { testRng } from './rng.js';

function randomMatrix(m: number, n: number, seed: number): Float64Array {
  const rng = testRng(seed);
  return Float64Array.from({ length: m * n }, () => rng.normal());
}

/** Normal-equations solution of min ||[A; D] x - [b; 0]|| by Gaussian elimination (reference). */
function dampedReference(
  m: number,
  n: number,
  a: Float64Array,
  b: Float64Array,
  d: Float64Array,
): Float64Array {
  const M = Array.from({ length: n }, (_, i) => {
    const row = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k]! * a[j * m + k]!;
      return s + (i === j ? d[i]! * d[i]! : 0);
    });
    let r = 0;
    for (let k = 0; k < m; k++) r += a[i * m + k]! * b[k]!;
    row.push(r);
    return row;
  });
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

describe('linear algebra', () => {
  it('euclideanNorm survives overflow and underflow', () => {
    expect(euclideanNorm(Float64Array.of(3, 4), 2)).toBe(5);
    expect(euclideanNorm(Float64Array.of(3e200, 4e200), 2)).toBeCloseTo(5e200, -186);
    expect(euclideanNorm(Float64Array.of(3e-200, 4e-200), 2) / 5e-200).toBeCloseTo(1, 14);
    expect(euclideanNorm(Float64Array.of(0, 0), 2)).toBe(0);
    expect(euclideanNorm(Float64Array.of(1, 2, 3, 4), 2, 2)).toBe(5);
  });

  it('QR with pivoting: R^T R = (A P)^T (A P), pivots in decreasing size', () => {
    const m = 9;
    const n = 4;
    const a0 = randomMatrix(m, n, 1);
    a0.subarray(2 * m, 3 * m).forEach((_, i, col) => (col[i] = 10 * a0[i]!)); // a dominant column
    const a = Float64Array.from(a0);
    const ipvt = new Int32Array(n);
    const rdiag = new Float64Array(n);
    const acnorm = new Float64Array(n);
    qrFactor(m, n, a, ipvt, rdiag, acnorm, new Float64Array(n));
    expect(ipvt[0]).toBe(2);
    for (let j = 0; j < n; j++) expect(acnorm[j]).toBeCloseTo(euclideanNorm(a0, m, j * m), 12);
    for (let j = 1; j < n; j++)
      expect(Math.abs(rdiag[j]!)).toBeLessThanOrEqual(Math.abs(rdiag[j - 1]!) * (1 + 1e-12));
    const R = (i: number, j: number): number => (i === j ? rdiag[i]! : i < j ? a[i + j * m]! : 0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rtr = 0;
        for (let k = 0; k < n; k++) rtr += R(k, i) * R(k, j);
        let ata = 0;
        for (let k = 0; k < m; k++) ata += a0[ipvt[i]! * m + k]! * a0[ipvt[j]! * m + k]!;
        expect(rtr).toBeCloseTo(ata, 10);
      }
    }
  });

  it('qrSolve solves the damped least-squares problem; lmParameter finds the trust radius', () => {
    const m = 12;
    const n = 4;
    const a0 = randomMatrix(m, n, 2);
    const b = randomMatrix(m, 1, 3);
    const d = Float64Array.of(0.5, 2, 1, 0.1);
    const a = Float64Array.from(a0);
    const ipvt = new Int32Array(n);
    const rdiag = new Float64Array(n);
    qrFactor(m, n, a, ipvt, rdiag, new Float64Array(n), new Float64Array(n));
    const qtb = Float64Array.from(b);
    applyQt(m, n, a, qtb);
    for (let j = 0; j < n; j++) a[j + j * m] = rdiag[j]!;
    const x = new Float64Array(n);
    const sdiag = new Float64Array(n);
    qrSolve(n, a, m, ipvt, d, qtb.subarray(0, n), x, sdiag, new Float64Array(n));
    const ref = dampedReference(m, n, a0, b, d);
    for (let j = 0; j < n; j++) expect(x[j]).toBeCloseTo(ref[j]!, 10);
    // trust radius: the Gauss-Newton step is longer than delta, so par > 0 and ||D x|| ~ delta
    const gn = dampedReference(m, n, a0, b, new Float64Array(n));
    const gnNorm = Math.hypot(...Array.from(gn, (v, j) => v * d[j]!));
    const delta = 0.3 * gnNorm;
    const par = lmParameter(
      n,
      a,
      m,
      ipvt,
      d,
      qtb.subarray(0, n),
      delta,
      0,
      x,
      sdiag,
      new Float64Array(n),
      new Float64Array(n),
    );
    expect(par).toBeGreaterThan(0);
    const dx = Math.hypot(...Array.from(x, (v, j) => v * d[j]!));
    expect(Math.abs(dx - delta)).toBeLessThanOrEqual(0.1 * delta);
    const sp = Float64Array.from(d, (v) => Math.sqrt(par) * v);
    const ref2 = dampedReference(m, n, a0, b, sp);
    for (let j = 0; j < n; j++) expect(x[j]).toBeCloseTo(ref2[j]!, 9);
    // a radius larger than the Gauss-Newton step gives par = 0 and the Gauss-Newton step
    expect(
      lmParameter(
        n,
        a,
        m,
        ipvt,
        d,
        qtb.subarray(0, n),
        2 * gnNorm,
        0,
        x,
        sdiag,
        new Float64Array(n),
        new Float64Array(n),
      ),
    ).toBe(0);
    for (let j = 0; j < n; j++) expect(x[j]).toBeCloseTo(gn[j]!, 9);
  });

  it('covariance of a straight-line fit matches the closed form, independent of column scaling', () => {
    const xs = [0, 1, 2, 3, 4];
    const jac = Float64Array.from([...xs.map(() => 1), ...xs.map((v) => 1e6 * v)]);
    const cov = new Float64Array(4);
    expect(covarianceFromJacobian(5, 2, jac, cov)).toBe(true);
    const n = 5;
    const sx = 10;
    const sxx = 30;
    const det = n * sxx - sx * sx;
    expect(cov[0]).toBeCloseTo(sxx / det, 12);
    expect(cov[3]! * 1e12).toBeCloseTo(n / det, 12);
    expect(cov[1]! * 1e6).toBeCloseTo(-sx / det, 12);
    expect(cov[1]).toBe(cov[2]);
    // rank deficient: two equal columns
    expect(
      covarianceFromJacobian(3, 2, Float64Array.of(1, 2, 3, 1, 2, 3), new Float64Array(4)),
    ).toBe(false);
  });
});

describe('Gram matrix of weighted columns', () => {
  it('equals the direct sums for any number of columns and rows (blocked and remainder paths)', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (const [na, n] of [
      [1, 5],
      [3, 8],
      [4, 7],
      [5, 1],
      [8, 33],
      [9, 100],
    ] as const) {
      const off = 3;
      const wc = Float64Array.from({ length: na * n }, rand);
      const r = Float64Array.from({ length: n + off }, rand);
      const G = new Float64Array(na * na);
      const b = new Float64Array(na);
      gramOfColumns(wc, na, n, r, off, G, b);
      for (let a = 0; a < na; a++) {
        let sb = 0;
        for (let i = 0; i < n; i++) sb += wc[a * n + i]! * r[off + i]!;
        expect(b[a]).toBeCloseTo(sb, 12);
        for (let c = 0; c <= a; c++) {
          let sg = 0;
          for (let i = 0; i < n; i++) sg += wc[a * n + i]! * wc[c * n + i]!;
          expect(G[a * na + c], `G[${a}][${c}] (${na} columns, ${n} rows)`).toBeCloseTo(sg, 12);
        }
      }
    }
  });
});

describe('bound transforms', () => {
  it('round trip and derivative', () => {
    const cases: [number, number, number, number][] = [
      [T_BOTH, 0.3, -1, 2],
      [T_LOWER, 5, 1, Infinity],
      [T_UPPER, -3, -Infinity, 0.5],
      [T_NONE, 7, -Infinity, Infinity],
    ];
    for (const [kind, x, lo, hi] of cases) {
      const s = kind === T_LOWER ? x - lo : kind === T_UPPER ? hi - x : 0;
      const u = toInternal(kind, x, lo, hi, s);
      expect(toExternal(kind, u, lo, hi, s)).toBeCloseTo(x, 12);
      const h = 1e-6;
      const fd =
        (toExternal(kind, u + h, lo, hi, s) - toExternal(kind, u - h, lo, hi, s)) / (2 * h);
      expect(transformDerivative(kind, u, lo, hi, s)).toBeCloseTo(fd, 8);
      // any internal value maps inside the bounds
      for (const v of [-1e3, -2, 0, 2, 1e3]) {
        const e = toExternal(kind, v, lo, hi, s);
        expect(e).toBeGreaterThanOrEqual(lo);
        expect(e).toBeLessThanOrEqual(hi);
      }
    }
    // a start on a bound is moved off it so that the parameter can move
    expect(transformDerivative(T_BOTH, toInternal(T_BOTH, 2, -1, 2, 0), -1, 2, 0)).not.toBe(0);
    expect(
      transformDerivative(T_LOWER, toInternal(T_LOWER, 1, 1, Infinity, 1), 1, Infinity, 1),
    ).not.toBe(0);
  });
});

describe('Levenberg-Marquardt loop', () => {
  const settings = {
    ftol: 1e-15,
    xtol: 1e-15,
    gtol: 1e-10,
    maxIterations: 200,
    maxEvaluations: 4000,
    stepBound: 100,
  };
  it('minimises the Rosenbrock function (zero residual) from the classic start', () => {
    const prob: ResidualProblem = {
      m: 2,
      n: 2,
      residuals(u, r) {
        r[0] = 10 * (u[1]! - u[0]! * u[0]!);
        r[1] = 1 - u[0]!;
        return true;
      },
      jacobian(u, _r, jac) {
        jac[0] = -20 * u[0]!;
        jac[1] = -1;
        jac[2] = 10;
        jac[3] = 0;
        return true;
      },
    };
    const u0 = Float64Array.of(-1.2, 1);
    const r0 = new Float64Array(2);
    prob.residuals(u0, r0);
    const out = levenbergMarquardt(prob, u0, r0, settings);
    expect(out.stop.startsWith('converged')).toBe(true);
    expect(out.u[0]).toBeCloseTo(1, 10);
    expect(out.u[1]).toBeCloseTo(1, 10);
    expect(out.iterations).toBeLessThan(50);
  });

  it('stops at the iteration cap and on cancellation', () => {
    const prob: ResidualProblem = {
      m: 2,
      n: 2,
      residuals(u, r) {
        r[0] = 10 * (u[1]! - u[0]! * u[0]!);
        r[1] = 1 - u[0]!;
        return true;
      },
      jacobian(u, _r, jac) {
        jac.set([-20 * u[0]!, -1, 10, 0]);
        return true;
      },
    };
    const u0 = Float64Array.of(-1.2, 1);
    const r0 = Float64Array.of(-4.4, 2.2);
    expect(levenbergMarquardt(prob, u0, r0, { ...settings, maxIterations: 3 }).stop).toBe(
      'max-iterations',
    );
    const ac = new AbortController();
    ac.abort();
    expect(levenbergMarquardt(prob, u0, r0, { ...settings, signal: ac.signal }).stop).toBe(
      'cancelled',
    );
  });
});
