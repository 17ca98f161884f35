import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  closedFormDensity,
  fitFluenceSeries,
  lossFractions,
  rateParamUnit,
  RATE_MODELS,
  simulateFluenceSeries,
  solveRateModel,
  solveStiff,
} from '../../src/kinetics/fluence/index.js';

const within = (q: { value: number; stderr: number | null }, truth: number, k = 3): boolean =>
  q.stderr !== null && Math.abs(q.value - truth) <= k * q.stderr;

describe('stiff ODE solver (Rosenbrock 2(3), ode23s coefficients)', () => {
  it('integrates exponential decay to the requested tolerance and lands on the output times', () => {
    const sys = {
      dimension: 1,
      rhs: (y: Float64Array, o: Float64Array) => void (o[0] = -0.7 * y[0]!),
      jacobian: (_y: Float64Array, j: Float64Array) => void (j[0] = -0.7),
    };
    const times = [0, 0.5, 1, 3, 10];
    const s = solveStiff(sys, [2], 0, times, { rtol: 1e-9 });
    // local error control: the global error of a 2nd-order method is ~ (number of steps) x rtol
    times.forEach((t, i) =>
      expect(Math.abs(s.values[i]! / (2 * Math.exp(-0.7 * t)) - 1)).toBeLessThan(5e-6),
    );
    const loose = solveStiff(sys, [2], 0, times, { rtol: 1e-5 });
    expect(Math.abs(loose.values[4]! / (2 * Math.exp(-7)) - 1)).toBeGreaterThan(1e-6); // the tolerance matters
    expect(loose.steps).toBeLessThan(s.steps);
    // second order: halving a fixed step quarters the error
    const errAt = (n: number): number =>
      solveStiff(sys, [2], 0, [10], {
        grid: Float64Array.from({ length: n }, (_, i) => (10 * (i + 1)) / n),
      }).values[0]! /
        (2 * Math.exp(-7)) -
      1;
    expect(errAt(40) / errAt(80)).toBeCloseTo(4, 1);
    for (const t of times.slice(1)) expect(Array.from(s.grid)).toContain(t);
  });

  it('solves the stiff Robertson problem (reference values at t = 40)', () => {
    const sys = {
      dimension: 3,
      rhs(y: Float64Array, o: Float64Array) {
        o[0] = -0.04 * y[0]! + 1e4 * y[1]! * y[2]!;
        o[1] = 0.04 * y[0]! - 1e4 * y[1]! * y[2]! - 3e7 * y[1]! * y[1]!;
        o[2] = 3e7 * y[1]! * y[1]!;
      },
      jacobian(y: Float64Array, j: Float64Array) {
        j.set([
          -0.04,
          1e4 * y[2]!,
          1e4 * y[1]!,
          0.04,
          -1e4 * y[2]! - 6e7 * y[1]!,
          -1e4 * y[1]!,
          0,
          6e7 * y[1]!,
          0,
        ]);
      },
    };
    const s = solveStiff(sys, [1, 0, 0], 0, [40], { rtol: 1e-6, atol: [1e-10, 1e-14, 1e-10] });
    // Hairer & Wanner, Solving ODEs II: y(40) = (0.7158270687, 9.185534764e-6, 0.2841637457)
    expect(s.values[0]!).toBeCloseTo(0.7158270687, 4);
    expect(s.values[1]! / 9.185534764e-6).toBeCloseTo(1, 3);
    expect(s.values[2]!).toBeCloseTo(0.2841637457, 4);
    // stability limits an explicit method to steps ~ 1e-4 here (> 10^5 steps); an L-stable one is not
    expect(s.steps).toBeLessThan(3000);
  });

  it('a frozen grid reproduces the adaptive solution and is smooth in the rate constants', () => {
    const t = Array.from({ length: 60 }, (_, i) => i * 10);
    const p = { kT: 0.01, kB: 3e-19, kA: 1e-45 }; // kA > 0 forces the ODE path; negligible in value
    const adaptive = solveRateModel('bt', t, 1e17, p);
    const frozen = solveRateModel('bt', t, 1e17, p, { grid: adaptive.grid });
    expect(Array.from(frozen.signal)).toEqual(Array.from(adaptive.signal));
    // d signal / d kB on the frozen grid by central differences vs the closed form's
    const h = 1e-6 * p.kB;
    const up = solveRateModel(
      'bt',
      t,
      1e17,
      { ...p, kB: p.kB + h },
      { grid: adaptive.grid },
    ).signal;
    const dn = solveRateModel(
      'bt',
      t,
      1e17,
      { ...p, kB: p.kB - h },
      { grid: adaptive.grid },
    ).signal;
    const upC = solveRateModel('bt', t, 1e17, { ...p, kA: 0, kB: p.kB + h }).signal;
    const dnC = solveRateModel('bt', t, 1e17, { ...p, kA: 0, kB: p.kB - h }).signal;
    for (let i = 1; i < t.length; i++) {
      const dFrozen = (up[i]! - dn[i]!) / (2 * h);
      const dExact = (upC[i]! - dnC[i]!) / (2 * h);
      expect(Math.abs(dFrozen / dExact - 1)).toBeLessThan(1e-4);
    }
  });

  it('rejects bad problems', () => {
    const sys = {
      dimension: 1,
      rhs: (y: Float64Array, o: Float64Array) => void (o[0] = -y[0]!),
      jacobian: (_y: Float64Array, j: Float64Array) => void (j[0] = -1),
    };
    expect(() => solveStiff(sys, [1, 2], 0, [1])).toThrow(/2 values/);
    expect(() => solveStiff(sys, [1], 0, [2, 1])).toThrow(/increasing/);
    expect(() => solveStiff(sys, [1], 0, [1], { grid: Float64Array.of(0.5) })).toThrow(
      /frozen grid ends/,
    );
  });
});

