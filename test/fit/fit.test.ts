/**
 * The fitting engine's features: bounds, fixed and tied parameters, global fits, several
 * independent variables, cancellation, non-finite models, the iteration cap, and bad inputs.
 */
import { describe, expect, it } from 'vitest';
import { FitSetupError, InvalidInputError } from '../../src/core/errors.js';
import { compileFormula, fit, fitGlobal } from '../../src/fit/index.js';
import type { FitResult, Model } from '../../src/fit/types.js';
import { testRng } from './rng.js';

/** y = A exp(-x/tau) + c without an analytic Jacobian (finite differences). */
const mono: Model = {
  params: ['A', 'tau', 'c'],
  evaluate(p, x, out) {
    for (let i = 0; i < out.length; i++) out[i] = p[0]! * Math.exp(-x[i]! / p[1]!) + p[2]!;
  },
};
const biexp = compileFormula('A1*exp(-x/tau1) + A2*exp(-x/tau2) + c');

const x = Float64Array.from({ length: 120 }, (_, i) => i * 0.05);
function simulate(
  model: Model,
  truth: number[],
  sigma: number,
  seed: number,
  xs: Float64Array = x,
): Float64Array {
  const rng = testRng(seed);
  const f = new Float64Array(xs.length / (model.nVariables ?? 1));
  model.evaluate(Float64Array.from(truth), xs, f);
  return f.map((v) => v + sigma * rng.normal());
}

function expectNoNaN(res: FitResult): void {
  const json = JSON.stringify({
    ...res,
    best: Array.from(res.best),
    residuals: Array.from(res.residuals),
  });
  expect(json).not.toMatch(/NaN/);
  for (const p of Object.values(res.params)) {
    expect(Number.isFinite(p.value)).toBe(true);
    if (p.stderr !== null) expect(Number.isFinite(p.stderr)).toBe(true);
  }
  for (const k of ['chi2', 'reducedChi2', 'deviance', 'logLikelihood', 'aic', 'bic'] as const) {
    expect(Number.isFinite(res[k]), k).toBe(true);
  }
}

