/**
 * Simulate-then-recover: a noisy bi-exponential decay with known truth, fitted by least squares
 * and by Poisson maximum likelihood; single fits must recover the truth within the reported
 * uncertainty, and over many repeated noisy fits the reported standard errors must match the
 * empirical scatter (coverage).
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.js';
import type { FitResult, Model, ParamsInput } from '../../src/fit/types.js';
import { meanSd, testRng } from './rng.js';

/** y = A1 exp(-t/tau1) + A2 exp(-t/tau2) + c, with its analytic Jacobian. */
const biexp: Model = {
  params: ['A1', 'tau1', 'A2', 'tau2', 'c'],
  evaluate(p, x, out) {
    const [A1, t1, A2, t2, c] = p as unknown as number[];
    for (let i = 0; i < out.length; i++)
      out[i] = A1! * Math.exp(-x[i]! / t1!) + A2! * Math.exp(-x[i]! / t2!) + c!;
  },
  jacobian(p, x, jac) {
    const [A1, t1, A2, t2] = p as unknown as number[];
    for (let i = 0; i < x.length; i++) {
      const e1 = Math.exp(-x[i]! / t1!);
      const e2 = Math.exp(-x[i]! / t2!);
      const r = i * 5;
      jac[r] = e1;
      jac[r + 1] = (A1! * e1 * x[i]!) / (t1! * t1!);
      jac[r + 2] = e2;
      jac[r + 3] = (A2! * e2 * x[i]!) / (t2! * t2!);
      jac[r + 4] = 1;
    }
  },
};
const NAMES = biexp.params;
const TRUTH = [1000, 0.8, 200, 5, 10];
const N = 250;
const t = Float64Array.from({ length: N }, (_, i) => i * 0.1);
const ideal = new Float64Array(N);
biexp.evaluate(Float64Array.from(TRUTH), t, ideal);

const START: ParamsInput = {
  A1: { value: 600, min: 0 },
  tau1: { value: 0.5, min: 0 },
  A2: { value: 100, min: 0 },
  tau2: { value: 3, min: 0 },
  c: 5,
};

function zScores(res: FitResult): number[] {
  return NAMES.map((n, k) => (res.params[n]!.value - TRUTH[k]!) / res.params[n]!.stderr!);
}

describe('least squares round trip (Gaussian noise, known sigma)', () => {
  const SIGMA = 8;
  it('recovers the truth within 3 standard errors and reports a sensible chi-square', () => {
    const rng = testRng(12345);
    const y = ideal.map((v) => v + SIGMA * rng.normal());
    const res = fit(biexp, t, y, START, { sigma: new Float64Array(N).fill(SIGMA) });
    expect(res.status).toBe('converged');
    for (const z of zScores(res)) expect(Math.abs(z)).toBeLessThan(3);
    // chi2 ~ dof +- sqrt(2 dof)
    expect(Math.abs(res.chi2 - res.dof)).toBeLessThan(4 * Math.sqrt(2 * res.dof));
    // analytic Jacobian and finite differences agree
    const fd = fit(biexp, t, y, START, {
      sigma: new Float64Array(N).fill(SIGMA),
      jacobian: 'central',
    });
    for (const n of NAMES) {
      expect(fd.params[n]!.value).toBeCloseTo(res.params[n]!.value, 6);
      expect(fd.params[n]!.stderr! / res.params[n]!.stderr!).toBeCloseTo(1, 5);
    }
  });

  it('reported stderr matches the scatter of 150 repeated fits (absolute and scaled covariance)', () => {
    const rng = testRng(2024);
    const est: number[][] = NAMES.map(() => []);
    const errAbs: number[][] = NAMES.map(() => []);
    const errScaled: number[][] = NAMES.map(() => []);
    let inside = 0;
    let total = 0;
    const sigma = new Float64Array(N).fill(SIGMA);
    for (let rep = 0; rep < 150; rep++) {
      const y = ideal.map((v) => v + SIGMA * rng.normal());
      const a = fit(biexp, t, y, START, { sigma });
      const s = fit(biexp, t, y, START); // no sigma: covariance scaled by the reduced chi-square
      expect(a.converged && s.converged).toBe(true);
      NAMES.forEach((n, k) => {
        est[k]!.push(a.params[n]!.value);
        errAbs[k]!.push(a.params[n]!.stderr!);
        errScaled[k]!.push(s.params[n]!.stderr!);
        expect(s.params[n]!.value).toBeCloseTo(a.params[n]!.value, 6);
      });
      for (const z of zScores(a)) {
        total++;
        if (Math.abs(z) < 1) inside++;
      }
    }
    NAMES.forEach((n, k) => {
      const { mean, sd } = meanSd(est[k]!);
      const reported = meanSd(errAbs[k]!).mean;
      const scaled = meanSd(errScaled[k]!).mean;
      // the sample sd of 150 values is good to ~6 %; allow 4 sigma
      expect(sd / reported, n).toBeGreaterThan(0.77);
      expect(sd / reported, n).toBeLessThan(1.3);
      expect(scaled / reported, n).toBeGreaterThan(0.95);
      expect(scaled / reported, n).toBeLessThan(1.05);
      // unbiased within the error of the mean (plus a little nonlinearity bias)
      expect(Math.abs(mean - TRUTH[k]!) / (reported / Math.sqrt(150)), n).toBeLessThan(4);
    });
    // 68.3 % of |z| < 1 (binomial sd of the fraction over 750 ~ 1.7 %)
    expect(inside / total).toBeGreaterThan(0.61);
    expect(inside / total).toBeLessThan(0.76);
  });
});

