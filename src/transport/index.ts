/**
 * Exciton transport: transient PL microscopy analysis (MSD, D_avg, diffusion length, t_max),
 * the lattice Monte Carlo of paper 004 (bright / dark / trapped excitons with Forster hops),
 * its exact analytic Markov-chain counterpart, and fits of the model to measured MSD(t).
 *
 * @module
 */
export * from './model.js';
export * from './markov.js';
export {
  simulateTransport,
  simulateTransportParallel,
  buildKernelConfig,
  summarizeAccumulators,
  chunkCount,
  type TransportSimulationInput,
  type TransportCurvePoint,
  type TransportSimulationResult,
  type SimulateOptions,
  type SimulateParallelOptions,
} from './simulate.js';
export {
  CHUNK_WALKERS,
  STEP_MODE_THRESHOLD,
  runChunks,
  createAccumulators,
  addAccumulators,
  type Accumulators,
  type KernelConfig,
} from './kernel.js';
export * from './profile-models.js';
export * from './read.js';
export * from './analyze.js';
export * from './synthetic.js';
export * from './fit-model.js';
export * from './report.js';
