/**
 * The normal-equations path of the engine (tall problems): the pivoted Cholesky factor and its
 * condition estimate, the covariance from J^T W J, the LM loop with and without
 * `normalEquations` (same answers; QR when ill conditioned or close to convergence), the fused
 * J^T J / J^T r of the fitting problem against the assembled Jacobian (bounds, fixed and tied
 * parameters, renamed and repeated parameters, several datasets, least squares and Poisson),
 * and the Poisson statistics computed from the deviance residuals.
 */
import { describe, expect, it } from 'vitest';
import { prepareDataset, FitProblem, type PreparedDataset } from '../../src/fit/engine.js';
import { fit } from '../../src/fit/fit.js';
import {
  choleskyPivoted,
  covarianceFromJacobian,
  covarianceFromNormal,
} from '../../src/fit/linalg.js';
import { levenbergMarquardt, type ResidualProblem } from '../../src/fit/lm.js';
import { prepareParams } from '../../src/fit/params.js';
import { logGamma } from '../../src/fit/special.js';
import type { FitMethod, Model, ParamsInput } from '../../src/fit/types.js';
import { testRng } from './rng.js';

/** J^T J (full, n x n) and J^T r of a column-major m x n matrix. */
function gram(
  m: number,
  n: number,
  j: Float64Array,
  r?: Float64Array,
): { ata: Float64Array; atr: Float64Array } {
  const ata = new Float64Array(n * n);
  const atr = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += j[a * m + i]! * j[b * m + i]!;
      ata[a * n + b] = s;
    }
    if (r) {
      let s = 0;
      for (let i = 0; i < m; i++) s += j[a * m + i]! * r[i]!;
      atr[a] = s;
    }
  }
  return { ata, atr };
}

function randomMatrix(m: number, n: number, seed: number): Float64Array {
  const rng = testRng(seed);
  return Float64Array.from({ length: m * n }, () => rng.normal());
}

function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]!));
  return s;
}

describe('pivoted Cholesky of J^T J', () => {
  it('factors P^T A P = R^T R with R the QR factor of J P up to signs', () => {
    const m = 40;
    const n = 5;
    const j = randomMatrix(m, n, 3);
    const { ata } = gram(m, n, j);
    const r = new Float64Array(n * n);
    const ipvt = new Int32Array(n);
    const cond = choleskyPivoted(n, ata, r, n, ipvt, new Float64Array(2 * n * n + n));
    expect(cond).toBeGreaterThanOrEqual(1);
    expect(cond).toBeLessThan(100);
    expect(Array.from(ipvt).sort()).toEqual([0, 1, 2, 3, 4]);
    const scale = maxAbs(ata);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let k = 0; k <= Math.min(a, b); k++) s += r[a * n + k]! * r[b * n + k]!;
        expect(Math.abs(s - ata[ipvt[a]! * n + ipvt[b]!]!)).toBeLessThan(1e-13 * scale);
      }
    }
    // det(R)^2 = det(A): compare with the product of |R_jj| from the columns' QR (Gram-Schmidt)
    let logDetR = 0;
    for (let k = 0; k < n; k++) logDetR += Math.log(Math.abs(r[k * n + k]!));
    const q = Float64Array.from(j);
    let logDetQr = 0;
    for (let k = 0; k < n; k++) {
      for (let p = 0; p < k; p++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += q[p * m + i]! * q[k * m + i]!;
        for (let i = 0; i < m; i++) q[k * m + i]! -= d * q[p * m + i]!;
      }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += q[k * m + i]! ** 2;
      nrm = Math.sqrt(nrm);
      logDetQr += Math.log(nrm);
      for (let i = 0; i < m; i++) q[k * m + i]! /= nrm;
    }
    expect(logDetR).toBeCloseTo(logDetQr, 10);
  });

  it('estimates the condition number of the column-scaled matrix, independent of units', () => {
    // [[1, c], [c, 1]] has condition number (1 + c) / (1 - c); the estimate lies within n^2
    for (const c of [0, 0.5, 0.999, 0.999999]) {
      const truth = (1 + c) / (1 - c);
      for (const s of [1, 1e-6, 1e7]) {
        const a = Float64Array.of(1, c * s, c * s, s * s);
        const est = choleskyPivoted(2, a, null, 2, new Int32Array(2), new Float64Array(10));
        expect(est).toBeGreaterThanOrEqual(truth * (1 - 1e-9));
        expect(est).toBeLessThanOrEqual(4 * truth);
      }
    }
  });

  it('refuses singular, zero, non-finite or out-of-range matrices (the caller uses QR)', () => {
    const work = new Float64Array(2 * 9 + 3);
    const ipvt = new Int32Array(3);
    const j = randomMatrix(10, 3, 5);
    j.copyWithin(20, 10, 20); // column 2 = column 1
    expect(choleskyPivoted(3, gram(10, 3, j).ata, null, 3, ipvt, work)).toBe(Infinity);
    const z = randomMatrix(10, 3, 6);
    z.fill(0, 10, 20);
    expect(choleskyPivoted(3, gram(10, 3, z).ata, null, 3, ipvt, work)).toBe(Infinity);
    const a = gram(10, 3, randomMatrix(10, 3, 7)).ata;
    a[1] = NaN;
    expect(choleskyPivoted(3, a, null, 3, ipvt, work)).toBe(Infinity);
    const tiny = gram(
      10,
      3,
      randomMatrix(10, 3, 8).map((v) => v * 1e-160),
    ).ata;
    expect(choleskyPivoted(3, tiny, null, 3, ipvt, work)).toBe(Infinity);
  });
});

