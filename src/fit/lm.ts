/**
 * The Levenberg-Marquardt trust-region loop (Moré 1978, the MINPACK `lmder` design): scaled
 * diagonal damping, QR with column pivoting, the LM parameter found for a trust radius, and the
 * three relative convergence tests (sum of squares, step, gradient). Works on an abstract
 * residual problem; bounds, weights, ties and Poisson deviance residuals are handled by the caller.
 *
 * Tall problems (many more residuals than parameters) whose `ResidualProblem` offers
 * `normalEquations` skip the QR factorisation of the m x n Jacobian: the n x n matrix J^T J and
 * J^T r are accumulated by the problem, and their pivoted Cholesky factor R (P^T J^T J P = R^T R)
 * stands in for the QR factor, with Q^T r = R^-T P^T J^T r; the trust-region step, the LM
 * parameter and the convergence tests are then exactly those of the QR path. Normal equations
 * square the condition number, so whenever the (column-scaled) J^T J is worse conditioned than
 * `NORMAL_MAX_COND` the iteration, and the rest of the fit, use QR on J; so do the last
 * iterations of fits run to tight tolerances (`NORMAL_MIN_PREDICTED`), which decide where the
 * fit stops.
 *
 * @module
 */
import {
  applyQt,
  choleskyPivoted,
  euclideanNorm,
  EPSILON,
  lmParameter,
  qrFactor,
} from './linalg.js';
import { acquireScratch, Carver, releaseScratch } from './scratch.js';

/** A least-squares problem in n unconstrained coordinates with m residuals. */
export interface ResidualProblem {
  m: number;
  n: number;
  /** Writes the residuals at `u`; returns false if any is not finite. */
  residuals(u: Float64Array, r: Float64Array): boolean;
  /**
   * Writes the Jacobian dr/du at `u` (column-major m x n, `jac[i + j * m]`; every entry, the
   * buffer is not cleared); `u` is always the last accepted point and `r` its residuals. Returns
   * false if it cannot be computed; non-finite entries are also detected by the loop itself.
   */
  jacobian(u: Float64Array, r: Float64Array, jac: Float64Array): boolean;
  /**
   * Optional, for tall problems: writes J^T J (n x n, full symmetric) into `ata` and J^T r into
   * `atr` for the Jacobian at `u` (the last accepted point, residuals `r`), without forming J.
   * Returns false if the Jacobian cannot be computed. A `jacobian` call at the same point may
   * follow (when the loop falls back to QR) and should reuse the work done here.
   */
  normalEquations?(u: Float64Array, r: Float64Array, ata: Float64Array, atr: Float64Array): boolean;
  /** Called when the last point passed to `residuals` is accepted as the new current point. */
  accept?(): void;
}

/**
 * Largest condition estimate of the column-scaled J^T J for which an iteration solves the normal
 * equations; worse conditioned problems use QR on J (whose accuracy depends on cond(J), the
 * square root of this).
 */
export const NORMAL_MAX_COND = 1e6;
/**
 * Close to convergence (a predicted relative reduction of the sum of squares below this) the
 * iterations use QR, so that the last steps, which decide where the fit stops, are as accurate as
 * on the QR path; fits with loose tolerances stop before.
 */
export const NORMAL_MIN_PREDICTED = 1e-10;
/** Normal equations are used when there are at least this many residuals per parameter. */
export const NORMAL_MIN_ROWS_PER_PARAM = 4;

export interface LMSettings {
  ftol: number;
  xtol: number;
  gtol: number;
  /** Cap on Jacobian evaluations (iterations). */
  maxIterations: number;
  /** Cap on residual evaluations. */
  maxEvaluations: number;
  /** Initial trust radius factor (times || D u ||). */
  stepBound: number;
  signal?: AbortSignal | undefined;
}

