/**
 * The exciton-transport model of Bornschlegl et al. (paper 004): excitons on a square (2-D) or
 * cubic (3-D) lattice of nanocrystals, in a bright, dark or trapped state, advanced in fixed time
 * steps. Every step exactly one of the competing events happens with its probability, or none.
 *
 * | state   | events (per-step probability)                                                     |
 * |---------|-----------------------------------------------------------------------------------|
 * | bright  | radiative decay `gammaB` (emits), -> dark `gammaBD`, -> trapped `gammaTrap`, Forster hop `gammaHop` |
 * | dark    | decay `gammaD` (emits), -> bright `gammaDB`                                       |
 * | trapped | radiative decay `trappedRadiativeFactor * gammaB` (emits; 1/100 in 004), no detrapping |
 *
 * Reading of 004 for which events emit a photon: "Decay events correspond to the end of the random
 * walk, and the location of the decay event is registered to create the MSD(t) function";
 * non-radiative decay was left out of their model, and 58 % of the photons of the 5 nm crystals
 * at 10 K come from the dark state. So bright decay, dark decay and trapped decay all emit, at the
 * exciton's site at that step. Excitons still alive after the last step are not counted.
 *
 * Hops (Forster): each of the z1 nearest neighbours (distance r1 = 1) and z2 next-nearest
 * (r2 = sqrt 2) is reached with probability `gammaFret / r^6` per step, so
 * gamma_hop = z1 gammaFret / r1^6 + z2 gammaFret / r2^6 - in 2-D (z1 = z2 = 4) that is 004's
 * gamma_hop = 4 (1/r1^6 + 1/r2^6) gamma_FRET; in 3-D z1 = 6, z2 = 12. The target is chosen in
 * proportion to 1/r^6. Dark and trapped excitons do not hop (004).
 */
import { InvalidInputError, UnknownNameError } from '../core/errors.js';
import { BOLTZMANN_EV_PER_K } from '../materials/constants.js';

/** Physical parameters of the lattice model, as per-step probabilities. */
export interface TransportModelParams {
  /** Lattice dimension: 2 (square, as 004) or 3 (simple cubic). */
  dimension: 2 | 3;
  /** Bright radiative decay probability per step (emits a photon). */
  gammaB: number;
  /** Dark decay probability per step (emits a photon, see module note). */
  gammaD: number;
  /** Bright -> dark relaxation probability per step. */
  gammaBD: number;
  /** Dark -> bright thermal excitation probability per step (0 at 9 K in 004). */
  gammaDB: number;
  /** Forster transfer probability per step to one nearest neighbour (r = 1 site). */
  gammaFret: number;
  /** Bright -> trapped probability per step (no detrapping). */
  gammaTrap: number;
  /** Trapped radiative decay as a fraction of `gammaB` (004: 1/100). */
  trappedRadiativeFactor: number;
  /** Fraction of excitons created bright (004: "nearly equally" bright/dark -> 0.5). */
  brightFraction: number;
  /** Fraction created already trapped (default 0); the rest are dark. */
  trappedFraction: number;
  /** Include the next-nearest neighbours (r = sqrt 2) as 004 does (default true). */
  nextNearest: boolean;
}

/** Parameters that set up one simulation run besides the physics. */
export interface TransportRunParams {
  /** Standard deviation of the initial Gaussian exciton distribution, in sites. */
  sigma0Sites: number;
  /** Number of time steps. */
  steps: number;
  /** Time step in ps (004: 25 ps, the TCSPC bin). */
  dtPs: number;
  /** Number of excitons (walkers). */
  walkers: number;
  /** Random seed (non-negative integer). */
  seed: number;
  /** Optional energetic disorder of the site energies (Gaussian, Miller-Abrahams hop factor). */
  disorder?: { sigmaMeV: number; temperatureK: number } | null;
  /** Fraction of lattice sites without a nanocrystal (hops to them are impossible). */
  vacancyFraction?: number;
  /** Edge of the periodic lattice in sites, used only with disorder or vacancies (default 150 in 2-D, 64 in 3-D). */
  latticeSize?: number;
  /** Centre-to-centre distance of the nanocrystals in nm, for outputs in physical units (optional). */
  siteSpacingNm?: number | null;
}

export type TransportSimulationParams = TransportModelParams & TransportRunParams;

/** Default values of the optional model fields. */
export const MODEL_DEFAULTS: Pick<
  TransportModelParams,
  | 'dimension'
  | 'gammaTrap'
  | 'trappedRadiativeFactor'
  | 'trappedFraction'
  | 'nextNearest'
  | 'gammaDB'