describe('fit: basics', () => {
  const y = simulate(mono, [10, 1.3, 0.5], 0.05, 1);
  it('fits with finite differences and reports consistent statistics', () => {
    const res = fit(mono, x, y, { A: 5, tau: 1, c: 0 });
    expect(res.status).toBe('converged');
    expect(res.converged).toBe(true);
    expect(res.params.tau!.value).toBeCloseTo(1.3, 1);
    expect(res.nData).toBe(120);
    expect(res.nFree).toBe(3);
    expect(res.dof).toBe(117);
    expect(res.freeParams).toEqual(['A', 'tau', 'c']);
    let chi2 = 0;
    for (let i = 0; i < y.length; i++) chi2 += (y[i]! - res.best[i]!) ** 2;
    expect(res.chi2).toBeCloseTo(chi2, 12);
    expect(res.residuals[3]).toBeCloseTo(y[3]! - res.best[3]!, 14);
    expect(res.reducedChi2).toBeCloseTo(chi2 / 117, 12);
    expect(res.deviance).toBe(res.chi2);
    // lmfit's definitions
    expect(res.aic).toBeCloseTo(120 * Math.log(chi2 / 120) + 2 * 3, 9);
    expect(res.bic).toBeCloseTo(120 * Math.log(chi2 / 120) + Math.log(120) * 3, 9);
    expect(res.logLikelihood).toBeCloseTo(-60 * (Math.log((2 * Math.PI * chi2) / 120) + 1), 9);
    // correlation is the normalised covariance
    const c = res.covariance!;
    expect(res.correlation![0]![1]).toBeCloseTo(c[0]![1]! / Math.sqrt(c[0]![0]! * c[1]![1]!), 12);
    expect(res.params.A!.stderr).toBeCloseTo(Math.sqrt(c[0]![0]!), 14);
    expectNoNaN(res);
  });

  it('covariance: false gives the same fit without uncertainties (for pre-fits)', () => {
    const full = fit(mono, x, y, { A: 5, tau: 1, c: 0 });
    const bare = fit(mono, x, y, { A: 5, tau: 1, c: 0 }, { covariance: false });
    expect(bare.status).toBe('converged');
    expect(bare.params.tau!.value).toBe(full.params.tau!.value);
    expect(bare.chi2).toBe(full.chi2);
    expect(bare.covariance).toBeNull();
    expect(bare.params.tau!.stderr).toBeNull();
    expect(full.params.tau!.stderr).toBeGreaterThan(0);
    expectNoNaN(bare);
  });

  it('takes weights: zero weights drop points, sigma makes the covariance absolute', () => {
    const w = new Float64Array(y.length).fill(1);
    for (let i = 100; i < 120; i++) w[i] = 0;
    const a = fit(mono, x, y, { A: 5, tau: 1, c: 0 }, { weights: w });
    const b = fit(mono, x.subarray(0, 100), y.subarray(0, 100), { A: 5, tau: 1, c: 0 });
    expect(a.nData).toBe(100);
    expect(a.params.tau!.value).toBeCloseTo(b.params.tau!.value, 8);
    expect(a.params.tau!.stderr!).toBeCloseTo(b.params.tau!.stderr!, 8);
    // with sigma the covariance is not rescaled: doubling sigma doubles the stderr
    const s1 = fit(mono, x, y, { A: 5, tau: 1, c: 0 }, { sigma: new Float64Array(120).fill(0.05) });
    const s2 = fit(mono, x, y, { A: 5, tau: 1, c: 0 }, { sigma: new Float64Array(120).fill(0.1) });
    expect(s2.params.tau!.stderr! / s1.params.tau!.stderr!).toBeCloseTo(2, 6);
    expect(s1.chi2 / s2.chi2).toBeCloseTo(4, 6);
    // without sigma, scaling y's weights does not change the stderr
    const w1 = fit(mono, x, y, { A: 5, tau: 1, c: 0 }, { weights: new Float64Array(120).fill(3) });
    const w0 = fit(mono, x, y, { A: 5, tau: 1, c: 0 });
    expect(w1.params.tau!.stderr!).toBeCloseTo(w0.params.tau!.stderr!, 10);
  });

  it('accepts plain arrays and does not modify the inputs', () => {
    const yy = Array.from(y);
    const xx = Array.from(x);
    const res = fit(mono, xx, yy, { A: 5, tau: 1, c: 0 });
    expect(res.converged).toBe(true);
    expect(yy).toEqual(Array.from(y));
    expect(xx).toEqual(Array.from(x));
  });
});

describe('fit: bounds', () => {
  const y = simulate(mono, [10, 1.3, 0.5], 0.05, 2);
  it('stops on an active upper bound, flags it and still converges', () => {
    const res = fit(mono, x, y, { A: 5, tau: { value: 1, min: 0.1, max: 1.0 }, c: 0 });
    expect(res.status).toBe('converged');
    // the optimum lies beyond the bound: the value is put exactly on it
    expect(res.params.tau!.value).toBe(1.0);
    expect(res.params.tau!.atBound).toBe(true);
    expect(res.params.A!.atBound).toBe(false);
    // the constrained optimum: fixing tau at the bound gives the same A and c
    const fixed = fit(mono, x, y, { A: 5, tau: { value: 1.0, fixed: true }, c: 0 });
    expect(res.params.A!.value).toBeCloseTo(fixed.params.A!.value, 6);
    expect(res.chi2).toBeCloseTo(fixed.chi2, 8);
    expectNoNaN(res);
  });

  it('Poisson fit with the background on its lower bound (no background in the data)', () => {
    const rng = testRng(21);
    const f = new Float64Array(x.length);
    mono.evaluate(Float64Array.of(200, 0.6, 0), x, f);
    const counts = f.map((v) => rng.poisson(v));
    expect(counts.filter((v) => v === 0).length).toBeGreaterThan(30);
    const res = fit(
      mono,
      x,
      counts,
      { A: 100, tau: { value: 1, min: 0 }, c: { value: 1, min: 0 } },
      { method: 'poisson' },
    );
    expect(res.status).toBe('converged');
    expect(res.params.c!.atBound).toBe(true);
    expect(res.params.c!.value).toBe(0);
    expect(Math.abs(res.params.tau!.value - 0.6)).toBeLessThan(3 * res.params.tau!.stderr!);
    expectNoNaN(res);
  });

  it('lower-only and upper-only bounds; a start on a bound can leave it', () => {
    const lo = fit(mono, x, y, {
      A: { value: 5, min: 0 },
      tau: { value: 0.2, min: 0.2 },
      c: { value: 0, max: 10 },
    });
    expect(lo.status).toBe('converged');
    expect(lo.params.tau!.value).toBeCloseTo(1.3, 1);
    expect(lo.params.tau!.atBound).toBe(false);
    const free = fit(mono, x, y, { A: 5, tau: 1, c: 0 });
    expect(lo.params.tau!.value).toBeCloseTo(free.params.tau!.value, 7);
    // the stderr of an interior bounded parameter is that of the real parameter
    expect(lo.params.tau!.stderr!).toBeCloseTo(free.params.tau!.stderr!, 7);
    const up = fit(mono, x, y, { A: 5, tau: 1, c: { value: 0.2, max: 0.2 } });
    expect(up.params.c!.value).toBe(0.2);
    expect(up.params.c!.atBound).toBe(true);
    expect(up.converged).toBe(true);
    // lower bound active
    const lb = fit(mono, x, y, { A: 5, tau: 1, c: { value: 1, min: 0.9 } });
    expect(lb.params.c!.atBound).toBe(true);
    expect(lb.params.c!.value).toBe(0.9);
  });
});

