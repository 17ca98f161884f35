/**
 * A stiff ODE solver for small rate-equation systems: the L-stable Rosenbrock 2(3) pair of
 * Shampine & Reichelt (SIAM J. Sci. Comput. 18, 1 (1997), MATLAB's ode23s) with an analytic
 * Jacobian, adaptive steps that land exactly on the output times, and a "frozen grid" mode that
 * repeats a given step sequence without error control. Fits use the frozen mode: the numerical
 * solution is then a smooth function of the rate constants, so the fitting engine's
 * finite-difference Jacobian is accurate; the grid is validated (and rebuilt) at the optimum.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { luFactor, luSolve } from '../ta/dense.js';

/** An autonomous system dy/dt = f(y) with its Jacobian (row-major n x n). */
export interface OdeSystem {
  dimension: number;
  rhs(y: Float64Array, out: Float64Array): void;
  jacobian(y: Float64Array, out: Float64Array): void;
}

export interface OdeOptions {
  /** Relative tolerance (default 1e-7). */
  rtol?: number;
  /** Absolute tolerance per component (scalar or one per state; default 1e-12 x max |y0|). */
  atol?: number | ArrayLike<number>;
  /** First step (default from the initial rates). */
  initialStep?: number;
  /** Largest number of steps (default 200000). */
  maxSteps?: number;
  /** Frozen mode: take exactly these steps (step end times, increasing, containing every output time). */
  grid?: Float64Array;
}

export interface OdeSolution {
  /** State at each output time, row-major (nOut x dimension). */
  values: Float64Array;
  /** End times of the steps taken (the grid to freeze). */
  grid: Float64Array;
  steps: number;
  rejected: number;
  /** Largest local error estimate relative to the tolerance (<= 1 in adaptive mode). */
  maxErrorRatio: number;
}

const D = 1 / (2 + Math.SQRT2);
const E32 = 6 + Math.SQRT2;

/**
 * Integrate y' = f(y) from t0 with y(t0) = y0 and return the state at the output times (sorted,
 * >= t0). Adaptive (error per step <= atol + rtol |y|) unless `grid` is given.
 *
 * @example
 * // dn/dt = -k n: n(1) = exp(-k)
 * const sys = { dimension: 1, rhs: (y, o) => { o[0] = -2 * y[0]; }, jacobian: (_y, j) => { j[0] = -2; } };
 * solveStiff(sys, [1], 0, [1]).values[0]; // 0.1353
 */