> = {
  dimension: 2,
  gammaDB: 0,
  gammaTrap: 0,
  trappedRadiativeFactor: 0.01,
  trappedFraction: 0,
  nextNearest: true,
};

/** One hop target: lattice offset and relative weight 1/r^6. */
export interface HopTarget {
  offset: number[];
  weight: number;
}

/**
 * The hop targets of a lattice: nearest neighbours (weight 1) and, if asked, next-nearest
 * (weight 1/8 = 1/(sqrt 2)^6).
 *
 * @example
 * hopTargets(2, true).length; // 8
 */
export function hopTargets(dimension: 2 | 3, nextNearest = true): HopTarget[] {
  const out: HopTarget[] = [];
  const d = dimension;
  const range = [-1, 0, 1];
  const offsets: number[][] =
    d === 2
      ? range.flatMap((x) => range.map((y) => [x, y]))
      : range.flatMap((x) => range.flatMap((y) => range.map((z) => [x, y, z])));
  for (const o of offsets) {
    const r2 = o.reduce((s, v) => s + v * v, 0);
    if (r2 === 1) out.push({ offset: o, weight: 1 });
  }
  if (nextNearest) {
    for (const o of offsets) {
      const r2 = o.reduce((s, v) => s + v * v, 0);
      if (r2 === 2) out.push({ offset: o, weight: 1 / 8 });
    }
  }
  return out;
}

/** Geometry numbers of the hop kernel: total weight sum(1/r^6) and mean squared hop length. */
export interface HopGeometry {
  /** sum over targets of 1/r^6: gamma_hop = weightSum * gammaFret (2-D with next-nearest: 4.5). */
  weightSum: number;
  /** Mean |hop|^2 in sites^2 over targets weighted by 1/r^6 (2-D with next-nearest: 10/9). */
  meanSquaredHopSites2: number;
}

/**
 * The hop kernel's total weight and mean squared hop length.
 *
 * @example
 * hopGeometry(2, true); // { weightSum: 4.5, meanSquaredHopSites2: 1.111 }
 */
export function hopGeometry(dimension: 2 | 3, nextNearest = true): HopGeometry {
  const t = hopTargets(dimension, nextNearest);
  let w = 0;
  let w2 = 0;
  for (const h of t) {
    w += h.weight;
    w2 += h.weight * h.offset.reduce((s, v) => s + v * v, 0);
  }
  return { weightSum: w, meanSquaredHopSites2: w2 / w };
}

/**
 * Total hop probability per step of a bright exciton, gamma_hop = sum_targets gammaFret / r^6.
 *
 * @example
 * gammaHop({ ...PRESETS['004-5nm-9K'] }); // 0.405
 */
export function gammaHop(
  p: Pick<TransportModelParams, 'dimension' | 'gammaFret' | 'nextNearest'>,
): number {
  return hopGeometry(p.dimension, p.nextNearest).weightSum * p.gammaFret;
}

/**
 * Dark -> bright probability from bright -> dark by detailed balance with a dark singlet below a
 * threefold degenerate bright triplet: gammaDB = 3 gammaBD exp(-Delta / k_B T).
 *
 * @example
 * gammaDBFromSplitting(0.15, 15, 174); // 0.166 (Delta = k_B T at 174 K)
 */
export function gammaDBFromSplitting(
  gammaBD: number,
  splittingMeV: number,
  temperatureK: number,
): number {
  if (!(temperatureK > 0))
    throw new InvalidInputError(`temperature must be > 0 K, got ${temperatureK}`);
  if (!(splittingMeV >= 0))
    throw new InvalidInputError(`bright-dark splitting must be >= 0 meV, got ${splittingMeV}`);
  return 3 * gammaBD * Math.exp(-(splittingMeV * 1e-3) / (BOLTZMANN_EV_PER_K * temperatureK));
}

/** A named parameter set; `source` says where the numbers come from. */
export interface TransportPreset {
  description: string;
  source: string;
  params: TransportSimulationParams;
}

const base9K: TransportSimulationParams = {
  dimension: 2,
  gammaB: 0.03,
  gammaD: 0.0003,
  gammaBD: 0.15,
  gammaDB: 0,
  gammaFret: 0.09,
  gammaTrap: 0,
  trappedRadiativeFactor: 0.01,
  brightFraction: 0.5,
  trappedFraction: 0,
  nextNearest: true,
  sigma0Sites: 10,
  steps: 300,
  dtPs: 25,
  walkers: 10_000,
  seed: 1,
  siteSpacingNm: 7,
};

