import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { coordinateAxis } from '../../src/data/axis.js';
import { calibrated } from '../../src/data/calibrated.js';
import { erfc } from '../../src/fit/formula.js';
import { createRng } from '../../src/random/rng.js';
import { fillNormal } from '../../src/random/normal.js';
import { convolvedExponential, erfcx } from '../../src/kinetics/ta/basis.js';
import {
  chirpTimeZeroPs,
  correctChirp,
  estimateChirp,
  fitKinetic,
  globalLifetimeAnalysis,
  significantComponents,
  simulateTaMatrix,
  smoothComponents,
  svd,
  taKinetics,
  taMatrix,
  taMatrixView,
} from '../../src/kinetics/ta/index.js';

/** Time axis typical of TA: fine steps around time zero, then logarithmic. */
function taTimes(maxPs = 2000): number[] {
  const t: number[] = [];
  for (let x = -1.5; x < 2; x += 0.04) t.push(Number(x.toFixed(4)));
  for (let x = 2; x <= maxPs; x *= 1.07) t.push(x);
  return t;
}
const wavelengths = (lo: number, hi: number, step: number): number[] => {
  const w: number[] = [];
  for (let x = lo; x <= hi + 1e-9; x += step) w.push(x);
  return w;
};

const COMPONENTS = [
  {
    tauPs: 2.5,
    bands: [
      { centerNm: 520, fwhmNm: 40, amplitude: -3 },
      { centerNm: 610, fwhmNm: 70, amplitude: 1.2 },
    ],
  },
  {
    tauPs: 45,
    bands: [
      { centerNm: 500, fwhmNm: 50, amplitude: -2 },
      { centerNm: 650, fwhmNm: 60, amplitude: 1.5 },
    ],
  },
  {
    tauPs: 900,
    bands: [
      { centerNm: 480, fwhmNm: 60, amplitude: -1.2 },
      { centerNm: 700, fwhmNm: 80, amplitude: 0.6 },
    ],
  },
];

