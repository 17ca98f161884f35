/**
 * `nanolum/fit`: the one fitting engine (least squares and Poisson maximum likelihood, bounds,
 * fixed and tied parameters, global fits), model comparison and reports, and model formulas.
 *
 * @module
 */
export * from './types.js';
export * from './formula.js';
export { fit } from './fit.js';
export { fitGlobal } from './fitGlobal.js';
export { logGamma, regularizedGammaP, regularizedGammaQ, chiSquareSurvival } from './special.js';
export { aicWeights, likelihoodRatioTest, compareModels } from './compare.js';
export type { LikelihoodRatioTest, ModelComparisonRow } from './compare.js';
export { fitReport } from './report.js';
export type { FitReportOptions } from './report.js';
export { fitStatistics } from './statistics.js';
export type { FitStatistics } from './statistics.js';