describe('rate models (pears BT/BTD, 002 eqns 4-5)', () => {
  // pears, tests/test_models.py (Emmanuelpean/pears): T = linspace(0, 100, 100) ns,
  // BT_KWARGS = dict(k_B=50e-20, k_T=10e-3, k_A=1e-40), BTD_KWARGS = dict(k_B=50e-20, k_T=12000e-20, N_T=60e12, p_0=65e12, k_D=80e-20)
  const T = Array.from({ length: 100 }, (_, i) => (100 * i) / 99);
  const T50 = Array.from({ length: 50 }, (_, i) => (100 * i) / 49);
  const BT = { kB: 50e-20, kT: 10e-3, kA: 1e-40 };
  const BTD = { kB: 50e-20, kT: 12000e-20, NT: 60e12, p0: 65e12, kD: 80e-20 };

  it("reproduces the TRPL and densities published in pears' tests", () => {
    const bt = solveRateModel('bt', T, 1e17, BT);
    // pears integrates with scipy's odeint (rtol 1.5e-8): agreement to its own accuracy
    [1.0, 0.88846333, 0.79372223].forEach((v, i) => expect(bt.signal[i]!).toBeCloseTo(v, 6));
    const n = solveRateModel('bt', T50, 1e17, BT).densities.n!;
    [1.0e17, 8.89910152e16, 8.00020301e16].forEach((v, i) => expect(n[i]! / v).toBeCloseTo(1, 6));
    const btd = solveRateModel('btd', T, 1e15, BTD);
    [1.0, 0.99213699, 0.98509858].forEach((v, i) => expect(btd.signal[i]!).toBeCloseTo(v, 6));
    [1.0e15, 9.92639108e14, 9.86097594e14].forEach((v, i) =>
      expect(btd.densities.n_e![i]! / v).toBeCloseTo(1, 6),
    );
  });

  it('closed forms agree with the ODE solution and with their limits', () => {
    const t = Array.from({ length: 40 }, (_, i) => i * 25);
    const closed = solveRateModel('bt', t, 5e16, { kT: 0.004, kB: 2e-19, kA: 0 });
    const ode = solveRateModel('bt', t, 5e16, { kT: 0.004, kB: 2e-19, kA: 1e-60 }, { rtol: 1e-10 });
    expect(closed.grid).toBeNull();
    t.forEach((_, i) => expect(Math.abs(closed.signal[i]! - ode.signal[i]!)).toBeLessThan(1e-7));
    expect(closedFormDensity(10, 0, 1e-19, 1e17)).toBeCloseTo(1e17 / (1 + 1e-19 * 1e17 * 10), -5);
    expect(closedFormDensity(10, 0.1, 0, 1e17) / (1e17 * Math.exp(-1))).toBeCloseTo(1, 12);
    // exciton model = bt-like closed form with k2 = kAnn / 2 and PL ∝ n
    const ex = solveRateModel('exciton', [0, 3], 2, { kX: 0.1, kAnn: 1 });
    expect(ex.signal[1]!).toBeCloseTo(closedFormDensity(3, 0.1, 0.5, 2) / 2, 14);
  });

  it('splits the recombination into channels', () => {
    const trapOnly = lossFractions('bt', 1e16, { kT: 0.01, kB: 0, kA: 0 }, 1000);
    expect(trapOnly.fractions.trapping).toBeCloseTo(1, 12);
    expect(trapOnly.recombined).toBeCloseTo(1 - Math.exp(-10), 6);
    const mixed = lossFractions('bt', 1e17, { kT: 0.01, kB: 5e-19, kA: 0 }, 1000);
    expect(mixed.fractions.bimolecular!).toBeGreaterThan(mixed.fractions.trapping!);
    // analytic: trapped fraction = integral kT n dt / (N0 - n(T)) with n from the closed form
    const sum = Object.values(mixed.fractions).reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(1, 12);
    const btd = lossFractions('btd', 1e15, BTD, 1000);
    expect(Object.keys(btd.fractions).sort()).toEqual(['bimolecular', 'detrapping', 'trapping']);
  });

  it('names units for any density unit', () => {
    expect(rateParamUnit(RATE_MODELS.bt.params[1]!)).toBe('cm^3/ns');
    expect(rateParamUnit(RATE_MODELS.exciton.params[1]!, 'excitons/NC')).toBe(
      '(excitons/NC)^-1 ns^-1',
    );
    expect(rateParamUnit(RATE_MODELS.btd.params[3]!, 'um^-3')).toBe('um^-3');
  });

  it('rejects bad inputs', () => {
    expect(() => solveRateModel('bt', [0, 1], -1, BT)).toThrow(/N0/);
    expect(() => solveRateModel('bt', [-1, 1], 1e16, BT)).toThrow(/>= 0 ns/);
    expect(() => solveRateModel('bt', [0, 1], 1e16, { kT: 0.01, kB: 1e-19 })).toThrow(
      /kA is missing/,
    );
    expect(() => solveRateModel('xyz' as never, [0, 1], 1e16, BT)).toThrow(/unknown rate model/);
  });
});

