/**
 * Model comparison: Akaike weights, the likelihood-ratio test for nested models and a
 * comparison table.
 *
 * @module
 */
import { InvalidInputError } from '../core/errors.js';
import { chiSquareSurvival } from './special.js';
import type { FitResult } from './types.js';

type Scored = Pick<FitResult, 'aic' | 'bic' | 'nData'>;

function checkSameData(results: readonly Scored[], what: string): void {
  if (results.length === 0) throw new InvalidInputError(`${what}: give at least one fit result`);
  const n = results[0]!.nData;
  results.forEach((r, i) => {
    if (!r || typeof r.aic !== 'number' || !Number.isFinite(r.aic)) {
      throw new InvalidInputError(`${what}: result ${i + 1} has no finite AIC`);
    }
    if (r.nData !== n) {
      throw new InvalidInputError(
        `${what}: result ${i + 1} was fitted to ${r.nData} points but result 1 to ${n}; information criteria compare fits of the same data only`,
      );
    }
  });
}

function weightsOf(scores: number[]): number[] {
  const best = Math.min(...scores);
  const rel = scores.map((s) => Math.exp(-0.5 * (s - best)));
  const sum = rel.reduce((a, b) => a + b, 0);
  return rel.map((r) => r / sum);
}

/**
 * Akaike weights: the relative likelihood exp(-ΔAIC/2) of each model, normalised to sum to 1
 * (Burnham & Anderson). With `criterion: 'bic'` the same from BIC (approximate posterior model
 * probabilities with equal priors). All results must come from the same data.
 *
 * @example
 * const w = aicWeights([monoExpFit, biExpFit]); // e.g. [0.02, 0.98]
 */
export function aicWeights(
  results: readonly Scored[],
  options: { criterion?: 'aic' | 'bic' } = {},
): number[] {
  checkSameData(results, 'aicWeights');
  const crit = options.criterion ?? 'aic';
  return weightsOf(results.map((r) => (crit === 'bic' ? r.bic : r.aic)));
}

/** Result of `likelihoodRatioTest`. */
export interface LikelihoodRatioTest {
  /** 2 (logL_full - logL_nested), >= 0. */
  statistic: number;
  /** Extra free parameters of the full model. */
  dof: number;
  /** P(chi2_dof > statistic): small values favour the full model. */
  pValue: number;
}

/**
 * Likelihood-ratio test of a nested model against a fuller one fitted to the same data: the
 * statistic 2 (logL_full - logL_nested) is chi-square distributed with (nFree_full -
 * nFree_nested) degrees of freedom under the nested model (Wilks). For least squares without
 * sigma the log-likelihoods use the fitted noise scale, so the statistic is n ln(chi2_nested /
 * chi2_full). Not valid when the nested model sits on a boundary of the full one (e.g. an
 * amplitude constrained >= 0 tested at 0); the p-value is then conservative.
 *
 * @example
 * const t = likelihoodRatioTest(monoExpFit, biExpFit);
 * if (t.pValue < 0.01) console.log('the second exponential is significant');
 */
export function likelihoodRatioTest(
  nested: Pick<FitResult, 'logLikelihood' | 'nFree' | 'nData' | 'method'>,
  full: Pick<FitResult, 'logLikelihood' | 'nFree' | 'nData' | 'method'>,
): LikelihoodRatioTest {
  if (nested.nData !== full.nData) {
    throw new InvalidInputError(
      `likelihoodRatioTest: the fits use ${nested.nData} and ${full.nData} points; they must share the data`,
    );
  }
  if (nested.method !== full.method) {
    throw new InvalidInputError(
      `likelihoodRatioTest: the fits use different methods (${nested.method}, ${full.method})`,
    );
  }
  const dof = full.nFree - nested.nFree;
  if (!(dof > 0)) {
    throw new InvalidInputError(
      `likelihoodRatioTest: the full model must have more free parameters than the nested one (got ${full.nFree} and ${nested.nFree})`,
    );
  }
  if (!Number.isFinite(nested.logLikelihood) || !Number.isFinite(full.logLikelihood)) {
    throw new InvalidInputError('likelihoodRatioTest: a log-likelihood is not finite');
  }
  const statistic = Math.max(0, 2 * (full.logLikelihood - nested.logLikelihood));
  return { statistic, dof, pValue: chiSquareSurvival(statistic, dof) };
}

/** One row of `compareModels`. */
export interface ModelComparisonRow {
  name: string;
  nFree: number;
  chi2: number;
  reducedChi2: number;
  aic: number;
  bic: number;
  deltaAic: number;
  deltaBic: number;
  aicWeight: number;
  bicWeight: number;
  converged: boolean;
}

/**
 * A comparison table of fits of the same data (in the given order) with ΔAIC, ΔBIC and their
 * weights, and the name of the model with the lowest AIC.
 *
 * @example
 * const { rows, bestByAic } = compareModels({ mono: monoFit, bi: biFit, tri: triFit });
 */
export function compareModels(results: Record<string, FitResult> | readonly FitResult[]): {
  rows: ModelComparisonRow[];
  bestByAic: string;
  bestByBic: string;
} {
  const entries: [string, FitResult][] = Array.isArray(results)
    ? (results as FitResult[]).map((r, i) => [`model ${i + 1}`, r])
    : Object.entries(results as Record<string, FitResult>);
  const list = entries.map((e) => e[1]);
  checkSameData(list, 'compareModels');
  const aw = weightsOf(list.map((r) => r.aic));
  const bw = weightsOf(list.map((r) => r.bic));
  const minA = Math.min(...list.map((r) => r.aic));
  const minB = Math.min(...list.map((r) => r.bic));
  const rows = entries.map(([name, r], i) => ({
    name,
    nFree: r.nFree,
    chi2: r.chi2,
    reducedChi2: r.reducedChi2,
    aic: r.aic,
    bic: r.bic,
    deltaAic: r.aic - minA,
    deltaBic: r.bic - minB,
    aicWeight: aw[i]!,
    bicWeight: bw[i]!,
    converged: r.converged,
  }));
  const bestByAic = rows.reduce((a, b) => (b.aic < a.aic ? b : a)).name;
  const bestByBic = rows.reduce((a, b) => (b.bic < a.bic ? b : a)).name;
  return { rows, bestByAic, bestByBic };
}
