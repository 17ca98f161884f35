/**
 * Recombination rate equations behind time-resolved PL fluence series.
 *
 * - `bt` (free carriers, bimolecular-trapping(-Auger); 002 eqn 4 with k1 = kT, k2 = kB, k3 = kA;
 *   the BT model of the pears project): dn/dt = -kT n - kB n^2 - kA n^3, n(0) = N0, PL ∝ n^2.
 *   Closed form for kA = 0: n(t) = N0 e^{-kT t} / (1 + kB N0 (1 - e^{-kT t}) / kT).
 * - `btd` (bimolecular-trapping-detrapping with doping, pears' BTD model):
 *   dn_e/dt = -kB n_e (n_h + p0) - kT n_e (NT - n_t)
 *   dn_t/dt =  kT n_e (NT - n_t) - kD n_t (n_h + p0)
 *   dn_h/dt = -kB n_e (n_h + p0) - kD n_t (n_h + p0),  n_e(0) = n_h(0) = N0, n_t(0) = 0;
 *   PL ∝ n_e (n_h + p0). Solved with the stiff Rosenbrock solver.
 * - `exciton` (002 eqn 5): dn/dt = -(kTrap + kRad) n - (1/2) kAnn n^2, PL ∝ kRad n; the fit
 *   determines kX = kTrap + kRad and kAnn (closed form as `bt` with kT = kX, kB = kAnn/2).
 *
 * Times in ns, densities in the caller's unit (cm^-3 for films, excitons per nanocrystal for
 * <N> = sigma J), rate constants accordingly (kT in ns^-1, kB in cm^3/ns, ...). Signals are
 * normalised to 1 at t = 0 (as pears does: I(t) / I(0)).
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { type OdeSystem, solveStiff } from './ode.js';

export type RateModelName = 'bt' | 'btd' | 'exciton';

/** A parameter of a rate model: name, unit (for densities in cm^-3), meaning, default start. */
export interface RateParamInfo {
  name: string;
  /** Unit when densities are in cm^-3 (`ns^-1`, `cm^3/ns`, ...). */
  unit: string;
  /** Power of the density unit in the parameter's unit (kB: -1 -> cm^3; NT: +1 -> cm^-3). */
  densityPower: number;
  description: string;
  start: number;
  /** Held fixed by default (kA = 0, as pears). */
  fixedByDefault?: boolean;
}

export interface RateModelInfo {
  name: RateModelName;
  title: string;
  equations: string;
  signal: string;
  params: readonly RateParamInfo[];
}

/** The rate models, their parameters and default start values (pears' defaults where they exist). */
export const RATE_MODELS: Readonly<Record<RateModelName, RateModelInfo>> = {
  bt: {
    name: 'bt',
    title: 'bimolecular-trapping(-Auger) free-carrier model',
    equations: 'dn/dt = -kT n - kB n^2 - kA n^3 (002 eqn 4: k1 = kT, k2 = kB, k3 = kA)',
    signal: 'PL ∝ n^2, normalised at t = 0',
    params: [
      {
        name: 'kT',
        unit: 'ns^-1',
        densityPower: 0,
        description: 'trapping (monomolecular) rate constant',
        start: 1e-2,
      },
      {
        name: 'kB',
        unit: 'cm^3/ns',
        densityPower: -1,
        description: 'bimolecular recombination rate constant',
        start: 1e-19,
      },
      {
        name: 'kA',
        unit: 'cm^6/ns',
        densityPower: -2,
        description: 'Auger rate constant',
        start: 0,
        fixedByDefault: true,
      },
    ],
  },
  btd: {
    name: 'btd',
    title: 'bimolecular-trapping-detrapping model with doping',
    equations:
      'dn_e/dt = -kB n_e (n_h + p0) - kT n_e (NT - n_t); dn_t/dt = kT n_e (NT - n_t) - kD n_t (n_h + p0); dn_h/dt = -kB n_e (n_h + p0) - kD n_t (n_h + p0)',
    signal: 'PL ∝ n_e (n_h + p0), normalised at t = 0',
    params: [
      {
        name: 'kB',
        unit: 'cm^3/ns',
        densityPower: -1,
        description: 'bimolecular recombination rate constant',
        start: 5e-19,
      },
      {
        name: 'kT',
        unit: 'cm^3/ns',
        densityPower: -1,
        description: 'trapping rate constant',
        start: 1e-16,
      },
      {
        name: 'kD',
        unit: 'cm^3/ns',
        densityPower: -1,
        description: 'detrapping rate constant',
        start: 5e-19,
      },
      { name: 'NT', unit: 'cm^-3', densityPower: 1, description: 'trap density', start: 5e13 },
      {
        name: 'p0',
        unit: 'cm^-3',
        densityPower: 1,
        description: 'dark (doping) hole density',
        start: 5e13,
      },
    ],
  },
  exciton: {
    name: 'exciton',
    title: 'exciton model (trapping + radiative, exciton-exciton annihilation)',
    equations: 'dn/dt = -(kTrap + kRad) n - (1/2) kAnn n^2 (002 eqn 5), kX = kTrap + kRad',
    signal: 'PL ∝ kRad n, normalised at t = 0',
    params: [
      {
        name: 'kX',
        unit: 'ns^-1',
        densityPower: 0,
        description: 'exciton decay rate kTrap + kRad',
        start: 0.1,
      },
      {
        name: 'kAnn',
        unit: 'cm^3/ns',
        densityPower: -1,
        description: 'exciton-exciton annihilation rate constant',
        start: 1e-18,
      },
    ],
  },
};

