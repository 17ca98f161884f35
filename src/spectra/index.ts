/**
 * Steady-state spectra: wavelength/energy conversion with the Jacobian, peak measures, multi-peak
 * fits (Gaussian, Lorentzian, Voigt, pseudo-Voigt, GL product), the excitonic peak from the
 * second derivative, Stokes shift, CIE 1931 chromaticity and Rec. 2020 gamut coverage, and a
 * seeded simulator.
 *
 * @module
 */
export * from './convert.js';
export * from './metrics.js';
export * from './faddeeva.js';
export * from './lineshapes.js';
export * from './model.js';
export * from './propagate.js';
export * from './fit.js';
export * from './savitzky-golay.js';
export * from './excitonic.js';
export * from './chromaticity.js';
export * from './cie1931.js';
export * from './simulate.js';
