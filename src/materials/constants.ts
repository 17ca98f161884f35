/**
 * Physical constants used by the materials models (CODATA 2018 values, as listed in the project's
 * physics reference). Energies in eV, lengths in nm unless the name says otherwise.
 */

/** Planck constant h in eV s. */
export const PLANCK_EV_S = 4.135667696e-15;
/** Reduced Planck constant hbar in eV s. */
export const HBAR_EV_S = 6.582119569e-16;
/** Boltzmann constant k_B in eV/K. */
export const BOLTZMANN_EV_PER_K = 8.617333262e-5;
/** Electron rest energy m0 c^2 in eV. */
export const ELECTRON_REST_ENERGY_EV = 510998.95;
/** Rydberg energy (hydrogen, infinite nuclear mass) in eV. */
export const RYDBERG_EV = 13.605693;
/** Bohr radius in nm. */
export const BOHR_RADIUS_NM = 0.0529177;
/** h c in eV nm: E[eV] = HC_EV_NM / lambda[nm]. */
export const HC_EV_NM = 1239.84198;
/** hbar c in eV nm. */
export const HBAR_C_EV_NM = 197.3269804;
/** e^2 / (4 pi eps0) in eV nm (= alpha hbar c). */
export const COULOMB_EV_NM = 1.439964548;
/** Speed of light in m/s. */
export const SPEED_OF_LIGHT_M_S = 299792458;
/** Elementary charge in C (also J per eV). */
export const JOULE_PER_EV = 1.602176634e-19;
/** Electron rest mass in kg. */
export const ELECTRON_MASS_KG = 9.1093837015e-31;
/** Planck constant in J s. */
export const PLANCK_J_S = 6.62607015e-34;
/** Boltzmann constant in J/K. */
export const BOLTZMANN_J_PER_K = 1.380649e-23;

/**
 * hbar^2 / (2 m0) in eV nm^2: the kinetic-energy scale of a free electron confined on the
 * nanometre scale (0.0380998 eV nm^2).
 */
export const HBAR2_OVER_2M0_EV_NM2 = (HBAR_C_EV_NM * HBAR_C_EV_NM) / (2 * ELECTRON_REST_ENERGY_EV);

/**
 * Photon energy in eV for a vacuum wavelength in nm.
 * @example
 * photonEnergyEv(400); // 3.0996
 */
export function photonEnergyEv(wavelengthNm: number): number {
  return HC_EV_NM / wavelengthNm;
}

/**
 * Vacuum wavelength in nm for a photon energy in eV.
 * @example
 * wavelengthNm(2.41); // 514.5
 */
export function wavelengthNm(energyEv: number): number {
  return HC_EV_NM / energyEv;
}