describe('fit: fixed and tied parameters', () => {
  const truth = [5, 0.4, 3, 1.6, 0.2];
  const y = simulate(biexp, truth, 0.02, 3);
  it('holds fixed parameters', () => {
    const res = fit(biexp, x, y, {
      A1: 4,
      tau1: 0.3,
      A2: 2,
      tau2: 2,
      c: { value: 0.2, fixed: true },
    });
    expect(res.params.c!.value).toBe(0.2);
    expect(res.params.c!.stderr).toBeNull();
    expect(res.params.c!.fixed).toBe(true);
    expect(res.nFree).toBe(4);
    expect(res.freeParams).toEqual(['A1', 'tau1', 'A2', 'tau2']);
    expect(res.covariance!.length).toBe(4);
  });

  it('ties a parameter by a formula; value and stderr follow from the free ones', () => {
    const res = fit(biexp, x, y, {
      A1: 4,
      tau1: 0.3,
      A2: 2,
      tau2: { value: 0, expr: '4*tau1' },
      c: 0,
    });
    expect(res.status).toBe('converged');
    expect(res.params.tau2!.value).toBeCloseTo(4 * res.params.tau1!.value, 12);
    expect(res.params.tau2!.stderr!).toBeCloseTo(4 * res.params.tau1!.stderr!, 10);
    expect(res.params.tau2!.expr).toBe('4*tau1');
    expect(res.nFree).toBe(4);
    // the same fit written with the tie inside the model
    const tiedModel = compileFormula('A1*exp(-x/tau1) + A2*exp(-x/(4*tau1)) + c');
    const ref = fit(tiedModel, x, y, { A1: 4, tau1: 0.3, A2: 2, c: 0 });
    expect(res.chi2).toBeCloseTo(ref.chi2, 8);
    expect(res.params.tau1!.value).toBeCloseTo(ref.params.tau1!.value, 7);
    expect(res.params.tau1!.stderr!).toBeCloseTo(ref.params.tau1!.stderr!, 7);
  });

  it('ties through an auxiliary parameter used only in expressions, with chains of ties', () => {
    // tau2 = ratio * tau1 with ratio free: a reparameterisation of the free fit
    const res = fit(biexp, x, y, {
      A1: 4,
      tau1: 0.3,
      A2: { value: 0, expr: 'amp2' },
      tau2: { value: 0, expr: 'ratio*tau1' },
      c: 0,
      ratio: 4,
      amp2: { value: 0, expr: 'A1*frac' },
      frac: 0.5,
    });
    const free = fit(biexp, x, y, { A1: 4, tau1: 0.3, A2: 2, tau2: 2, c: 0 });
    expect(res.converged).toBe(true);
    expect(res.chi2).toBeCloseTo(free.chi2, 8);
    expect(res.params.tau2!.value).toBeCloseTo(free.params.tau2!.value, 6);
    // delta method through two levels of ties reproduces the direct stderr
    expect(res.params.tau2!.stderr!).toBeCloseTo(free.params.tau2!.stderr!, 6);
    expect(res.params.A2!.stderr!).toBeCloseTo(free.params.A2!.stderr!, 6);
    expect(res.freeParams.sort()).toEqual(['A1', 'c', 'frac', 'ratio', 'tau1']);
    expect(Object.keys(res.params)).toEqual([
      'A1',
      'tau1',
      'A2',
      'tau2',
      'c',
      'ratio',
      'amp2',
      'frac',
    ]);
  });

  it('rejects bad ties', () => {
    expect(() =>
      fit(biexp, x, y, { A1: 4, tau1: 0.3, A2: 2, tau2: { value: 0, expr: 'tau3' }, c: 0 }),
    ).toThrow(/tau2.*tau3/);
    expect(() =>
      fit(biexp, x, y, {
        A1: 4,
        tau1: { value: 0, expr: 'tau2/2' },
        A2: 2,
        tau2: { value: 0, expr: '2*tau1' },
        c: 0,
      }),
    ).toThrow(/loop/);
    expect(() =>
      fit(biexp, x, y, {
        A1: 4,
        tau1: 0.3,
        A2: 2,
        tau2: { value: 1, expr: 'tau1', fixed: true },
        c: 0,
      }),
    ).toThrow(/both fixed and tied/);
    expect(() =>
      fit(biexp, x, y, { A1: 4, tau1: 0.3, A2: 2, tau2: { value: 0, expr: '2*tau1 +' }, c: 0 }),
    ).toThrow(FitSetupError);
  });
});