/**
 * Named parameter sets. `004-5nm-9K` is 004's 9 K setting for the 5 nm superlattice (values as
 * printed in its Experimental Section; bright fraction 0.5 from "nearly equally in bright/dark";
 * site spacing 5 nm + ~2 nm ligand). `004-5nm-warm` adds dark->bright excitation within 004's
 * stated range (0-0.1). `004-trap` is the high-temperature trap model (004 Fig. 3c, trap rate in
 * 004's range 0-0.025; the other values are chosen here inside 004's ranges and are NOT 004's
 * Figure S13 numbers, which are not in the paper text).
 */
export const PRESETS: Record<string, TransportPreset> = {
  '004-5nm-9K': {
    description:
      '5 nm CsPbBr3 superlattice at 9 K: bright/dark model, no dark->bright (negative diffusion)',
    source: 'paper 004, Experimental Section (Monte Carlo Simulations)',
    params: base9K,
  },
  '004-5nm-warm': {
    description:
      '5 nm superlattice, warmer: dark->bright 0.02 per step turns the fall into a slow second rise',
    source: 'paper 004 ranges (gamma_DB 0-0.1); value chosen here',
    params: { ...base9K, gammaDB: 0.02 },
  },
  '004-trap': {
    description:
      'trap model (high temperature): deep traps from the bright state, no detrapping, trapped radiative rate 1/100',
    source: 'paper 004 Fig. 3c model; gamma_trap, gamma_DB and gamma_FRET chosen inside 004 ranges',
    params: { ...base9K, gammaDB: 0.1, gammaFret: 0.15, gammaTrap: 0.01, steps: 600 },
  },
};

/**
 * A preset's parameters (a fresh copy).
 *
 * @example
 * const p = preset('004-5nm-9K'); // p.gammaBD === 0.15
 */
export function preset(name: string): TransportSimulationParams {
  const p = PRESETS[name];
  if (!p) throw new UnknownNameError('transport preset', name, Object.keys(PRESETS));
  return {
    ...p.params,
    disorder: p.params.disorder ? { ...p.params.disorder } : p.params.disorder,
  };
}

function checkProb(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new InvalidInputError(`${name} must be a probability per step in [0, 1], got ${v}`);
  }
}

/**
 * Fill defaults and check a model parameter set: probabilities in [0, 1] and, for every state,
 * the sum of its competing events <= 1 (otherwise the time step is too long for the rates).
 *
 * @example
 * const p = normalizeModelParams({ gammaB: 0.03, gammaD: 3e-4, gammaBD: 0.15, gammaFret: 0.09, brightFraction: 0.5 });
 */
export function normalizeModelParams(
  input: Partial<TransportModelParams> &
    Pick<TransportModelParams, 'gammaB' | 'gammaD' | 'gammaBD' | 'gammaFret' | 'brightFraction'>,
): TransportModelParams {
  const p: TransportModelParams = {
    dimension: input.dimension ?? MODEL_DEFAULTS.dimension,
    gammaB: input.gammaB,
    gammaD: input.gammaD,
    gammaBD: input.gammaBD,
    gammaDB: input.gammaDB ?? MODEL_DEFAULTS.gammaDB,
    gammaFret: input.gammaFret,
    gammaTrap: input.gammaTrap ?? MODEL_DEFAULTS.gammaTrap,
    trappedRadiativeFactor: input.trappedRadiativeFactor ?? MODEL_DEFAULTS.trappedRadiativeFactor,
    brightFraction: input.brightFraction,
    trappedFraction: input.trappedFraction ?? MODEL_DEFAULTS.trappedFraction,
    nextNearest: input.nextNearest ?? MODEL_DEFAULTS.nextNearest,
  };
  if (p.dimension !== 2 && p.dimension !== 3)
    throw new InvalidInputError(`dimension must be 2 or 3, got ${String(p.dimension)}`);
  for (const k of [
    'gammaB',
    'gammaD',
    'gammaBD',
    'gammaDB',
    'gammaFret',
    'gammaTrap',
    'trappedRadiativeFactor',
    'brightFraction',
    'trappedFraction',
  ] as const) {
    checkProb(k, p[k]);
  }
  if (p.brightFraction + p.trappedFraction > 1 + 1e-12) {
    throw new InvalidInputError(
      `brightFraction + trappedFraction must be <= 1, got ${p.brightFraction} + ${p.trappedFraction}`,
    );
  }
  const hop = gammaHop(p);
  const bright = p.gammaB + p.gammaBD + p.gammaTrap + hop;
  if (bright > 1 + 1e-12) {
    throw new InvalidInputError(
      `bright-state probabilities per step sum to ${bright.toFixed(4)} > 1 (gammaB ${p.gammaB} + gammaBD ${p.gammaBD} + gammaTrap ${p.gammaTrap} + gamma_hop ${hop.toFixed(4)} = ${hopGeometry(p.dimension, p.nextNearest).weightSum} x gammaFret); use a shorter time step (smaller probabilities)`,
    );
  }
  if (p.gammaD + p.gammaDB > 1 + 1e-12) {
    throw new InvalidInputError(
      `dark-state probabilities gammaD + gammaDB = ${p.gammaD + p.gammaDB} exceed 1`,
    );
  }
  return p;
}

