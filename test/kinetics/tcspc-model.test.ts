/**
 * The TCSPC decay model: exact bin integration (kernel sums, agreement of the measured-IRF
 * recursion with the analytic Gaussian form), the analytic Jacobian against finite differences,
 * sub-bin IRF shifts, previous-pulse pile-up, and the bias of point-sampled kernels that the
 * bin-integrated model avoids.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.js';
import type { Model } from '../../src/fit/types.js';
import {
  DecayModel,
  convolveExp,
  erfcx,
  expKernelCoefficients,
  fitDecay,
  prepareIrf,
  shiftHistogram,
  simulateDecay,
} from '../../src/kinetics/tcspc/index.js';
import { erfc } from '../../src/fit/formula.js';

const gaussianIrf = (
  n: number,
  dt: number,
  centerNs: number,
  sdNs: number,
  peak = 1e5,
): Float64Array =>
  Float64Array.from(
    { length: n },
    (_, i) => peak * Math.exp(-0.5 * (((i + 0.5) * dt - centerNs) / sdNs) ** 2),
  );

/** A prepared measured IRF at 1 ns: Gaussian core, a 0.2 ns diffusion tail and dark counts. */
function measuredIrf(
  n: number,
  dt: number,
): { kind: 'measured'; irf: Float64Array; support: [number, number] } {
  const raw = gaussianIrf(n, dt, 1, 0.05).map(
    (v, i) => v + (i * dt > 1 ? 800 * Math.exp(-(i * dt - 1) / 0.2) : 0) + 5,
  );
  const p = prepareIrf(raw, dt);
  return { kind: 'measured', irf: p.irf, support: p.support };
}

/** Max |analytic - central difference| / max |derivative| over all points, per parameter. */
function jacobianErrors(m: DecayModel, p: number[]): Record<string, number> {
  const n = m.end - m.start;
  const np = m.params.length;
  const x = new Float64Array(n);
  const jac = new Float64Array(n * np);
  m.jacobian(Float64Array.from(p), x, jac);
  const up = new Float64Array(n);
  const dn = new Float64Array(n);
  const out: Record<string, number> = {};
  for (let j = 0; j < np; j++) {
    const h = 1e-5 * Math.max(Math.abs(p[j]!), 1e-2);
    const a = Float64Array.from(p);
    a[j]! += h;
    m.evaluate(a, x, up);
    const b = Float64Array.from(p);
    b[j]! -= h;
    m.evaluate(b, x, dn);
    let err = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      const fd = (up[i]! - dn[i]!) / (2 * h);
      err = Math.max(err, Math.abs(fd - jac[i * np + j]!));
      scale = Math.max(scale, Math.abs(fd));
    }
    out[m.params[j]!] = scale > 0 ? err / scale : err;
  }
  return out;
}

describe('special functions', () => {
  it('erfcx(x) = exp(x^2) erfc(x) where both are representable, and ~1/(x sqrt(pi)) far out', () => {
    for (const x of [-2, -0.3, 0, 0.4, 1, 2.5, 3, 5, 10, 25]) {
      expect(erfcx(x)).toBeCloseTo(
        Math.exp(x * x) * erfc(x),
        12 - Math.max(0, Math.round(Math.log10(Math.exp(x * x) * erfc(x)))),
      );
    }
    expect(erfcx(1e4) * 1e4 * Math.sqrt(Math.PI)).toBeCloseTo(1, 8);
  });
});

