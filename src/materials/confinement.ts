/**
 * Effective-mass quantum confinement: Bohr diameter (002 eqn 1), hydrogenic binding energy,
 * the confinement regime from L / 2a0, and the parabolic-band confinement energies of a sphere
 * (Brus, with Coulomb and Rydberg terms) and a cube (with the Coulomb term).
 *
 * The parabolic models overestimate the blue shift of small perovskite nanocrystals (band
 * non-parabolicity, dielectric confinement); for sizing use the empirical curve in `sizing.ts`.
 */
import { InvalidInputError } from '../core/errors.js';
import { BOHR_RADIUS_NM, COULOMB_EV_NM, HBAR2_OVER_2M0_EV_NM2, RYDBERG_EV } from './constants.js';
import { requireParameter, type Material } from './table.js';
import { requirePositive } from './validate.js';

/**
 * Exciton Bohr diameter 2 a0 in nm from the reduced mass (m0) and dielectric constant
 * (002 eqn 1: 2 a0 = 8 pi hbar^2 eps / (mu e^2) = 2 x 0.0529 nm x eps / mu).
 * @example
 * bohrDiameterNm(0.126, 7.3); // 6.13
 */
export function bohrDiameterNm(reducedMass: number, dielectricConstant: number): number {
  requirePositive(reducedMass, 'reduced mass (reducedMass)', 'm0');
  requirePositive(dielectricConstant, 'dielectric constant (dielectricConstant)');
  return (2 * BOHR_RADIUS_NM * dielectricConstant) / reducedMass;
}

/**
 * Hydrogenic exciton binding energy (effective Rydberg) Ry* = 13.606 eV x mu / eps^2, in meV.
 * @example
 * hydrogenicBindingMeV(0.126, 7.3); // 32.2
 */
export function hydrogenicBindingMeV(reducedMass: number, dielectricConstant: number): number {
  requirePositive(reducedMass, 'reduced mass (reducedMass)', 'm0');
  requirePositive(dielectricConstant, 'dielectric constant (dielectricConstant)');
  return (RYDBERG_EV * 1000 * reducedMass) / (dielectricConstant * dielectricConstant);
}

/** The Bohr diameter used for a material and where it came from. */
export interface MaterialBohrDiameter {
  bohrDiameterNm: number;
  /** `table`: the listed value; `computed`: from mu and eps by 002 eqn 1. */
  origin: 'table' | 'computed';
  source: string;
}

/**
 * The material's Bohr diameter: the listed value if there is one, else computed from mu and eps.
 * @example
 * materialBohrDiameter(getMaterial('CsPbBr3')).bohrDiameterNm; // 7
 */
export function materialBohrDiameter(material: Material): MaterialBohrDiameter {
  const listed = material.parameters.bohrDiameterNm;
  if (listed) return { bohrDiameterNm: listed.value, origin: 'table', source: listed.source };
  const mu = requireParameter(material, 'reducedMass');
  const eps = requireParameter(material, 'dielectricConstant');
  return {
    bohrDiameterNm: bohrDiameterNm(mu, eps),
    origin: 'computed',
    source: `002 eqn 1 from mu = ${mu} and eps = ${eps}`,
  };
}

export type ConfinementRegime = 'strong' | 'intermediate' | 'weak';

/** Thresholds on L / 2a0 between the regimes. */
export interface RegimeThresholds {
  /** Strong confinement below this ratio (default 1: the size is below the Bohr diameter, 002). */
  strongBelow: number;
  /** Weak confinement at or above this ratio (default 2). */
  weakFrom: number;
}

/**
 * Default regime thresholds on L / 2a0: strong below 1 (002: "sizes smaller than the Bohr
 * diameter"), weak from 2 (the size is at least twice the Bohr diameter; 002 Table 1 shows
 * CsPbBr3 PL within ~20 meV of its large-size limit there), intermediate between (000 calls
 * L / 2a = 1.5 for 18 nm CsPbI3 "intermediate"). The field has no sharp boundaries: pass your own.
 */
export const DEFAULT_REGIME_THRESHOLDS: Readonly<RegimeThresholds> = {
  strongBelow: 1,
  weakFrom: 2,
};

export interface RegimeResult {
  edgeNm: number;
  bohrDiameterNm: number;
  /** L / 2a0. */
  sizeToBohrRatio: number;
  regime: ConfinementRegime;
  thresholds: RegimeThresholds;
}

/**
 * Confinement regime of a nanocrystal of edge (or diameter) L from L / 2a0.
 * @example
 * confinementRegime(18, 12).regime; // 'intermediate' (ratio 1.5, as in paper 000)
 */
