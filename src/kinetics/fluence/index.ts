/**
 * Fluence-dependent photophysics: the recombination rate equations of free carriers (pears' BT
 * and BTD models, 002 eqn 4) and excitons (002 eqn 5) with a stiff Rosenbrock solver, global
 * fits of TRPL fluence series with shared rate constants, simulated fluence series, and the
 * PL-quantum-efficiency-vs-fluence model of paper 000 (Poisson excitation, trap filling,
 * Auger loss of multiexcitons) that yields the absorption cross-section.
 *
 * @module
 */
export { solveStiff } from './ode.js';
export type { OdeSystem, OdeOptions, OdeSolution } from './ode.js';
export {
  RATE_MODELS,
  rateParamUnit,
  rateParamNames,
  closedFormDensity,
  needsOde,
  solveRateModel,
  lossFractions,
} from './models.js';
export type {
  RateModelName,
  RateParamInfo,
  RateModelInfo,
  RateSolution,
  RateSolveOptions,
  LossFractions,
} from './models.js';
export { fitFluenceSeries } from './fit.js';
export type {
  FluenceTrace,
  FluenceFitOptions,
  FluenceTraceResult,
  FluenceFitResult,
} from './fit.js';
export { simulateFluenceSeries } from './simulate.js';
export type { FluenceSimulationOptions, SimulatedFluenceSeries } from './simulate.js';
export {
  plqeAtFluence,
  plqeMaximum,
  plqeModel,
  fitPlqeVsFluence,
  simulatePlqeVsFluence,
  pulseFluence,
} from './plqe.js';
export type { PlqeParams, PlqeFitOptions, PlqeFitResult } from './plqe.js';
export { fluenceSeriesFigure, plqeFigure } from './figures.js';
