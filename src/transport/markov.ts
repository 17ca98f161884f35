/**
 * Exact analytic counterpart of the lattice Monte Carlo: the discrete-time Markov chain of one
 * exciton's state (bright = mobile, dark and trapped = immobile), carried together with the
 * second moment of its displacement. On a uniform lattice a hop adds an independent zero-mean
 * step of mean square a2 (10/9 sites^2 in 2-D with next-nearest neighbours), so the expected
 * squared displacement restricted to each state, m_S(n) = E[|r_n - r_0|^2 ; state S at step n],
 * obeys the same linear recursion as the populations:
 *
 *   B' = qB B + gDB D              mB' = qB mB + gDB mD + gHop a2 B
 *   D' = gBD B + qD D              mD' = gBD mB + qD mD
 *   T' = gTrap B + qT T            mT' = gTrap mB + qT mT
 *
 * with qB = 1 - gB - gBD - gTrap, qD = 1 - gD - gDB, qT = 1 - f gB (f = trapped radiative factor).
 * Photons emitted in step n: E(n) = gB B + gD D + f gB T (per exciton created), and the mean
 * squared displacement of the emitters per axis is MSD(n) = (gB mB + gD mD + f gB mT) / (d E(n)).
 * This is exact for the Monte Carlo model (no disorder, no vacancies, infinite lattice); the
 * simulation agrees with it within its statistical noise.
 */
import { InvalidInputError } from '../core/errors.js';
import { type TransportModelParams, hopGeometry, normalizeModelParams } from './model.js';

/** The parameters the analytic model can be differentiated with respect to, in this order. */
export const MARKOV_PARAMS = [
  'gammaB',
  'gammaD',
  'gammaBD',
  'gammaDB',
  'gammaFret',
  'gammaTrap',
  'brightFraction',
] as const;
export type MarkovParamName = (typeof MARKOV_PARAMS)[number];

/** The analytic curve at every step n = 0 .. steps-1. */
export interface MarkovCurve {
  /** Photons emitted in step n per exciton created (bright + dark + trapped). */
  emission: Float64Array;
  /** Photons from each state in step n, per exciton created. */
  emissionBright: Float64Array;
  emissionDark: Float64Array;
  emissionTrapped: Float64Array;
  /** Mean squared displacement per axis of the excitons emitting in step n, in sites^2 (0 where nothing emits). */
  msdSites2: Float64Array;
  /** Populations at the start of step n. */
  bright: Float64Array;
  dark: Float64Array;
  trapped: Float64Array;
  /**
   * d emission(n) / d theta_k and d msdSites2(n) / d theta_k for theta = MARKOV_PARAMS, stored
   * row-major [n * 7 + k]; present when `derivatives: true`.
   */
  dEmission?: Float64Array;
  dMsd?: Float64Array;
}

/**
 * Run the exact Markov recursion for `steps` steps.
 *
 * @example
 * const c = markovCurve(preset('004-5nm-9K'), 300);
 * c.msdSites2[20]; // ~3.2 sites^2 near the peak
 */
