/**
 * Transient absorption: time x wavelength matrices (views, band-averaged kinetics), chirp
 * estimation and correction, multi-exponential fits with fixed components and a Gaussian IRF,
 * SVD with the number of significant components, global lifetime analysis by variable projection
 * with decay-associated spectra, and simulation of TA matrices with known truth.
 *
 * @module
 */
export { convolvedExponential, gaussianPulse, dispersionShift, FWHM_PER_SIGMA } from './basis.js';
export { svd, significantComponents, smoothComponents } from './svd.js';
export type { SvdResult, SvdOptions } from './svd.js';
export { taMatrixView, taMatrix, taKinetics } from './matrix.js';
export type { TaMatrixView, TaKinetic } from './matrix.js';
export { fitKinetic } from './fit-kinetic.js';
export type {
  LifetimeSpec,
  IrfSpec,
  KineticFitOptions,
  KineticComponent,
  KineticFit,
} from './fit-kinetic.js';
export { globalLifetimeAnalysis } from './global.js';
export type { GlobalAnalysisOptions, GlobalAnalysisResult, DasComponent } from './global.js';
export { estimateChirp, correctChirp, chirpTimeZeroPs } from './chirp.js';
export type { ChirpOptions, ChirpPoint, ChirpPolynomial, ChirpResult } from './chirp.js';
export { simulateTaMatrix, bandSpectrum } from './simulate.js';
export type { SpectralBand, TaComponent, TaSimulationOptions, TaSimulation } from './simulate.js';
export {
  taMapFigure,
  svdValuesFigure,
  svdVectorsFigure,
  dasFigure,
  chirpFigure,
  kineticsFigure,
} from './figures.js';