/**
 * Check a full simulation parameter set (model + run), filling defaults.
 *
 * @example
 * const p = normalizeSimulationParams({ ...preset('004-5nm-9K'), walkers: 1000 });
 */
export function normalizeSimulationParams(
  input: Partial<TransportSimulationParams> &
    Pick<TransportModelParams, 'gammaB' | 'gammaD' | 'gammaBD' | 'gammaFret' | 'brightFraction'>,
): TransportSimulationParams {
  const m = normalizeModelParams(input);
  const r: TransportRunParams = {
    sigma0Sites: input.sigma0Sites ?? 10,
    steps: input.steps ?? 300,
    dtPs: input.dtPs ?? 25,
    walkers: input.walkers ?? 10_000,
    seed: input.seed ?? 1,
    disorder: input.disorder ?? null,
    vacancyFraction: input.vacancyFraction ?? 0,
    latticeSize: input.latticeSize ?? (m.dimension === 2 ? 150 : 64),
    siteSpacingNm: input.siteSpacingNm ?? null,
  };
  if (!(r.sigma0Sites >= 0) || !Number.isFinite(r.sigma0Sites))
    throw new InvalidInputError(`sigma0Sites must be >= 0, got ${r.sigma0Sites}`);
  if (r.sigma0Sites > 1e5)
    throw new InvalidInputError(`sigma0Sites ${r.sigma0Sites} is too large (max 1e5)`);
  if (!Number.isInteger(r.steps) || r.steps < 1 || r.steps > 10_000_000)
    throw new InvalidInputError(`steps must be an integer in 1 .. 1e7, got ${r.steps}`);
  if (!(r.dtPs > 0) || !Number.isFinite(r.dtPs))
    throw new InvalidInputError(`dtPs must be > 0, got ${r.dtPs}`);
  if (!Number.isInteger(r.walkers) || r.walkers < 1 || r.walkers > 2 ** 40)
    throw new InvalidInputError(`walkers must be a positive integer, got ${r.walkers}`);
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > Number.MAX_SAFE_INTEGER)
    throw new InvalidInputError(`seed must be a non-negative integer, got ${r.seed}`);
  const vf = r.vacancyFraction ?? 0;
  if (!(vf >= 0 && vf < 1))
    throw new InvalidInputError(`vacancyFraction must be in [0, 1), got ${vf}`);
  if (r.disorder) {
    if (!(r.disorder.sigmaMeV >= 0) || !(r.disorder.temperatureK > 0)) {
      throw new InvalidInputError(
        `disorder needs sigmaMeV >= 0 and temperatureK > 0, got ${JSON.stringify(r.disorder)}`,
      );
    }
  }
  const L = r.latticeSize as number;
  if (!Number.isInteger(L) || L < 4 || (m.dimension === 3 ? L ** 3 : L * L) > 50_000_000) {
    throw new InvalidInputError(
      `latticeSize must be an integer >= 4 with at most 5e7 sites, got ${L}`,
    );
  }
  if (r.siteSpacingNm !== null && r.siteSpacingNm !== undefined && !(r.siteSpacingNm > 0)) {
    throw new InvalidInputError(`siteSpacingNm must be > 0 nm, got ${r.siteSpacingNm}`);
  }
  return { ...m, ...r };
}

/**
 * True if the run needs an explicit lattice (disorder or vacancies).
 *
 * @example
 * needsLattice({ ...preset('004-5nm-9K'), vacancyFraction: 0.1 }); // true
 */
export function needsLattice(p: TransportSimulationParams): boolean {
  return (p.vacancyFraction ?? 0) > 0 || (!!p.disorder && p.disorder.sigmaMeV > 0);
}
