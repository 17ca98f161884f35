import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { sahaForMaterial, sahaFreeCarrierFraction } from '../../src/materials/saha.js';
import { getMaterial, withOverrides } from '../../src/materials/table.js';

describe('Saha equation (002 eqn 6)', () => {
  it('physics reference check: CsPbBr3, 300 K, 1e17 cm^-3 -> x ~ 0.69', () => {
    const r = sahaFreeCarrierFraction({
      reducedMass: 0.126,
      excitonBindingMeV: 33,
      temperatureK: 300,
      densityCm3: 1e17,
    });
    expect(r.freeCarrierFraction).toBeGreaterThan(0.68);
    expect(r.freeCarrierFraction).toBeLessThan(0.7);
    expect(r.excitonFraction).toBeCloseTo(1 - r.freeCarrierFraction, 14);
    expect(r.validity).toMatch(/bulk or weakly confined/);
    expect(r.warnings).toEqual([]);
  });

  it('x solves x^2/(1-x) = S/n', () => {
    for (const n of [1e12, 1e15, 1e17, 1e19]) {
      for (const T of [20, 77, 300]) {
        const r = sahaFreeCarrierFraction({
          reducedMass: 0.114,
          excitonBindingMeV: 15,
          temperatureK: T,
          densityCm3: n,
        });
        const x = r.freeCarrierFraction;
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        if (x > 1e-6 && 1 - x > 1e-9)
          expect((x * x) / (1 - x) / (r.sahaDensityCm3 / n)).toBeCloseTo(1, 9);
      }
    }
  });

  it('the prefactor is (2 pi mu k_B T / h^2)^(3/2)', () => {
    // For mu = 1 at 300 K: 1.2547e19 cm^-3 (half the familiar N_c = 2.51e19 cm^-3, which counts spin).
    const r = sahaFreeCarrierFraction({
      reducedMass: 1,
      excitonBindingMeV: 1e-9,
      temperatureK: 300,
      densityCm3: 1,
    });
    expect(r.quantumDensityCm3 / 1.2547e19).toBeCloseTo(1, 3);
    expect(r.thermalEnergyMeV).toBeCloseTo(25.852, 3);
  });

  it('more free carriers when hotter or more dilute; excitons win when cold', () => {
    const f = (T: number, n: number) =>
      sahaFreeCarrierFraction({
        reducedMass: 0.126,
        excitonBindingMeV: 33,
        temperatureK: T,
        densityCm3: n,
      }).freeCarrierFraction;
    expect(f(300, 1e15)).toBeGreaterThan(f(300, 1e17));
    expect(f(300, 1e17)).toBeGreaterThan(f(150, 1e17));
    expect(f(10, 1e17)).toBeLessThan(1e-8);
  });

  it('warns when the density approaches degeneracy', () => {
    const r = sahaFreeCarrierFraction({
      reducedMass: 0.126,
      excitonBindingMeV: 33,
      temperatureK: 300,
      densityCm3: 1e19,
    });
    expect(r.warnings.join(' ')).toMatch(/degeneracy/);
  });

  it('for a material, warns outside weak confinement', () => {
    const r = sahaForMaterial(getMaterial('CsPbBr3'), 300, 1e17, { edgeNm: 5 });
    expect(r.freeCarrierFraction).toBeCloseTo(0.69, 2);
    expect(r.warnings.join(' ')).toMatch(/strong confinement regime/);
    expect(sahaForMaterial(getMaterial('CsPbBr3'), 300, 1e17, { edgeNm: 20 }).warnings).toEqual([]);
    // an override changes the answer
    const big = sahaForMaterial(withOverrides('CsPbBr3', { excitonBindingMeV: 60 }), 300, 1e17);
    expect(big.freeCarrierFraction).toBeLessThan(r.freeCarrierFraction);
  });

  it('rejects bad input', () => {
    expect(() =>
      sahaFreeCarrierFraction({
        reducedMass: 0.1,
        excitonBindingMeV: 20,
        temperatureK: 0,
        densityCm3: 1e17,
      }),
    ).toThrow(/temperature \(temperatureK\) must be positive/);
    expect(() =>
      sahaFreeCarrierFraction({
        reducedMass: 0.1,
        excitonBindingMeV: 20,
        temperatureK: 300,
        densityCm3: -1,
      }),
    ).toThrow(InvalidInputError);
  });
});
