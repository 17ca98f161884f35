import { describe, expect, it } from 'vitest';
import { InvalidInputError, UnknownNameError } from '../../src/core/errors.js';
import { bohrDiameterNm, hydrogenicBindingMeV } from '../../src/materials/confinement.js';
import {
  defineMaterial,
  getMaterial,
  listMaterialNames,
  parameterRows,
  requireParameter,
  withOverrides,
  type ParameterName,
} from '../../src/materials/table.js';

const REQUIRED = ['CsPbCl3', 'CsPbBr3', 'CsPbI3', 'FAPbBr3', 'MAPbBr3', 'FAPbI3', 'MAPbI3'];
const STATUSES = new Set(['paper', 'verified', 'commonly-quoted', 'computed', 'user']);

describe('materials table', () => {
  it('has the seven perovskites of the brief', () => {
    expect(listMaterialNames()).toEqual(REQUIRED);
  });

  it('every value has a unit, a status and a source', () => {
    for (const name of REQUIRED) {
      for (const row of parameterRows(getMaterial(name))) {
        if (row.value === null) continue;
        expect(Number.isFinite(row.value) && row.value > 0, `${name} ${row.parameter}`).toBe(true);
        expect(STATUSES.has(row.status!), `${name} ${row.parameter} status`).toBe(true);
        expect(row.status).not.toBe('user');
        expect((row.source ?? '').length, `${name} ${row.parameter} source`).toBeGreaterThan(5);
      }
    }
  });

  it('has the core parameters of every material (gap, mu, eps, 2a0, E_b, lattice constant)', () => {
    const core: ParameterName[] = [
      'bandGapEv',
      'reducedMass',
      'dielectricConstant',
      'bohrDiameterNm',
      'excitonBindingMeV',
      'latticeConstantA',
    ];
    for (const name of REQUIRED) {
      const m = getMaterial(name);
      for (const p of core) expect(m.parameters[p], `${name} ${p}`).not.toBeNull();
    }
  });

  it('holds the values of the physics reference with their status', () => {
    const br = getMaterial('CsPbBr3').parameters;
    expect(br.reducedMass).toMatchObject({ value: 0.126, status: 'commonly-quoted' });
    expect(br.dielectricConstant).toMatchObject({ value: 7.3, status: 'commonly-quoted' });
    expect(br.bohrDiameterNm).toMatchObject({ value: 7, status: 'paper' });
    expect(br.bandGapEv).toMatchObject({ value: 2.34, status: 'paper' });
    expect(getMaterial('CsPbI3').parameters.bohrDiameterNm).toMatchObject({
      value: 12,
      status: 'paper',
    });
    expect(getMaterial('MAPbI3').parameters.reducedMass).toMatchObject({
      value: 0.104,
      status: 'verified',
    });
    expect(getMaterial('FAPbI3').parameters.bandGapEv).toMatchObject({
      value: 1.48,
      status: 'verified',
    });
    expect(getMaterial('MAPbBr3').parameters.excitonEnergyEv?.value).toBeCloseTo(2.31 - 0.022, 6);
  });

  it('computed dielectric constants reproduce the listed binding energies (hydrogenic model)', () => {
    for (const name of ['FAPbBr3', 'MAPbBr3', 'FAPbI3', 'MAPbI3']) {
      const m = getMaterial(name);
      expect(m.parameters.dielectricConstant?.status).toBe('computed');
      const eb = hydrogenicBindingMeV(
        requireParameter(m, 'reducedMass'),
        requireParameter(m, 'dielectricConstant'),
      );
      expect(eb).toBeCloseTo(requireParameter(m, 'excitonBindingMeV'), 1);
    }
  });

  it('the consistent parameter pairs reproduce the quoted Bohr diameters within the 2x spread of the literature', () => {
    for (const name of ['CsPbBr3', 'CsPbI3', 'FAPbBr3', 'FAPbI3']) {
      const m = getMaterial(name);
      const d = bohrDiameterNm(
        requireParameter(m, 'reducedMass'),
        requireParameter(m, 'dielectricConstant'),
      );
      const listed = requireParameter(m, 'bohrDiameterNm');
      expect(d / listed, name).toBeGreaterThan(0.7);
      expect(d / listed, name).toBeLessThan(1.3);
    }
  });

  it('flags the inconsistent CsPbCl3 pair (mu from one source, eps from another)', () => {
    const m = getMaterial('CsPbCl3');
    const d = bohrDiameterNm(
      requireParameter(m, 'reducedMass'),
      requireParameter(m, 'dielectricConstant'),
    );
    expect(d).toBeLessThan(0.5 * requireParameter(m, 'bohrDiameterNm'));
    expect(m.notes.join(' ')).toMatch(/not mutually consistent/);
  });

  it('lookups ignore case and accept Unicode subscripts and aliases', () => {
    expect(getMaterial('cspbbr3').name).toBe('CsPbBr3');
    expect(getMaterial('CsPbBr₃').name).toBe('CsPbBr3');
    expect(getMaterial('methylammonium lead iodide').name).toBe('MAPbI3');
  });

  it('unknown material -> UnknownNameError listing the known ones', () => {
    expect(() => getMaterial('CdSe')).toThrow(UnknownNameError);
    expect(() => getMaterial('CdSe')).toThrow(
      /unknown material "CdSe"; known: CsPbCl3, CsPbBr3, CsPbI3/,
    );
    expect(() => getMaterial('')).toThrow(InvalidInputError);
  });

  it('withOverrides returns a new material, marks the value as user, leaves the table untouched', () => {
    const base = getMaterial('CsPbBr3');
    const m = withOverrides(base, {
      reducedMass: 0.15,
      dielectricConstant: { value: 4.96, source: 'Protesescu 2015' },
    });
    expect(m.parameters.reducedMass).toMatchObject({ value: 0.15, status: 'user', unit: 'm0' });
    expect(m.parameters.dielectricConstant).toMatchObject({
      value: 4.96,
      status: 'user',
      source: 'Protesescu 2015',
    });
    expect(base.parameters.reducedMass?.value).toBe(0.126);
    expect(getMaterial('CsPbBr3').parameters.reducedMass?.value).toBe(0.126);
    // mutating a returned copy does not leak into the table
    base.parameters.reducedMass!.value = 99;
    expect(getMaterial('CsPbBr3').parameters.reducedMass?.value).toBe(0.126);
    // overriding by name works too
    expect(withOverrides('CsPbI3', { bandGapEv: 1.75 }).parameters.bandGapEv?.value).toBe(1.75);
  });

  it('withOverrides rejects unknown parameters and bad values', () => {
    expect(() => withOverrides('CsPbBr3', { mass: 1 } as never)).toThrow(UnknownNameError);
    expect(() => withOverrides('CsPbBr3', { reducedMass: -1 })).toThrow(
      /reduced mass \(reducedMass\) must be positive/,
    );
    expect(() => withOverrides('CsPbBr3', { reducedMass: Number.NaN })).toThrow(InvalidInputError);
  });

  it('defineMaterial adds a material that lookups find when passed in', () => {
    const dot = defineMaterial({
      name: 'CsSnI3',
      parameters: { bandGapEv: 1.3, reducedMass: 0.07, dielectricConstant: 9 },
    });
    expect(dot.parameters.bandGapEv?.status).toBe('user');
    expect(dot.parameters.bohrDiameterNm).toBeNull();
    expect(getMaterial('cssni3', { materials: [dot] }).name).toBe('CsSnI3');
    expect(listMaterialNames({ materials: [dot] })[0]).toBe('CsSnI3');
    expect(() => getMaterial('CsSnI3')).toThrow(UnknownNameError);
    expect(() => requireParameter(dot, 'excitonBindingMeV')).toThrow(
      /CsSnI3 has no exciton binding energy/,
    );
    expect(() => defineMaterial({ name: ' ' })).toThrow(InvalidInputError);
  });
});