/**
 * Unit of a rate-model parameter for a density unit: `cm^-3` gives the table's units; any other
 * unit u (e.g. `excitons/NC`) gives `ns^-1`, `(u)^-1 ns^-1`, `u`, ....
 *
 * @example
 * rateParamUnit(RATE_MODELS.exciton.params[1], 'excitons/NC'); // '(excitons/NC)^-1 ns^-1'
 */
export function rateParamUnit(p: RateParamInfo, densityUnit = 'cm^-3'): string {
  if (densityUnit === 'cm^-3') return p.unit;
  const rate = p.unit.endsWith('/ns') || p.unit === 'ns^-1' ? ' ns^-1' : '';
  if (p.densityPower === 0) return p.unit;
  if (p.densityPower === 1) return densityUnit;
  return `(${densityUnit})^${p.densityPower}${rate}`;
}

/**
 * Model parameter names in order.
 *
 * @example
 * rateParamNames('btd'); // ['kB', 'kT', 'kD', 'NT', 'p0']
 */
export function rateParamNames(model: RateModelName): string[] {
  return RATE_MODELS[model].params.map((p) => p.name);
}

function requireModel(model: string): RateModelName {
  if (!(model in RATE_MODELS)) {
    throw new InvalidInputError(
      `unknown rate model "${model}"; known: ${Object.keys(RATE_MODELS).join(', ')}`,
    );
  }
  return model as RateModelName;
}

/**
 * Closed-form density of dn/dt = -k1 n - k2 n^2 with n(0) = n0 (stable also for k1 -> 0).
 *
 * @example
 * closedFormDensity(1, 0.1, 1e-19, 1e17); // n at 1 ns
 */
export function closedFormDensity(tNs: number, k1: number, k2: number, n0: number): number {
  if (tNs <= 0) return n0;
  const x = k1 * tNs;
  // (1 - e^{-k1 t}) / k1, accurate for small k1 t
  const g = x > 1e-8 ? -Math.expm1(-x) / k1 : tNs * (1 - x / 2);
  return (n0 * Math.exp(-x)) / (1 + k2 * n0 * g);
}

/** The BT system with Auger (1-D). */
function btSystem(kT: number, kB: number, kA: number): OdeSystem {
  return {
    dimension: 1,
    rhs(y, out) {
      const n = y[0]!;
      out[0] = -kT * n - kB * n * n - kA * n * n * n;
    },
    jacobian(y, out) {
      const n = y[0]!;
      out[0] = -kT - 2 * kB * n - 3 * kA * n * n;
    },
  };
}

/** The BTD system (n_e, n_t, n_h). */
function btdSystem(kB: number, kT: number, kD: number, NT: number, p0: number): OdeSystem {
  return {
    dimension: 3,
    rhs(y, out) {
      const ne = y[0]!;
      const nt = y[1]!;
      const nh = y[2]!;
      const B = kB * ne * (nh + p0);
      const T = kT * ne * (NT - nt);
      const Dt = kD * nt * (nh + p0);
      out[0] = -B - T;
      out[1] = T - Dt;
      out[2] = -B - Dt;
    },
    jacobian(y, J) {
      const ne = y[0]!;
      const nt = y[1]!;
      const nh = y[2]!;
      const dBdne = kB * (nh + p0);
      const dBdnh = kB * ne;
      const dTdne = kT * (NT - nt);
      const dTdnt = -kT * ne;
      const dDdnt = kD * (nh + p0);
      const dDdnh = kD * nt;
      J[0] = -dBdne - dTdne;
      J[1] = -dTdnt;
      J[2] = -dBdnh;
      J[3] = dTdne;
      J[4] = dTdnt - dDdnt;
      J[5] = -dDdnh;
      J[6] = -dBdne;
      J[7] = -dDdnt;
      J[8] = -dBdnh - dDdnh;
    },
  };
}