describe('bin-integrated exponential kernel', () => {
  it('sums to tau for lifetimes from far below to far above the bin width', () => {
    for (const tau of [0.001, 0.01, 0.05, 0.3, 2, 50, 1e4]) {
      const k = expKernelCoefficients(tau, 0.05);
      const sum = k.k0 + k.c / (1 - k.q);
      expect(Math.abs(sum / tau - 1)).toBeLessThan(1e-9);
      expect(k.k0).toBeGreaterThan(0);
    }
  });
  it('the recursion equals the direct sum over the kernel', () => {
    const dt = 0.02;
    const n = 300;
    const irf = gaussianIrf(n, dt, 1, 0.05);
    const tau = 0.7;
    const out = new Float64Array(n);
    convolveExp(irf, tau, dt, 0, out);
    const k = expKernelCoefficients(tau, dt);
    const K = (m: number): number => (m === 0 ? k.k0 : k.c * Math.pow(k.q, m - 1));
    for (const i of [40, 55, 80, 200]) {
      let direct = 0;
      for (let j = 0; j <= i; j++) direct += irf[j]! * K(i - j);
      expect(out[i]! / (direct / dt) - 1).toBeCloseTo(0, 12);
    }
  });
  it('a measured IRF that is a fine Gaussian histogram reproduces the analytic Gaussian model', () => {
    const dt = 0.002;
    const n = 3000;
    const center = 1.5;
    const fwhm = 0.2;
    const sd = fwhm / 2.3548200450309493;
    // a histogram of the Gaussian with exact bin contents
    const h = Float64Array.from({ length: n }, (_, i) => {
      const cdf = (t: number) => 0.5 * erfc(-(t - center) / (sd * Math.SQRT2));
      return 1e6 * (cdf((i + 1) * dt) - cdf(i * dt));
    });
    const prepared = prepareIrf(h, dt, { background: 0 });
    const meas = new DecayModel({
      nBins: n,
      binNs: dt,
      irf: { kind: 'measured', irf: prepared.irf },
      terms: ['exp'],
    });
    const gau = new DecayModel({
      nBins: n,
      binNs: dt,
      irf: { kind: 'gaussian', fwhmNs: fwhm },
      terms: ['exp'],
    });
    const a = meas.evaluateFull([100, 0.8, 0, 0]);
    const b = gau.evaluateFull([100, 0.8, 0, center]);
    let err = 0;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      err = Math.max(err, Math.abs(a[i]! - b[i]!));
      peak = Math.max(peak, b[i]!);
    }
    // the only difference: the histogram IRF is taken as flat within each 2 ps bin
    expect(err / peak).toBeLessThan(1e-4);
  });
});

describe('analytic Jacobian', () => {
  const dt = 0.01;
  const n = 800;
  const meas = measuredIrf(n, dt);
  const gau = { kind: 'gaussian' as const, fwhmNs: 0.15 };
  const cases: Array<[string, DecayModel, number[]]> = [
    [
      'measured IRF, 2 exponentials, window',
      new DecayModel({ nBins: n, binNs: dt, irf: meas, terms: ['exp', 'exp'], window: [50, 700] }),
      [100, 0.3, 20, 4, 1, -0.0333],
    ],
    [
      'measured IRF, pile-up',
      new DecayModel({
        nBins: n,
        binNs: dt,
        irf: meas,
        terms: ['exp', 'exp'],
        repetitionPeriodNs: 12.5,
      }),
      [100, 0.3, 20, 25, 1, 0.0133],
    ],
    [
      'Gaussian IRF, 2 exponentials',
      new DecayModel({ nBins: n, binNs: dt, irf: gau, terms: ['exp', 'exp'] }),
      [100, 0.3, 20, 4, 1, 1.01],
    ],
    [
      'Gaussian IRF, pile-up',
      new DecayModel({
        nBins: n,
        binNs: dt,
        irf: gau,
        terms: ['exp', 'exp'],
        repetitionPeriodNs: 12.5,
      }),
      [100, 0.3, 20, 25, 1, 1.01],
    ],
    [
      'Gaussian IRF, lifetime below a bin',
      new DecayModel({ nBins: n, binNs: dt, irf: gau, terms: ['exp'] }),
      [100, 0.003, 1, 1.01],
    ],
    [
      'stretched exponential',
      new DecayModel({ nBins: n, binNs: dt, irf: meas, terms: ['stretched'] }),
      [100, 2, 0.6, 1, 0.0333],
    ],
    [
      'exponential + power law',
      new DecayModel({ nBins: n, binNs: dt, irf: gau, terms: ['exp', 'power'] }),
      [100, 0.5, 20, 0.3, 1.8, 1, 1.01],
    ],
  ];
  for (const [name, model, params] of cases) {
    it(`matches central differences: ${name}`, () => {
      const errs = jacobianErrors(model, params);
      for (const [k, e] of Object.entries(errs)) expect(e, `d/d${k}`).toBeLessThan(2e-5);
    });
  }
});

