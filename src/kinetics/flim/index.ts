/**
 * FLIM: per-pixel lifetime fits of image cubes (y, x, time) on worker threads, and a simulator.
 *
 * @module
 */
export { fitFlim } from './fit-flim.js';
export type { FitFlimOptions, FlimCube, FlimResult } from './fit-flim.js';
export { simulateFlim } from './simulate.js';
export type { SimulateFlimOptions, SimulatedFlim } from './simulate.js';
export { FLIM_STATUS, binRows, createPixelFitter } from './pixel.js';
export type { PixelSetup, PixelMaps } from './pixel.js';
export { fitFlimBlock } from './task.js';
export type { FlimBlock } from './task.js';
