/**
 * Excitation statistics of nanocrystal ensembles under pulsed excitation (paper 000): fluence
 * conversions, <N> = sigma J, Poisson occupation probabilities, volume scaling of the absorption
 * cross-section, and the biexciton radiative and Auger lifetime laws of 002 eqns 7-8 with fits to
 * user data through the project's fit engine.
 */
import { InvalidInputError } from '../core/errors.js';
import { fit } from '../fit/index.js';
import type { FitStatus, Model, ParamSpec } from '../fit/types.js';
import { HC_EV_NM, JOULE_PER_EV } from './constants.js';
import { GRIFFITHS_000 } from './literature.js';
import type { Estimate } from './sizing.js';
import { finiteArray, requireCount, requireNonNegative, requirePositive } from './validate.js';

/**
 * Photon fluence (photons/cm^2) of a pulse energy fluence in uJ/cm^2 at a wavelength.
 * @example
 * fluenceToPhotons(1, 400); // 2.014e12 photons/cm^2
 */
export function fluenceToPhotons(fluenceUJcm2: number, wavelengthNm: number): number {
  requireNonNegative(fluenceUJcm2, 'fluence (fluenceUJcm2)', 'uJ/cm^2');
  requirePositive(wavelengthNm, 'wavelength (wavelengthNm)', 'nm');
  const photonJ = (HC_EV_NM / wavelengthNm) * JOULE_PER_EV;
  return (fluenceUJcm2 * 1e-6) / photonJ;
}

/**
 * Energy fluence (uJ/cm^2) of a photon fluence (photons/cm^2) at a wavelength.
 * @example
 * photonsToFluence(2.014e12, 400); // 1.0 uJ/cm^2
 */
export function photonsToFluence(photonsCm2: number, wavelengthNm: number): number {
  requireNonNegative(photonsCm2, 'photon fluence (photonsCm2)', 'photons/cm^2');
  requirePositive(wavelengthNm, 'wavelength (wavelengthNm)', 'nm');
  const photonJ = (HC_EV_NM / wavelengthNm) * JOULE_PER_EV;
  return photonsCm2 * photonJ * 1e6;
}

/**
 * Mean number of absorbed photons (excitons created) per nanocrystal per pulse, <N> = sigma J.
 * @example
 * meanExcitationNumber(2.9e-14, 2.014e12); // 0.058
 */
export function meanExcitationNumber(crossSectionCm2: number, photonsCm2: number): number {
  requireNonNegative(crossSectionCm2, 'absorption cross-section (crossSectionCm2)', 'cm^2');
  requireNonNegative(photonsCm2, 'photon fluence (photonsCm2)', 'photons/cm^2');
  return crossSectionCm2 * photonsCm2;
}

function logFactorial(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}

/**
 * Poisson probability P(N = k) of k absorbed photons at mean <N>.
 * @example
 * poissonProbability(1, 0); // 0.3679
 */
export function poissonProbability(mean: number, k: number): number {
  requireNonNegative(mean, 'mean excitation number (mean)');
  requireCount(k, 'photon number k');
  if (mean === 0) return k === 0 ? 1 : 0;
  return Math.exp(-mean + k * Math.log(mean) - logFactorial(k));
}

/**
 * Poisson probability P(N >= k): P(N >= 1) = 1 - exp(-<N>) (000).
 * @example
 * poissonAtLeast(0.1, 1); // 0.0952
 */
