/**
 * `fit()`: one model, one dataset.
 *
 * @module
 */
import { prepareParams } from './params.js';
import { prepareDataset, runFit } from './engine.js';
import type { FitOptions, FitResult, Model, ParamsInput } from './types.js';

/**
 * Fits `model` to the data (x, y) by weighted least squares (default) or Poisson maximum
 * likelihood, with bounds, fixed and tied parameters (lmfit style). The engine is a
 * Levenberg-Marquardt trust-region method after Moré (MINPACK): scaled diagonal damping, QR with
 * column pivoting, relative convergence tests; bounds by a smooth change of variables; the
 * model's analytic `jacobian` when it has one, else finite differences with a relative step.
 * Tall problems (at least 4 points per free parameter) solve each step from the small normal
 * matrix J^T J (pivoted Cholesky, the same trust-region step) while it is well conditioned
 * (scaled condition number below 1e6) and the fit is not yet close to convergence, and use QR on
 * J otherwise, so speed does not cost accuracy; the covariance likewise comes from J^T W J when
 * well conditioned, else from QR.
 *
 * Definitions (n = nData, k = nFree):
 * - least squares: chi2 = sum (w_i (y_i - f_i))^2 with w = 1/sigma (or `weights`, or 1);
 *   reducedChi2 = chi2 / max(n - k, 1); covariance = (J^T W J)^-1, multiplied by reducedChi2
 *   unless `sigma` was given (lmfit / scipy `curve_fit(absolute_sigma=False)`);
 *   AIC = n ln(chi2/n) + 2k and BIC = n ln(chi2/n) + k ln(n) (as lmfit);
 *   logLikelihood: Gaussian with the given sigma, or with the maximum-likelihood common scale
 *   when sigma is unknown (-n/2 [ln(2 pi chi2/n) + 1] + sum ln w_i). `deviance` equals chi2.
 *   Points with weight 0 do not count in n.
 * - Poisson: minimises the deviance D = 2 sum [f_i - y_i + y_i ln(y_i/f_i)] (y_i = 0 bins
 *   contribute 2 f_i); chi2 is Pearson's sum (y_i - f_i)^2 / f_i; covariance = inverse Fisher
 *   information (J^T diag(1/f) J)^-1 (absolute); logLikelihood = sum [y_i ln f_i - f_i - ln y_i!];
 *   AIC = -2 logL + 2k and BIC = -2 logL + k ln(n).
 *
 * Status is `converged` only when a convergence test passed: relative change of the objective
 * below `ftol` (default 1e-15), trust radius below `xtol` (default 1e-15) times the scaled
 * parameter norm, or largest cosine between the residuals and a Jacobian column below `gtol`
 * (default 1e-10). Otherwise `max-iterations` (`maxIterations` Jacobian evaluations, default
 * 1000, or 20x as many model evaluations), `stalled`, `non-finite` or `cancelled`; the message
 * says why. Bad starting values that make the model non-finite throw `FitSetupError`;
 * non-finite values during the fit reject the step and shrink the trust region (status
 * `non-finite` if no step is possible). Values are never NaN: a stderr that cannot be estimated
 * (singular covariance, cancelled fit, zero degrees of freedom without sigma) is `null`. A
 * parameter ending on a bound is flagged `atBound` (its stderr, computed as if unbounded, is
 * then unreliable). `evaluations` counts model evaluations (finite differences included).
 * Tied parameters' bounds are ignored; their stderr comes from the delta method.
 *
 * @example
 * const model = {
 *   params: ['A', 'tau'],
 *   evaluate: (p, x, out) => { for (let i = 0; i < x.length; i++) out[i] = p[0] * Math.exp(-x[i] / p[1]); },
 * };
 * const r = fit(model, [0, 1, 2, 3], [10, 6.1, 3.7, 2.2], { A: 10, tau: { value: 1, min: 0 } });
 * r.params.tau.value; // ~2.0
 */
export function fit(
  model: Model,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  params: ParamsInput,
  options: FitOptions = {},
): FitResult {
  const method = options.method ?? 'least-squares';
  const d = prepareDataset(model, x, y, options.sigma, options.weights, method, 'data', '');
  const pp = prepareParams(
    params,
    d.modelParams,
    (unknown) =>
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; the model's parameters are ${d.modelParams.join(', ')}`,
  );
  const map = new Int32Array(d.modelParams.length);
  for (let k = 0; k < map.length; k++) map[k] = k;
  // a single-dataset fit does not carry the per-dataset part
  return runFit([{ ...d, map }], pp, options, false);
}
