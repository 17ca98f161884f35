import type { FitResult } from './types.js';

/** The goodness-of-fit and convergence summary of a fit, as domain results repeat it. */
export type FitStatistics = Pick<
  FitResult,
  | 'chi2'
  | 'reducedChi2'
  | 'aic'
  | 'bic'
  | 'nData'
  | 'nFree'
  | 'converged'
  | 'status'
  | 'message'
  | 'freeParams'
  | 'correlation'
>;

/**
 * The fit statistics of a result as a plain object, to spread into a domain result or its JSON.
 *
 * @example
 * return { lifetimes, ...fitStatistics(result) };
 */
export function fitStatistics(r: FitStatistics): FitStatistics {
  return {
    chi2: r.chi2,
    reducedChi2: r.reducedChi2,
    aic: r.aic,
    bic: r.bic,
    nData: r.nData,
    nFree: r.nFree,
    converged: r.converged,
    status: r.status,
    message: r.message,
    freeParams: r.freeParams,
    correlation: r.correlation,
  };
}
