import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { GRIFFITHS_000 } from '../../src/materials/literature.js';
import { fluenceToPhotons } from '../../src/materials/excitation.js';
import {
  fitPlqeVsFluence,
  plqeAtFluence,
  plqeMaximum,
  pulseFluence,
  simulatePlqeVsFluence,
} from '../../src/kinetics/fluence/index.js';

// paper 000: CsPbI3 nanocrystals, sigma_abs = (2.9 ± 0.2) x 10^-14 cm^2 at 400 nm
const TRUTH = { sigmaCm2: GRIFFITHS_000.sigmaCm2, eta0: 0.35, kappa: 0.04, scale: 1 };

describe('PLQE vs fluence model (paper 000)', () => {
  it('has the limits of the physics: trap-limited at low fluence, Auger-limited at high fluence', () => {
    // low fluence: QE -> scale * eta0 (traps empty, single excitons)
    expect(plqeAtFluence(1, TRUTH)).toBeCloseTo(TRUTH.eta0, 6);
    // high fluence: every nanocrystal excited, traps mostly filled, one photon each: QE <N> -> eta0 + (1 - eta0)/(1 + kappa)
    const J = 1e4 / TRUTH.sigmaCm2;
    expect(plqeAtFluence(J, TRUTH) * 1e4).toBeCloseTo(
      TRUTH.eta0 + (1 - TRUTH.eta0) / (1 + TRUTH.kappa),
      10,
    );
    // it rises (trap filling), peaks, then falls (multiexcitons)
    const m = plqeMaximum(TRUTH);
    expect(m.qe).toBeGreaterThan(plqeAtFluence(m.photonsCm2 / 10, TRUTH));
    expect(m.qe).toBeGreaterThan(plqeAtFluence(m.photonsCm2 * 10, TRUTH));
    expect(m.meanExcitation).toBeGreaterThan(0.01);
    expect(m.meanExcitation).toBeLessThan(3);
    // a biexciton yield raises the high-fluence QE
    expect(plqeAtFluence(J, { ...TRUTH, biexcitonYield: 0.1 })).toBeGreaterThan(0.09);
  });

  it("uses 000's excitation numbers: <N> = sigma J with J from uJ/cm^2 at 400 nm", () => {
    // 1 uJ/cm^2 at 400 nm = 2.01e12 photons/cm^2 (physics.md); <N> = 1 at 17.2 uJ/cm^2
    expect(fluenceToPhotons(1, 400) / 2.01e12).toBeCloseTo(1, 2);
    const d = simulatePlqeVsFluence({
      params: TRUTH,
      photonsCm2: [2e11, 5e14],
      points: 30,
      relativeNoise: 0.01,
      seed: 3,
    });
    const uJ = d.photonsCm2.map((p) => p / fluenceToPhotons(1, 400));
    const r = fitPlqeVsFluence(uJ, d.qe, {
      fluenceUnit: 'uJ/cm^2',
      wavelengthNm: 400,
      sigma: d.sigma,
    });
    r.photonsCm2.forEach((p, i) => expect(p / d.photonsCm2[i]!).toBeCloseTo(1, 12));
    r.meanExcitation.forEach((n, i) =>
      expect(n).toBeCloseTo(r.sigmaCm2.value * r.photonsCm2[i]!, 20),
    );
    const i17 = uJ.findIndex((f) => f > 17.2);
    expect(r.meanExcitation[i17 - 1]!).toBeLessThan(1.02);
    expect(r.meanExcitation[i17]!).toBeGreaterThan(0.98);
  });

  it('recovers sigma_abs from simulated data within its standard error, and the stderr is honest', () => {
    const zs: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const d = simulatePlqeVsFluence({
        params: TRUTH,
        photonsCm2: [1e11, 3e14],
        points: 28,
        relativeNoise: 0.03,
        seed,
      });
      const r = fitPlqeVsFluence(d.photonsCm2, d.qe, { sigma: d.sigma });
      expect(r.converged).toBe(true);
      zs.push((r.sigmaCm2.value - TRUTH.sigmaCm2) / r.sigmaCm2.stderr!);
      if (seed === 1) {
        expect(Math.abs(r.eta0.value - TRUTH.eta0)).toBeLessThan(3 * r.eta0.stderr!);
        expect(Math.abs(r.kappa.value - TRUTH.kappa)).toBeLessThan(3 * r.kappa.stderr!);
        expect(r.sigmaCm2.unit).toBe('cm^2');
        expect(r.freeParams).toContain('sigmaCm2');
        console.log(
          `PLQE round trip (seed 1, 3 % noise): sigma = (${(r.sigmaCm2.value * 1e14).toFixed(2)} ± ${(r.sigmaCm2.stderr! * 1e14).toFixed(2)}) x 10^-14 cm^2 ` +
            `(truth ${(TRUTH.sigmaCm2 * 1e14).toFixed(2)}; 000: 2.9 ± 0.2); QE peaks at <N> = ${r.maximum.meanExcitation.toFixed(3)}`,
        );
      }
    }
    for (const z of zs) expect(Math.abs(z)).toBeLessThan(3.5);
    const rms = Math.sqrt(zs.reduce((s, z) => s + z * z, 0) / zs.length);
    expect(rms).toBeGreaterThan(0.4);
    expect(rms).toBeLessThan(1.7);
  });

  it("holds sigma fixed when told (e.g. at 000's value) and fits the rest", () => {
    const d = simulatePlqeVsFluence({
      params: TRUTH,
      photonsCm2: [1e11, 3e14],
      points: 25,
      relativeNoise: 0.02,
      seed: 9,
    });
    const r = fitPlqeVsFluence(d.photonsCm2, d.qe, {
      params: { sigmaCm2: { value: 2.9e-14, fixed: true } },
    });
    expect(r.sigmaCm2).toEqual({ value: 2.9e-14, stderr: null, unit: 'cm^2' });
    expect(r.freeParams).not.toContain('sigmaCm2');
  });

  it("converts 000's laser settings to pulse fluence", () => {
    // 000: 250 kHz, spot 1.3e-3 mm^2 = 1.3e-5 cm^2, 400 nm; 1 uW average -> 0.3077 uJ/cm^2 per pulse
    const f = pulseFluence({
      averagePowerW: 1e-6,
      repetitionRateHz: 250e3,
      spotAreaCm2: 1.3e-5,
      wavelengthNm: 400,
    });
    expect(f.fluenceUJcm2).toBeCloseTo((1e-6 / 250e3 / 1.3e-5) * 1e6, 12);
    expect(f.photonsCm2).toBeCloseTo(fluenceToPhotons(f.fluenceUJcm2, 400), 0);
    expect(() =>
      pulseFluence({ averagePowerW: 1, repetitionRateHz: 0, spotAreaCm2: 1, wavelengthNm: 400 }),
    ).toThrow(/repetitionRateHz/);
  });

  it('rejects bad PLQE data', () => {
    expect(() => fitPlqeVsFluence([1, 2, 3], [1, 2], {})).toThrow(/3 fluences but 2/);
    expect(() => fitPlqeVsFluence([1, 2, 3, 4], [1, 2, 3, 4])).toThrow(/at least 5/);
    expect(() =>
      fitPlqeVsFluence([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], { fluenceUnit: 'uJ/cm^2' }),
    ).toThrow(/wavelength/);
    expect(() => fitPlqeVsFluence([1, -2, 3, 4, 5], [1, 2, 3, 4, 5])).toThrow(/fluence 2/);
    expect(() => fitPlqeVsFluence([1, 2, 3, 4, 5], [1, 2, NaN, 4, 5])).toThrow(/QE value 3/);
    expect(() =>
      simulatePlqeVsFluence({ params: TRUTH, photonsCm2: [1e14, 1e12], points: 5 }),
    ).toThrow(InvalidInputError);
  });
});
