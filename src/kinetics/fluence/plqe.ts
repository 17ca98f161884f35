/**
 * PL quantum efficiency of a nanocrystal ensemble against pulse fluence (paper 000, Fig. 1c):
 * Poisson excitation with <N> = sigma J, trap filling that raises the efficiency of single
 * excitons, and Auger loss of multiexcitons that lowers it at high fluence. Fitting the curve
 * gives the absorption cross-section sigma with its standard error (000: sigma = (2.9 ± 0.2)
 * x 10^-14 cm^2 at 400 nm for CsPbI3).
 *
 * The model (000 describes it in words; its supporting information is not in the project, so
 * the steady-state form below is ours and is stated in full):
 * - a nanocrystal absorbs N photons with probability Poisson(N; <N> = sigma J);
 * - Auger recombination is much faster than radiative recombination (~100 ps vs ~40 ns in 000),
 *   so multiexcitons decay non-radiatively to one exciton: an excited nanocrystal emits at most
 *   the last exciton, plus a small optional yield `biexcitonYield` per extra exciton;
 * - a trap captures the exciton of a nanocrystal with probability 1 - eta0 (eta0 = QE of an
 *   exciton with the trap empty); a filled trap stays filled for longer than the pulse interval
 *   (000), is emptied with probability r per interval, and while filled the exciton emits with
 *   QE 1. The steady-state filled fraction is f = P1 / (P1 + kappa), P1 = 1 - exp(-<N>),
 *   kappa = r / (1 - eta0) (the trap-recovery ratio);
 * - photons per nanocrystal per pulse Y = P1 [eta0 + (1 - eta0) f] + biexcitonYield (<N> - P1);
 * - QE_PL = scale * Y / <N> (000 normalises to the maximum; `scale` absorbs that).
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { type Quantity, quantity } from '../../core/quantity.js';
import { fit } from '../../fit/fit.js';
import type { FitStatus, Model, ParamSpec } from '../../fit/types.js';
import {
  fluenceToPhotons,
  meanExcitationNumber,
  poissonAtLeast,
} from '../../materials/excitation.js';
import { createRng } from '../../random/rng.js';
import { normal } from '../../random/normal.js';

/** Parameters of the PLQE-vs-fluence model. */
export interface PlqeParams {
  /** Absorption cross-section at the excitation wavelength (cm^2). */
  sigmaCm2: number;
  /** QE of a single exciton with the trap empty (0-1). */
  eta0: number;
  /** Trap-recovery ratio: half of the traps are filled when P(N >= 1) = kappa. */
  kappa: number;
  /** Overall scale (000 normalises QE to its maximum). */
  scale: number;
  /** Photons per extra exciton of a multiexciton (0 when Auger wins completely; default 0). */
  biexcitonYield?: number;
}

/**
 * Relative PL quantum efficiency at photon fluence J (photons/cm^2) - see the module text.
 *
 * @example
 * plqeAtFluence(3.45e13, { sigmaCm2: 2.9e-14, eta0: 0.4, kappa: 0.05, scale: 1 }); // <N> = 1
 */
export function plqeAtFluence(photonsCm2: number, p: PlqeParams): number {
  const n = meanExcitationNumber(p.sigmaCm2, photonsCm2);
  if (n === 0) return p.scale * p.eta0;
  const p1 = poissonAtLeast(n, 1);
  const f = p1 / (p1 + p.kappa);
  const y = p1 * (p.eta0 + (1 - p.eta0) * f) + (p.biexcitonYield ?? 0) * (n - p1);
  return (p.scale * y) / n;
}

/**
 * Mean excitation <N> at which the model QE is largest (golden-section search on log <N>).
 *
 * @example
 * plqeMaximum({ sigmaCm2: 2.9e-14, eta0: 0.4, kappa: 0.05, scale: 1 }).meanExcitation; // 0.21
 */
export function plqeMaximum(p: PlqeParams): {
  meanExcitation: number;
  photonsCm2: number;
  qe: number;
} {
  const g = (ln: number): number => plqeAtFluence(Math.exp(ln) / p.sigmaCm2, p);
  let a = Math.log(1e-6);
  let b = Math.log(1e3);
  const r = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 200; i++) {
    const c = b - r * (b - a);
    const d = a + r * (b - a);
    if (g(c) > g(d)) b = d;
    else a = c;
  }
  const m = Math.exp(0.5 * (a + b));
  return { meanExcitation: m, photonsCm2: m / p.sigmaCm2, qe: plqeAtFluence(m / p.sigmaCm2, p) };
}

/** The engine model: x = photon fluence (photons/cm^2); parameters sigma in units of 1e-14 cm^2 for good scaling. */
export const plqeModel: Model = {
  params: ['sigma14', 'eta0', 'kappa', 'scale', 'biexcitonYield'],
  evaluate(p, x, out) {
    const q: PlqeParams = {
      sigmaCm2: p[0]! * 1e-14,
      eta0: p[1]!,
      kappa: p[2]!,
      scale: p[3]!,
      biexcitonYield: p[4]!,
    };
    for (let i = 0; i < x.length; i++) {
      try {
        out[i] = plqeAtFluence(x[i]!, q);
      } catch {
        out[i] = NaN;
      }
    }
  },
};