export function markovCurve(
  params: Partial<TransportModelParams> &
    Pick<TransportModelParams, 'gammaB' | 'gammaD' | 'gammaBD' | 'gammaFret' | 'brightFraction'>,
  steps: number,
  options: { derivatives?: boolean } = {},
): MarkovCurve {
  const p = normalizeModelParams(params);
  if (!Number.isInteger(steps) || steps < 1)
    throw new InvalidInputError(`steps must be a positive integer, got ${steps}`);
  const geo = hopGeometry(p.dimension, p.nextNearest);
  const W = geo.weightSum;
  const a2 = geo.meanSquaredHopSites2;
  const d = p.dimension;
  const {
    gammaB: gB,
    gammaD: gD,
    gammaBD: gBD,
    gammaDB: gDB,
    gammaTrap: gT,
    trappedRadiativeFactor: f,
  } = p;
  const gH = W * p.gammaFret;
  const qB = 1 - gB - gBD - gT;
  const qD = 1 - gD - gDB;
  const qT = 1 - f * gB;
  const deriv = options.derivatives === true;
  const K = MARKOV_PARAMS.length;

  const out: MarkovCurve = {
    emission: new Float64Array(steps),
    emissionBright: new Float64Array(steps),
    emissionDark: new Float64Array(steps),
    emissionTrapped: new Float64Array(steps),
    msdSites2: new Float64Array(steps),
    bright: new Float64Array(steps),
    dark: new Float64Array(steps),
    trapped: new Float64Array(steps),
  };
  let B = p.brightFraction;
  let T = p.trappedFraction;
  let D = 1 - B - T;
  let mB = 0;
  let mD = 0;
  let mT = 0;
  // Sensitivities ds/dtheta_k for s = [B, D, T, mB, mD, mT].
  const s = new Float64Array(6 * K);
  const sn = new Float64Array(6 * K);
  if (deriv) {
    out.dEmission = new Float64Array(steps * K);
    out.dMsd = new Float64Array(steps * K);
    const kf = MARKOV_PARAMS.indexOf('brightFraction');
    s[0 * K + kf] = 1;
    s[1 * K + kf] = -1;
  }
  for (let n = 0; n < steps; n++) {
    out.bright[n] = B;
    out.dark[n] = D;
    out.trapped[n] = T;
    const eB = gB * B;
    const eD = gD * D;
    const eT = f * gB * T;
    const E = eB + eD + eT;
    const num = gB * mB + gD * mD + f * gB * mT;
    out.emissionBright[n] = eB;
    out.emissionDark[n] = eD;
    out.emissionTrapped[n] = eT;
    out.emission[n] = E;
    const msd = E > 0 ? num / (d * E) : 0;
    out.msdSites2[n] = msd;
    if (deriv) {
      const dE = out.dEmission as Float64Array;
      const dM = out.dMsd as Float64Array;
      for (let k = 0; k < K; k++) {
        const dB = s[k];
        const dD = s[K + k];
        const dT = s[2 * K + k];
        const dmB = s[3 * K + k];
        const dmD = s[4 * K + k];
        const dmT = s[5 * K + k];
        let e = gB * dB + gD * dD + f * gB * dT;
        let nu = gB * dmB + gD * dmD + f * gB * dmT;
        const name = MARKOV_PARAMS[k];
        if (name === 'gammaB') {
          e += B + f * T;
          nu += mB + f * mT;
        } else if (name === 'gammaD') {
          e += D;
          nu += mD;
        }
        dE[n * K + k] = e;
        dM[n * K + k] = E > 0 ? (nu * E - num * e) / (d * E * E) : 0;
      }
      // Propagate sensitivities: s' = A s  =>  ds' = A ds + (dA) s.
      for (let k = 0; k < K; k++) {
        const dB = s[k];
        const dD = s[K + k];
        const dT = s[2 * K + k];
        const dmB = s[3 * K + k];
        const dmD = s[4 * K + k];
        const dmT = s[5 * K + k];
        let nB = qB * dB + gDB * dD;
        let nD = gBD * dB + qD * dD;
        let nT = gT * dB + qT * dT;
        let nmB = qB * dmB + gDB * dmD + gH * a2 * dB;
        let nmD = gBD * dmB + qD * dmD;
        let nmT = gT * dmB + qT * dmT;
        switch (MARKOV_PARAMS[k]) {
          case 'gammaB':
            nB -= B;
            nmB -= mB;
            nT -= f * T;
            nmT -= f * mT;
            break;
          case 'gammaD':
            nD -= D;
            nmD -= mD;
            break;
          case 'gammaBD':
            nB -= B;
            nD += B;
            nmB -= mB;
            nmD += mB;
            break;
          case 'gammaDB':
            nB += D;
            nD -= D;
            nmB += mD;
            nmD -= mD;
            break;
          case 'gammaFret':
            nmB += W * a2 * B;
            break;
          case 'gammaTrap':
            nB -= B;
            nT += B;
            nmB -= mB;
            nmT += mB;
            break;
          default:
            break;
        }
        sn[k] = nB;
        sn[K + k] = nD;
        sn[2 * K + k] = nT;
        sn[3 * K + k] = nmB;
        sn[4 * K + k] = nmD;
        sn[5 * K + k] = nmT;
      }
      s.set(sn);
    }
    const B1 = qB * B + gDB * D;
    const D1 = gBD * B + qD * D;
    const T1 = gT * B + qT * T;
    const mB1 = qB * mB + gDB * mD + gH * a2 * B;
    const mD1 = gBD * mB + qD * mD;
    const mT1 = gT * mB + qT * mT;
    B = B1;
    D = D1;
    T = T1;
    mB = mB1;
    mD = mD1;
    mT = mT1;
  }
  return out;
}

