import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { coordinateAxis, uniformAxis } from '../../src/data/axis.js';
import { calibrated } from '../../src/data/calibrated.js';
import {
  analyzeTransport,
  plLifetime,
  preset,
  simulateTransport,
  synthesizeTplmCube,
  transportVsTemperature,
} from '../../src/transport/index.js';

const within = (value: number, truth: number, se: number | null, k = 3): void => {
  expect(se).not.toBeNull();
  expect(Math.abs(value - truth)).toBeLessThan(k * (se as number));
};

describe('TPLM analysis: simulate a cube with known D and tau, recover them', () => {
  it('Gaussian profiles: D_avg, linear D, alpha = 1, tau_PL and L within their uncertainties', () => {
    const cube = synthesizeTplmCube({ sigma0Um: 0.3, dCm2PerS: 0.5, tauNs: 0.8, seed: 11 });
    const r = analyzeTransport(cube);
    expect(r.method).toBe('poisson');
    expect(r.msd[0]).toEqual({ tNs: 0, msdUm2: 0, stderr: 0 });
    within(r.dAvgCm2PerS as number, 0.5, r.dAvgStderr);
    within(r.dLinear?.dCm2PerS as number, 0.5, r.dLinear?.stderr ?? null);
    within(r.anomalous?.alpha as number, 1, r.anomalous?.stderr ?? null);
    // true 1/e time: background adds 122 counts per bin to a 2e5 peak -> +0.1 %
    within(r.tauPlNs as number, 0.8 * 1.001, r.tauPlStderr, 4);
    // L = sqrt(D tau) = sqrt(0.5 cm^2/s * 0.8 ns) = 200 nm
    within(r.diffusionLengthNm as number, 200, r.diffusionLengthStderr, 4);
    expect(r.diffusionLengthDefinition).toMatch(/sqrt\(D_avg \* tau_PL\)/);
    expect(r.tMaxNs as number).toBeGreaterThan(1.5); // the MSD keeps rising: t_max late
    expect(r.bins.every((b) => b.flags.length === 0)).toBe(true);
  });

  it('Voigt profiles: the Lorentzian is fitted once and held; D recovered', () => {
    const cube = synthesizeTplmCube({
      sigma0Um: 0.25,
      dCm2PerS: 0.3,
      tauNs: 1,
      gammaLUm: 0.06,
      seed: 3,
    });
    const r = analyzeTransport(cube, { model: 'voigt' });
    expect(r.fixedGammaLUm as number).toBeGreaterThan(0.04);
    expect(r.fixedGammaLUm as number).toBeLessThan(0.08);
    expect(new Set(r.bins.map((b) => b.gammaLUm)).size).toBe(1);
    within(r.dAvgCm2PerS as number, 0.3, r.dAvgStderr);
    within(r.dLinear?.dCm2PerS as number, 0.3, r.dLinear?.stderr ?? null);
    // a Gaussian fit of the same Voigt data is biased: the MSD it reports is not 2 D t
    const g = analyzeTransport(cube, { model: 'gauss' });
    expect(Math.abs((g.dLinear?.dCm2PerS as number) - 0.3)).toBeGreaterThan(
      Math.abs((r.dLinear?.dCm2PerS as number) - 0.3),
    );
  });

  it('PL(x, y, t) with the 2-D Gaussian', () => {
    const cube = synthesizeTplmCube({
      sigma0Um: 0.3,
      dCm2PerS: 1,
      tauNs: 0.6,
      dimension: 2,
      pixels: 25,
      pitchUm: 0.12,
      bins: 40,
      seed: 2,
    });
    const r = analyzeTransport(cube);
    expect(r.model).toBe('gauss2d');
    expect(r.profileDimension).toBe(2);
    within(r.dAvgCm2PerS as number, 1, r.dAvgStderr);
  });

  it('negative diffusion: an MSD that rises and falls gives t_max at the peak and D_avg below the early slope', () => {
    // MSD(t) = a t exp(-t / t1): peak at t1 = 0.5 ns
    const cube = synthesizeTplmCube({
      sigma0Um: 0.3,
      msdUm2: (t) => 0.06 * t * Math.exp(-t / 0.5),
      tauNs: 3,
      peakCounts: 1e6,
      bins: 120,
      seed: 4,
    });
    const r = analyzeTransport(cube, { tMaxSmoothingBins: 9 });
    expect(r.tMaxAtEnd).toBe(false);
    expect(Math.abs((r.tMaxNs as number) - 0.5)).toBeLessThan(0.15);
    const late = r.msd.filter((p) => p.tNs > 2.5);
    expect(late.reduce((s, p) => s + p.msdUm2, 0) / late.length).toBeLessThan(0.01);
  });

  it('D_avg follows 004 eqn 2 exactly on a hand-made noiseless cube', () => {
    // sigma^2 = s0 + 0.002 t + 0.004 t^2 (um^2, t in ns) -> per-bin slopes known; weights = total PL
    const s2 = (t: number): number => 0.09 + 0.002 * t + 0.004 * t * t;
    const cube = synthesizeTplmCube({
      sigma0Um: 0.3,
      msdUm2: (t) => s2(t) - 0.09,
      tauNs: 0.5,
      bins: 60,
      seed: null,
      background: 0,
    });
    const r = analyzeTransport(cube, { method: 'least-squares', background: 'none' });
    const tau = r.tauPlNs as number;
    expect(tau).toBeCloseTo(0.5, 2);
    let num = 0;
    let den = 0;
    for (let i = 0; i + 1 < 60; i++) {
      const t = i * 0.025;
      if (t >= 5 * tau) break;
      const w = Math.exp(-t / 0.5);
      num += (w * (s2(t + 0.025) - s2(t))) / (2 * 0.025);
      den += w;
    }
    expect(r.dAvgCm2PerS as number).toBeCloseTo((num / den) * 10, 4);
  });

  it('the diffusion length definitions: sqrt(D tau) (004) and sqrt(2 d D tau)', () => {
    const cube = synthesizeTplmCube({ sigma0Um: 0.3, dCm2PerS: 0.5, tauNs: 0.8, seed: 11 });
    const a = analyzeTransport(cube);
    const b = analyzeTransport(cube, { diffusionLength: 'sqrt(2*d*D*tau)', diffusionDimension: 2 });
    expect((b.diffusionLengthNm as number) / (a.diffusionLengthNm as number)).toBeCloseTo(2, 10);
    expect(b.diffusionLengthDefinition).toMatch(/d = 2/);
    // 004's numbers: D = 7.5 cm^2/s and L ~ 1.2 um for the 8 nm SL at 120 K imply tau ~ 1.9 ns
    const L = Math.sqrt(7.5 * 1.92 * 1e5);
    expect(L).toBeGreaterThan(1150);
    expect(L).toBeLessThan(1250);
  });

  it('the 1/e PL lifetime', () => {
    const t = Array.from({ length: 50 }, (_, i) => i * 0.1);
    expect(
      plLifetime(
        t,
        t.map((x) => 1000 * Math.exp(-x / 1.3)),
        false,
      ).tauNs as number,
    ).toBeCloseTo(1.3, 6);
    expect(
      plLifetime(
        t,
        t.map(() => 5),
        false,
      ).tauNs,
    ).toBeNull();
  });

  it('a cube from the Monte Carlo (PL(x, t) in nm) can be analysed', () => {
    const sim = simulateTransport({
      ...preset('004-trap'),
      sigma0Sites: 3,
      walkers: 200_000,
      steps: 120,
      seed: 3,
    });
    const r = analyzeTransport(sim.plCube, { tEndNs: 1.5 });
    expect(r.msd.length).toBeGreaterThan(20);
    // the analysed MSD rises like the simulation's own (a positive diffusivity of order 1e-3 cm^2/s)
    expect(r.dLinear?.dCm2PerS as number).toBeGreaterThan(0);
  });

  it('temperature series (004 Fig. 4) sorted by T', () => {
    const at = (d: number, tau: number) =>
      analyzeTransport(
        synthesizeTplmCube({ sigma0Um: 0.3, dCm2PerS: d, tauNs: tau, bins: 60, seed: 1 }),
      );
    const rows = transportVsTemperature([
      { temperatureK: 80, result: at(1, 1.2) },
      { temperatureK: 9, result: at(0.2, 0.6) },
    ]);
    expect(rows.map((r) => r.temperatureK)).toEqual([9, 80]);
    expect(rows[1].dAvgCm2PerS as number).toBeGreaterThan(rows[0].dAvgCm2PerS as number);
    expect(() => transportVsTemperature([{ temperatureK: -1, result: at(1, 1) }])).toThrow(
      InvalidInputError,
    );
  });

  describe('bad input gives errors or flagged bins, never a silent NaN', () => {
    it('no signal at all', () => {
      const cube = calibrated(
        new Float64Array(10 * 21),
        [uniformAxis('time', 'ns', 10, 0.025), uniformAxis('x', 'um', 21, 0.05, -0.5)],
        { unit: 'counts' },
      );
      expect(() => analyzeTransport(cube)).toThrow(/no PL signal/);
    });

    it('late empty bins are flagged no-signal and left out of the MSD', () => {
      const cube = synthesizeTplmCube({
        sigma0Um: 0.3,
        dCm2PerS: 0.5,
        tauNs: 0.8,
        seed: 1,
        bins: 40,
      });
      const nx = cube.axes[1].size;
      cube.data.fill(0, 30 * nx);
      const r = analyzeTransport(cube);
      expect(r.bins.slice(30).every((b) => b.flags.includes('no-signal'))).toBe(true);
      expect(r.msd.length).toBe(30);
      expect(r.warnings.join(' ')).toMatch(/left out of the MSD/);
      expect(JSON.stringify(r)).not.toMatch(/NaN/);
    });

    it('negative values are flagged (least squares) or excluded (Poisson)', () => {
      const cube = synthesizeTplmCube({
        sigma0Um: 0.3,
        dCm2PerS: 0.5,
        tauNs: 0.8,
        seed: 1,
        bins: 30,
        background: 0,
      });
      const nx = cube.axes[1].size;
      const bg = Float64Array.from(cube.data, (v) => v - 1); // background-subtracted data
      const c2 = { ...cube, data: bg };
      const r = analyzeTransport(c2);
      expect(r.method).toBe('least-squares');
      expect(r.bins.some((b) => b.flags.includes('negative-counts'))).toBe(true);
      expect(r.msd.length).toBeGreaterThan(20);
      const counts = Float64Array.from(cube.data);
      counts[5 * nx] = -1;
      const p = analyzeTransport({ ...cube, data: counts }, { method: 'poisson' });
      expect(p.bins[5].flags).toEqual(['negative-counts', 'not-fitted']);
      expect(p.msd.find((m) => Math.abs(m.tNs - 0.125) < 1e-9)).toBeUndefined();
    });

    it('too few time bins, too few positions, sites without a spacing, wrong axes', () => {
      const small = synthesizeTplmCube({
        sigma0Um: 0.3,
        dCm2PerS: 0.5,
        tauNs: 0.8,
        seed: 1,
        bins: 2,
      });
      expect(() => analyzeTransport(small)).toThrow(/at least 3/);
      const narrow = calibrated(
        Float64Array.from({ length: 40 }, (_, i) => 10 + (i % 4)),
        [uniformAxis('time', 'ns', 10, 0.025), coordinateAxis('x', 'um', [0, 1, 2, 3])],
      );
      expect(() => analyzeTransport(narrow)).toThrow(/at least 5/);
      const sites = calibrated(new Float64Array(10 * 21).fill(5), [
        uniformAxis('time', 'ns', 10, 0.025),
        uniformAxis('x', 'sites', 21, 1, -10),
      ]);
      expect(() => analyzeTransport(sites)).toThrow(/siteSpacingNm/);
      const swapped = calibrated(new Float64Array(10 * 21).fill(5), [
        uniformAxis('x', 'um', 21, 1, -10),
        uniformAxis('time', 'ns', 10, 0.025),
      ]);
      expect(() => analyzeTransport(swapped)).toThrow(/first axis/);
      expect(() =>
        analyzeTransport(
          synthesizeTplmCube({ sigma0Um: 0.3, dCm2PerS: 0.5, tauNs: 0.8, seed: 1, bins: 5 }),
          { model: 'gauss2d' },
        ),
      ).toThrow(/does not match/);
    });
  });
});
