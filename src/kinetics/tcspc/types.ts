/**
 * Public types of TCSPC decay fitting and simulation.
 *
 * @module
 */
import type { CalibratedArray } from '../../data/calibrated.js';
import type { FitMethod, FitResult, ParamResult } from '../../fit/types.js';
import type { Quantity } from '../../core/quantity.js';

/**
 * A photon-counting histogram: a 1-D calibrated array on a `time` axis (ns, ps or us), time and
 * counts columns (`t` in ns: the start of each bin, uniformly spaced), or counts with a bin width.
 */
export type DecayInput =
  | CalibratedArray
  | { t: ArrayLike<number>; counts: ArrayLike<number> }
  | { counts: ArrayLike<number>; binNs: number; originNs?: number };

/** A measured IRF: as a decay, or bare counts on the decay's own bins. */
export type IrfInput = DecayInput | ArrayLike<number>;

/** Shape of the decay: exponentials, a stretched exponential (plus exponentials), or exponentials plus a power-law tail. */
export type DecayKind = 'exp' | 'stretched' | 'power-tail';

/** Options of {@link fitDecay}. */
export interface FitDecayOptions {
  /** Measured instrument response, reconvolved with the decay (shifted by a fitted fraction of a bin). */
  irf?: IrfInput;
  /** A Gaussian IRF of this FWHM instead of a measured one; its centre is fitted (`centerNs` to start from). */
  gaussianIrf?: { fwhmNs: number; centerNs?: number };
  /**
   * Number of exponential components (1-4), or `auto`: fit 1..`maxComponents` and keep the number
   * with the lowest information criterion. For `stretched` the first component is the stretched
   * one; for `power-tail` the power-law tail is added after the exponentials. Default 1.
   */
  components?: 1 | 2 | 3 | 4 | 'auto';
  /** Largest number of components tried by `auto` (default 4). */
  maxComponents?: number;
  /** Criterion of `auto`: `bic` (default) or `aic`, both on the Poisson likelihood for Poisson fits. */
  criterion?: 'bic' | 'aic';
  kind?: DecayKind;
  /** `poisson` (maximum likelihood, default; right for counts) or `least-squares` (Neyman weights 1/max(counts, 1)). */
  method?: FitMethod;
  /** Part of the histogram to fit, ns (default: all, less a trailing run of empty bins beyond the detector's range). */
  fitRange?: { startNs?: number; endNs?: number };
  /** Fit the IRF shift (measured IRF) or centre (Gaussian IRF). Default true. */
  shift?: boolean;
  /**
   * Fit groups of this many consecutive bins (summed counts, exact summed model: the exact
   * likelihood of the grouped histogram). `auto` (default) groups bins finer than a third of the
   * IRF FWHM while keeping at least 256 groups, which loses no information worth having and makes
   * long histograms fast; 1 fits the original bins.
   */
  groupBins?: number | 'auto';
  /** Starting (or, with `shift: false`, fixed) shift of the measured IRF in ns, or centre of the Gaussian IRF. */
  shiftNs?: number;
  /** `fit` (default): a constant background is fitted; a number fixes it (counts per bin; 0 for none). */
  background?: 'fit' | number;
  /** Background of the measured IRF (counts per bin) subtracted before use; default `auto` (from the bins before its rise). */
  irfBackground?: 'auto' | number;
  /** Laser repetition period, ns: includes the decay left over from previous pulses (pile-up of long lifetimes). Exponential terms only. */
  repetitionPeriodNs?: number;
  /** Starting lifetimes (ns), one per component (null: automatic). */
  tauNs?: (number | null)[];
  /** Lifetimes to hold fixed (ns), one per component (null: free). */
  fixTauNs?: (number | null)[];
  maxIterations?: number;
  signal?: AbortSignal;
}

/** One decay component of a fit. */
export interface DecayComponent {
  kind: 'exp' | 'stretched' | 'power-law';
  /** Lifetime (ns); for a power law its onset time t0 in (1 + t/t0)^-alpha. */
  tauNs: number;
  /** Standard error of tauNs; null when not estimable (fixed, singular, at a bound). */
  tauNsStderr: number | null;
  /** Counts per bin at the start of the component (before the IRF broadens it). */
  amplitude: number;
  amplitudeStderr: number | null;
  /** Fraction of all emitted photons from this component: a_k I_k / sum a_j I_j, I = integral of the unit decay. */
  photonFraction: number;
  photonFractionStderr: number | null;
  /** Fraction of the decay photons (background excluded) inside the fit window that come from this component. */
  windowFraction: number;
  /** Stretching exponent (stretched exponential). */
  beta?: number;
  betaStderr?: number | null;
  /** Power-law exponent (power-law tail). */
  alpha?: number;
  alphaStderr?: number | null;
  /** True if a parameter of this component ended on a bound. */
  atBound: boolean;
}