/** Densities and normalised PL of a rate model at the given times. */
export interface RateSolution {
  timesNs: Float64Array;
  /** Carrier densities: `n` (bt, exciton) or `n_e`, `n_t`, `n_h` (btd). */
  densities: Record<string, Float64Array>;
  /** PL normalised to 1 at t = 0. */
  signal: Float64Array;
  /** Step grid of the ODE solver (null for closed forms): pass back as `grid` to freeze it. */
  grid: Float64Array | null;
  /** Largest local error estimate / tolerance of the ODE solution (0 for closed forms). */
  maxErrorRatio: number;
}

export interface RateSolveOptions {
  /** Relative tolerance of the ODE solver (default 1e-8). */
  rtol?: number;
  /** Frozen step grid from an earlier solution (see `solveStiff`). */
  grid?: Float64Array | null;
}

/**
 * Whether a parameter set needs the ODE solver (no closed form).
 *
 * @example
 * needsOde('bt', { kT: 0.01, kB: 1e-19, kA: 0 }); // false (closed form)
 */
export function needsOde(model: RateModelName, p: Readonly<Record<string, number>>): boolean {
  return model === 'btd' || (model === 'bt' && (p.kA ?? 0) !== 0);
}

/**
 * Solve a rate model after a pulse that creates density `n0` at t = 0, at times >= 0 (ns, sorted).
 *
 * @example
 * const s = solveRateModel('bt', [0, 10, 100], 1e16, { kT: 0.01, kB: 5e-19, kA: 0 });
 * s.signal; // [1, 0.746, 0.078]
 */
export function solveRateModel(
  model: RateModelName,
  timesNs: ArrayLike<number>,
  n0: number,
  params: Readonly<Record<string, number>>,
  options: RateSolveOptions = {},
): RateSolution {
  requireModel(model);
  if (!(n0 > 0) || !Number.isFinite(n0))
    throw new InvalidInputError(`the initial density N0 must be a positive number, got ${n0}`);
  for (const p of RATE_MODELS[model].params) {
    const v = params[p.name];
    if (v === undefined || !Number.isFinite(v))
      throw new InvalidInputError(
        `rate model ${model}: parameter ${p.name} is missing or not finite`,
      );
  }
  const t = Float64Array.from(timesNs);
  for (let i = 0; i < t.length; i++) {
    if (!(t[i]! >= 0) || (i > 0 && !(t[i]! >= t[i - 1]!))) {
      throw new InvalidInputError(
        `times must be >= 0 ns (time zero at the pulse) and increasing; time ${i + 1} is ${t[i]} ns`,
      );
    }
  }
  const nt = t.length;
  const signal = new Float64Array(nt);
  const rtol = options.rtol ?? 1e-8;
  if (model === 'bt' || model === 'exciton') {
    const k1 = model === 'bt' ? params.kT! : params.kX!;
    const k2 = model === 'bt' ? params.kB! : 0.5 * params.kAnn!;
    const power = model === 'bt' ? 2 : 1;
    const n = new Float64Array(nt);
    if (!needsOde(model, params)) {
      for (let i = 0; i < nt; i++) n[i] = closedFormDensity(t[i]!, k1, k2, n0);
      for (let i = 0; i < nt; i++) signal[i] = (n[i]! / n0) ** power;
      return { timesNs: t, densities: { n }, signal, grid: null, maxErrorRatio: 0 };
    }
    const sol = solveStiff(btSystem(k1, k2, params.kA!), [n0], 0, t, {
      rtol,
      atol: 1e-14 * n0,
      ...(options.grid ? { grid: options.grid } : {}),
    });
    for (let i = 0; i < nt; i++) {
      n[i] = sol.values[i]!;
      signal[i] = (n[i]! / n0) ** power;
    }
    return {
      timesNs: t,
      densities: { n },
      signal,
      grid: sol.grid,
      maxErrorRatio: sol.maxErrorRatio,
    };
  }
  const { kB, kT, kD, NT, p0 } = params as Record<'kB' | 'kT' | 'kD' | 'NT' | 'p0', number>;
  const sol = solveStiff(btdSystem(kB, kT, kD, NT, p0), [n0, 0, n0], 0, t, {
    rtol,
    atol: 1e-14 * Math.max(n0, NT, p0),
    ...(options.grid ? { grid: options.grid } : {}),
  });
  const ne = new Float64Array(nt);
  const ntr = new Float64Array(nt);
  const nh = new Float64Array(nt);
  const i0 = n0 * (n0 + p0);
  for (let i = 0; i < nt; i++) {
    ne[i] = sol.values[3 * i]!;
    ntr[i] = sol.values[3 * i + 1]!;
    nh[i] = sol.values[3 * i + 2]!;
    signal[i] = (ne[i]! * (nh[i]! + p0)) / i0;
  }
  return {
    timesNs: t,
    densities: { n_e: ne, n_t: ntr, n_h: nh },
    signal,
    grid: sol.grid,
    maxErrorRatio: sol.maxErrorRatio,
  };
}