describe('covariance from the normal matrix', () => {
  it('equals the QR covariance for a well conditioned Jacobian', () => {
    const m = 60;
    const n = 4;
    const j = randomMatrix(m, n, 11);
    // very different column units
    for (let i = 0; i < m; i++) {
      j[i]! *= 1e-5;
      j[3 * m + i]! *= 1e4;
    }
    const { ata } = gram(m, n, j);
    const covN = new Float64Array(n * n);
    const covQ = new Float64Array(n * n);
    expect(covarianceFromNormal(n, ata, covN, 1e6)).toBe(true);
    expect(covarianceFromJacobian(m, n, Float64Array.from(j), covQ)).toBe(true);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const s = Math.sqrt(covQ[a * n + a]! * covQ[b * n + b]!);
        expect(Math.abs(covN[a * n + b]! - covQ[a * n + b]!)).toBeLessThan(1e-12 * s);
      }
    }
  });

  it('declines (for QR to decide) when the scaled matrix is ill conditioned', () => {
    const m = 30;
    const x = Float64Array.from({ length: m }, (_, i) => 10 + i / m);
    const j = new Float64Array(m * 4);
    for (let k = 0; k < 4; k++) for (let i = 0; i < m; i++) j[k * m + i] = x[i]! ** k;
    const cov = new Float64Array(16);
    expect(covarianceFromNormal(4, gram(m, 4, j).ata, cov, 1e6)).toBe(false);
    expect(covarianceFromJacobian(m, 4, j, cov)).toBe(true);
  });
});

/** Residuals a exp(-t/tau) + c - y (m points) with counters for the Jacobian calls. */
function decayProblem(withNormal: boolean): ResidualProblem & {
  jacCalls: number;
  normalCalls: number;
} {
  const m = 300;
  const t = Float64Array.from({ length: m }, (_, i) => i * 0.02);
  const rng = testRng(21);
  const y = t.map((v) => 50 * Math.exp(-v / 1.3) + 4 + 0.3 * rng.normal());
  const jacobian = (u: Float64Array, jac: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      const e = Math.exp(-t[i]! / u[1]!);
      jac[i] = e;
      jac[m + i] = (u[0]! * e * t[i]!) / (u[1]! * u[1]!);
      jac[2 * m + i] = 1;
    }
  };
  const work = new Float64Array(3 * m);
  const prob = {
    m,
    n: 3,
    jacCalls: 0,
    normalCalls: 0,
    residuals(u: Float64Array, r: Float64Array): boolean {
      for (let i = 0; i < m; i++) r[i] = u[0]! * Math.exp(-t[i]! / u[1]!) + u[2]! - y[i]!;
      return r.every(Number.isFinite);
    },
    jacobian(u: Float64Array, _r: Float64Array, jac: Float64Array): boolean {
      prob.jacCalls++;
      jacobian(u, jac);
      return true;
    },
    normalEquations: undefined as ResidualProblem['normalEquations'],
  };
  if (withNormal) {
    prob.normalEquations = (u, r, ata, atr) => {
      prob.normalCalls++;
      jacobian(u, work);
      const g = gram(m, 3, work, r);
      ata.set(g.ata);
      atr.set(g.atr);
      return true;
    };
  }
  return prob;
}

