import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { createRng, normal, poisson } from '../../src/random/index.js';
import {
  biexcitonAugerLifetimePs,
  biexcitonLifetimePs,
  biexcitonRadiativeLifetimePs,
  CSPBI3_CROSS_SECTION_000,
  cubeVolumeNm3,
  excitationStatistics,
  fitBiexcitonAuger,
  fitBiexcitonRadiative,
  fluenceToPhotons,
  meanExcitationNumber,
  photonsToFluence,
  poissonAtLeast,
  poissonProbability,
  scaleCrossSection,
} from '../../src/materials/excitation.js';

describe('fluence conversions', () => {
  it('1 uJ/cm^2 at 400 nm = 2.01e12 photons/cm^2 (physics reference)', () => {
    expect(fluenceToPhotons(1, 400) / 2.01e12).toBeCloseTo(1, 2);
    // 1e-6 J / (hc / 400 nm) = 1e-6 / (3.0996 eV x 1.602e-19 J/eV)
    expect(fluenceToPhotons(1, 400) / 2.013647e12).toBeCloseTo(1, 6);
  });
  it('round trips and scales with wavelength', () => {
    expect(photonsToFluence(fluenceToPhotons(3.7, 532), 532)).toBeCloseTo(3.7, 12);
    expect(fluenceToPhotons(1, 800) / fluenceToPhotons(1, 400)).toBeCloseTo(2, 12);
  });
  it('rejects bad values', () => {
    expect(() => fluenceToPhotons(-1, 400)).toThrow(
      /fluence \(fluenceUJcm2\) must not be negative/,
    );
    expect(() => fluenceToPhotons(1, 0)).toThrow(InvalidInputError);
  });
});

describe('Poisson excitation statistics (000)', () => {
  it('<N> = sigma J with the 000 cross-section', () => {
    const J = fluenceToPhotons(1, 400);
    expect(meanExcitationNumber(2.9e-14, J)).toBeCloseTo(2.9e-14 * J, 20);
    expect(meanExcitationNumber(2.9e-14, J)).toBeCloseTo(0.0584, 3);
  });

  it('probabilities sum to 1, P(N >= 1) = 1 - exp(-<N>), tails agree with the sum', () => {
    for (const m of [0.01, 0.5, 3, 40]) {
      let s = 0;
      for (let k = 0; k < 200; k++) s += poissonProbability(m, k);
      expect(s).toBeCloseTo(1, 12);
      expect(poissonAtLeast(m, 1)).toBeCloseTo(1 - Math.exp(-m), 14);
      for (const k of [2, 3, 5, 60]) {
        let below = 0;
        for (let j = 0; j < k; j++) below += poissonProbability(m, j);
        expect(poissonAtLeast(m, k)).toBeCloseTo(1 - below, 12);
      }
    }
    // small tails keep their relative precision
    expect(poissonAtLeast(0.001, 3) / (0.001 ** 3 / 6)).toBeCloseTo(1, 2);
    expect(poissonAtLeast(0, 0)).toBe(1);
    expect(poissonAtLeast(0, 2)).toBe(0);
  });

  it('agrees with simulated photon absorption (seeded)', () => {
    const rng = createRng(2024);
    const stats = excitationStatistics({
      crossSectionCm2: 2.9e-14,
      wavelengthNm: 400,
      fluenceUJcm2: 20,
    });
    const n = 100000;
    const counts = new Array(stats.probabilities.length + 1).fill(0);
    for (let i = 0; i < n; i++) {
      const k = poisson(rng, stats.meanExcitationNumber);
      counts[Math.min(k, counts.length - 1)]++;
    }
    for (let k = 0; k < stats.probabilities.length; k++) {
      const p = stats.probabilities[k]!;
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(counts[k] / n - p), `k = ${k}`).toBeLessThan(4 * sd + 1e-12);
    }
    const multi = counts.slice(2).reduce((s, c) => s + c, 0) / n;
    expect(Math.abs(multi - stats.probabilityMultiexciton)).toBeLessThan(
      4 * Math.sqrt(stats.probabilityMultiexciton / n),
    );
  });

  it('statistics from a photon fluence or an energy fluence agree', () => {
    const a = excitationStatistics({ crossSectionCm2: 1e-14, wavelengthNm: 400, fluenceUJcm2: 5 });
    const b = excitationStatistics({
      crossSectionCm2: 1e-14,
      wavelengthNm: 400,
      photonsCm2: a.photonsCm2,
    });
    expect(b.meanExcitationNumber).toBeCloseTo(a.meanExcitationNumber, 12);
    expect(b.fluenceUJcm2).toBeCloseTo(5, 10);
    expect(a.multiexcitonShareOfExcited).toBeCloseTo(
      a.probabilityMultiexciton / a.probabilityExcited,
      14,
    );
    expect(() => excitationStatistics({ crossSectionCm2: 1e-14, wavelengthNm: 400 })).toThrow(
      /exactly one of/,
    );
    expect(() => poissonProbability(1, 1.5)).toThrow(/whole number/);
    expect(() => poissonProbability(-1, 1)).toThrow(InvalidInputError);
  });
});