describe('grouped model (closed-form sums past the IRF)', () => {
  const dt = 0.01;
  const n = 1000;
  const meas = measuredIrf(n, dt);
  const cases: Array<[string, DecayModel, number[], number]> = [
    [
      '3 exponentials, whole window, groups of 7 (last group shorter)',
      new DecayModel({ nBins: n, binNs: dt, irf: meas, terms: ['exp', 'exp', 'exp'] }),
      [100, 0.05, 30, 1.1, 10, 6, 2, 0.0237],
      7,
    ],
    [
      'window starting after the IRF, long and sub-bin lifetimes',
      new DecayModel({ nBins: n, binNs: dt, irf: meas, terms: ['exp', 'exp'], window: [400, 990] }),
      [100, 0.002, 30, 40, 1, -0.041],
      9,
    ],
    [
      'pile-up from previous pulses',
      new DecayModel({
        nBins: n,
        binNs: dt,
        irf: meas,
        terms: ['exp', 'exp'],
        repetitionPeriodNs: 12.5,
        window: [20, 1000],
      }),
      [100, 0.3, 20, 25, 1, 0.0133],
      8,
    ],
  ];
  for (const [name, model, params, g] of cases) {
    it(`equals the sums of the per-bin model and Jacobian: ${name}`, () => {
      const p = Float64Array.from(params);
      const len = model.end - model.start;
      const np = model.params.length;
      const groups = Math.ceil(len / g);
      const x = new Float64Array(len);
      const fine = new Float64Array(len);
      model.evaluate(p, x, fine);
      const fineJ = new Float64Array(len * np);
      model.jacobian(p, x, fineJ);
      const want = new Float64Array(groups);
      const wantJ = new Float64Array(groups * np);
      for (let i = 0; i < len; i++) {
        const j = Math.floor(i / g);
        want[j]! += fine[i]!;
        for (let c = 0; c < np; c++) wantJ[j * np + c]! += fineJ[i * np + c]!;
      }
      const got = new Float64Array(groups);
      model.groupedEvaluate(p, g, got);
      const gotJ = new Float64Array(groups * np);
      model.groupedJacobian(p, g, gotJ);
      for (let j = 0; j < groups; j++) {
        expect(Math.abs(got[j]! - want[j]!), `group ${j}`).toBeLessThan(
          1e-9 * Math.max(1, want[j]!),
        );
      }
      for (let c = 0; c < np; c++) {
        let scale = 0;
        for (let j = 0; j < groups; j++) scale = Math.max(scale, Math.abs(wantJ[j * np + c]!));
        for (let j = 0; j < groups; j++) {
          const d = Math.abs(gotJ[j * np + c]! - wantJ[j * np + c]!);
          expect(d, `d/d${model.params[c]} group ${j}`).toBeLessThan(
            1e-10 * Math.max(scale, 1e-300),
          );
        }
      }
    });
  }
});