describe('LM loop with normal equations', () => {
  const settings = {
    ftol: 1e-15,
    xtol: 1e-15,
    gtol: 1e-10,
    maxIterations: 200,
    maxEvaluations: 4000,
    stepBound: 100,
  };
  const start = (p: ResidualProblem): { u0: Float64Array; r0: Float64Array } => {
    const u0 = Float64Array.of(20, 0.5, 0);
    const r0 = new Float64Array(p.m);
    p.residuals(u0, r0);
    return { u0, r0 };
  };

  it('reaches the same optimum as the QR path, switching to QR for the last iterations', () => {
    const pq = decayProblem(false);
    const pn = decayProblem(true);
    const a = start(pq);
    const b = start(pn);
    const outQ = levenbergMarquardt(pq, a.u0, a.r0, settings);
    const outN = levenbergMarquardt(pn, b.u0, b.r0, settings);
    expect(outQ.stop.startsWith('converged')).toBe(true);
    expect(outN.stop.startsWith('converged')).toBe(true);
    for (let k = 0; k < 3; k++) expect(Math.abs(outN.u[k]! / outQ.u[k]! - 1)).toBeLessThan(1e-10);
    expect(Math.abs(outN.fnorm / outQ.fnorm - 1)).toBeLessThan(1e-13);
    expect(pn.normalCalls).toBeGreaterThan(2);
    expect(pn.jacCalls).toBeGreaterThan(0); // the final, tight-tolerance iterations
    expect(pn.normalCalls + pn.jacCalls).toBe(outN.iterations);
    // on return r0 holds the residuals at the returned point
    const r = new Float64Array(pn.m);
    pn.residuals(outN.u, r);
    expect(Array.from(b.r0)).toEqual(Array.from(r));
  });

  it('stays on the normal equations for loose tolerances', () => {
    const pn = decayProblem(true);
    const b = start(pn);
    const out = levenbergMarquardt(pn, b.u0, b.r0, { ...settings, ftol: 1e-6, xtol: 1e-6 });
    expect(out.stop.startsWith('converged')).toBe(true);
    expect(pn.jacCalls).toBe(0);
    expect(pn.normalCalls).toBe(out.iterations);
  });

  it('falls back to QR when J^T J is ill conditioned', () => {
    // a quartic in x on [10, 11]: the power columns are nearly dependent
    const m = 100;
    const n = 5;
    const x = Float64Array.from({ length: m }, (_, i) => 10 + i / (m - 1));
    const rng = testRng(4);
    const y = x.map((v) => 1 + 0.1 * v - 0.01 * v * v + 0.02 * rng.normal());
    const jac = (j: Float64Array): void => {
      for (let k = 0; k < n; k++) for (let i = 0; i < m; i++) j[k * m + i] = x[i]! ** k;
    };
    const make = (withNormal: boolean) => {
      const work = new Float64Array(m * n);
      const p: ResidualProblem & { normalCalls: number } = {
        m,
        n,
        normalCalls: 0,
        residuals(u, r) {
          for (let i = 0; i < m; i++) {
            let s = 0;
            for (let k = n - 1; k >= 0; k--) s = s * x[i]! + u[k]!;
            r[i] = s - y[i]!;
          }
          return true;
        },
        jacobian(_u, _r, j) {
          jac(j);
          return true;
        },
      };
      if (withNormal) {
        p.normalEquations = (_u, r, ata, atr) => {
          p.normalCalls++;
          jac(work);
          const g = gram(m, n, work, r);
          ata.set(g.ata);
          atr.set(g.atr);
          return true;
        };
      }
      return p;
    };
    const outs = [make(false), make(true)].map((p) => {
      const u0 = new Float64Array(n);
      const r0 = new Float64Array(m);
      p.residuals(u0, r0);
      return { p, out: levenbergMarquardt(p, u0, r0, settings) };
    });
    const [q, nq] = outs;
    expect(nq!.p.normalCalls).toBe(1); // tried once, then QR for the rest of the fit
    expect(nq!.out.stop.startsWith('converged')).toBe(true);
    expect(Math.abs(nq!.out.fnorm / q!.out.fnorm - 1)).toBeLessThan(1e-9);
  });
});