export function poissonAtLeast(mean: number, k: number): number {
  requireNonNegative(mean, 'mean excitation number (mean)');
  requireCount(k, 'photon number k');
  if (k === 0) return 1;
  if (k === 1) return -Math.expm1(-mean);
  if (mean === 0) return 0;
  // Sum the lower tail when it is the smaller one, else the upper tail directly.
  if (k <= mean + 1) {
    let below = 0;
    for (let j = 0; j < k; j++) below += poissonProbability(mean, j);
    return Math.max(0, 1 - below);
  }
  let sum = 0;
  let term = poissonProbability(mean, k);
  for (let j = k; term > 0 && j < k + 10000; j++) {
    sum += term;
    term *= mean / (j + 1);
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}

export interface ExcitationInput {
  /** Absorption cross-section at the excitation wavelength, cm^2. */
  crossSectionCm2: number;
  wavelengthNm: number;
  /** Pulse fluence in uJ/cm^2 (give this or photonsCm2). */
  fluenceUJcm2?: number;
  /** Photon fluence in photons/cm^2. */
  photonsCm2?: number;
  /** Largest k for the distribution table (default 5). */
  maxK?: number;
}

export interface ExcitationStatistics {
  fluenceUJcm2: number;
  photonsCm2: number;
  meanExcitationNumber: number;
  /** P(N = k) for k = 0..maxK. */
  probabilities: number[];
  /** P(N >= 1). */
  probabilityExcited: number;
  /** P(N >= 2): nanocrystals holding multiexcitons. */
  probabilityMultiexciton: number;
  /** P(N >= 2) / P(N >= 1): share of excited nanocrystals with more than one exciton. */
  multiexcitonShareOfExcited: number;
}

/**
 * Poisson statistics of excitation for one pulse fluence.
 * @example
 * excitationStatistics({ crossSectionCm2: 2.9e-14, wavelengthNm: 400, fluenceUJcm2: 10 }).meanExcitationNumber; // 0.584
 */
export function excitationStatistics(input: ExcitationInput): ExcitationStatistics {
  const { crossSectionCm2, wavelengthNm } = input;
  if ((input.fluenceUJcm2 === undefined) === (input.photonsCm2 === undefined)) {
    throw new InvalidInputError(
      'give exactly one of fluenceUJcm2 (uJ/cm^2) or photonsCm2 (photons/cm^2)',
    );
  }
  const photons =
    input.photonsCm2 !== undefined
      ? requireNonNegative(input.photonsCm2, 'photon fluence (photonsCm2)', 'photons/cm^2')
      : fluenceToPhotons(input.fluenceUJcm2!, wavelengthNm);
  const fluence = input.fluenceUJcm2 ?? photonsToFluence(photons, wavelengthNm);
  const maxK = requireCount(input.maxK ?? 5, 'maxK');
  const mean = meanExcitationNumber(crossSectionCm2, photons);
  const probabilities = Array.from({ length: maxK + 1 }, (_, k) => poissonProbability(mean, k));
  const excited = poissonAtLeast(mean, 1);
  const multi = poissonAtLeast(mean, 2);
  return {
    fluenceUJcm2: fluence,
    photonsCm2: photons,
    meanExcitationNumber: mean,
    probabilities,
    probabilityExcited: excited,
    probabilityMultiexciton: multi,
    multiexcitonShareOfExcited: excited > 0 ? multi / excited : 0,
  };
}

/**
 * Volume of a cube of edge L in nm^3.
 * @example
 * cubeVolumeNm3(18); // 5832
 */
export function cubeVolumeNm3(edgeNm: number): number {
  requirePositive(edgeNm, 'edge length (edgeNm)', 'nm');
  return edgeNm * edgeNm * edgeNm;
}

/** A measured cross-section with the nanocrystal volume it belongs to. */
export interface CrossSectionReference {
  crossSectionCm2: number;
  crossSectionCm2Stderr?: number | null;
  volumeNm3: number;
  wavelengthNm: number;
  source?: string;
}

/** Paper 000's CsPbI3 cross-section ((2.9 ± 0.2) x 10^-14 cm^2 at 400 nm) for ~18 nm cubes. */
export const CSPBI3_CROSS_SECTION_000: CrossSectionReference = {
  crossSectionCm2: GRIFFITHS_000.sigmaCm2,
  crossSectionCm2Stderr: GRIFFITHS_000.sigmaCm2Stderr,
  volumeNm3: GRIFFITHS_000.edgeNm ** 3,
  wavelengthNm: GRIFFITHS_000.wavelengthNm,
  source: `${GRIFFITHS_000.citation.reference} (${GRIFFITHS_000.citation.paperFile}); volume of an 18 nm cube`,
};

/**
 * Absorption cross-section of a nanocrystal of another volume at the same (high) photon energy,
 * scaling linearly with volume (Maes et al. 2018): sigma = sigma_ref V / V_ref. The stderr is the
 * reference's, scaled (the uncertainty of the reference volume is not included).
 * @example
 * scaleCrossSection(CSPBI3_CROSS_SECTION_000, cubeVolumeNm3(9)).crossSectionCm2; // 3.6e-15
 */
export function scaleCrossSection(
  reference: CrossSectionReference,
  volumeNm3: number,
): { crossSectionCm2: number; crossSectionCm2Stderr: number | null; wavelengthNm: number } {
  requirePositive(reference.crossSectionCm2, 'reference cross-section (crossSectionCm2)', 'cm^2');
  requirePositive(reference.volumeNm3, 'reference volume (volumeNm3)', 'nm^3');
  requirePositive(volumeNm3, 'volume (volumeNm3)', 'nm^3');
  const f = volumeNm3 / reference.volumeNm3;
  const s = reference.crossSectionCm2Stderr;
  return {
    crossSectionCm2: reference.crossSectionCm2 * f,
    crossSectionCm2Stderr: s === undefined || s === null ? null : s * f,
    wavelengthNm: reference.wavelengthNm,
  };
}

/** 002 eqn 7 parameters: tau_rad = tau0 + a V^alpha (tau in ps, V in nm^3). */
export interface BiexcitonRadiativeParams {
  tau0Ps: number;
  a: number;
  alpha: number;
}

/** 002 eqn 8 parameters: tau_Auger = b V^beta exp((V/V0)^gamma) (tau in ps, V in nm^3). */
export interface BiexcitonAugerParams {
  b: number;
  beta: number;
  v0Nm3: number;
  gamma: number;
}

/**
 * Biexciton radiative lifetime (002 eqn 7): tau_rad = tau0 + a V^alpha.
 * @example
 * biexcitonRadiativeLifetimePs({ tau0Ps: 50, a: 0.5, alpha: 1 }, 1000); // 550
 */
export function biexcitonRadiativeLifetimePs(
  p: BiexcitonRadiativeParams,
  volumeNm3: number,
): number {
  requirePositive(volumeNm3, 'volume (volumeNm3)', 'nm^3');
  return p.tau0Ps + p.a * Math.pow(volumeNm3, p.alpha);
}

/**
 * Biexciton Auger lifetime (002 eqn 8): tau_Auger = b V^beta exp((V/V0)^gamma).
 * @example
 * biexcitonAugerLifetimePs({ b: 0.1, beta: 1, v0Nm3: 5000, gamma: 1 }, 1000); // 122
 */
export function biexcitonAugerLifetimePs(p: BiexcitonAugerParams, volumeNm3: number): number {
  requirePositive(volumeNm3, 'volume (volumeNm3)', 'nm^3');
  requirePositive(p.v0Nm3, 'V0 (v0Nm3)', 'nm^3');
  return p.b * Math.pow(volumeNm3, p.beta) * Math.exp(Math.pow(volumeNm3 / p.v0Nm3, p.gamma));
}

/**
 * Overall biexciton lifetime 1 / (1/tau_rad + 1/tau_Auger) (002, after eqn 8).
 * @example
 * biexcitonLifetimePs(550, 122); // 99.9
 */
export function biexcitonLifetimePs(tauRadPs: number, tauAugerPs: number): number {
  requirePositive(tauRadPs, 'radiative lifetime (tauRadPs)', 'ps');
  requirePositive(tauAugerPs, 'Auger lifetime (tauAugerPs)', 'ps');
  return 1 / (1 / tauRadPs + 1 / tauAugerPs);
}

/** Model of 002 eqn 7 for the fit engine (x = V in nm^3). */
export const biexcitonRadiativeModel: Model = {
  params: ['tau0Ps', 'a', 'alpha'],
  evaluate(p, x, out) {
    for (let i = 0; i < x.length; i++) out[i] = p[0]! + p[1]! * Math.pow(x[i]!, p[2]!);
  },
  jacobian(p, x, jac) {
    for (let i = 0; i < x.length; i++) {
      const v = Math.pow(x[i]!, p[2]!);
      jac[i * 3] = 1;
      jac[i * 3 + 1] = v;
      jac[i * 3 + 2] = p[1]! * v * Math.log(x[i]!);
    }
  },
};

/**
 * Model of 002 eqn 8 for the fit engine (x = V in nm^3), parametrised with ln b for a well-scaled
 * fit: tau = exp(lnB) V^beta exp((V/v0Nm3)^gamma).
 */
export const biexcitonAugerModel: Model = {
  params: ['lnB', 'beta', 'v0Nm3', 'gamma'],
  evaluate(p, x, out) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = Math.exp(p[0]! + p[1]! * Math.log(v) + Math.pow(v / p[2]!, p[3]!));
    }
  },
  jacobian(p, x, jac) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      const r = v / p[2]!;
      const rg = Math.pow(r, p[3]!);
      const f = Math.exp(p[0]! + p[1]! * Math.log(v) + rg);
      jac[i * 4] = f;
      jac[i * 4 + 1] = f * Math.log(v);
      jac[i * 4 + 2] = f * rg * (-p[3]! / p[2]!);
      jac[i * 4 + 3] = f * rg * Math.log(r);
    }
  },
};