describe('global fits of simulated fluence series (simulate, then recover)', () => {
  const t = Array.from({ length: 250 }, (_, i) => i * 4);

  it('bt (kA fixed at 0): shared kT, kB with free amplitudes', () => {
    const truth = { kT: 0.004, kB: 2.5e-19, kA: 0 };
    const sim = simulateFluenceSeries({
      model: 'bt',
      params: truth,
      n0: [1e15, 1e16, 5e16],
      timesNs: t,
      seed: 41,
    });
    const r = fitFluenceSeries(sim.traces, { model: 'bt' });
    expect(r.converged).toBe(true);
    expect(within(r.params.kT!, truth.kT)).toBe(true);
    expect(within(r.params.kB!, truth.kB)).toBe(true);
    expect(r.params.kA).toEqual({
      value: 0,
      stderr: null,
      unit: 'cm^6/ns',
      fixed: true,
      atBound: false,
    });
    for (const tr of r.traces) expect(within(tr.amplitude, 1)).toBe(true);
    expect(r.reducedChi2).toBeGreaterThan(0.8);
    expect(r.reducedChi2).toBeLessThan(1.2);
    expect(r.gridRebuilds).toBe(0);
  });

  it('bt with Auger (ODE on a frozen grid): recovers kA', () => {
    const truth = { kT: 0.004, kB: 2.5e-19, kA: 3e-36 };
    const sim = simulateFluenceSeries({
      model: 'bt',
      params: truth,
      n0: [1e15, 1e16, 1e17, 4e17],
      timesNs: t,
      seed: 42,
      peakCounts: 3e4,
    });
    const r = fitFluenceSeries(sim.traces, {
      model: 'bt',
      params: { kA: { value: 1e-36, min: 0 } },
    });
    expect(r.converged).toBe(true);
    for (const k of ['kT', 'kB', 'kA'] as const) expect(within(r.params[k]!, truth[k])).toBe(true);
  });

  it('btd: five shared parameters from five fluences', () => {
    const truth = { kB: 5e-19, kT: 1.2e-16, kD: 8e-19, NT: 6e13, p0: 6.5e13 };
    const tb = Array.from({ length: 250 }, (_, i) => i * 40);
    const sim = simulateFluenceSeries({
      model: 'btd',
      params: truth,
      n0: [5e13, 1.6e14, 4.8e14, 1.6e15, 4.4e15],
      timesNs: tb,
      seed: 43,
    });
    const r = fitFluenceSeries(sim.traces, { model: 'btd', amplitude: 'fixed' });
    expect(r.converged).toBe(true);
    for (const k of Object.keys(truth) as Array<keyof typeof truth>)
      expect(within(r.params[k]!, truth[k])).toBe(true);
  });

  it('exciton model with densities in excitons per nanocrystal', () => {
    const truth = { kX: 0.05, kAnn: 1.5 };
    const te = Array.from({ length: 200 }, (_, i) => i * 0.5);
    const sim = simulateFluenceSeries({
      model: 'exciton',
      params: truth,
      n0: [0.05, 0.5, 2],
      timesNs: te,
      seed: 44,
    });
    const r = fitFluenceSeries(sim.traces, {
      model: 'exciton',
      densityUnit: 'excitons/NC',
      background: 'free',
    });
    expect(within(r.params.kX!, truth.kX)).toBe(true);
    expect(within(r.params.kAnn!, truth.kAnn)).toBe(true);
    expect(r.params.kAnn!.unit).toBe('(excitons/NC)^-1 ns^-1');
    for (const tr of r.traces) expect(within(tr.background, 0)).toBe(true);
  });

  it('warns when a channel never matters (trapping-only data cannot fix kB)', () => {
    const sim = simulateFluenceSeries({
      model: 'bt',
      params: { kT: 0.01, kB: 1e-22, kA: 0 },
      n0: [1e14, 3e14],
      timesNs: t,
      seed: 45,
    });
    const r = fitFluenceSeries(sim.traces, { model: 'bt' });
    expect(r.notes.some((n) => /bimolecular takes at most .*kB is poorly determined/.test(n))).toBe(
      true,
    );
  });

  it('rejects bad series', () => {
    const tr = { timesNs: [0, 1, 2, 3], signal: [1, 0.5, 0.25, 0.12], n0: 1e16 };
    expect(() => fitFluenceSeries([], { model: 'bt' })).toThrow(/at least one/);
    expect(() => fitFluenceSeries([tr], { model: 'nope' as never })).toThrow(/unknown rate model/);
    expect(() => fitFluenceSeries([{ ...tr, n0: 0 }], { model: 'bt' })).toThrow(
      /N0 must be a positive/,
    );
    expect(() => fitFluenceSeries([{ ...tr, signal: [1, 2] }], { model: 'bt' })).toThrow(
      /4 times but 2 signal/,
    );
    expect(() => fitFluenceSeries([tr], { model: 'bt', params: { kX: 1 } })).toThrow(
      /unknown parameter "kX"/,
    );
    expect(() => fitFluenceSeries([{ ...tr, timesNs: [-3, -2, -1, 0] }], { model: 'bt' })).toThrow(
      InvalidInputError,
    );
    expect(() =>
      fitFluenceSeries([{ ...tr, signal: [1, NaN, 0.2, 0.1] }], { model: 'bt' }),
    ).toThrow(/point 2/);
  });
});