export function solveStiff(
  system: OdeSystem,
  y0: ArrayLike<number>,
  t0: number,
  outputTimes: ArrayLike<number>,
  options: OdeOptions = {},
): OdeSolution {
  const n = system.dimension;
  if (y0.length !== n)
    throw new InvalidInputError(
      `the initial state has ${y0.length} values but the system has ${n}`,
    );
  const nOut = outputTimes.length;
  for (let i = 0; i < nOut; i++) {
    if (!(outputTimes[i]! >= t0) || (i > 0 && !(outputTimes[i]! >= outputTimes[i - 1]!))) {
      throw new InvalidInputError(
        `output times must be increasing and not before the start time ${t0}; time ${i + 1} is ${outputTimes[i]}`,
      );
    }
  }
  const rtol = options.rtol ?? 1e-7;
  let yScale = 0;
  for (let i = 0; i < n; i++) yScale = Math.max(yScale, Math.abs(y0[i]!));
  const atol = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = options.atol;
    atol[i] = a === undefined ? 1e-12 * (yScale || 1) : typeof a === 'number' ? a : a[i]!;
    if (!(atol[i]! > 0)) throw new InvalidInputError('atol must be positive');
  }
  const values = new Float64Array(nOut * n);
  const y = Float64Array.from(y0);
  const yNew = new Float64Array(n);
  const yMid = new Float64Array(n);
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const f2 = new Float64Array(n);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const jac = new Float64Array(n * n);
  const w = new Float64Array(n * n);
  const piv = new Int32Array(n);
  const grid: number[] = [];
  let t = t0;
  let out = 0;
  while (out < nOut && outputTimes[out]! <= t0) {
    values.set(y, out * n);
    out++;
  }
  const tEnd = nOut > 0 ? outputTimes[nOut - 1]! : t0;
  system.rhs(y, f0);
  const frozen = options.grid;
  let gi = 0;
  let h: number;
  if (frozen) {
    h = 0;
  } else if (options.initialStep !== undefined) {
    h = options.initialStep;
  } else {
    // a step that changes y by about rtol^(1/3) of its size
    let rate = 0;
    for (let i = 0; i < n; i++)
      rate = Math.max(rate, Math.abs(f0[i]!) / (Math.abs(y[i]!) + atol[i]! / rtol));
    h = rate > 0 ? Math.cbrt(rtol) / rate : (tEnd - t0) / 100;
  }
  const maxSteps = options.maxSteps ?? 200000;
  let steps = 0;
  let rejected = 0;
  let maxErr = 0;
  let needJac = true;
  while (t < tEnd) {
    if (steps + rejected >= maxSteps) {
      throw new InvalidInputError(
        `the rate equations needed more than ${maxSteps} steps (stiffness or a blow-up); check the rate constants`,
      );
    }
    const target = outputTimes[out]!;
    let tNext: number;
    if (frozen) {
      if (gi >= frozen.length)
        throw new InvalidInputError('the frozen grid ends before the last output time');
      tNext = frozen[gi]!;
      if (!(tNext > t)) throw new InvalidInputError('the frozen grid must be increasing');
    } else {
      tNext = t + h;
      // land exactly on the next output time (and avoid a sliver step just before it)
      if (tNext >= target - 1e-12 * Math.abs(target) || tNext + 0.1 * h > target) tNext = target;
    }
    const hs = tNext - t;
    if (needJac) {
      system.jacobian(y, jac);
      needJac = false;
    }
    for (let i = 0; i < n * n; i++) w[i] = -hs * D * jac[i]!;
    for (let i = 0; i < n; i++) w[i * n + i] = w[i * n + i]! + 1;
    if (!luFactor(w, n, piv)) {
      if (frozen)
        throw new InvalidInputError('the rate equations became singular on the frozen grid');
      h = hs / 4;
      rejected++;
      continue;
    }
    k1.set(f0);
    luSolve(w, n, piv, k1);
    for (let i = 0; i < n; i++) yMid[i] = y[i]! + 0.5 * hs * k1[i]!;
    system.rhs(yMid, f1);
    for (let i = 0; i < n; i++) k2[i] = f1[i]! - k1[i]!;
    luSolve(w, n, piv, k2);
    for (let i = 0; i < n; i++) {
      k2[i] = k2[i]! + k1[i]!;
      yNew[i] = y[i]! + hs * k2[i]!;
    }
    system.rhs(yNew, f2);
    for (let i = 0; i < n; i++) k3[i] = f2[i]! - E32 * (k2[i]! - f1[i]!) - 2 * (k1[i]! - f0[i]!);
    luSolve(w, n, piv, k3);
    let err = 0;
    let finite = true;
    for (let i = 0; i < n; i++) {
      const e = (hs / 6) * (k1[i]! - 2 * k2[i]! + k3[i]!);
      const sc = atol[i]! + rtol * Math.max(Math.abs(y[i]!), Math.abs(yNew[i]!));
      err = Math.max(err, Math.abs(e) / sc);
      if (!Number.isFinite(yNew[i]!)) finite = false;
    }
    if (!finite) err = Infinity;
    if (!frozen && err > 1) {
      h = hs * Math.max(0.1, 0.8 * Math.cbrt(1 / err));
      rejected++;
      continue;
    }
    if (frozen && !finite)
      throw new InvalidInputError('the rate equations gave non-finite values on the frozen grid');
    maxErr = Math.max(maxErr, err);
    y.set(yNew);
    t = tNext;
    f0.set(f2);
    needJac = true;
    steps++;
    grid.push(t);
    if (frozen) gi++;
    else h = hs * Math.min(5, Math.max(0.2, 0.8 * Math.cbrt(1 / Math.max(err, 1e-10))));
    // steps land exactly on output times (adaptive), or the frozen grid contains them
    while (out < nOut && outputTimes[out]! <= t) {
      values.set(y, out * n);
      out++;
    }
  }
  while (out < nOut) {
    values.set(y, out * n);
    out++;
  }
  return { values, grid: Float64Array.from(grid), steps, rejected, maxErrorRatio: maxErr };
}
