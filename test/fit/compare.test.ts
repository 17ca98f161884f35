/**
 * Special functions, model comparison (Akaike weights, likelihood-ratio test) and the text report.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  aicWeights,
  chiSquareSurvival,
  compareModels,
  compileFormula,
  fit,
  fitGlobal,
  fitReport,
  likelihoodRatioTest,
  logGamma,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../src/fit/index.js';
import { testRng } from './rng.js';

describe('special functions', () => {
  it('logGamma matches factorials and known values', () => {
    let lf = 0;
    for (let n = 1; n <= 170; n++) {
      lf += Math.log(n);
      expect(Math.abs(logGamma(n + 1) - lf) / Math.max(1, lf)).toBeLessThan(2e-15);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649015329 * 1e-8, 10);
    expect(logGamma(1e6)).toBeCloseTo(12815504.56914761, 6); // ln Γ(10^6)
  });

  it('incomplete gamma functions', () => {
    for (const x of [0.01, 0.5, 1, 2, 7.5, 30]) {
      expect(regularizedGammaQ(1, x)).toBeCloseTo(Math.exp(-x), 14); // Q(1, x) = e^-x
      expect(regularizedGammaP(1, x) + regularizedGammaQ(1, x)).toBeCloseTo(1, 14);
      // Q(2, x) = (1 + x) e^-x
      expect(regularizedGammaQ(2, x) / ((1 + x) * Math.exp(-x))).toBeCloseTo(1, 12);
    }
    expect(regularizedGammaQ(3, 100)).toBeCloseTo(Math.exp(-100) * (1 + 100 + 5000), 50);
    expect(regularizedGammaP(0.5, 0)).toBe(0);
    expect(() => regularizedGammaP(-1, 1)).toThrow(InvalidInputError);
  });

  it('chi-square survival function at textbook critical values', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(5.991464547107979, 2)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(11.070497693516351, 5)).toBeCloseTo(0.05, 12);
    expect(chiSquareSurvival(6.634896601021214, 1)).toBeCloseTo(0.01, 12);
    expect(chiSquareSurvival(124.34211340400407, 100)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(1e4, 3)).toBeLessThan(1e-300);
  });
});

const line = compileFormula('a + b*x');
const quad = compileFormula('a + b*x + q*x^2');
const x = Float64Array.from({ length: 40 }, (_, i) => i / 4);
const SIGMA = 0.3;
const sigma = new Float64Array(40).fill(SIGMA);
function data(q: number, seed: number): Float64Array {
  const rng = testRng(seed);
  return x.map((v) => 1 + 0.5 * v + q * v * v + SIGMA * rng.normal());
}

describe('model comparison', () => {
  it('aicWeights are normalised relative likelihoods', () => {
    const w = aicWeights([
      { aic: 10, bic: 12, nData: 5 },
      { aic: 12, bic: 13, nData: 5 },
      { aic: 20, bic: 30, nData: 5 },
    ]);
    expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 15);
    expect(w[1]! / w[0]!).toBeCloseTo(Math.exp(-1), 14);
    expect(w[2]! / w[0]!).toBeCloseTo(Math.exp(-5), 14);
    const wb = aicWeights(
      [
        { aic: 10, bic: 12, nData: 5 },
        { aic: 12, bic: 13, nData: 5 },
      ],
      { criterion: 'bic' },
    );
    expect(wb[1]! / wb[0]!).toBeCloseTo(Math.exp(-0.5), 14);
    expect(() =>
      aicWeights([
        { aic: 1, bic: 1, nData: 5 },
        { aic: 1, bic: 1, nData: 6 },
      ]),
    ).toThrow(/same data/);
    expect(() => aicWeights([])).toThrow(InvalidInputError);
  });

  it('likelihood-ratio test: finds a real quadratic term', () => {
    const y = data(0.05, 1);
    const nested = fit(line, x, y, { a: 0, b: 0 }, { sigma });
    const full = fit(quad, x, y, { a: 0, b: 0, q: 0 }, { sigma });
    const t = likelihoodRatioTest(nested, full);
    expect(t.dof).toBe(1);
    // with known sigma the statistic is the drop in chi-square
    expect(t.statistic).toBeCloseTo(nested.chi2 - full.chi2, 8);
    expect(t.pValue).toBeLessThan(1e-6);
    const cmp = compareModels({ line: nested, quadratic: full });
    expect(cmp.bestByAic).toBe('quadratic');
    expect(cmp.rows[0]!.deltaAic).toBeGreaterThan(10);
    expect(cmp.rows[1]!.aicWeight).toBeGreaterThan(0.99);
    expect(() => likelihoodRatioTest(full, nested)).toThrow(/more free parameters/);
  });

  it('likelihood-ratio test: p-values are calibrated when the nested model is true', () => {
    let rejected = 0;
    const runs = 200;
    let maxDiff = 0;
    for (let k = 0; k < runs; k++) {
      const y = data(0, 100 + k);
      const nested = fit(line, x, y, { a: 0, b: 0 }, { sigma });
      const full = fit(quad, x, y, { a: 0, b: 0, q: 0 }, { sigma });
      const t = likelihoodRatioTest(nested, full);
      maxDiff = Math.max(maxDiff, Math.abs(t.statistic - (nested.chi2 - full.chi2)));
      if (t.pValue < 0.05) rejected++;
    }
    expect(maxDiff).toBeLessThan(1e-6);
    // 5 % +- 1.5 % (binomial sd); allow 3 sd
    expect(rejected / runs).toBeGreaterThan(0.005);
    expect(rejected / runs).toBeLessThan(0.1);
  });

  it('the statistic without sigma uses the fitted noise scale: n ln(chi2_nested / chi2_full)', () => {
    const y = data(0.02, 3);
    const nested = fit(line, x, y, { a: 0, b: 0 });
    const full = fit(quad, x, y, { a: 0, b: 0, q: 0 });
    expect(likelihoodRatioTest(nested, full).statistic).toBeCloseTo(
      40 * Math.log(nested.chi2 / full.chi2),
      8,
    );
  });
});

describe('fitReport', () => {
  const decay = compileFormula('A1*exp(-x/tau1) + A2*exp(-x/tau2) + c');
  const t = Float64Array.from({ length: 100 }, (_, i) => i * 0.1);
  const rng = testRng(11);
  const y = t.map((v) => 5 * Math.exp(-v / 0.5) + 2 * Math.exp(-v / 3) + 0.1 + 0.02 * rng.normal());

  it('shows statistics, parameters with flags, and correlations', () => {
    const res = fit(decay, t, y, {
      A1: 3,
      tau1: { value: 0.4, min: 0 },
      A2: 1,
      tau2: { value: 2.5, min: 0, max: 2.5 },
      c: { value: 0.1, fixed: true },
    });
    const text = fitReport(res, { title: 'two lifetimes' });
    expect(text.split('\n')[0]).toBe('two lifetimes');
    expect(text).toContain('[[Fit Statistics]]');
    expect(text).toMatch(/# data points\s+= 100/);
    expect(text).toMatch(/# free parameters\s+= 4/);
    expect(text).toMatch(/reduced chi-square\s+= /);
    expect(text).toMatch(/Akaike info crit\s+= -?\d/);
    expect(text).toMatch(/A1:\s+\d.* \+\/- .*%\) \(init = 3\)/);
    expect(text).toMatch(/tau2:.*bounds \[0, 2.5\], AT BOUND/);
    expect(text).toMatch(/c:\s+0.1 \(fixed\)/);
    expect(text).toContain('[[Correlations]] (unreported correlations are < 0.1)');
    expect(text).toMatch(/C\(\w+, \w+\) += [+-]0\.\d{4}/);
  });

  it('marks tied parameters, unconverged fits and global datasets', () => {
    const tied = fit(decay, t, y, {
      A1: 3,
      tau1: 0.4,
      A2: 1,
      tau2: { value: 0, expr: '6*tau1' },
      c: 0,
    });
    expect(fitReport(tied)).toMatch(/tau2:.*\+\/- .*\(== '6\*tau1'\)/);
    const capped = fit(
      decay,
      t,
      y,
      { A1: 1, tau1: 0.1, A2: 1, tau2: 10, c: 0 },
      { maxIterations: 1 },
    );
    expect(fitReport(capped)).toMatch(/status\s+= max-iterations {2}\(NOT CONVERGED\)/);
    const g = fitGlobal(
      [
        { model: decay, x: t, y, name: 'film A' },
        { model: decay, x: t, y: y.map((v) => v * 1.01), name: 'film B' },
      ],
      { A1: 3, tau1: 0.4, A2: 1, tau2: 3, c: 0 },
    );
    expect(fitReport(g)).toMatch(/\[\[Datasets\]\]\n\s+film A: 100 points, chi-square = /);
  });
});
