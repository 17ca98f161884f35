/**
 * `fitReport()`: an lmfit-style text report of a fit.
 *
 * @module
 */
import type { FitResult, GlobalFitResult } from './types.js';

/** Number with `digits` significant digits, exponent form for very large or small values. */
function num(x: number, digits = 7): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e7 || a < 1e-4) return x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(digits)));
}

function bound(x: number): string {
  return x === Infinity ? 'inf' : x === -Infinity ? '-inf' : num(x);
}

export interface FitReportOptions {
  /** Heading line (default none). */
  title?: string;
  /** Show correlations with |C| above this (default 0.1). */
  minCorrelation?: number;
}

/**
 * A human-readable report of a fit, like lmfit's `fit_report()`: fit statistics (method, status
 * and why it stopped, iterations, points, free parameters, chi-square, reduced chi-square,
 * deviance, log-likelihood, AIC, BIC), each parameter as value ± stderr (relative %) with its
 * starting value and flags (fixed, tied `== expr`, bounds, at a bound), and the correlations
 * above 0.1 in magnitude, largest first. A global fit also lists each dataset's chi-square.
 *
 * @example
 * console.log(fitReport(fit(model, x, y, { A: 1, tau: 2 })));
 */
export function fitReport(
  result: FitResult | GlobalFitResult,
  options: FitReportOptions = {},
): string {
  const minCorr = options.minCorrelation ?? 0.1;
  const lines: string[] = [];
  if (options.title) lines.push(options.title);
  const stat = (label: string, value: string): void => {
    lines.push(`    ${label.padEnd(22)}= ${value}`);
  };
  lines.push('[[Fit Statistics]]');
  stat('method', result.method);
  stat('status', `${result.status}${result.converged ? '' : '  (NOT CONVERGED)'}`);
  stat('message', result.message);
  stat('# iterations', String(result.iterations));
  stat('# model evaluations', String(result.evaluations));
  stat('# data points', String(result.nData));
  stat('# free parameters', String(result.nFree));
  stat('degrees of freedom', String(result.dof));
  if (result.method === 'poisson') {
    stat('deviance', num(result.deviance));
    stat('Pearson chi-square', num(result.chi2));
  } else {
    stat('chi-square', num(result.chi2));
  }
  stat('reduced chi-square', num(result.reducedChi2));
  stat('log-likelihood', num(result.logLikelihood));
  stat('Akaike info crit', num(result.aic));
  stat('Bayesian info crit', num(result.bic));

  const names = Object.keys(result.params);
  const width = Math.max(...names.map((n) => n.length)) + 1;
  lines.push('[[Parameters]]');
  for (const name of names) {
    const p = result.params[name]!;
    let text = `    ${(name + ':').padEnd(width)} ${num(p.value)}`;
    if (p.stderr !== null) {
      text += ` +/- ${num(p.stderr, 3)}`;
      if (p.value !== 0) text += ` (${num(Math.abs((100 * p.stderr) / p.value), 3)}%)`;
    } else if (!p.fixed) {
      text += ' +/- (not estimable)';
    }
    const flags: string[] = [];
    if (p.fixed) flags.push('fixed');
    else if (p.expr !== null) flags.push(`== '${p.expr}'`);
    else flags.push(`init = ${num(p.initial)}`);
    if (p.min > -Infinity || p.max < Infinity)
      flags.push(`bounds [${bound(p.min)}, ${bound(p.max)}]`);
    if (p.atBound) flags.push('AT BOUND');
    text += ` (${flags.join(', ')})`;
    lines.push(text);
  }

  if (result.correlation) {
    const pairs: [string, number][] = [];
    const fp = result.freeParams;
    for (let a = 0; a < fp.length; a++) {
      for (let b = a + 1; b < fp.length; b++) {
        const c = result.correlation[a]![b]!;
        if (Math.abs(c) > minCorr) pairs.push([`C(${fp[a]}, ${fp[b]})`, c]);
      }
    }
    pairs.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
    if (pairs.length > 0) {
      lines.push(`[[Correlations]] (unreported correlations are < ${num(minCorr, 3)})`);
      const w = Math.max(...pairs.map((p) => p[0].length));
      for (const [label, c] of pairs)
        lines.push(`    ${label.padEnd(w)} = ${c >= 0 ? '+' : ''}${c.toFixed(4)}`);
    }
  } else if (result.nFree > 0) {
    lines.push('[[Correlations]] not available (covariance not estimable)');
  }

  const g = result as GlobalFitResult;
  if (Array.isArray(g.datasets)) {
    lines.push('[[Datasets]]');
    const w = Math.max(...g.datasets.map((d) => d.name.length)) + 1;
    for (const d of g.datasets) {
      const what =
        result.method === 'poisson'
          ? `deviance = ${num(d.deviance)}, Pearson chi-square`
          : 'chi-square';
      lines.push(`    ${(d.name + ':').padEnd(w)} ${d.nData} points, ${what} = ${num(d.chi2)}`);
    }
  }
  return lines.join('\n');
}
