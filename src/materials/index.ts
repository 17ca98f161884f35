/**
 * Materials and nanocrystal physics: the parameter table (every value with source and status),
 * effective-mass confinement, the empirical sizing curve (edge length <-> PL peak), exciton fine
 * structure, Saha equilibrium, excitation statistics and the literature data sets behind them.
 */
export * from './constants.js';
export * from './table.js';
export * from './literature.js';
export * from './confinement.js';
export * from './sizing.js';
export * from './fine-structure.js';
export * from './saha.js';
export * from './excitation.js';
export * from './summary.js';