/** A fitted lifetime-vs-volume law. */
export interface LifetimeLawFit<P extends string> {
  law: string;
  params: Record<P, Estimate>;
  covariance: number[][] | null;
  /** Free parameter names in covariance order (the Auger fit's covariance is in ln b, named `lnB`). */
  freeParams: string[];
  nData: number;
  dof: number;
  reducedChi2: number;
  fitStatus: FitStatus;
  converged: boolean;
  message: string;
}

export interface LifetimeLawFitOptions<P extends string> {
  /** Start values / bounds / fixing, per parameter (engine `ParamSpec`). */
  params?: Partial<Record<P, number | ParamSpec>>;
  /** Standard deviation of each lifetime (ps). */
  sigmaPs?: ArrayLike<number>;
}

function lifetimeData(
  volumesNm3: ArrayLike<number>,
  lifetimesPs: ArrayLike<number>,
  minPoints: number,
) {
  const V = finiteArray(volumesNm3, 'volumesNm3');
  const tau = finiteArray(lifetimesPs, 'lifetimesPs');
  if (V.length !== tau.length) {
    throw new InvalidInputError(
      `volumesNm3 has ${V.length} values but lifetimesPs has ${tau.length}`,
    );
  }
  if (V.length < minPoints) {
    throw new InvalidInputError(
      `the fit needs at least ${minPoints} (volume, lifetime) points; got ${V.length}`,
    );
  }
  V.forEach((v, i) => requirePositive(v, `volumesNm3[${i}]`, 'nm^3'));
  tau.forEach((v, i) => requirePositive(v, `lifetimesPs[${i}]`, 'ps'));
  return { V, tau };
}