export function confinementRegime(
  edgeNm: number,
  bohrDiameter: number,
  thresholds: Partial<RegimeThresholds> = {},
): RegimeResult {
  requirePositive(edgeNm, 'edge length (edgeNm)', 'nm');
  requirePositive(bohrDiameter, 'Bohr diameter (bohrDiameterNm)', 'nm');
  const t: RegimeThresholds = { ...DEFAULT_REGIME_THRESHOLDS, ...thresholds };
  requirePositive(t.strongBelow, 'regime threshold strongBelow');
  requirePositive(t.weakFrom, 'regime threshold weakFrom');
  if (t.weakFrom < t.strongBelow) {
    throw new InvalidInputError(
      `regime thresholds: weakFrom (${t.weakFrom}) must not be below strongBelow (${t.strongBelow})`,
    );
  }
  const ratio = edgeNm / bohrDiameter;
  const regime: ConfinementRegime =
    ratio < t.strongBelow ? 'strong' : ratio >= t.weakFrom ? 'weak' : 'intermediate';
  return { edgeNm, bohrDiameterNm: bohrDiameter, sizeToBohrRatio: ratio, regime, thresholds: t };
}

/** Band-edge parameters of the parabolic effective-mass models. */
export interface EffectiveMassParameters {
  /** Bulk gap E_g in eV. */
  gapEv: number;
  /** Reduced mass in m0. */
  reducedMass: number;
  /** Dielectric constant. */
  dielectricConstant: number;
}

/**
 * The effective-mass parameters of a material (gap, mu, eps), with clear errors for missing ones.
 * @example
 * effectiveMassParameters(getMaterial('CsPbBr3')); // { gapEv: 2.34, reducedMass: 0.126, dielectricConstant: 7.3 }
 */
export function effectiveMassParameters(material: Material): EffectiveMassParameters {
  return {
    gapEv: requireParameter(material, 'bandGapEv'),
    reducedMass: requireParameter(material, 'reducedMass'),
    dielectricConstant: requireParameter(material, 'dielectricConstant'),
  };
}

/** Terms of a parabolic confinement model, all in eV. */
export interface ConfinementEnergy {
  /** Lowest exciton transition energy E. */
  energyEv: number;
  /** E - E_g. */
  confinementEv: number;
  /** Kinetic (particle-in-a-box) term, > 0. */
  kineticEv: number;
  /** Coulomb term, subtracted (> 0). */
  coulombEv: number;
  /** Rydberg (correlation) term, subtracted (> 0; 0 for the cube model). */
  rydbergEv: number;
  model: 'brus-sphere' | 'cube';
}

function checkParams(p: EffectiveMassParameters): void {
  if (!p || typeof p !== 'object')
    throw new InvalidInputError('effective-mass parameters are missing');
  requirePositive(p.gapEv, 'band gap (gapEv)', 'eV');
  requirePositive(p.reducedMass, 'reduced mass (reducedMass)', 'm0');
  requirePositive(p.dielectricConstant, 'dielectric constant (dielectricConstant)');
}

/**
 * Brus model of a sphere of radius R (strong confinement):
 * E = E_g + hbar^2 pi^2 / (2 mu R^2) - 1.786 e^2 / (4 pi eps0 eps R) - 0.248 Ry*.
 * @example
 * brusSphereEnergy({ gapEv: 2.34, reducedMass: 0.126, dielectricConstant: 7.3 }, 2).energyEv; // 2.69
 */
export function brusSphereEnergy(
  params: EffectiveMassParameters,
  radiusNm: number,
): ConfinementEnergy {
  checkParams(params);
  requirePositive(radiusNm, 'radius (radiusNm)', 'nm');
  const { gapEv, reducedMass: mu, dielectricConstant: eps } = params;
  const kineticEv = (HBAR2_OVER_2M0_EV_NM2 * Math.PI * Math.PI) / (mu * radiusNm * radiusNm);
  const coulombEv = (1.786 * COULOMB_EV_NM) / (eps * radiusNm);
  const rydbergEv = (0.248 * RYDBERG_EV * mu) / (eps * eps);
  const confinementEv = kineticEv - coulombEv - rydbergEv;
  return {
    energyEv: gapEv + confinementEv,
    confinementEv,
    kineticEv,
    coulombEv,
    rydbergEv,
    model: 'brus-sphere',
  };
}

/**
 * Parabolic model of a cube of edge L (strong confinement):
 * E = E_g + 3 hbar^2 pi^2 / (2 mu L^2) - 3.05 e^2 / (4 pi eps0 eps L).
 * @example
 * cubeConfinementEnergy({ gapEv: 2.34, reducedMass: 0.126, dielectricConstant: 7.3 }, 4).energyEv; // 2.75
 */
export function cubeConfinementEnergy(
  params: EffectiveMassParameters,
  edgeNm: number,
): ConfinementEnergy {
  checkParams(params);
  requirePositive(edgeNm, 'edge length (edgeNm)', 'nm');
  const { gapEv, reducedMass: mu, dielectricConstant: eps } = params;
  const kineticEv = (3 * HBAR2_OVER_2M0_EV_NM2 * Math.PI * Math.PI) / (mu * edgeNm * edgeNm);
  const coulombEv = (3.05 * COULOMB_EV_NM) / (eps * edgeNm);
  const confinementEv = kineticEv - coulombEv;
  return {
    energyEv: gapEv + confinementEv,
    confinementEv,
    kineticEv,
    coulombEv,
    rydbergEv: 0,
    model: 'cube',
  };
}