/** One candidate of `components: 'auto'`. */
export interface DecayCandidate {
  components: number;
  nFree: number;
  deviance: number;
  logLikelihood: number;
  aic: number;
  bic: number;
  converged: boolean;
  tauNs: number[];
}

/** Result of {@link fitDecay}. */
export interface DecayFitResult extends Pick<
  FitResult,
  | 'logLikelihood'
  | 'aic'
  | 'bic'
  | 'nData'
  | 'nFree'
  | 'dof'
  | 'converged'
  | 'status'
  | 'message'
  | 'evaluations'
> {
  kind: DecayKind;
  method: FitMethod;
  irf: 'measured' | 'gaussian';
  components: DecayComponent[];
  /** Mean lifetimes: amplitude-weighted sum a tau / sum a, intensity-weighted sum a tau^2 / sum a tau (ns). */
  meanLifetimeNs: { amplitudeWeighted: Quantity; intensityWeighted: Quantity };
  /** Constant background, counts per bin. */
  background: Quantity;
  /** Shift of the measured IRF (ns; positive = later), or null for a Gaussian IRF. */
  shiftNs: Quantity | null;
  /** Centre of the Gaussian IRF (ns), or null for a measured IRF. */
  irfCenterNs: Quantity | null;
  /** FWHM of the IRF used (ns). */
  irfFwhmNs: number;
  /** Background of the measured IRF that was subtracted (counts per bin), or null. */
  irfBackgroundCounts: number | null;
  /** Poisson deviance (Poisson fits) or weighted chi-square (least squares). */
  deviance: number;
  /** Pearson chi-square (Poisson) or weighted chi-square. */
  chi2: number;
  /** chi2 / dof. */
  reducedChi2: number;
  /** Iterations (Jacobian evaluations) of the final fit. */
  iterations: number;
  /** Bins fitted (indices of the original histogram; times are bin starts). */
  fitRange: { startNs: number; endNs: number; startIndex: number; endIndex: number };
  /** Width of the original bins, ns. */
  binNs: number;
  /** Original bins per fitted group (1: the original bins were fitted; see `groupBins`). */
  groupBins: number;
  /** Start time (ns) of each fitted bin or group. */
  timeNs: Float64Array;
  /** Counts of each fitted bin or group. */
  counts: Float64Array;
  /** Model at each fitted bin or group. */
  best: Float64Array;
  /** Pearson residuals (counts - model)/sqrt(model) and deviance residuals sign(c - m) sqrt(d_i). */
  residuals: { pearson: Float64Array; deviance: Float64Array };
  /** Total counts in the fit window. */
  totalCounts: number;
  /** The engine's parameter table (names a1, tau1, ..., bg, shift) and covariance of the free ones. */
  params: Record<string, ParamResult>;
  freeParams: string[];
  covariance: number[][] | null;
  /** For `components: 'auto'`: every candidate, and the criterion used. */
  candidates: DecayCandidate[] | null;
  selectedBy: 'bic' | 'aic' | null;
  /** Things the user should know (few counts, trimmed bins, parameters at bounds, ...). */
  warnings: string[];
}

/** One component of a simulated decay. */
export interface SimulatedComponent {
  tauNs: number;
  /** Share of the decay photons (all components together 1), or give `amplitude` for relative amplitudes at t = 0. */
  photonFraction?: number;
  amplitude?: number;
  /** Stretching exponent: makes this a stretched exponential. */
  beta?: number;
}

/** Options of {@link simulateDecay}. */
export interface SimulateDecayOptions {
  components: SimulatedComponent[];
  /** A measured IRF (counts on the decay's bins) or a Gaussian IRF. */
  irf?: ArrayLike<number>;
  gaussianIrf?: { fwhmNs: number; centerNs: number };
  /** IRF shift (ns) applied to a measured IRF. */
  shiftNs?: number;
  /** Constant background, counts per bin (default 0). */
  background?: number;
  /** Expected number of decay photons in the histogram (background excluded). */
  totalCounts: number;
  binNs: number;
  nBins: number;
  repetitionPeriodNs?: number;
  seed: number;
}

/** A simulated decay with its truth. */
export interface SimulatedDecay {
  timeNs: Float64Array;
  counts: Float64Array;
  /** Noise-free expected counts. */
  expected: Float64Array;
  binNs: number;
  /** The true model parameters (names as in the fit: a1, tau1, ..., bg, shift). */
  truth: Record<string, number>;
  /** True photon fractions of the components. */
  photonFractions: number[];
  seed: number;
}
