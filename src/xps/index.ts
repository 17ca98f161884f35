/**
 * X-ray photoelectron spectroscopy: binding-energy scale, Shirley and linear backgrounds,
 * spin-orbit doublets (Pb 4f, Cs 3d, Br 3d, Au 4f, ...), component fits with relative areas,
 * and a seeded simulator.
 *
 * @module
 */
export * from './energy.js';
export * from './background.js';
export * from './doublets.js';
export * from './model.js';
export * from './fit.js';
export * from './simulate.js';