/** How the loop ended. `converged-*` are genuine convergence tests. */
export type LMStop =
  | 'converged-ftol'
  | 'converged-xtol'
  | 'converged-ftol-xtol'
  | 'converged-gtol'
  | 'converged-zero-residual'
  | 'converged-machine-ftol'
  | 'converged-machine-gtol'
  | 'machine-xtol'
  | 'zero-jacobian'
  | 'max-iterations'
  | 'max-evaluations'
  | 'non-finite-jacobian'
  | 'non-finite-steps'
  | 'cancelled';

export interface LMOutcome {
  u: Float64Array;
  /** || r || at u. */
  fnorm: number;
  stop: LMStop;
  iterations: number;
  evaluations: number;
  /** Scaled gradient norm at the last Jacobian (cosine of the largest angle, MINPACK's gnorm). */
  gnorm: number;
}

/**
 * Minimises || r(u) ||^2 from `u0` (whose residuals `r0` the caller has already checked finite).
 * On return `r0` holds the residuals at the returned point.
 *
 * @example
 * // r(u) = [u0 - 1, 10 (u1 - u0^2)] (Rosenbrock)
 * const out = levenbergMarquardt(problem, Float64Array.of(-1.2, 1), r0, settings);
 */
export function levenbergMarquardt(
  prob: ResidualProblem,
  u0: Float64Array,
  r0: Float64Array,
  s: LMSettings,
): LMOutcome {
  const w = acquireWorkspace(prob.m, prob.n);
  try {
    return lmLoop(prob, u0, r0, s, w);
  } finally {
    releaseWorkspace(w);
  }
}

/** The work arrays of one LM run (views of one scratch buffer). */
class Workspace {
  busy = false;
  readonly x: Float64Array;
  readonly fvec: Float64Array;
  readonly wa4: Float64Array;
  readonly qtwork: Float64Array;
  readonly fjac: Float64Array;
  readonly diag: Float64Array;
  readonly qtf: Float64Array;
  readonly wa1: Float64Array;
  readonly wa2: Float64Array;
  readonly wa3: Float64Array;
  readonly rdiag: Float64Array;
  readonly acnorm: Float64Array;
  readonly sdiag: Float64Array;
  readonly atr: Float64Array;
  readonly ata: Float64Array;
  readonly rsmall: Float64Array;
  readonly cholWork: Float64Array;
  readonly ipvt: Int32Array;
  readonly buffer: Float64Array;
  constructor(
    readonly m: number,
    readonly n: number,
  ) {
    this.buffer = acquireScratch(workspaceSize(m, n), false);
    const c = new Carver(this.buffer);
    this.x = c.take(n);
    this.fvec = c.take(m);
    this.wa4 = c.take(m);
    this.qtwork = c.take(m);
    this.fjac = c.take(m * n);
    this.diag = c.take(n);
    this.qtf = c.take(n);
    this.wa1 = c.take(n);
    this.wa2 = c.take(n);
    this.wa3 = c.take(n);
    this.rdiag = c.take(n);
    this.acnorm = c.take(n);
    this.sdiag = c.take(n);
    this.atr = c.take(n);
    this.ata = c.take(n * n);
    this.rsmall = c.take(n * n);
    this.cholWork = c.take(2 * n * n + n);
    this.ipvt = new Int32Array(n);
  }
}

function workspaceSize(m: number, n: number): number {
  return 4 * m + m * n + 12 * n + 4 * n * n;
}

/**
 * Workspaces of recent runs, reused by the next run of the same shape (repeated fits of one
 * model, e.g. the pixels of an image, then carve nothing); a run started while one is in use (a
 * fit inside a model evaluation) gets its own.
 */
const workspaces: Workspace[] = [];
const MAX_WORKSPACES = 2;
/** Workspaces above this many values are not kept (2 MB). */
const MAX_WORKSPACE_SIZE = 1 << 18;

