/**
 * TCSPC decay analysis: bin-integrated reconvolution models (measured or Gaussian IRF), fitting
 * by Poisson maximum likelihood with automatic starting values and model selection, and a
 * seeded simulator.
 *
 * @module
 */
export * from './types.js';
export { fitDecay, prepareDecaySetup, termsFor } from './fit-decay.js';
export type { DecaySetup } from './fit-decay.js';
export { simulateDecay } from './simulate.js';
export { DecayModel, decayParamNames } from './model.js';
export type { DecayModelOptions, DecayTermKind, ModelIrf } from './model.js';
export { prepareIrf, shiftHistogram, estimateBaseline } from './irf.js';
export type { PreparedIrf } from './irf.js';
export { expKernelCoefficients, convolveExp, gaussianExp } from './kernels.js';
export { erfcx, exGaussian, normalCdf, normalPdf } from './special.js';
export { toHistogram } from './input.js';
export type { Histogram } from './input.js';