describe('fit: several independent variables', () => {
  it('takes x point-major with nVariables = 2', () => {
    const plane = compileFormula('a*u + b*v^2 + c', { variables: ['u', 'v'] });
    expect(plane.nVariables).toBe(2);
    const n = 60;
    const xs = new Float64Array(2 * n);
    const rng = testRng(5);
    for (let i = 0; i < n; i++) {
      xs[2 * i] = rng.uniform() * 10;
      xs[2 * i + 1] = rng.uniform() * 3;
    }
    const y = simulate(plane, [1.5, -0.7, 2], 0.01, 6, xs);
    const res = fit(plane, xs, y, { a: 1, b: 1, c: 0 });
    expect(res.converged).toBe(true);
    expect(res.best.length).toBe(n);
    expect(res.params.a!.value).toBeCloseTo(1.5, 2);
    expect(res.params.b!.value).toBeCloseTo(-0.7, 2);
    expect(() => fit(plane, xs.subarray(0, 2 * n - 1), y, { a: 1, b: 1, c: 0 })).toThrow(
      /2 variables per point/,
    );
  });
});

describe('fitGlobal', () => {
  const decay = compileFormula('A*exp(-x/tau) + c');
  const tauTrue = 1.7;
  const amps = [10, 4, 7];
  const ys = amps.map((A, k) => simulate(decay, [A, tauTrue, 0.1 * k], 0.05, 40 + k));

  it('shares a lifetime over three datasets with per-dataset amplitudes and offsets', () => {
    const res = fitGlobal(
      ys.map((y, k) => ({
        model: decay,
        x,
        y,
        paramMap: { A: `A${k + 1}`, c: `c${k + 1}` },
        name: `sample ${k + 1}`,
      })),
      { A1: 5, A2: 5, A3: 5, tau: { value: 1, min: 0 }, c1: 0, c2: 0, c3: 0 },
    );
    expect(res.status).toBe('converged');
    expect(res.nFree).toBe(7);
    expect(res.nData).toBe(360);
    expect(Math.abs(res.params.tau!.value - tauTrue)).toBeLessThan(3 * res.params.tau!.stderr!);
    amps.forEach((A, k) =>
      expect(Math.abs(res.params[`A${k + 1}`]!.value - A)).toBeLessThan(
        3 * res.params[`A${k + 1}`]!.stderr!,
      ),
    );
    expect(res.datasets.map((d) => d.name)).toEqual(['sample 1', 'sample 2', 'sample 3']);
    expect(res.datasets[1]!.params).toEqual({
      A: res.params.A2!.value,
      tau: res.params.tau!.value,
      c: res.params.c2!.value,
    });
    expect(res.datasets.reduce((s, d) => s + d.chi2, 0)).toBeCloseTo(res.chi2, 9);
    expect(res.best.length).toBe(360);
    expect(Array.from(res.best.subarray(120, 240))).toEqual(Array.from(res.datasets[1]!.best));
    // the shared lifetime is better determined than from one dataset alone
    const single = fit(decay, x, ys[0]!, { A: 5, tau: 1, c: 0 });
    expect(res.params.tau!.stderr!).toBeLessThan(single.params.tau!.stderr!);
    // a global fit of one dataset is the ordinary fit
    const one = fitGlobal([{ model: decay, x, y: ys[0]! }], { A: 5, tau: 1, c: 0 });
    expect(one.params.tau!.value).toBeCloseTo(single.params.tau!.value, 10);
    expect(one.params.tau!.stderr!).toBeCloseTo(single.params.tau!.stderr!, 10);
  });

  it('Poisson global fit with shared lifetime and mixed models', () => {
    const rng = testRng(77);
    const counts = amps.map((A) => {
      const f = new Float64Array(x.length);
      decay.evaluate(Float64Array.of(A * 50, tauTrue, 2), x, f);
      return f.map((v) => rng.poisson(v));
    });
    const other = compileFormula('B*exp(-x/tau)');
    const res = fitGlobal(
      [
        { model: decay, x, y: counts[0]!, paramMap: { A: 'A1' } },
        { model: decay, x, y: counts[1]!, paramMap: { A: 'A2' } },
        { model: other, x, y: counts[2]!.map((v) => Math.max(0, v - 2)) },
      ],
      { A1: 100, A2: 100, B: 100, tau: { value: 1, min: 0 }, c: { value: 1, min: 0 } },
      { method: 'poisson' },
    );
    expect(res.status).toBe('converged');
    expect(res.method).toBe('poisson');
    expect(Math.abs(res.params.tau!.value - tauTrue)).toBeLessThan(3 * res.params.tau!.stderr!);
    expect(res.datasets.reduce((s, d) => s + d.deviance, 0)).toBeCloseTo(res.deviance, 9);
    expectNoNaN(res);
  });

  it('rejects bad datasets and maps', () => {
    expect(() => fitGlobal([], {})).toThrow(InvalidInputError);
    expect(() =>
      fitGlobal([{ model: decay, x, y: ys[0]!, paramMap: { tau0: 't' } }], { A: 1, tau: 1, c: 0 }),
    ).toThrow(/tau0.*not a parameter/);
    expect(() =>
      fitGlobal([{ model: decay, x, y: ys[0]!.subarray(1) }], { A: 1, tau: 1, c: 0 }),
    ).toThrow(/dataset 1: x has 120 values but y has 119/);
    expect(() => fitGlobal([{ model: decay, x, y: ys[0]! }], { A: 1, tau: 1, c: 0, d: 3 })).toThrow(
      /unknown parameter "d"/,
    );
  });
});

