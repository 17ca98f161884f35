import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  bohrDiameterNm,
  brusSphereEnergy,
  confinementRegime,
  cubeConfinementEnergy,
  effectiveMassParameters,
  hydrogenicBindingMeV,
  materialBohrDiameter,
} from '../../src/materials/confinement.js';
import { HBAR2_OVER_2M0_EV_NM2 } from '../../src/materials/constants.js';
import { defineMaterial, getMaterial } from '../../src/materials/table.js';

describe('Bohr diameter and hydrogenic binding', () => {
  it('002 eqn 1: 2a0 = 2 x 0.0529 nm x eps / mu', () => {
    expect(bohrDiameterNm(1, 1)).toBeCloseTo(2 * 0.0529177, 6);
    // CsPbBr3 with Yang 2017 values: 6.13 nm, close to the ~7 nm quoted by 002 and 004
    expect(bohrDiameterNm(0.126, 7.3)).toBeCloseTo(6.132, 2);
  });

  it('Ry* = 13.606 eV mu / eps^2 reproduces the quoted binding energies', () => {
    expect(hydrogenicBindingMeV(1, 1)).toBeCloseTo(13605.693, 2);
    expect(hydrogenicBindingMeV(0.126, 7.3)).toBeCloseTo(32.17, 1); // table: 33 meV
    expect(hydrogenicBindingMeV(0.114, 10)).toBeCloseTo(15.51, 1); // table: 15 meV
  });

  it('uses the listed Bohr diameter, else computes it', () => {
    expect(materialBohrDiameter(getMaterial('CsPbBr3'))).toMatchObject({
      bohrDiameterNm: 7,
      origin: 'table',
    });
    const m = defineMaterial({
      name: 'X',
      parameters: { reducedMass: 0.1, dielectricConstant: 10 },
    });
    expect(materialBohrDiameter(m).origin).toBe('computed');
    expect(materialBohrDiameter(m).bohrDiameterNm).toBeCloseTo(10.58, 2);
    expect(() => materialBohrDiameter(defineMaterial({ name: 'Y' }))).toThrow(
      /Y has no reduced mass/,
    );
  });

  it('rejects non-positive masses and dielectric constants', () => {
    expect(() => bohrDiameterNm(0, 7)).toThrow(InvalidInputError);
    expect(() => hydrogenicBindingMeV(0.1, -2)).toThrow(/dielectric constant/);
  });
});

describe('confinement regime', () => {
  it('000: 18 nm CsPbI3 with a = 6 nm is intermediate (L/2a = 1.5)', () => {
    const r = confinementRegime(18, 12);
    expect(r.sizeToBohrRatio).toBeCloseTo(1.5, 12);
    expect(r.regime).toBe('intermediate');
  });
  it('below the Bohr diameter is strong, at twice it weak', () => {
    expect(confinementRegime(5, 7).regime).toBe('strong');
    expect(confinementRegime(7, 7).regime).toBe('intermediate');
    expect(confinementRegime(14, 7).regime).toBe('weak');
    expect(confinementRegime(14, 7, { weakFrom: 3 }).regime).toBe('intermediate');
  });
  it('rejects bad sizes and thresholds', () => {
    expect(() => confinementRegime(-5, 7)).toThrow(/edge length \(edgeNm\) must be positive/);
    expect(() => confinementRegime(Number.NaN, 7)).toThrow(InvalidInputError);
    expect(() => confinementRegime(5, 7, { strongBelow: 3, weakFrom: 2 })).toThrow(/weakFrom/);
  });
});

describe('parabolic effective-mass models', () => {
  const p = { gapEv: 2.34, reducedMass: 0.126, dielectricConstant: 7.3 };

  it('Brus sphere: the terms follow the formula', () => {
    const R = 2.5;
    const e = brusSphereEnergy(p, R);
    expect(e.kineticEv).toBeCloseTo((HBAR2_OVER_2M0_EV_NM2 * Math.PI ** 2) / (0.126 * R * R), 12);
    expect(e.coulombEv).toBeCloseTo((1.786 * 1.439964548) / (7.3 * R), 12);
    expect(e.rydbergEv).toBeCloseTo((0.248 * 13.605693 * 0.126) / 7.3 ** 2, 12);
    expect(e.energyEv).toBeCloseTo(2.34 + e.kineticEv - e.coulombEv - e.rydbergEv, 12);
    // hbar^2/(2 m0) = 0.0381 eV nm^2
    expect(HBAR2_OVER_2M0_EV_NM2).toBeCloseTo(0.0380998, 6);
  });

  it('cube: 3 hbar^2 pi^2 / (2 mu L^2) - 3.05 e^2 / (4 pi eps0 eps L)', () => {
    const e = cubeConfinementEnergy(p, 4);
    expect(e.kineticEv).toBeCloseTo(0.5597, 3);
    expect(e.coulombEv).toBeCloseTo(0.1504, 3);
    expect(e.energyEv).toBeCloseTo(2.749, 2);
    expect(e.rydbergEv).toBe(0);
  });

  it('the confinement energy falls as 1/L^2 at large L and vanishes in the bulk limit', () => {
    const a = cubeConfinementEnergy(p, 100).confinementEv;
    const b = cubeConfinementEnergy(p, 1000).confinementEv;
    expect(Math.abs(b)).toBeLessThan(Math.abs(a) / 5);
  });

  it('effectiveMassParameters names a missing parameter', () => {
    expect(effectiveMassParameters(getMaterial('CsPbI3'))).toEqual({
      gapEv: 1.73,
      reducedMass: 0.114,
      dielectricConstant: 10,
    });
    expect(() =>
      effectiveMassParameters(defineMaterial({ name: 'Z', parameters: { reducedMass: 0.1 } })),
    ).toThrow(/Z has no band gap/);
  });

  it('rejects a non-positive size', () => {
    expect(() => cubeConfinementEnergy(p, 0)).toThrow(InvalidInputError);
    expect(() => brusSphereEnergy(p, -1)).toThrow(/radius/);
    expect(() => cubeConfinementEnergy({ ...p, reducedMass: 0 }, 4)).toThrow(/reduced mass/);
  });
});