/**
 * Fit 002 eqn 7, tau_rad = tau0 + a V^alpha, to measured biexciton radiative lifetimes.
 * @example
 * fitBiexcitonRadiative([500, 1000, 2000, 4000], [300, 550, 1050, 2050]).params.alpha.value; // ~1
 */
export function fitBiexcitonRadiative(
  volumesNm3: ArrayLike<number>,
  lifetimesPs: ArrayLike<number>,
  options: LifetimeLawFitOptions<keyof BiexcitonRadiativeParams> = {},
): LifetimeLawFit<keyof BiexcitonRadiativeParams> {
  const { V, tau } = lifetimeData(volumesNm3, lifetimesPs, 4);
  const minTau = Math.min(...tau);
  const maxTau = Math.max(...tau);
  const maxV = Math.max(...V);
  const start = {
    tau0Ps: { value: minTau / 2, min: 0 },
    a: (maxTau - minTau / 2) / maxV,
    alpha: { value: 1, min: 0.01, max: 5 },
    ...options.params,
  };
  const r = fit(
    biexcitonRadiativeModel,
    V,
    tau,
    start,
    options.sigmaPs ? { sigma: options.sigmaPs } : {},
  );
  const est = (n: string): Estimate => ({ value: r.params[n]!.value, stderr: r.params[n]!.stderr });
  return {
    law: 'tau_rad = tau0 + a V^alpha (002 eqn 7)',
    params: { tau0Ps: est('tau0Ps'), a: est('a'), alpha: est('alpha') },
    covariance: r.covariance,
    freeParams: r.freeParams,
    nData: r.nData,
    dof: r.dof,
    reducedChi2: r.reducedChi2,
    fitStatus: r.status,
    converged: r.converged,
    message: r.message,
  };
}