describe('fit: honesty about stopping', () => {
  const y = simulate(biexp, [5, 0.4, 3, 1.6, 0.2], 0.02, 8);
  const start = { A1: 1, tau1: 0.1, A2: 1, tau2: 10, c: 0 };
  it('reports the iteration cap', () => {
    const res = fit(biexp, x, y, start, { maxIterations: 2 });
    expect(res.status).toBe('max-iterations');
    expect(res.converged).toBe(false);
    expect(res.iterations).toBe(2);
    expect(res.message).toMatch(/iteration cap/);
    expectNoNaN(res);
  });

  it('cancels before and during a fit', () => {
    const ac = new AbortController();
    ac.abort();
    const before = fit(biexp, x, y, start, { signal: ac.signal });
    expect(before.status).toBe('cancelled');
    expect(before.params.A1!.value).toBe(1);
    const ac2 = new AbortController();
    let calls = 0;
    const slow: Model = {
      params: biexp.params,
      evaluate(p, xx, out) {
        if (++calls === 5) ac2.abort();
        biexp.evaluate(p, xx, out);
      },
    };
    const during = fit(slow, x, y, start, { signal: ac2.signal });
    expect(during.status).toBe('cancelled');
    expect(during.converged).toBe(false);
    expect(calls).toBeLessThan(40);
    expectNoNaN(during);
  });

  it('a model that is NaN at the start is a setup error naming the parameters and the point', () => {
    const sqrtModel = compileFormula('a*sqrt(x - x0)');
    expect(() => fit(sqrtModel, x, y, { a: 1, x0: 1 })).toThrow(FitSetupError);
    expect(() => fit(sqrtModel, x, y, { a: 1, x0: 1 })).toThrow(
      /NaN at point 0 \(x = 0\).*a = 1, x0 = 1/,
    );
  });

  it('steps into NaN territory are rejected; the fit still converges', () => {
    // log(b - x) is NaN for b < max(x) = 5.95; the optimum is near it and LM overshoots
    const m = compileFormula('a*log(b - x)');
    const yy = new Float64Array(x.length);
    m.evaluate(Float64Array.of(2, 6), x, yy);
    const res = fit(m, x, yy, { a: 1, b: 20 });
    expect(res.status).toBe('converged');
    expect(res.params.b!.value).toBeCloseTo(6, 8);
    expectNoNaN(res);
  });

  it('an analytic Jacobian that is NaN somewhere falls back to finite differences', () => {
    // d(b1 x^b2)/db2 = b1 x^b2 ln(x) is 0 * -Infinity = NaN at x = 0
    const power = compileFormula('b1*x^b2');
    const jac = new Float64Array(2 * x.length);
    power.jacobian(Float64Array.of(1, 2), x, jac);
    expect(Number.isNaN(jac[1])).toBe(true);
    const yy = x.map((v) => 0.7 * v ** 1.8);
    const res = fit(power, x, yy, { b1: 1, b2: 1 });
    expect(res.status).toBe('converged');
    expect(res.params.b2!.value).toBeCloseTo(1.8, 9);
    expectNoNaN(res);
  });

  it('a model that is finite only at the start ends with status non-finite, not NaN values', () => {
    let first = true;
    const trap: Model = {
      params: ['a', 'b'],
      evaluate(p, xx, out) {
        for (let i = 0; i < out.length; i++) out[i] = first ? p[0]! + p[1]! * xx[i]! : NaN;
        first = false;
      },
      jacobian(_p, xx, jac) {
        for (let i = 0; i < xx.length; i++) {
          jac[2 * i] = 1;
          jac[2 * i + 1] = xx[i]!;
        }
      },
    };
    const res = fit(trap, x, y, { a: 0, b: 0 });
    expect(res.status).toBe('non-finite');
    expect(res.converged).toBe(false);
    expect(res.params.a!.value).toBe(0);
    expect(Number.isFinite(res.chi2)).toBe(true);
  });

  it('a model that does not depend on its parameters at the start is not called converged', () => {
    const peak = compileFormula('A*exp(-((x - x0)/w)^2)');
    // the peak sits far outside the data: every derivative underflows to zero
    const res = fit(peak, x, y, { A: 1, x0: 500, w: 0.1 });
    expect(res.status).toBe('stalled');
    expect(res.converged).toBe(false);
    expect(res.message).toMatch(/zero Jacobian/);
    expect(res.params.A!.stderr).toBeNull();
    expectNoNaN(res);
  });

  it('with every parameter fixed it evaluates the model and reports the statistics', () => {
    const res = fit(biexp, x, y, {
      A1: { value: 5, fixed: true },
      tau1: { value: 0.4, fixed: true },
      A2: { value: 3, fixed: true },
      tau2: { value: 1.6, fixed: true },
      c: { value: 0.2, fixed: true },
    });
    expect(res.nFree).toBe(0);
    expect(res.covariance).toEqual([]);
    expect(res.iterations).toBe(0);
    let chi2 = 0;
    for (let i = 0; i < x.length; i++) chi2 += res.residuals[i]! ** 2;
    expect(res.chi2).toBeCloseTo(chi2, 12);
    expect(res.message).toMatch(/no free parameters/);
  });

  it('a perfect fit converges with zero chi-square', () => {
    const line = compileFormula('a + b*x');
    const yy = x.map((v) => 1 + 2 * v);
    const res = fit(line, x, yy, { a: 0, b: 0 });
    expect(res.converged).toBe(true);
    expect(res.params.b!.value).toBeCloseTo(2, 12);
    expectNoNaN(res);
  });
});

