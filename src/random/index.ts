/**
 * `nanolum/random`: a seeded, reproducible random generator (xoshiro128**) with independent
 * streams per worker, and exact samplers for the distributions of photophysics (Poisson shot
 * noise, binomial detection, exponential lifetimes, power-law blinking times).
 * Every sampler takes the generator first: `poisson(rng, mean)`.
 */
export { Rng, createRng, fromState, RNG_ALGORITHM } from './rng.js';
export type { RngState } from './rng.js';
export { uniform, integer, fillUniform } from './uniform.js';
export { normal, fillNormal } from './normal.js';
export { exponential } from './exponential.js';
export { poisson, poissonNoise, POISSON_MAX_MEAN } from './poisson.js';
export { binomial } from './binomial.js';
export { powerLaw, truncatedPowerLaw } from './power-law.js';
export { categorical, categoricalSampler } from './categorical.js';