/** A exp(-k x) + c with an analytic Jacobian. */
const decayModel: Model = {
  params: ['A', 'k', 'c'],
  evaluate(p, x, out) {
    for (let i = 0; i < out.length; i++) out[i] = p[0]! * Math.exp(-p[1]! * x[i]!) + p[2]!;
  },
  jacobian(p, x, jac) {
    for (let i = 0; i < x.length; i++) {
      const e = Math.exp(-p[1]! * x[i]!);
      jac[3 * i] = e;
      jac[3 * i + 1] = -p[0]! * x[i]! * e;
      jac[3 * i + 2] = 1;
    }
  },
};

/** A fitting problem of three datasets (as fitGlobal builds it) at its starting point. */
function globalProblem(method: FitMethod): FitProblem {
  const rng = testRng(99);
  const x = Float64Array.from({ length: 80 }, (_, i) => i * 0.05);
  const counts = (a: number, k: number, c: number): Float64Array =>
    x.map((v) => rng.poisson(a * Math.exp(-k * v) + c));
  const specs: { y: Float64Array; map: Record<string, string> }[] = [
    { y: counts(200, 0.8, 5), map: {} },
    { y: counts(120, 0.8, 9), map: { A: 'A2', c: 'd' } },
    // both A and k of this model are the global A: two columns for one parameter
    { y: counts(30, 0.5, 3), map: { k: 'A', c: 'c3' } },
  ];
  const required: string[] = [];
  const prepared = specs.map((s, i) => {
    const d = prepareDataset(decayModel, x, s.y, undefined, undefined, method, `d${i}`, '');
    const names = d.modelParams.map((p) => s.map[p] ?? p);
    for (const g of names) if (!required.includes(g)) required.push(g);
    return { d, names };
  });
  const params: ParamsInput = {
    A: { value: 150, min: 0 },
    k: { value: 0.6, min: 0.01, max: 5 },
    c: { value: 4, fixed: true },
    A2: { value: 0, expr: '0.5*A + d' },
    d: { value: 8, max: 50 },
    c3: { value: 2 },
  };
  const pp = prepareParams(params, required, (u) => `unknown ${u.join(', ')}`);
  const ds: PreparedDataset[] = prepared.map(({ d, names }) => ({
    ...d,
    map: Int32Array.from(names, (g) => pp.names.indexOf(g)),
  }));
  return new FitProblem(ds, pp, method === 'poisson', 'auto');
}

