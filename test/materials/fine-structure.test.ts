import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { createRng, normal } from '../../src/random/index.js';
import {
  brightFraction,
  fitSplittingLaw,
  predictSplitting,
  splittingLawFor,
  splittingTemperatureK,
  thermalAverageDecayRate,
} from '../../src/materials/fine-structure.js';
import { BORNSCHLEGL_004 } from '../../src/materials/literature.js';
import { getMaterial } from '../../src/materials/table.js';

describe('bright fraction', () => {
  it('f_B = 3 exp(-D/kT) / (1 + 3 exp(-D/kT))', () => {
    const kT = 8.617333262e-2 * 50; // meV at 50 K
    const w = 3 * Math.exp(-6 / kT);
    expect(brightFraction(6, 50)).toBeCloseTo(w / (1 + w), 14);
    // at kT = Delta: 3/e / (1 + 3/e)
    expect(brightFraction(15, splittingTemperatureK(15))).toBeCloseTo(
      3 / Math.E / (1 + 3 / Math.E),
      12,
    );
  });

  it('limits: 3/4 when hot, 0 at T = 0, custom degeneracies', () => {
    expect(brightFraction(3, 1e7)).toBeCloseTo(0.75, 5);
    expect(brightFraction(15, 0)).toBe(0);
    expect(brightFraction(-2, 0)).toBe(1);
    expect(brightFraction(0, 0)).toBe(0.75);
    expect(brightFraction(5, 1e7, { brightDegeneracy: 1, darkDegeneracy: 1 })).toBeCloseTo(0.5, 5);
    expect(brightFraction(1000, 1)).toBe(0); // underflows cleanly, no NaN
    expect(brightFraction(-1000, 1)).toBe(1);
  });

  it('004: 15 meV equals kT at 174 K', () => {
    expect(Math.round(splittingTemperatureK(15))).toBe(BORNSCHLEGL_004.splittingTemperatureK);
    expect(splittingTemperatureK(15)).toBeCloseTo(174.07, 2);
  });

  it('004: at the lowest temperatures only the 14 nm crystals keep a significant bright population', () => {
    const f = (meV: number) => brightFraction(meV, 9);
    expect(f(3)).toBeGreaterThan(0.05);
    expect(f(6)).toBeLessThan(f(3) / 20);
    expect(f(15)).toBeLessThan(1e-6);
  });

  it('thermal average decay: dark-limited at 10 K for 5 nm, bright-dominated when hot', () => {
    const [five] = BORNSCHLEGL_004.lifetimes10K;
    const levels = {
      splittingMeV: 15,
      tauBrightNs: five!.tauBrightPs! / 1000,
      tauDarkNs: five!.tauDarkNs!,
    };
    expect(1 / thermalAverageDecayRate(levels, 10)).toBeCloseTo(52, 1);
    expect(1 / thermalAverageDecayRate(levels, 300)).toBeLessThan(1);
  });

  it('rejects bad input', () => {
    expect(() => brightFraction(15, -1)).toThrow(
      /temperature \(temperatureK\) must not be negative/,
    );
    expect(() => brightFraction(Number.NaN, 10)).toThrow(InvalidInputError);
    expect(() => splittingTemperatureK(0)).toThrow(InvalidInputError);
  });
});

describe('splitting vs size', () => {
  it('fits Delta = Delta_bulk + B/L^3 to 004 with the engine (matches an independent solution)', () => {
    const c = fitSplittingLaw();
    expect(c.fitStatus).toBe('converged');
    expect(c.dof).toBe(1);
    expect(c.material).toBe('CsPbBr3');
    // independent: numpy lstsq on [1, L^-3], covariance s^2 (X^T X)^-1 with 1 dof
    expect(c.params.splittingBulkMeV.value).toBeCloseTo(2.674227, 4);
    expect(c.params.coefficientMeVNmP.value).toBeCloseTo(1548.5566, 2);
    expect(c.params.splittingBulkMeV.stderr! / 0.325215).toBeCloseTo(1, 3);
    expect(c.params.coefficientMeVNmP.stderr! / 68.3352).toBeCloseTo(1, 3);
    for (const p of BORNSCHLEGL_004.splittings) {
      expect(
        Math.abs(predictSplitting(c, p.edgeNm).brightDarkSplittingMeV - p.brightDarkSplittingMeV),
      ).toBeLessThan(0.5);
    }
  });

  it('predictions carry stderr and flag extrapolation', () => {
    const c = fitSplittingLaw();
    const p = predictSplitting(c, 6);
    expect(p.brightDarkSplittingMeVStderr!).toBeGreaterThan(0);
    expect(p.band![0]).toBeLessThan(p.brightDarkSplittingMeV);
    expect(p.extrapolated).toBe(false);
    expect(predictSplitting(c, 4).extrapolated).toBe(true);
    expect(() => predictSplitting(c, 0)).toThrow(InvalidInputError);
  });

  it('the 1/L^2 alternative is available', () => {
    const c2 = fitSplittingLaw(BORNSCHLEGL_004.splittings, { exponent: 2 });
    expect(c2.form).toBe('Delta(L) = Delta_bulk + B/L^2');
    expect(c2.params.coefficientMeVNmP.value).toBeCloseTo(348.315, 1);
  });

  it('simulate and recover a known law', () => {
    const truth = { bulk: 1.5, coef: 1800 };
    const sizes = [4, 5, 6, 7, 8, 10, 12, 14, 16];
    const rng = createRng(3);
    const pts = sizes.map((L) => ({
      edgeNm: L,
      brightDarkSplittingMeV: truth.bulk + truth.coef / L ** 3 + normal(rng, 0, 0.3),
    }));
    const c = fitSplittingLaw(pts, { sigmaMeV: 0.3 });
    expect(Math.abs(c.params.splittingBulkMeV.value - truth.bulk)).toBeLessThan(
      3 * c.params.splittingBulkMeV.stderr!,
    );
    expect(Math.abs(c.params.coefficientMeVNmP.value - truth.coef)).toBeLessThan(
      3 * c.params.coefficientMeVNmP.stderr!,
    );
    expect(c.material).toBe('user data');
  });

  it('the law is provided for CsPbBr3 only', () => {
    expect(splittingLawFor(getMaterial('CsPbBr3'))?.exponent).toBe(3);
    expect(splittingLawFor(getMaterial('CsPbI3'))).toBeNull();
  });

  it('rejects too few points', () => {
    expect(() => fitSplittingLaw(BORNSCHLEGL_004.splittings.slice(0, 2))).toThrow(/at least 3/);
    expect(() =>
      fitSplittingLaw([
        { edgeNm: 5, brightDarkSplittingMeV: 1 },
        { edgeNm: 5, brightDarkSplittingMeV: 2 },
        { edgeNm: 5, brightDarkSplittingMeV: 3 },
      ]),
    ).toThrow(/2 different sizes/);
  });
});
