/**
 * Uncertainty of quantities derived from fitted parameters (peak heights, area fractions, Voigt
 * widths) by linear error propagation through the fit's covariance matrix (delta method).
 */
import type { FitResult } from '../fit/types.js';

/**
 * The fitted value of every parameter, by name.
 *
 * @example
 * paramValues(r); // { p1_center: 515.02, p1_area: 2003.1, ... }
 */
export function paramValues(result: FitResult): Record<string, number> {
  const v: Record<string, number> = {};
  for (const [k, p] of Object.entries(result.params)) v[k] = p.value;
  return v;
}

/**
 * Value and standard error of f(parameters) at the optimum: the gradient of f over the free
 * parameters (central differences, step 1e-3 of each stderr) contracted with the covariance.
 * The stderr is null when the fit has no covariance.
 *
 * @example
 * const h = derivedQuantity(r, (p) => p.p1_area / p.p1_fwhm * 0.9394);
 */
export function derivedQuantity(
  result: FitResult,
  f: (p: Record<string, number>) => number,
): { value: number; stderr: number | null } {
  const base = paramValues(result);
  const value = f(base);
  const cov = result.covariance;
  if (!cov || !Number.isFinite(value)) return { value, stderr: null };
  const names = result.freeParams;
  const g = new Float64Array(names.length);
  for (let k = 0; k < names.length; k++) {
    const sd = Math.sqrt(Math.max(cov[k][k], 0));
    const v0 = base[names[k]];
    const h = sd > 0 ? 1e-3 * sd : 1e-8 * Math.max(1, Math.abs(v0));
    const up = { ...base, [names[k]]: v0 + h };
    const dn = { ...base, [names[k]]: v0 - h };
    g[k] = (f(up) - f(dn)) / (2 * h);
  }
  let s = 0;
  for (let a = 0; a < names.length; a++)
    for (let b = 0; b < names.length; b++) s += g[a] * cov[a][b] * g[b];
  return { value, stderr: s >= 0 && Number.isFinite(s) ? Math.sqrt(s) : null };
}

/**
 * A copy of a fit result with standard errors multiplied by sqrt(reduced chi-square) and the
 * covariance by reduced chi-square - the usual inflation when the model does not describe the
 * data to within the stated sigma (reduced chi-square well above 1).
 *
 * @example
 * const r2 = inflateErrors(r); // r2.params.p1_center.stderr = r.params.p1_center.stderr * sqrt(r.reducedChi2)
 */
export function inflateErrors(result: FitResult): FitResult {
  const f = Math.max(1, result.reducedChi2);
  const s = Math.sqrt(f);
  const params: FitResult['params'] = {};
  for (const [k, p] of Object.entries(result.params))
    params[k] = { ...p, stderr: p.stderr === null ? null : p.stderr * s };
  return {
    ...result,
    params,
    covariance: result.covariance ? result.covariance.map((row) => row.map((v) => v * f)) : null,
  };
}

/**
 * Warnings about a fit a scientist should see next to its numbers.
 *
 * @example
 * fitWarnings(r); // ['reduced chi-square is 53.6: ...']
 */
export function fitWarnings(result: FitResult, sigmaGiven: boolean): string[] {
  const w: string[] = [];
  if (!result.converged) w.push(`the fit did not converge (${result.status}): ${result.message}`);
  if (sigmaGiven && result.reducedChi2 > 2) {
    w.push(
      `reduced chi-square is ${result.reducedChi2.toPrecision(3)}: the model does not describe the data to within the counting noise (line shape, background or a missing component); the standard errors are lower bounds (scale them with scaleErrors, CLI --scale-errors)`,
    );
  }
  for (const [k, p] of Object.entries(result.params))
    if (p.atBound) w.push(`parameter ${k} ended at a bound (${p.value}); its stderr is unreliable`);
  return w;
}