/** The negative-diffusion plateau and its ingredients, derived in closed form. */
export interface DarkPlateau {
  /** Long-time MSD per axis of the emitters (all dark by then), sites^2. */
  plateauSites2: number;
  /** Probability that an exciton created bright ends dark: gBD / (gB + gBD). */
  brightToDarkYield: number;
  /** Mean number of hops a bright exciton makes before it leaves the bright state: gHop / (gB + gBD). */
  meanHopsWhileBright: number;
}

/**
 * Closed-form long-time MSD of the emitted excitons when dark excitons cannot return
 * (gammaDB = 0) and there are no traps - 004's 9 K case. All late photons come from dark
 * excitons; those created dark have not moved, those that turned dark carry the displacement of
 * the hops they made while bright. Summing the recursion (r = 1 - gD, q = 1 - gB - gBD):
 *
 *   D_inf = D0 + gBD fB / (r - q)                   (dark population, scaled by r^-n)
 *   m_inf = gBD fB gHop a2 / (r - q)^2               (its summed squared displacement)
 *   plateau = m_inf / (d D_inf)                      (per axis)
 *
 * With 004's 9 K numbers (gB 0.03, gD 0.0003, gBD 0.15, gFRET 0.09, fB 0.5) this is 0.570 sites^2
 * while the peak of the curve is ~3.25 sites^2: the MSD falls to about a sixth of its peak.
 *
 * @example
 * darkPlateau(preset('004-5nm-9K')).plateauSites2; // 0.5697
 */
export function darkPlateau(
  params: Partial<TransportModelParams> &
    Pick<TransportModelParams, 'gammaB' | 'gammaD' | 'gammaBD' | 'gammaFret' | 'brightFraction'>,
): DarkPlateau {
  const p = normalizeModelParams(params);
  if (p.gammaDB !== 0 || p.gammaTrap !== 0 || p.trappedFraction !== 0) {
    throw new InvalidInputError(
      'darkPlateau: the closed form needs gammaDB = 0, gammaTrap = 0 and trappedFraction = 0 (otherwise the MSD has no dark plateau)',
    );
  }
  const geo = hopGeometry(p.dimension, p.nextNearest);
  const gH = geo.weightSum * p.gammaFret;
  const rq = p.gammaB + p.gammaBD - p.gammaD;
  if (!(rq > 0)) throw new InvalidInputError('darkPlateau: needs gammaB + gammaBD > gammaD');
  const fB = p.brightFraction;
  const D0 = 1 - fB - p.trappedFraction;
  const Dinf = D0 + (p.gammaBD * fB) / rq;
  const minf = (p.gammaBD * fB * gH * geo.meanSquaredHopSites2) / (rq * rq);
  return {
    plateauSites2: Dinf > 0 ? minf / (p.dimension * Dinf) : 0,
    brightToDarkYield: p.gammaBD / (p.gammaB + p.gammaBD),
    meanHopsWhileBright: gH / (p.gammaB + p.gammaBD),
  };
}