describe('fit: bad inputs', () => {
  const y = simulate(mono, [10, 1.3, 0.5], 0.05, 9);
  const ok = { A: 5, tau: 1, c: 0 };
  it('names unknown and missing parameters', () => {
    expect(() => fit(mono, x, y, { ...ok, tua: 1 })).toThrow(
      /unknown parameter "tua"; the model's parameters are A, tau, c/,
    );
    expect(() => fit(mono, x, y, { A: 5, c: 0 })).toThrow(
      /missing starting value for parameter "tau"/,
    );
  });
  it('checks values and bounds', () => {
    expect(() => fit(mono, x, y, { ...ok, tau: { value: 5, min: 0, max: 2 } })).toThrow(
      /"tau".*outside its bounds \[0, 2\]/,
    );
    expect(() => fit(mono, x, y, { ...ok, tau: { value: 1, min: 2, max: 2 } })).toThrow(
      /"tau": min \(2\) must be below max/,
    );
    expect(() => fit(mono, x, y, { ...ok, tau: NaN })).toThrow(
      /"tau": starting value must be a finite number/,
    );
  });
  it('checks the data', () => {
    expect(() => fit(mono, x.subarray(1), y, ok)).toThrow(/x has 119 values but y has 120/);
    const bad = Float64Array.from(y);
    bad[17] = NaN;
    expect(() => fit(mono, x, bad, ok)).toThrow(/y is not finite at index 17/);
    const badx = Float64Array.from(x);
    badx[3] = Infinity;
    expect(() => fit(mono, badx, y, ok)).toThrow(/x is not finite at index 3/);
    expect(() => fit(mono, x.subarray(0, 2), y.subarray(0, 2), ok)).toThrow(
      /2 data points cannot determine 3 free parameters/,
    );
    expect(() => fit(mono, x, y, ok, { sigma: new Float64Array(120).fill(0) })).toThrow(
      /sigma must be positive.*index 0/,
    );
    expect(() => fit(mono, x, y, ok, { sigma: new Float64Array(3).fill(1) })).toThrow(
      /sigma has 3 values but y has 120/,
    );
    expect(() => fit(mono, x, [], ok)).toThrow(InvalidInputError);
  });
  it('checks Poisson counts and the model at the start', () => {
    const counts = y.map((v) => Math.round(v * 10));
    const neg = Float64Array.from(counts);
    neg[4] = -1;
    expect(() => fit(mono, x, neg, ok, { method: 'poisson' })).toThrow(/negative at index 4/);
    expect(() =>
      fit(mono, x, counts, ok, { method: 'poisson', sigma: new Float64Array(120).fill(1) }),
    ).toThrow(/Poisson/);
    // model <= 0 where counts were observed
    expect(() => fit(mono, x, counts, { A: -5, tau: 1, c: 0 }, { method: 'poisson' })).toThrow(
      /model gives -5 at point 0 \(x = 0\) but a Poisson fit needs a positive model.*A = -5/,
    );
  });
  it('checks options', () => {
    expect(() => fit(mono, x, y, ok, { maxIterations: 0 })).toThrow(/maxIterations/);
    expect(() => fit(mono, x, y, ok, { ftol: -1 })).toThrow(/ftol/);
    // @ts-expect-error: not a method
    expect(() => fit(mono, x, y, ok, { method: 'bayes' })).toThrow(/method/);
  });
});