describe("the fitting problem's normal equations", () => {
  for (const method of ['least-squares', 'poisson'] as const) {
    it(`equal J^T J and J^T r of the assembled Jacobian (${method}, ties, bounds, 3 datasets)`, () => {
      const prob = globalProblem(method);
      const { m, n } = prob;
      expect(n).toBe(4); // A, k, d, c3 free; c fixed; A2 tied
      const u = prob.initialInternal();
      u[0]! *= 1.1; // not on the starting point, so the transforms' derivatives are not 1
      u[1]! += 0.3;
      const r = new Float64Array(m);
      expect(prob.residuals(u, r)).toBe(true);
      prob.accept();
      const ata = new Float64Array(n * n);
      const atr = new Float64Array(n);
      expect(prob.normalEquations(u, r, ata, atr)).toBe(true);
      const jac = new Float64Array(m * n);
      expect(prob.jacobian(u, r, jac)).toBe(true);
      const ref = gram(m, n, jac, r);
      const sa = maxAbs(ref.ata);
      for (let i = 0; i < n * n; i++)
        expect(Math.abs(ata[i]! - ref.ata[i]!)).toBeLessThan(1e-12 * sa);
      for (let a = 0; a < n; a++) {
        const s = Math.sqrt(ref.ata[a * n + a]!) * Math.hypot(...r);
        expect(Math.abs(atr[a]! - ref.atr[a]!)).toBeLessThan(1e-12 * s);
      }
      // the covariance's matrix (real parameters, Fisher weights for Poisson)
      const ext = new Float64Array(n * n);
      expect(prob.normalMatrixExternal(u, ext, new Float64Array(n))).toBe(true);
      const jacExt = new Float64Array(m * n);
      expect(prob.assemble(u, null, jacExt, true)).toBe(true);
      const refExt = gram(m, n, jacExt);
      const se = maxAbs(refExt.ata);
      for (let i = 0; i < n * n; i++) {
        expect(Math.abs(ext[i]! - refExt.ata[i]!)).toBeLessThan(1e-12 * se);
      }
      prob.release();
    });
  }
});

describe("the fitting problem's Jacobian", () => {
  for (const method of ['least-squares', 'poisson'] as const) {
    it(`is the derivative of the residuals (${method}; central differences)`, () => {
      const prob = globalProblem(method);
      const { m, n } = prob;
      const u = prob.initialInternal();
      u[0]! *= 1.1;
      u[1]! += 0.3;
      const r = new Float64Array(m);
      prob.residuals(u, r);
      prob.accept();
      const jac = new Float64Array(m * n);
      expect(prob.jacobian(u, r, jac)).toBe(true);
      const up = new Float64Array(m);
      const dn = new Float64Array(m);
      for (let k = 0; k < n; k++) {
        const h = 1e-5 * Math.max(1, Math.abs(u[k]!));
        const v = Float64Array.from(u);
        v[k] = u[k]! + h;
        prob.residuals(v, up);
        v[k] = u[k]! - h;
        prob.residuals(v, dn);
        let scale = 0;
        for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(jac[k * m + i]!));
        for (let i = 0; i < m; i++) {
          const fd = (up[i]! - dn[i]!) / (2 * h);
          expect(Math.abs(fd - jac[k * m + i]!)).toBeLessThan(1e-6 * scale);
        }
      }
      prob.release();
    });
  }
});

describe('Poisson statistics from the deviance residuals', () => {
  it('deviance and log-likelihood equal their definitions at the fitted model', () => {
    const x = Float64Array.from({ length: 400 }, (_, i) => i * 0.02);
    const rng = testRng(8);
    // counts from ~0 to ~20000: deviance terms on both sides of the series/log1p switch
    const y = x.map((v) => rng.poisson(20000 * Math.exp(-v / 0.9) + 0.5));
    const res = fit(
      decayModel,
      x,
      y,
      { A: { value: 15000, min: 0 }, k: { value: 1, min: 0 }, c: { value: 1, min: 0 } },
      { method: 'poisson' },
    );
    expect(res.converged).toBe(true);
    let dev = 0;
    let logL = 0;
    let pearson = 0;
    for (let i = 0; i < y.length; i++) {
      const f = res.best[i]!;
      const yi = y[i]!;
      const t = (f - yi) / yi;
      dev += yi === 0 ? 2 * f : 2 * yi * (t - Math.log1p(t));
      logL += (yi > 0 ? yi * Math.log(f) : 0) - f - logGamma(yi + 1);
      pearson += (yi - f) ** 2 / f;
    }
    expect(Math.abs(res.deviance / dev - 1)).toBeLessThan(1e-10);
    expect(Math.abs(res.logLikelihood / logL - 1)).toBeLessThan(1e-12);
    expect(Math.abs(res.chi2 / pearson - 1)).toBeLessThan(1e-12);
    expect(res.nData).toBe(400);
  });
});