function acquireWorkspace(m: number, n: number): Workspace {
  for (let i = 0; i < workspaces.length; i++) {
    const w = workspaces[i]!;
    if (!w.busy && w.m === m && w.n === n) {
      // most recently used first
      if (i > 0) {
        workspaces.splice(i, 1);
        workspaces.unshift(w);
      }
      w.busy = true;
      return w;
    }
  }
  const w = new Workspace(m, n);
  w.busy = true;
  if (workspaceSize(m, n) <= MAX_WORKSPACE_SIZE) {
    workspaces.unshift(w);
    // evict the least recently used idle workspace
    if (workspaces.length > MAX_WORKSPACES) {
      for (let i = workspaces.length - 1; i >= 0; i--) {
        if (!workspaces[i]!.busy) {
          releaseScratch(workspaces[i]!.buffer);
          workspaces.splice(i, 1);
          break;
        }
      }
    }
  }
  return w;
}

function releaseWorkspace(w: Workspace): void {
  w.busy = false;
  if (!workspaces.includes(w)) releaseScratch(w.buffer);
}

/**
 * The outcome of a run (a plain function, not a closure: doubles captured by a closure live in
 * a context object and are boxed on every write). Copies the final residuals into `r0`.
 */
function finish(
  stop: LMStop,
  x: Float64Array,
  fvec: Float64Array,
  r0: Float64Array,
  fnorm: number,
  iterations: number,
  evaluations: number,
  gnorm: number,
): LMOutcome {
  if (fvec !== r0) r0.set(fvec);
  return { u: x.slice(), fnorm, stop, iterations, evaluations, gnorm };
}

