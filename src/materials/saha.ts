/**
 * Saha equilibrium between free carriers and excitons (002 eqn 6, bulk / weak confinement):
 *
 *   x^2 / (1 - x) = (1 / n) (2 pi mu k_B T / h^2)^(3/2) exp(-E_b / k_B T),
 *
 * with x the free-carrier fraction of the total excitation density n (electron-hole pairs per
 * cm^3), mu the exciton reduced mass and E_b the exciton binding energy. (The text dump of 002
 * prints the prefactor as (mu k_B T / 2 pi h^2)^(3/2); the form above, with hbar: (mu k_B T /
 * 2 pi hbar^2)^(3/2), is the standard one and reproduces the reference check CsPbBr3, 300 K,
 * 1e17 cm^-3 -> x ~ 0.69.)
 */
import { BOLTZMANN_J_PER_K, ELECTRON_MASS_KG, JOULE_PER_EV, PLANCK_J_S } from './constants.js';
import { confinementRegime, materialBohrDiameter } from './confinement.js';
import { requireParameter, type Material } from './table.js';
import { requirePositive } from './validate.js';

export interface SahaInput {
  /** Exciton reduced mass in m0. */
  reducedMass: number;
  /** Exciton binding energy in meV. */
  excitonBindingMeV: number;
  temperatureK: number;
  /** Total density of electron-hole pairs (free + bound) in cm^-3. */
  densityCm3: number;
}

export interface SahaResult {
  /** Fraction of pairs that are free carriers, x. */
  freeCarrierFraction: number;
  /** Fraction bound as excitons, 1 - x. */
  excitonFraction: number;
  /** Right-hand side without 1/n: (2 pi mu k_B T / h^2)^(3/2) exp(-E_b/k_B T), cm^-3. */
  sahaDensityCm3: number;
  /** (2 pi mu k_B T / h^2)^(3/2) in cm^-3: the non-degeneracy scale (n must stay well below it). */
  quantumDensityCm3: number;
  thermalEnergyMeV: number;
  /** Where the equation applies. */
  validity: string;
  /** Conditions of this call that the model does not meet. */
  warnings: string[];
}

const VALIDITY =
  'Saha equation (002 eqn 6): thermal equilibrium of non-degenerate free carriers and bulk-like excitons; valid for bulk or weakly confined crystals (edge well above the Bohr diameter) where electrons and holes can separate; E_b is the bulk binding energy and its temperature dependence is ignored.';

/**
 * Free-carrier fraction x from the Saha equation; validity and warnings in the result.
 * @example
 * sahaFreeCarrierFraction({ reducedMass: 0.126, excitonBindingMeV: 33, temperatureK: 300, densityCm3: 1e17 }).freeCarrierFraction; // 0.69
 */
export function sahaFreeCarrierFraction(input: SahaInput): SahaResult {
  const mu = requirePositive(input.reducedMass, 'reduced mass (reducedMass)', 'm0');
  const eb = requirePositive(
    input.excitonBindingMeV,
    'exciton binding energy (excitonBindingMeV)',
    'meV',
  );
  const T = requirePositive(input.temperatureK, 'temperature (temperatureK)', 'K');
  const n = requirePositive(input.densityCm3, 'carrier density (densityCm3)', 'cm^-3');
  const kTJ = BOLTZMANN_J_PER_K * T;
  const kTmeV = (kTJ / JOULE_PER_EV) * 1000;
  const quantumM3 = Math.pow(
    (2 * Math.PI * mu * ELECTRON_MASS_KG * kTJ) / (PLANCK_J_S * PLANCK_J_S),
    1.5,
  );
  const quantumCm3 = quantumM3 * 1e-6;
  const sahaCm3 = quantumCm3 * Math.exp(-eb / kTmeV);
  const r = sahaCm3 / n;
  // Root of x^2 + r x - r = 0 in (0, 1), in a form that is accurate for small and large r.
  const x = r > 0 ? 2 / (1 + Math.sqrt(1 + 4 / r)) : 0;
  const warnings: string[] = [];
  if (n > 0.5 * quantumCm3) {
    warnings.push(
      `density ${n.toExponential(2)} cm^-3 is not well below the degeneracy scale ${quantumCm3.toExponential(2)} cm^-3: Boltzmann statistics (and the Saha equation) fail`,
    );
  }
  return {
    freeCarrierFraction: x,
    excitonFraction: 1 - x,
    sahaDensityCm3: sahaCm3,
    quantumDensityCm3: quantumCm3,
    thermalEnergyMeV: kTmeV,
    validity: VALIDITY,
    warnings,
  };
}

/**
 * Saha free-carrier fraction for a material from the table; with `edgeNm`, warns when the crystal
 * is not weakly confined.
 * @example
 * sahaForMaterial(getMaterial('CsPbBr3'), 300, 1e17).freeCarrierFraction; // 0.69
 */
export function sahaForMaterial(
  material: Material,
  temperatureK: number,
  densityCm3: number,
  options: { edgeNm?: number } = {},
): SahaResult {
  const result = sahaFreeCarrierFraction({
    reducedMass: requireParameter(material, 'reducedMass'),
    excitonBindingMeV: requireParameter(material, 'excitonBindingMeV'),
    temperatureK,
    densityCm3,
  });
  if (options.edgeNm !== undefined) {
    const regime = confinementRegime(options.edgeNm, materialBohrDiameter(material).bohrDiameterNm);
    if (regime.regime !== 'weak') {
      result.warnings.push(
        `${options.edgeNm} nm ${material.name} is in the ${regime.regime} confinement regime (L/2a0 = ${regime.sizeToBohrRatio.toFixed(2)}): the bulk Saha equation does not apply; carriers are confined together`,
      );
    }
  }
  return result;
}