describe('IRF shift by a fraction of a bin', () => {
  it('is exact for whole bins, preserves the area, and has a continuous derivative', () => {
    const irf = gaussianIrf(200, 1, 80, 4);
    const out = new Float64Array(200);
    const d = new Float64Array(200);
    shiftHistogram(irf, 3, out, d);
    for (let i = 10; i < 190; i++) expect(out[i]).toBeCloseTo(irf[i - 3]!, 10);
    for (const s of [0.25, -1.7, 5.5]) {
      shiftHistogram(irf, s, out, null);
      const area = out.reduce((a, b) => a + b, 0);
      expect(area / irf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    // derivative just below and above a whole bin agree (C1 interpolation)
    const d1 = new Float64Array(200);
    const d2 = new Float64Array(200);
    shiftHistogram(irf, 2 - 1e-9, out, d1);
    shiftHistogram(irf, 2 + 1e-9, out, d2);
    for (let i = 60; i < 110; i++) expect(Math.abs(d1[i]! - d2[i]!)).toBeLessThan(1e-5 * 1e5);
  });
});

describe('previous-pulse pile-up', () => {
  it('equals the explicit sum over earlier pulses', () => {
    const dt = 0.02;
    const n = 500;
    const period = 10.37;
    const tau = 6;
    const irf = gaussianIrf(n, dt, 1, 0.05);
    const prepared = prepareIrf(irf, dt, { background: 0 });
    const withPile = new DecayModel({
      nBins: n,
      binNs: dt,
      irf: { kind: 'measured', irf: prepared.irf },
      terms: ['exp'],
      repetitionPeriodNs: period,
    });
    const y = withPile.evaluateFull([10, tau, 0, 0]);
    // explicit: the decay of pulse -k is the single-pulse decay, moved k periods earlier
    const long = 40 * n;
    const irfLong = new Float64Array(long);
    const single = new DecayModel({
      nBins: long,
      binNs: dt,
      irf: { kind: 'measured', irf: irfLong },
      terms: ['exp'],
    });
    const z = new Float64Array(n);
    for (let k = 0; k < 30; k++) {
      irfLong.fill(0);
      const shift = (30 - k) * period; // place pulse k periods earlier than the window at offset 30 periods
      const base = Math.round(shift / dt);
      irfLong.set(prepared.irf, base);
      const s = single.evaluateFull([10, tau, 0, shift - base * dt]);
      const start = Math.round((30 * period) / dt);
      for (let i = 0; i < n; i++) z[i]! += s[start + i]!;
    }
    for (const i of [0, 10, 45, 100, 300, 499]) expect(y[i]! / z[i]!).toBeCloseTo(1, 3);
  });
});

describe('bin integration removes the bias of point-sampled kernels', () => {
  /** The usual shortcut: the exponential sampled at bin starts, convolved with the IRF. */
  const pointSampled = (irf: Float64Array, dt: number): Model => ({
    params: ['a', 'tau', 'bg'],
    evaluate(p, _x, out) {
      const q = Math.exp(-dt / p[1]!);
      let s = 0;
      for (let i = 0; i < out.length; i++) {
        s = s * q + irf[i]!;
        out[i] = p[0]! * s + p[2]!;
      }
    },
  });
  for (const dt of [0.012, 0.12]) {
    it(`0.8 ns at ${dt * 1000} ps bins: bin-integrated recovers the lifetime, point-sampled does not`, () => {
      const n = Math.round(12 / dt);
      const raw = gaussianIrf(n, dt, 1, 0.05);
      const sim = simulateDecay({
        components: [{ tauNs: 0.8, amplitude: 1 }],
        irf: raw,
        totalCounts: 1e6,
        binNs: dt,
        nBins: n,
        seed: 1,
      });
      // noise-free data: the fitted value is the estimator's large-sample limit, so any difference from 0.8 is bias
      const ours = fitDecay(
        { t: sim.timeNs, counts: sim.expected },
        {
          irf: { t: sim.timeNs, counts: raw },
          background: 0,
          shift: false,
          shiftNs: 0,
          irfBackground: 0,
        },
      );
      const irf = prepareIrf(raw, dt, { background: 0 }).irf;
      const naive = fit(
        pointSampled(irf, dt),
        sim.timeNs,
        sim.expected,
        { a: { value: 1000, min: 0 }, tau: { value: 1, min: 0.01 }, bg: { value: 0, fixed: true } },
        { method: 'poisson' },
      );
      // the statistical error of one such decay with 1e6 photons, for scale
      const noisy = fitDecay(
        { t: sim.timeNs, counts: sim.counts },
        {
          irf: { t: sim.timeNs, counts: raw },
          background: 0,
          shift: false,
          shiftNs: 0,
          irfBackground: 0,
        },
      );
      const se = noisy.components[0]!.tauNsStderr!;
      const biasOurs = ours.components[0]!.tauNs / 0.8 - 1;
      const biasNaive = naive.params.tau!.value / 0.8 - 1;
      console.log(
        `bins ${dt * 1000} ps: bias bin-integrated ${(100 * biasOurs).toExponential(1)} %, point-sampled ${(100 * biasNaive).toFixed(2)} % (stderr at 1e6 counts ${((100 * se) / 0.8).toFixed(2)} %)`,
      );
      expect(Math.abs(biasOurs)).toBeLessThan(1e-6);
      expect(biasNaive * 0.8).toBeGreaterThan(4 * se); // many standard errors off
    });
  }
});