export interface PlqeFitOptions {
  /** Unit of the fluence values: `uJ/cm^2` (needs wavelengthNm) or `photons/cm^2` (default). */
  fluenceUnit?: 'uJ/cm^2' | 'photons/cm^2';
  wavelengthNm?: number;
  /** Start values / bounds / fixing: sigmaCm2, eta0, kappa, scale, biexcitonYield (fixed at 0 unless given). */
  params?: Partial<Record<keyof PlqeParams, number | ParamSpec>>;
  /** Standard deviation of each QE value. */
  sigma?: ArrayLike<number>;
}

export interface PlqeFitResult {
  sigmaCm2: Quantity;
  eta0: Quantity;
  kappa: Quantity;
  scale: Quantity;
  biexcitonYield: Quantity;
  /** Photon fluence of each point and its <N> = sigma J at the fitted sigma. */
  photonsCm2: number[];
  meanExcitation: number[];
  qe: number[];
  best: number[];
  residuals: number[];
  /** Where the fitted QE peaks. */
  maximum: { meanExcitation: number; photonsCm2: number; qe: number };
  chi2: number;
  reducedChi2: number;
  nData: number;
  nFree: number;
  converged: boolean;
  status: FitStatus;
  message: string;
  correlation: number[][] | null;
  freeParams: string[];
}

function photonsOf(
  fluence: ArrayLike<number>,
  unit: string,
  wavelengthNm: number | undefined,
): number[] {
  if (unit !== 'uJ/cm^2' && unit !== 'photons/cm^2')
    throw new InvalidInputError(`fluenceUnit must be "uJ/cm^2" or "photons/cm^2", got "${unit}"`);
  if (unit === 'uJ/cm^2' && !(wavelengthNm && wavelengthNm > 0)) {
    throw new InvalidInputError(
      'fluences in uJ/cm^2 need the excitation wavelength (wavelengthNm) to convert to photons/cm^2',
    );
  }
  return Array.from(fluence, (f, i) => {
    if (!(f > 0) || !Number.isFinite(f))
      throw new InvalidInputError(`fluence ${i + 1} must be a positive number, got ${f}`);
    return unit === 'uJ/cm^2' ? fluenceToPhotons(f, wavelengthNm!) : f;
  });
}

function toSpec(v: number | ParamSpec | undefined): ParamSpec | undefined {
  return v === undefined ? undefined : typeof v === 'number' ? { value: v } : { ...v };
}

/**
 * Fit the PLQE-vs-fluence model of 000 to measured relative QE values; returns sigma_abs
 * (cm^2) with its standard error, the trap and scale parameters, and <N> at every point.
 *
 * @example
 * const r = fitPlqeVsFluence(fluenceUJ, qe, { fluenceUnit: 'uJ/cm^2', wavelengthNm: 400 });
 * r.sigmaCm2; // { value: 2.9e-14, stderr: 2e-15, unit: 'cm^2' }
 */
export function fitPlqeVsFluence(
  fluence: ArrayLike<number>,
  qe: ArrayLike<number>,
  options: PlqeFitOptions = {},
): PlqeFitResult {
  if (fluence.length !== qe.length)
    throw new InvalidInputError(`${fluence.length} fluences but ${qe.length} QE values`);
  if (fluence.length < 5)
    throw new InvalidInputError(
      `the PLQE model has 4 free parameters; give at least 5 points (got ${fluence.length})`,
    );
  const J = photonsOf(fluence, options.fluenceUnit ?? 'photons/cm^2', options.wavelengthNm);
  const y = Array.from(qe, (v, i) => {
    if (!Number.isFinite(v))
      throw new InvalidInputError(`QE value ${i + 1} is not a finite number`);
    return v;
  });
  // start: the QE peaks near <N> ~ 1 for the usual trap parameters
  let im = 0;
  for (let i = 1; i < y.length; i++) if (y[i]! > y[im]!) im = i;
  const user = options.params ?? {};
  const sigmaUser = toSpec(user.sigmaCm2);
  const sig14: ParamSpec = sigmaUser
    ? {
        value: sigmaUser.value * 1e14,
        ...(sigmaUser.min !== undefined ? { min: sigmaUser.min * 1e14 } : { min: 0 }),
        ...(sigmaUser.max !== undefined ? { max: sigmaUser.max * 1e14 } : {}),
        ...(sigmaUser.fixed ? { fixed: true } : {}),
      }
    : { value: 1e14 / J[im]!, min: 0 };
  const params: Record<string, ParamSpec> = {
    sigma14: sig14,
    eta0: { value: 0.5, min: 0, max: 1, ...toSpec(user.eta0) },
    kappa: { value: 0.1, min: 0, ...toSpec(user.kappa) },
    scale: { value: (y[im]! || 1) * 1.5, ...toSpec(user.scale) },
    biexcitonYield: toSpec(user.biexcitonYield) ?? { value: 0, fixed: true },
  };
  const r = fit(plqeModel, J, y, params, options.sigma ? { sigma: options.sigma } : {});
  const pr = (n: string) => r.params[n]!;
  const sigmaCm2 = pr('sigma14').value * 1e-14;
  const best: PlqeParams = {
    sigmaCm2,
    eta0: pr('eta0').value,
    kappa: pr('kappa').value,
    scale: pr('scale').value,
    biexcitonYield: pr('biexcitonYield').value,
  };
  const se = pr('sigma14').stderr;
  return {
    sigmaCm2: quantity(sigmaCm2, 'cm^2', se === null ? null : se * 1e-14),
    eta0: quantity(best.eta0, '', pr('eta0').stderr),
    kappa: quantity(best.kappa, '', pr('kappa').stderr),
    scale: quantity(best.scale, '', pr('scale').stderr),
    biexcitonYield: quantity(best.biexcitonYield!, '', pr('biexcitonYield').stderr),
    photonsCm2: J,
    meanExcitation: J.map((j) => meanExcitationNumber(sigmaCm2, j)),
    qe: y,
    best: Array.from(r.best),
    residuals: Array.from(r.residuals),
    maximum: plqeMaximum(best),
    chi2: r.chi2,
    reducedChi2: r.reducedChi2,
    nData: r.nData,
    nFree: r.nFree,
    converged: r.converged,
    status: r.status,
    message: r.message,
    correlation: r.correlation,
    freeParams: r.freeParams.map((n) => (n === 'sigma14' ? 'sigmaCm2' : n)),
  };
}