describe('TA basis functions', () => {
  it('erfcx equals exp(x^2) erfc(x) and has the 1/(x sqrt(pi)) tail', () => {
    for (const x of [-3, -0.5, 0, 0.7, 2, 3.99])
      expect(erfcx(x)).toBeCloseTo(Math.exp(x * x) * erfc(x), 12);
    for (const x of [4.01, 5, 30, 1e4]) {
      // asymptotic series 1/(x sqrt pi) (1 - 1/(2x^2) + 3/(4x^4))
      const series =
        (1 / (x * Math.sqrt(Math.PI))) *
        (1 - 1 / (2 * x * x) + 3 / (4 * x ** 4) - 15 / (8 * x ** 6));
      expect(Math.abs(erfcx(x) / series - 1)).toBeLessThan(x > 10 ? 1e-10 : 2e-3);
    }
    // reference values (mpmath, 30 digits) on both sides of the branch point x = 4
    expect(erfcx(3)).toBeCloseTo(0.17900115118139, 14);
    expect(erfcx(4)).toBeCloseTo(0.1369994576250614, 15);
    expect(erfcx(5)).toBeCloseTo(0.1107046377330686, 15);
  });

  it('the convolved exponential equals a numerical convolution of exp decay and Gaussian IRF', () => {
    const quad = (t: number, tau: number, sigma: number): number => {
      // Simpson over the IRF up to u = t (the exponential is switched on for u <= t)
      const n = 20000;
      const lo = -12 * sigma;
      const hi = Math.min(t, 12 * sigma);
      if (hi <= lo) return 0;
      const h = (hi - lo) / n;
      let s = 0;
      for (let i = 0; i <= n; i++) {
        const u = lo + i * h;
        const g = Math.exp(-0.5 * (u / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
        const f = tau === Infinity ? 1 : Math.exp(-(t - u) / tau);
        s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * g * f;
      }
      return (s * h) / 3;
    };
    for (const [t, tau, sigma] of [
      [-0.2, 2, 0.1],
      [0, 2, 0.1],
      [0.05, 0.03, 0.1],
      [0.3, 0.5, 0.2],
      [5, 1, 0.1],
      [0.1, Infinity, 0.1],
    ] as const) {
      expect(convolvedExponential(t, tau, 0, sigma)).toBeCloseTo(quad(t, tau, sigma), 10);
    }
    expect(convolvedExponential(1, 2, 0, 0)).toBeCloseTo(Math.exp(-0.5), 15);
    expect(convolvedExponential(-1, 2, 0, 0)).toBe(0);
    expect(convolvedExponential(-50, 0.01, 0, 0.1)).toBe(0); // no overflow far before time zero
    expect(Number.isFinite(convolvedExponential(0.1, 1e-4, 0, 0.5))).toBe(true);
  });
});

describe('SVD (one-sided Jacobi on the pivoted QR factor)', () => {
  it('reconstructs tall and wide matrices with orthonormal vectors', () => {
    for (const [m, n] of [
      [9, 6],
      [6, 9],
      [35, 35],
      [50, 20],
    ] as const) {
      const a = fillNormal(createRng(m * 31 + n), new Float64Array(m * n));
      const s = svd(a, m, n, { vectors: Math.min(m, n) });
      expect(s.singularValues).toHaveLength(Math.min(m, n));
      for (let k = 1; k < s.singularValues.length; k++)
        expect(s.singularValues[k]!).toBeLessThanOrEqual(s.singularValues[k - 1]!);
      let err = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let v = 0;
          for (let k = 0; k < s.u.length; k++)
            v += s.singularValues[k]! * s.u[k]![i]! * s.v[k]![j]!;
          err = Math.max(err, Math.abs(v - a[i * n + j]!));
        }
      }
      expect(err).toBeLessThan(1e-12);
      for (let p = 0; p < s.u.length; p++) {
        for (let q = 0; q < s.u.length; q++) {
          const du = s.u[p]!.reduce((acc, x, i) => acc + x * s.u[q]![i]!, 0);
          const dv = s.v[p]!.reduce((acc, x, j) => acc + x * s.v[q]![j]!, 0);
          expect(Math.abs(du - (p === q ? 1 : 0))).toBeLessThan(1e-12);
          expect(Math.abs(dv - (p === q ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('finds known singular values, including exact zeros of a rank-2 matrix', () => {
    expect(svd(Float64Array.of(3, 0, 0, 0, -5, 0), 2, 3).singularValues).toEqual([5, 3]);
    const m = 30;
    const n = 12;
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++)
        a[i * n + j] = 2 * Math.sin(i / 5) * Math.cos(j / 3) + 0.5 * Math.exp(-i / 10) * (j - 6);
    const s = svd(a, m, n, { vectors: 3 });
    expect(s.singularValues[1]!).toBeGreaterThan(1);
    expect(s.singularValues[2]! / s.singularValues[0]!).toBeLessThan(1e-13);
  });

  it('counts the components of a simulated TA matrix (noise threshold and smooth vectors)', () => {
    const sim = simulateTaMatrix({
      timesPs: taTimes(),
      wavelengthsNm: wavelengths(430, 720, 4),
      components: COMPONENTS,
      irf: { centerPs: 0, fwhmPs: 0.2 },
      noiseSd: 0.03,
      seed: 11,
    });
    const v = taMatrixView(sim.matrix);
    const s = svd(v.data, v.nt, v.nw, { vectors: 8 });
    const gd = significantComponents(s.singularValues, v.nt, v.nw);
    expect(gd.rank).toBe(3);
    expect(gd.noiseSd).toBeGreaterThan(0.025);
    expect(gd.noiseSd).toBeLessThan(0.035);
    expect(smoothComponents(s)).toBe(3);
  });

  it('rejects bad matrices', () => {
    expect(() => svd([1, 2, 3], 2, 2)).toThrow(InvalidInputError);
    expect(() => svd([1, NaN, 3, 4], 2, 2)).toThrow(/row 1, column 2/);
    expect(() => svd([], 0, 2)).toThrow(InvalidInputError);
  });
});

describe('TA matrices and kinetics', () => {
  const t = [0, 1, 2];
  const w = [500, 502, 504, 600];
  const data = Float64Array.from({ length: 12 }, (_, k) => k);
  const ta = taMatrix(t, w, data, { unit: 'mOD' });

  it('averages the columns of a band, with the standard error of the mean', () => {
    const [k] = taKinetics(ta, { wavelengthsNm: [502], bandNm: 5 });
    expect(k!.columns).toBe(3);
    expect(k!.bandNm).toEqual([500, 504]);
    expect(k!.values).toEqual([1, 5, 9]);
    expect(k!.sem![0]).toBeCloseTo(Math.sqrt(1 / 3), 12);
    const [n] = taKinetics(ta, { wavelengthsNm: [590] });
    expect(n!.columns).toBe(1);
    expect(n!.values).toEqual([3, 7, 11]);
    expect(n!.sem).toBeNull();
  });

  it('accepts wavelength-major arrays and converts fs to ps', () => {
    const wm = calibrated(Float64Array.of(1, 2, 3, 4, 5, 6), [
      coordinateAxis('wavelength', 'nm', [500, 600]),
      coordinateAxis('time', 'fs', [0, 500, 1000]),
    ]);
    const v = taMatrixView(wm);
    expect(Array.from(v.timesPs)).toEqual([0, 0.5, 1]);
    expect(Array.from(v.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('rejects what is not a TA matrix', () => {
    expect(() =>
      taMatrixView(calibrated(new Float64Array(3), [coordinateAxis('time', 'ps', [0, 1, 2])])),
    ).toThrow(/two axes/);
    expect(() =>
      taMatrixView(
        calibrated(new Float64Array(4), [
          coordinateAxis('x', '', [0, 1]),
          coordinateAxis('y', '', [0, 1]),
        ]),
      ),
    ).toThrow(/time.*wavelength/);
    expect(() => taMatrixView(taMatrix([0, 1], [500], Float64Array.of(1, NaN)))).toThrow(
      /time 1 ps, wavelength 500 nm/,
    );
    expect(() =>
      taMatrixView(
        calibrated(new Float64Array(2), [
          coordinateAxis('time', 'fortnight', [0, 1]),
          coordinateAxis('wavelength', 'nm', [500]),
        ]),
      ),
    ).toThrow(/time unit/);
    expect(() => taKinetics(ta, { wavelengthsNm: [900] })).toThrow(/outside the data/);
    expect(() => taKinetics(ta, { wavelengthsNm: [] })).toThrow(InvalidInputError);
  });
});

describe('multi-exponential kinetic fits', () => {
  it('001-style: tri-exponential with tau3 fixed at 7500 ps, fitted for t > 4 ps (simulate, recover)', () => {
    const t = taTimes(7000);
    const truth = { a: [-2, -1.2, -0.8], tau: [15, 300, 7500] };
    const clean = t.map((x) =>
      x < 0 ? 0 : truth.a.reduce((s, a, i) => s + a * Math.exp(-x / truth.tau[i]!), 0),
    );
    const noise = fillNormal(createRng(7), new Float64Array(t.length), 0, 0.01);
    const y = clean.map((v, i) => v + noise[i]!);
    const r = fitKinetic(t, y, { components: [5, 100, { tauPs: 7500, fixed: true }], tMinPs: 4 });
    expect(r.converged).toBe(true);
    expect(r.timesPs[0]!).toBeGreaterThanOrEqual(4);
    expect(r.components[2]!.tauPs).toEqual({ value: 7500, stderr: null, unit: 'ps' });
    expect(r.components[2]!.fixed).toBe(true);
    for (let i = 0; i < 2; i++) {
      const c = r.components[i]!;
      expect(Math.abs(c.tauPs.value - truth.tau[i]!)).toBeLessThan(3 * c.tauPs.stderr!);
      expect(Math.abs(c.amplitude.value - truth.a[i]!)).toBeLessThan(3 * c.amplitude.stderr!);
    }
    const fsum = r.components.reduce((s, c) => s + c.fraction!.value, 0);
    expect(fsum).toBeCloseTo(1, 12);
    expect(r.reducedChi2).toBeGreaterThan(0.5 * 0.01 ** 2);
    expect(r.reducedChi2).toBeLessThan(1.5 * 0.01 ** 2);
  });

  it('recovers lifetimes, time zero and IRF width of an IRF-convolved decay', () => {
    const t = taTimes(500);
    const clean = t.map(
      (x) =>
        -3 * convolvedExponential(x, 1.5, 0.3, 0.12 / 2.3548) -
        1 * convolvedExponential(x, 80, 0.3, 0.12 / 2.3548),
    );
    const noise = fillNormal(createRng(8), new Float64Array(t.length), 0, 0.02);
    const y = clean.map((v, i) => v + noise[i]!);
    const r = fitKinetic(t, y, {
      components: [1, 50],
      irf: { centerPs: 0.2, fwhmPs: 0.2 },
      offset: true,
    });
    expect(r.converged).toBe(true);
    const z = (q: { value: number; stderr: number | null }, truth: number): number =>
      Math.abs(q.value - truth) / q.stderr!;
    expect(z(r.components[0]!.tauPs, 1.5)).toBeLessThan(3);
    expect(z(r.components[1]!.tauPs, 80)).toBeLessThan(3);
    expect(z(r.irf!.centerPs, 0.3)).toBeLessThan(3);
    expect(z(r.irf!.fwhmPs, 0.12)).toBeLessThan(3);
    expect(z(r.offset!, 0)).toBeLessThan(3);
  });

  it('rejects bad kinetic fits', () => {
    expect(() => fitKinetic([0, 1, 2], [1, 2], { components: [1] })).toThrow(
      /3 times but 2 values/,
    );
    expect(() => fitKinetic([0, 1, 2, 3], [1, 2, 3, 4], { components: [-1] })).toThrow(/positive/);
    expect(() => fitKinetic([0, 1, 2, 3], [1, 2, 3, 4], { components: [] })).toThrow(
      /at least one/,
    );
    expect(() =>
      fitKinetic([0, 1, 2, 3], [1, 2, 3, 4], { components: [1], tMinPs: 5, tMaxPs: 2 }),
    ).toThrow(/tMaxPs/);
    expect(() => fitKinetic([0, 1, 2, 3], [1, 2, 3, 4], { components: [1, 2] })).toThrow(
      /only 4 points/,
    );
  });
});

describe('global lifetime analysis (variable projection)', () => {
  const sim = simulateTaMatrix({
    timesPs: taTimes(),
    wavelengthsNm: wavelengths(440, 720, 5),
    components: COMPONENTS,
    irf: { centerPs: 0.1, fwhmPs: 0.18 },
    noiseSd: 0.03,
    seed: 21,
  });
  const g = globalLifetimeAnalysis(sim.matrix, {
    lifetimesPs: [1, 20, 500],
    irf: { centerPs: 0, fwhmPs: 0.25 },
  });

  it('recovers the lifetimes and the IRF within their standard errors', () => {
    expect(g.converged).toBe(true);
    COMPONENTS.forEach((c, i) => {
      const q = g.lifetimesPs[i]!;
      expect(Math.abs(q.value - c.tauPs)).toBeLessThan(3 * q.stderr!);
      expect(q.stderr! / q.value).toBeLessThan(0.05);
    });
    expect(Math.abs(g.irf!.centerPs.value - 0.1)).toBeLessThan(3 * g.irf!.centerPs.stderr!);
    expect(Math.abs(g.irf!.fwhmPs.value - 0.18)).toBeLessThan(3 * g.irf!.fwhmPs.stderr!);
    expect(g.reducedChi2 / 0.03 ** 2).toBeGreaterThan(0.9);
    expect(g.reducedChi2 / 0.03 ** 2).toBeLessThan(1.1);
  });

  it('gives DAS whose standard errors match their actual scatter around the truth', () => {
    let sum = 0;
    let n = 0;
    g.das.forEach((d, c) => {
      d.amplitude.forEach((a, j) => {
        const z = (a - sim.das[c]![j]!) / d.stderr[j]!;
        sum += z * z;
        n++;
        expect(Math.abs(z)).toBeLessThan(4.5);
      });
    });
    // mean z^2 ~ 1 when the stderr are honest (n = 171 values)
    expect(sum / n).toBeGreaterThan(0.7);
    expect(sum / n).toBeLessThan(1.35);
  });

  it('agrees with the fitting engine on the lifetime standard errors (Schur complement vs projected Jacobian)', () => {
    g.freeParams.forEach((name, f) => {
      const schur = Math.sqrt(g.covariance![f]![f]!);
      expect(Math.abs(g.engineStderr[f]! / schur - 1)).toBeLessThan(0.02);
      expect(name).toMatch(/^(tau\d|irfCenter|irfFwhm)$/);
    });
  });

  it('fits a chirped matrix with the dispersion polynomial as free parameters', () => {
    const chirped = simulateTaMatrix({
      timesPs: taTimes(1000).filter((_, i) => i % 2 === 0),
      wavelengthsNm: wavelengths(450, 700, 10),
      components: COMPONENTS,
      irf: { centerPs: 0.3, fwhmPs: 0.2 },
      dispersion: { referenceNm: 550, coefficients: [-0.45, 0.15] },
      noiseSd: 0.02,
      seed: 5,
    });
    const r = globalLifetimeAnalysis(chirped.matrix, {
      lifetimesPs: [1, 20, 500],
      irf: { centerPs: 0.2, fwhmPs: 0.3 },
      dispersion: { referenceNm: 550, coefficients: [0, 0] },
    });
    expect(r.converged).toBe(true);
    const [c1, c2] = r.dispersion!.coefficients;
    expect(Math.abs(c1!.value + 0.45)).toBeLessThan(3 * c1!.stderr!);
    expect(Math.abs(c2!.value - 0.15)).toBeLessThan(3 * c2!.stderr!);
    expect(Math.abs(r.irf!.centerPs.value - 0.3)).toBeLessThan(3 * r.irf!.centerPs.stderr!);
    COMPONENTS.forEach((c, i) =>
      expect(Math.abs(r.lifetimesPs[i]!.value - c.tauPs)).toBeLessThan(
        3 * r.lifetimesPs[i]!.stderr!,
      ),
    );
  });

  it('holds a fixed lifetime and adds offset and artefact spectra', () => {
    const r = globalLifetimeAnalysis(sim.matrix, {
      lifetimesPs: [2, 40, { tauPs: 900, fixed: true }],
      irf: { centerPs: 0.1, fwhmPs: 0.2 },
      offset: true,
      coherentArtefact: true,
      tMaxPs: 1500,
    });
    expect(r.lifetimesPs[2]).toEqual({ value: 900, stderr: null, unit: 'ps' });
    expect(r.fixed).toEqual([false, false, true]);
    expect(r.das.map((d) => d.label)).toEqual([
      expect.stringMatching(/^τ1 = 2\.\d+ ps$/),
      expect.stringMatching(/^τ2 = /),
      'τ3 = 900 ps',
      'offset (non-decaying)',
      'coherent artefact',
    ]);
    // neither the offset nor the artefact is in the simulation: both consistent with zero on average
    for (const d of r.das.slice(3)) {
      const zs = d.amplitude.map((a, j) => a / d.stderr[j]!);
      expect(Math.abs(zs.reduce((s, z) => s + z, 0) / Math.sqrt(zs.length))).toBeLessThan(4);
    }
    expect(r.timesPs[r.timesPs.length - 1]!).toBeLessThanOrEqual(1500);
  });

  it('rejects bad global analyses', () => {
    expect(() => globalLifetimeAnalysis(sim.matrix, { lifetimesPs: [] })).toThrow(/at least one/);
    expect(() => globalLifetimeAnalysis(sim.matrix, { lifetimesPs: [0] })).toThrow(/positive/);
    expect(() =>
      globalLifetimeAnalysis(sim.matrix, { lifetimesPs: [1], coherentArtefact: true }),
    ).toThrow(/needs an IRF/);
    expect(() =>
      globalLifetimeAnalysis(sim.matrix, { lifetimesPs: [1], wavelengthRangeNm: [100, 200] }),
    ).toThrow(/no wavelengths/);
    expect(() =>
      globalLifetimeAnalysis(sim.matrix, { lifetimesPs: [1], irf: { centerPs: 0, fwhmPs: -1 } }),
    ).toThrow(/FWHM/);
  });
});

describe('chirp estimation and correction', () => {
  const chirp = { referenceNm: 560, coefficients: [0.4, -0.12] };
  const sim = simulateTaMatrix({
    timesPs: taTimes(1000),
    wavelengthsNm: wavelengths(440, 720, 4),
    components: COMPONENTS,
    irf: { centerPs: 0.5, fwhmPs: 0.15 },
    dispersion: chirp,
    noiseSd: 0.02,
    seed: 31,
  });

  it('estimates time zero against wavelength to a fraction of the IRF width', () => {
    const est = estimateChirp(sim.matrix, { order: 2, referenceNm: 560 });
    const used = est.points.filter((p) => p.used);
    expect(used.length).toBeGreaterThan(20);
    let ss = 0;
    for (let j = 0; j < sim.timeZeroPs.length; j++) {
      const w = 440 + 4 * j;
      ss += (chirpTimeZeroPs(est, w) - sim.timeZeroPs[j]!) ** 2;
    }
    const rms = Math.sqrt(ss / sim.timeZeroPs.length);
    expect(rms).toBeLessThan(0.05); // IRF FWHM 0.15 ps
    expect(est.irfFwhmPs.value).toBeGreaterThan(0.1);
    expect(est.irfFwhmPs.value).toBeLessThan(0.25);
    expect(est.coefficients[0]!.value).toBeGreaterThan(0.3);
  });

  it('correction puts time zero at 0 ps at every wavelength', () => {
    const corrected = correctChirp(sim.matrix, {
      referenceNm: 560,
      timeZeroPs: 0.5,
      coefficients: chirp.coefficients,
    });
    expect((corrected.metadata.chirpCorrection as { timeZeroPs: number }).timeZeroPs).toBe(0.5);
    const g = globalLifetimeAnalysis(corrected, {
      lifetimesPs: [1, 20, 500],
      irf: { centerPs: 0.1, fwhmPs: 0.2 },
    });
    expect(Math.abs(g.irf!.centerPs.value)).toBeLessThan(0.01);
    // linear interpolation of the steep rise costs a little accuracy: within 5 % of the truth
    COMPONENTS.forEach((c, i) =>
      expect(Math.abs(g.lifetimesPs[i]!.value / c.tauPs - 1)).toBeLessThan(0.05),
    );
    // raw data: the half rise at 720 nm comes t0(720) - t0(440) = 0.99 ps after that at 440 nm
    const half = (m: typeof sim.matrix, wl: number): number => {
      const [k] = taKinetics(m, { wavelengthsNm: [wl] });
      const peak = k!.values.reduce((p, v) => (Math.abs(v) > Math.abs(p) ? v : p), 0);
      const i = k!.values.findIndex((v) => v / peak > 0.5);
      return k!.timesPs[i]!;
    };
    expect(half(sim.matrix, 720) - half(sim.matrix, 440)).toBeGreaterThan(0.8);
    expect(Math.abs(half(corrected, 440) - half(corrected, 720))).toBeLessThan(0.1);
  });

  it('rejects impossible chirp requests', () => {
    expect(() => estimateChirp(sim.matrix, { order: 9 })).toThrow(/order/);
    const flat = taMatrix([0, 1, 2, 3], [500, 600], new Float64Array(8));
    expect(() => estimateChirp(flat)).toThrow(InvalidInputError);
    expect(() =>
      correctChirp(sim.matrix, { referenceNm: 500, timeZeroPs: NaN, coefficients: [] }),
    ).toThrow(/finite/);
  });
});