function lmLoop(
  prob: ResidualProblem,
  u0: Float64Array,
  r0: Float64Array,
  s: LMSettings,
  w: Workspace,
): LMOutcome {
  const m = prob.m;
  const n = prob.n;
  const x = w.x;
  x.set(u0);
  let fvec = w.fvec;
  fvec.set(r0);
  let wa4 = w.wa4;
  const qtwork = w.qtwork;
  const fjac = w.fjac;
  const diag = w.diag;
  const qtf = w.qtf;
  const wa1 = w.wa1;
  const wa2 = w.wa2;
  const wa3 = w.wa3;
  const rdiag = w.rdiag;
  const acnorm = w.acnorm;
  const sdiag = w.sdiag;
  const atr = w.atr;
  const ata = w.ata;
  const rsmall = w.rsmall;
  const cholWork = w.cholWork;
  const ipvt = w.ipvt;
  const signal = s.signal;
  // normal equations while they are well conditioned (see NORMAL_MAX_COND)
  let useNormal = prob.normalEquations !== undefined && m >= NORMAL_MIN_ROWS_PER_PARAM * n;

  let nfev = 1;
  let njev = 0;
  let fnorm = euclideanNorm(fvec, m);
  let par = 0;
  let delta = 0;
  let xnorm = 0;
  let gnorm = 0;
  let first = true;
  let stop: LMStop | null = null;
  let badSteps = 0; // consecutive rejected steps with non-finite residuals

  if (n === 0) return finish('converged-zero-residual', x, fvec, r0, fnorm, njev, nfev, gnorm);

  for (;;) {
    if (signal?.aborted) return finish('cancelled', x, fvec, r0, fnorm, njev, nfev, gnorm);
    if (fnorm === 0)
      return finish('converged-zero-residual', x, fvec, r0, fnorm, njev, nfev, gnorm);
    if (njev >= s.maxIterations)
      return finish('max-iterations', x, fvec, r0, fnorm, njev, nfev, gnorm);
    // R (upper triangle, leading dimension ldr), ipvt, acnorm and qtf = (Q^T r)[0..n)
    let rmat = fjac;
    let ldr = m;
    let factored = false;
    let evaluated = false;
    if (useNormal) {
      if (!prob.normalEquations!(x, fvec, ata, atr))
        return finish('non-finite-jacobian', x, fvec, r0, fnorm, njev, nfev, gnorm);
      njev++;
      evaluated = true;
      let finite = true;
      for (let j = 0; j < n; j++) if (!Number.isFinite(atr[j]!)) finite = false;
      const cond = finite ? choleskyPivoted(n, ata, rsmall, n, ipvt, cholWork) : Infinity;
      if (cond <= NORMAL_MAX_COND) {
        factored = true;
        rmat = rsmall;
        ldr = n;
        for (let j = 0; j < n; j++) acnorm[j] = Math.sqrt(ata[j * n + j]!);
        // qtf = R^-T P^T J^T r (forward substitution)
        for (let j = 0; j < n; j++) {
          let sum = atr[ipvt[j]!]!;
          const cj = j * n;
          for (let i = 0; i < j; i++) sum -= rsmall[cj + i]! * qtf[i]!;
          qtf[j] = sum / rsmall[cj + j]!;
        }
      } else {
        useNormal = false; // ill conditioned or singular: QR from now on
      }
    }
    if (!factored) {
      if (!prob.jacobian(x, fvec, fjac))
        return finish('non-finite-jacobian', x, fvec, r0, fnorm, njev, nfev, gnorm);
      if (!evaluated) njev++;
      qrFactor(m, n, fjac, ipvt, rdiag, acnorm, wa1);
      for (let j = 0; j < n; j++)
        if (!Number.isFinite(acnorm[j]!))
          return finish('non-finite-jacobian', x, fvec, r0, fnorm, njev, nfev, gnorm);
      for (let i = 0; i < m; i++) qtwork[i] = fvec[i]!;
      applyQt(m, n, fjac, qtwork);
      for (let j = 0; j < n; j++) {
        fjac[j * m + j] = rdiag[j]!;
        qtf[j] = qtwork[j]!;
      }
    }
    if (first) {
      for (let j = 0; j < n; j++) diag[j] = acnorm[j] === 0 ? 1 : acnorm[j]!;
      for (let j = 0; j < n; j++) wa3[j] = diag[j]! * x[j]!;
      xnorm = euclideanNorm(wa3, n);
      delta = s.stepBound * xnorm;
      if (delta === 0) delta = s.stepBound;
    }
    // scaled gradient: largest cosine between the residual and a column of J
    gnorm = 0;
    if (factored) {
      for (let j = 0; j < n; j++) {
        if (acnorm[j] !== 0) gnorm = Math.max(gnorm, Math.abs(atr[j]! / fnorm / acnorm[j]!));
      }
    } else {
      for (let j = 0; j < n; j++) {
        const l = ipvt[j]!;
        if (acnorm[l] !== 0) {
          let sum = 0;
          const cj = j * ldr;
          for (let i = 0; i <= j; i++) sum += rmat[cj + i]! * (qtf[i]! / fnorm);
          gnorm = Math.max(gnorm, Math.abs(sum / acnorm[l]!));
        }
      }
    }
    let anyDependence = false;
    for (let j = 0; j < n; j++) if (acnorm[j]! > 0) anyDependence = true;
    if (!anyDependence) return finish('zero-jacobian', x, fvec, r0, fnorm, njev, nfev, gnorm);
    if (gnorm <= s.gtol) return finish('converged-gtol', x, fvec, r0, fnorm, njev, nfev, gnorm);
    for (let j = 0; j < n; j++) diag[j] = Math.max(diag[j]!, acnorm[j]!);

    // inner loop: find an acceptable step
    for (;;) {
      if (signal?.aborted) return finish('cancelled', x, fvec, r0, fnorm, njev, nfev, gnorm);
      par = lmParameter(n, rmat, ldr, ipvt, diag, qtf, delta, par, wa1, sdiag, wa2, wa3);
      for (let j = 0; j < n; j++) {
        wa1[j] = -wa1[j]!;
        wa2[j] = x[j]! + wa1[j]!;
        wa3[j] = diag[j]! * wa1[j]!;
      }
      const pnorm = euclideanNorm(wa3, n);
      if (first) delta = Math.min(delta, pnorm);
      const finite = prob.residuals(wa2, wa4);
      nfev++;
      const fnorm1 = finite ? euclideanNorm(wa4, m) : Infinity;
      let actred = -1;
      if (0.1 * fnorm1 < fnorm) {
        const t = fnorm1 / fnorm;
        actred = 1 - t * t;
      }
      // predicted reduction from the linear model: || J p || via R
      for (let j = 0; j < n; j++) {
        wa3[j] = 0;
      }
      for (let j = 0; j < n; j++) {
        const temp = wa1[ipvt[j]!]!;
        const cj = j * ldr;
        for (let i = 0; i <= j; i++) wa3[i]! += rmat[cj + i]! * temp;
      }
      const temp1 = euclideanNorm(wa3, n) / fnorm;
      const temp2 = (Math.sqrt(par) * pnorm) / fnorm;
      const prered = temp1 * temp1 + (temp2 * temp2) / 0.5;
      const dirder = -(temp1 * temp1 + temp2 * temp2);
      const ratio = prered !== 0 ? actred / prered : 0;

      if (!finite || !Number.isFinite(prered) || !Number.isFinite(pnorm)) {
        badSteps++;
        delta = 0.1 * (Number.isFinite(pnorm) ? Math.min(delta, pnorm / 0.1) : delta);
        par = par / 0.1;
      } else if (ratio <= 0.25) {
        let temp = actred >= 0 ? 0.5 : (0.5 * dirder) / (dirder + 0.5 * actred);
        if (0.1 * fnorm1 >= fnorm || temp < 0.1) temp = 0.1;
        delta = temp * Math.min(delta, pnorm / 0.1);
        par = par / temp;
      } else if (par === 0 || ratio >= 0.75) {
        delta = pnorm / 0.5;
        par = 0.5 * par;
      }
      if (finite) badSteps = 0;

      if (useNormal && finite && prered < NORMAL_MIN_PREDICTED) useNormal = false;
      if (finite && ratio >= 1e-4) {
        // accept
        const tx = x;
        for (let j = 0; j < n; j++) {
          tx[j] = wa2[j]!;
          wa2[j] = diag[j]! * tx[j]!;
        }
        const tf = fvec;
        fvec = wa4;
        wa4 = tf;
        xnorm = euclideanNorm(wa2, n);
        fnorm = fnorm1;
        first = false;
        prob.accept?.();
      }

      const ftolOk = Math.abs(actred) <= s.ftol && prered <= s.ftol && 0.5 * ratio <= 1;
      const xtolOk = delta <= s.xtol * xnorm;
      if (finite && ftolOk && xtolOk) stop = 'converged-ftol-xtol';
      else if (finite && ftolOk) stop = 'converged-ftol';
      else if (xtolOk) stop = badSteps > 0 ? 'non-finite-steps' : 'converged-xtol';
      if (stop) return finish(stop, x, fvec, r0, fnorm, njev, nfev, gnorm);

      if (nfev >= s.maxEvaluations)
        return finish('max-evaluations', x, fvec, r0, fnorm, njev, nfev, gnorm);
      if (finite && Math.abs(actred) <= EPSILON && prered <= EPSILON && 0.5 * ratio <= 1) {
        return finish('converged-machine-ftol', x, fvec, r0, fnorm, njev, nfev, gnorm);
      }
      if (delta <= EPSILON * xnorm || !(delta > 0) || !Number.isFinite(delta)) {
        return finish(
          badSteps > 0 ? 'non-finite-steps' : 'machine-xtol',
          x,
          fvec,
          r0,
          fnorm,
          njev,
          nfev,
          gnorm,
        );
      }
      if (gnorm <= EPSILON)
        return finish('converged-machine-gtol', x, fvec, r0, fnorm, njev, nfev, gnorm);
      if (finite && ratio >= 1e-4) break;
    }
  }
}