describe('cross-section volume scaling', () => {
  it('scales with volume from the 000 reference', () => {
    expect(CSPBI3_CROSS_SECTION_000.volumeNm3).toBe(5832);
    const half = scaleCrossSection(CSPBI3_CROSS_SECTION_000, cubeVolumeNm3(9));
    expect(half.crossSectionCm2).toBeCloseTo(2.9e-14 / 8, 20);
    expect(half.crossSectionCm2Stderr).toBeCloseTo(0.2e-14 / 8, 20);
    expect(half.wavelengthNm).toBe(400);
    expect(() => scaleCrossSection(CSPBI3_CROSS_SECTION_000, 0)).toThrow(InvalidInputError);
  });
});

describe('biexciton lifetimes vs volume (002 eqns 7-8)', () => {
  it('evaluate the laws and combine them', () => {
    expect(biexcitonRadiativeLifetimePs({ tau0Ps: 50, a: 0.5, alpha: 1 }, 1000)).toBe(550);
    expect(biexcitonAugerLifetimePs({ b: 0.1, beta: 1, v0Nm3: 5000, gamma: 1 }, 1000)).toBeCloseTo(
      100 * Math.exp(0.2),
      10,
    );
    expect(biexcitonLifetimePs(550, 122)).toBeCloseTo(1 / (1 / 550 + 1 / 122), 12);
    expect(() => biexcitonRadiativeLifetimePs({ tau0Ps: 50, a: 0.5, alpha: 1 }, -1)).toThrow(
      InvalidInputError,
    );
  });

  const volumes = [60, 100, 150, 220, 330, 500, 750, 1100, 1600, 2400];

  it('radiative law: simulate and recover', () => {
    const truth = { tau0Ps: 40, a: 0.8, alpha: 0.9 };
    const rng = createRng(5);
    const tau = volumes.map(
      (V) => biexcitonRadiativeLifetimePs(truth, V) * (1 + normal(rng, 0, 0.02)),
    );
    const sigma = volumes.map((V) => 0.02 * biexcitonRadiativeLifetimePs(truth, V));
    const f = fitBiexcitonRadiative(volumes, tau, { sigmaPs: sigma });
    expect(f.converged).toBe(true);
    for (const k of ['tau0Ps', 'a', 'alpha'] as const) {
      expect(Math.abs(f.params[k].value - truth[k]), k).toBeLessThan(3 * f.params[k].stderr!);
    }
  });

  it('Auger law, small dots: the linear limit tau = b V', () => {
    const rng = createRng(6);
    const tau = volumes.map((V) => 0.12 * V * (1 + normal(rng, 0, 0.03)));
    const f = fitBiexcitonAuger(volumes, tau, {
      params: {
        beta: { value: 1, fixed: true },
        v0Nm3: { value: 1e12, fixed: true },
        gamma: { value: 1, fixed: true },
      },
      sigmaPs: volumes.map((V) => 0.03 * 0.12 * V),
    });
    expect(f.freeParams).toEqual(['lnB']);
    expect(Math.abs(f.params.b.value - 0.12)).toBeLessThan(3 * f.params.b.stderr!);
    expect(f.params.beta).toEqual({ value: 1, stderr: null });
  });

  it('Auger law with the exponential: simulate and recover beta and b', () => {
    const truth = { b: 0.3, beta: 0.8, v0Nm3: 3000, gamma: 1 };
    const wide = [40, 70, 120, 200, 350, 600, 1000, 1700, 2800, 4500, 7000];
    const rng = createRng(8);
    const tau = wide.map((V) => biexcitonAugerLifetimePs(truth, V) * (1 + normal(rng, 0, 0.02)));
    const f = fitBiexcitonAuger(wide, tau, {
      params: { gamma: { value: 1, fixed: true } },
      sigmaPs: wide.map((V) => 0.02 * biexcitonAugerLifetimePs(truth, V)),
    });
    expect(f.converged).toBe(true);
    for (const k of ['b', 'beta', 'v0Nm3'] as const) {
      expect(Math.abs(f.params[k].value - truth[k]), k).toBeLessThan(3 * f.params[k].stderr!);
    }
  });

  it('rejects mismatched or too few data', () => {
    expect(() => fitBiexcitonRadiative([1, 2, 3], [1, 2])).toThrow(
      /volumesNm3 has 3 values but lifetimesPs has 2/,
    );
    expect(() => fitBiexcitonRadiative([1, 2, 3], [1, 2, 3])).toThrow(/at least 4/);
    expect(() => fitBiexcitonAuger([1, 2, 3, 4], [1, 2, 3, 4])).toThrow(/cannot fix 4 free/);
    expect(() => fitBiexcitonRadiative([1, -2, 3, 4], [1, 2, 3, 4])).toThrow(/volumesNm3\[1\]/);
  });
});