/**
 * Simulated PLQE-vs-fluence data: the model at log-spaced fluences with relative Gaussian noise.
 *
 * @example
 * const d = simulatePlqeVsFluence({ params: { sigmaCm2: 2.9e-14, eta0: 0.4, kappa: 0.05, scale: 1 }, photonsCm2: [1e11, 1e15], points: 25, relativeNoise: 0.02, seed: 1 });
 */
export function simulatePlqeVsFluence(options: {
  params: PlqeParams;
  /** Fluence range [min, max] in photons/cm^2 (log-spaced points). */
  photonsCm2: [number, number];
  points: number;
  /** Relative standard deviation of the noise (default 0.02). */
  relativeNoise?: number;
  seed?: number;
}): { photonsCm2: number[]; qe: number[]; clean: number[]; sigma: number[] } {
  const [lo, hi] = options.photonsCm2;
  if (!(lo > 0) || !(hi > lo))
    throw new InvalidInputError(`the fluence range must satisfy 0 < min < max, got ${lo}, ${hi}`);
  if (!Number.isInteger(options.points) || options.points < 2)
    throw new InvalidInputError(`points must be an integer >= 2, got ${options.points}`);
  const rel = options.relativeNoise ?? 0.02;
  if (!(rel >= 0)) throw new InvalidInputError(`relativeNoise must be >= 0, got ${rel}`);
  const rng = createRng(options.seed ?? 1);
  const J = Array.from(
    { length: options.points },
    (_, i) => lo * Math.pow(hi / lo, i / (options.points - 1)),
  );
  const clean = J.map((j) => plqeAtFluence(j, options.params));
  const sigma = clean.map((c) => rel * Math.abs(c));
  const qe = clean.map((c, i) => (rel > 0 ? normal(rng, c, sigma[i]!) : c));
  return { photonsCm2: J, qe, clean, sigma };
}

/**
 * Photon fluence per pulse from the average laser power, repetition rate and spot area
 * (000: 250 kHz, spot 1.3 x 10^-3 mm^2 at 400 nm).
 *
 * @example
 * pulseFluence({ averagePowerW: 1e-6, repetitionRateHz: 250e3, spotAreaCm2: 1.3e-5, wavelengthNm: 400 }).fluenceUJcm2; // 0.3077
 */
export function pulseFluence(input: {
  averagePowerW: number;
  repetitionRateHz: number;
  spotAreaCm2: number;
  wavelengthNm: number;
}): {
  fluenceUJcm2: number;
  photonsCm2: number;
} {
  const { averagePowerW, repetitionRateHz, spotAreaCm2, wavelengthNm } = input;
  if (!(averagePowerW >= 0))
    throw new InvalidInputError(`averagePowerW must be >= 0, got ${averagePowerW}`);
  if (!(repetitionRateHz > 0))
    throw new InvalidInputError(`repetitionRateHz must be positive, got ${repetitionRateHz}`);
  if (!(spotAreaCm2 > 0))
    throw new InvalidInputError(`spotAreaCm2 must be positive, got ${spotAreaCm2}`);
  const fluenceUJcm2 = (averagePowerW / repetitionRateHz / spotAreaCm2) * 1e6;
  return { fluenceUJcm2, photonsCm2: fluenceToPhotons(fluenceUJcm2, wavelengthNm) };
}