describe('Poisson maximum likelihood round trip (counts)', () => {
  it('recovers the truth within 3 standard errors, including many zero-count bins', () => {
    const rng = testRng(7);
    // low background: the tail has many zero bins
    const truth = [300, 0.8, 40, 5, 0.2];
    const f = new Float64Array(N);
    biexp.evaluate(Float64Array.from(truth), t, f);
    const y = f.map((v) => rng.poisson(v));
    expect(y.filter((v) => v === 0).length).toBeGreaterThan(20);
    const res = fit(
      biexp,
      t,
      y,
      { ...START, A1: { value: 200, min: 0 }, A2: { value: 20, min: 0 }, c: { value: 1, min: 0 } },
      {
        method: 'poisson',
      },
    );
    expect(res.status).toBe('converged');
    NAMES.forEach((n, k) => {
      expect(Math.abs(res.params[n]!.value - truth[k]!) / res.params[n]!.stderr!, n).toBeLessThan(
        3,
      );
    });
    // the score (gradient of the log-likelihood) vanishes at the optimum: sum (y/f - 1) df/dp = 0
    const p = Float64Array.from(NAMES, (n) => res.params[n]!.value);
    const jac = new Float64Array(N * 5);
    biexp.jacobian!(p, t, jac);
    for (let j = 0; j < 5; j++) {
      let score = 0;
      let scale = 0;
      for (let i = 0; i < N; i++) {
        const term = (y[i]! / res.best[i]! - 1) * jac[i * 5 + j]!;
        score += term;
        scale += Math.abs(term);
      }
      expect(Math.abs(score) / scale, NAMES[j]).toBeLessThan(1e-7);
    }
    // deviance and Pearson chi-square are both ~ dof for a good model
    expect(Math.abs(res.deviance - res.dof)).toBeLessThan(5 * Math.sqrt(2 * res.dof));
    expect(Math.abs(res.chi2 - res.dof)).toBeLessThan(5 * Math.sqrt(2 * res.dof));
    expect(res.residuals[10]).toBeCloseTo(y[10]! - res.best[10]!, 12);
  });

  it('reported stderr (inverse Fisher information) matches the scatter of 150 repeated fits', () => {
    const rng = testRng(99);
    const est: number[][] = NAMES.map(() => []);
    const err: number[][] = NAMES.map(() => []);
    let inside = 0;
    let total = 0;
    for (let rep = 0; rep < 150; rep++) {
      const y = ideal.map((v) => rng.poisson(v));
      const res = fit(biexp, t, y, START, { method: 'poisson' });
      expect(res.converged).toBe(true);
      NAMES.forEach((n, k) => {
        est[k]!.push(res.params[n]!.value);
        err[k]!.push(res.params[n]!.stderr!);
      });
      for (const z of zScores(res)) {
        total++;
        if (Math.abs(z) < 1) inside++;
      }
    }
    NAMES.forEach((n, k) => {
      const { mean, sd } = meanSd(est[k]!);
      const reported = meanSd(err[k]!).mean;
      expect(sd / reported, n).toBeGreaterThan(0.77);
      expect(sd / reported, n).toBeLessThan(1.3);
      expect(Math.abs(mean - TRUTH[k]!) / (reported / Math.sqrt(150)), n).toBeLessThan(4);
    });
    expect(inside / total).toBeGreaterThan(0.61);
    expect(inside / total).toBeLessThan(0.76);
  });
});