/** Share of the carriers (or excitons) lost through each channel over [0, tEnd]. */
export interface LossFractions {
  /** e.g. { trapping: 0.8, bimolecular: 0.2, auger: 0 } (sum 1). */
  fractions: Record<string, number>;
  /** Fraction of the initial density recombined by tEnd. */
  recombined: number;
}

/**
 * Fractions of the recombination through each channel, integrated over [0, tEndNs] (the
 * counterpart of pears' "contributions": a channel with a small share is poorly determined).
 *
 * @example
 * lossFractions('bt', 1e16, { kT: 0.01, kB: 5e-19, kA: 0 }, 1000).fractions; // { trapping: ..., bimolecular: ..., auger: 0 }
 */
export function lossFractions(
  model: RateModelName,
  n0: number,
  params: Readonly<Record<string, number>>,
  tEndNs: number,
): LossFractions {
  if (!(tEndNs > 0)) throw new InvalidInputError(`tEndNs must be positive, got ${tEndNs}`);
  // a grid dense at early times (fast processes) and uniform later
  const pts = new Set<number>([0]);
  const m = 600;
  for (let i = 1; i <= m; i++) {
    pts.add((tEndNs * i) / m);
    pts.add(tEndNs * Math.pow(10, -6 + (6 * i) / m));
  }
  const t = Float64Array.from([...pts].sort((a, b) => a - b));
  const s = solveRateModel(model, t, n0, params, { rtol: 1e-9 });
  const rates: Record<string, Float64Array> = {};
  const nt = t.length;
  if (model === 'bt' || model === 'exciton') {
    const n = s.densities.n!;
    if (model === 'bt') {
      rates.trapping = n.map((v) => params.kT! * v);
      rates.bimolecular = n.map((v) => params.kB! * v * v);
      rates.auger = n.map((v) => params.kA! * v * v * v);
    } else {
      rates.monomolecular = n.map((v) => params.kX! * v);
      rates.annihilation = n.map((v) => 0.5 * params.kAnn! * v * v);
    }
  } else {
    const { n_e: ne, n_t: ntr, n_h: nh } = s.densities as Record<string, Float64Array>;
    rates.bimolecular = ne!.map((v, i) => params.kB! * v * (nh![i]! + params.p0!));
    rates.trapping = ne!.map((v, i) => params.kT! * v * (params.NT! - ntr![i]!));
    rates.detrapping = ntr!.map((v, i) => params.kD! * v * (nh![i]! + params.p0!));
  }
  const integral: Record<string, number> = {};
  let total = 0;
  for (const [k, r] of Object.entries(rates)) {
    let sum = 0;
    for (let i = 1; i < nt; i++) sum += 0.5 * (r[i]! + r[i - 1]!) * (t[i]! - t[i - 1]!);
    integral[k] = sum;
    total += sum;
  }
  const fractions: Record<string, number> = {};
  for (const k of Object.keys(integral)) fractions[k] = total > 0 ? integral[k]! / total : 0;
  const last = model === 'btd' ? s.densities.n_e![nt - 1]! : s.densities.n![nt - 1]!;
  return { fractions, recombined: 1 - last / n0 };
}