/**
 * Fit 002 eqn 8, tau_Auger = b V^beta exp((V/V0)^gamma), to measured biexciton Auger lifetimes.
 * Four constants need data over a wide volume range; for small dots fix the exponential away
 * (`params: { v0Nm3: { value: 1e12, fixed: true } }`) and, as in 002, beta = 1 gives the linear
 * law tau = b V. The result reports b (from the fitted ln b, with its propagated stderr).
 * @example
 * fitBiexcitonAuger(V, tau, { params: { v0Nm3: { value: 1e12, fixed: true }, gamma: { value: 1, fixed: true } } });
 */
export function fitBiexcitonAuger(
  volumesNm3: ArrayLike<number>,
  lifetimesPs: ArrayLike<number>,
  options: LifetimeLawFitOptions<keyof BiexcitonAugerParams> = {},
): LifetimeLawFit<keyof BiexcitonAugerParams> {
  const { V, tau } = lifetimeData(volumesNm3, lifetimesPs, 3);
  const user = options.params ?? {};
  const spec = (x: number | ParamSpec | undefined): ParamSpec | undefined =>
    x === undefined ? undefined : typeof x === 'number' ? { value: x } : x;
  const bSpec = spec(user.b);
  if (bSpec && !(bSpec.value > 0))
    throw new InvalidInputError(`Auger prefactor b must be positive, got ${bSpec.value}`);
  const maxV = Math.max(...V);
  const lnB: ParamSpec = bSpec
    ? { value: Math.log(bSpec.value), ...(bSpec.fixed ? { fixed: true } : {}) }
    : { value: Math.log(Math.max(...tau) / maxV) };
  const params: Record<string, number | ParamSpec> = {
    lnB,
    beta: spec(user.beta) ?? { value: 1, min: 0, max: 5 },
    v0Nm3: spec(user.v0Nm3) ?? { value: maxV * 2, min: 1e-6 },
    gamma: spec(user.gamma) ?? { value: 1, min: 0.05, max: 10 },
  };
  const nFree = Object.values(params).filter((p) => !(typeof p === 'object' && p.fixed)).length;
  if (V.length <= nFree) {
    throw new InvalidInputError(
      `${V.length} points cannot fix ${nFree} free Auger-law constants with an uncertainty; fix some (e.g. v0Nm3 and gamma) or add data`,
    );
  }
  const r = fit(
    biexcitonAugerModel,
    V,
    tau,
    params,
    options.sigmaPs ? { sigma: options.sigmaPs } : {},
  );
  const est = (n: string): Estimate => ({ value: r.params[n]!.value, stderr: r.params[n]!.stderr });
  const lb = est('lnB');
  const b: Estimate = {
    value: Math.exp(lb.value),
    stderr: lb.stderr === null ? null : Math.exp(lb.value) * lb.stderr,
  };
  return {
    law: 'tau_Auger = b V^beta exp((V/V0)^gamma) (002 eqn 8)',
    params: { b, beta: est('beta'), v0Nm3: est('v0Nm3'), gamma: est('gamma') },
    covariance: r.covariance,
    freeParams: r.freeParams,
    nData: r.nData,
    dof: r.dof,
    reducedChi2: r.reducedChi2,
    fitStatus: r.status,
    converged: r.converged,
    message: r.message,
  };
}
