/**
 * The public types of the one fitting engine. Every fit in nanolum (NIST problems, decays,
 * spectra, sizing curves, MSD curves, ...) goes through `fit()` / `fitGlobal()` with these types.
 */

/**
 * A model: named parameters and a vectorised evaluator. `evaluate(p, x, out)` writes the model at
 * every data point into `out` (length n = number of data points), with `p` in the order of
 * `params`. Usually x has one value per point (x.length = n); a model of several independent
 * variables (`nVariables` > 1) takes them point-major: x[i * nVariables + k].
 * `jacobian(p, x, jac)`, if given, writes d model(x_i) / d p_j into `jac[i * params.length + j]`
 * (row-major, one row per data point). Without it the engine uses finite differences.
 */
export interface Model {
  params: readonly string[];
  /** Independent variables per data point (default 1). */
  nVariables?: number;
  evaluate(p: Float64Array, x: Float64Array, out: Float64Array): void;
  jacobian?(p: Float64Array, x: Float64Array, jac: Float64Array): void;
}

/**
 * One parameter's set-up, lmfit style. A bare number means `{ value }`.
 * - `min`/`max`: bounds (either may be omitted).
 * - `fixed: true`: held at `value`.
 * - `expr`: tie to other parameters by a formula (e.g. `"tau1"`, `"2*w"`); a tied parameter
 *   is not free, and its value and stderr are computed from the free ones.
 */
export interface ParamSpec {
  value: number;
  min?: number;
  max?: number;
  fixed?: boolean;
  expr?: string;
}
export type ParamsInput = Record<string, number | ParamSpec>;

export type FitMethod = 'least-squares' | 'poisson';

export interface FitOptions {
  /** `least-squares` (default; weighted by 1/sigma^2 when `sigma` or `weights` given) or `poisson` (maximum likelihood for counts). */
  method?: FitMethod;
  /** Standard deviation of each y (least squares). */
  sigma?: ArrayLike<number>;
  /** Weight of each residual (least squares): residual_i = w_i (y_i - f_i). Ignored if `sigma` is given. */
  weights?: ArrayLike<number>;
  /** Iteration cap (default 1000 for LM, counted in Jacobian evaluations). */
  maxIterations?: number;
  /** Relative tolerance on the change of the objective (default 1e-15 .. 1e-10, chosen by the engine). */
  ftol?: number;
  /** Relative tolerance on the parameter step. */
  xtol?: number;
  /** Tolerance on the scaled gradient. */
  gtol?: number;
  /** Jacobian: `auto` (analytic if the model has one, else finite differences), `forward`, `central`. */
  jacobian?: 'auto' | 'forward' | 'central';
  /** Cancels a running fit; the result then has status `cancelled`. */
  signal?: AbortSignal;
  /**
   * Compute the covariance and standard errors (default true). `false` skips that last Jacobian:
   * for pre-fits whose only use is a starting point (stderr and covariance are then null).
   */
  covariance?: boolean;
}

export type FitStatus = 'converged' | 'max-iterations' | 'non-finite' | 'stalled' | 'cancelled';

export interface ParamResult {
  value: number;
  /** Standard error from the covariance matrix, `null` if not estimable (fixed, singular). */
  stderr: number | null;
  initial: number;
  min: number;
  max: number;
  fixed: boolean;
  expr: string | null;
  /** True if the value ended at (or within 1e-10 relative of) a bound - the stderr is then unreliable. */
  atBound: boolean;
}

export interface FitResult {
  method: FitMethod;
  params: Record<string, ParamResult>;
  /** Names of the free parameters, in the order of `covariance`. */
  freeParams: string[];
  /** Covariance of the free parameters (scaled by reduced chi-square for least squares without sigma). */
  covariance: number[][] | null;
  correlation: number[][] | null;
  /** Weighted sum of squared residuals (least squares); Pearson chi-square for Poisson. */
  chi2: number;
  reducedChi2: number;
  /** Poisson deviance 2 sum[y ln(y/f) - (y - f)] (Poisson fits; for least squares equals chi2). */
  deviance: number;
  /** Log-likelihood at the optimum (Gaussian with the given sigma, or Poisson). */
  logLikelihood: number;
  aic: number;
  bic: number;
  nData: number;
  nFree: number;
  dof: number;
  converged: boolean;
  status: FitStatus;
  /** One sentence on why the fit stopped. */
  message: string;
  iterations: number;
  evaluations: number;
  /** Model at the best-fit parameters, at every data point. */
  best: Float64Array;
  /** Residuals y - f (unweighted). */
  residuals: Float64Array;
}

/**
 * One dataset of a global fit. `paramMap` renames the model's parameters to global parameter
 * names (`{ tau: 'tau_shared', A: 'A_2' }`); parameters not in the map keep their own name, so
 * identically named parameters are shared between datasets.
 */
export interface FitDataset {
  model: Model;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Standard deviation of each y (least squares). */
  sigma?: ArrayLike<number>;
  /** Weight of each residual (least squares), as in `FitOptions.weights`. */
  weights?: ArrayLike<number>;
  paramMap?: Record<string, string>;
  /** Label used in messages and reports (default `dataset 1`, `dataset 2`, ...). */
  name?: string;
}

/** Options of a global fit: as `FitOptions`, with sigma/weights given per dataset instead. */
export type GlobalFitOptions = Omit<FitOptions, 'sigma' | 'weights'>;

/** The part of a global fit belonging to one dataset. */
export interface DatasetFitResult {
  name: string;
  /** The model's parameter values (by the model's own names) at the optimum. */
  params: Record<string, number>;
  best: Float64Array;
  /** y - f (unweighted). */
  residuals: Float64Array;
  /** Weighted sum of squared residuals (least squares) or Pearson chi-square (Poisson). */
  chi2: number;
  /** Poisson deviance of this dataset (equals chi2 for least squares). */
  deviance: number;
  nData: number;
}

/** A global fit: the whole fit (all datasets' points concatenated in `best`/`residuals`) plus each dataset. */
export interface GlobalFitResult extends FitResult {
  datasets: DatasetFitResult[];
}
