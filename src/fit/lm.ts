/**
 * The Levenberg-Marquardt trust-region loop (Moré 1978, the MINPACK `lmder` design): scaled
 * diagonal damping, QR with column pivoting, the LM parameter found for a trust radius, and the
 * three relative convergence tests (sum of squares, step, gradient). Works on an abstract
 * residual problem; bounds, weights, ties and Poisson deviance residuals are handled by the caller.
 *
 * @module
 */
import { applyQt, euclideanNorm, EPSILON, lmParameter, qrFactor } from './linalg.js';
import { acquireScratch, Carver, releaseScratch } from './scratch.js';

/** A least-squares problem in n unconstrained coordinates with m residuals. */
export interface ResidualProblem {
  m: number;
  n: number;
  /** Writes the residuals at `u`; returns false if any is not finite. */
  residuals(u: Float64Array, r: Float64Array): boolean;
  /**
   * Writes the Jacobian dr/du at `u` (column-major m x n, `jac[i + j * m]`); `u` is always the
   * last accepted point and `r` its residuals. Returns false if it cannot be computed; non-finite
   * entries are also detected by the loop itself.
   */
  jacobian(u: Float64Array, r: Float64Array, jac: Float64Array): boolean;
  /** Called when the last point passed to `residuals` is accepted as the new current point. */
  accept?(): void;
}

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
  const m = prob.m;
  const n = prob.n;
  const scratch = acquireScratch(4 * m + m * n + 10 * n);
  try {
    return lmLoop(prob, u0, r0, s, new Carver(scratch));
  } finally {
    releaseScratch(scratch);
  }
}

function lmLoop(
  prob: ResidualProblem,
  u0: Float64Array,
  r0: Float64Array,
  s: LMSettings,
  c: Carver,
): LMOutcome {
  const m = prob.m;
  const n = prob.n;
  const x = c.take(n);
  x.set(u0);
  let fvec = c.take(m);
  fvec.set(r0);
  let wa4 = c.take(m);
  const qtwork = c.take(m);
  const fjac = c.take(m * n);
  const diag = c.take(n);
  const qtf = c.take(n);
  const wa1 = c.take(n);
  const wa2 = c.take(n);
  const wa3 = c.take(n);
  const rdiag = c.take(n);
  const acnorm = c.take(n);
  const sdiag = c.take(n);
  const ipvt = new Int32Array(n);
  const signal = s.signal;

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

  const done = (st: LMStop): LMOutcome => ({
    u: Float64Array.from(x),
    fnorm,
    stop: st,
    iterations: njev,
    evaluations: nfev,
    gnorm,
  });

  if (n === 0) return done('converged-zero-residual');

  for (;;) {
    if (signal?.aborted) return done('cancelled');
    if (fnorm === 0) return done('converged-zero-residual');
    if (njev >= s.maxIterations) return done('max-iterations');
    if (!prob.jacobian(x, fvec, fjac)) return done('non-finite-jacobian');
    njev++;
    qrFactor(m, n, fjac, ipvt, rdiag, acnorm, wa1);
    for (let j = 0; j < n; j++)
      if (!Number.isFinite(acnorm[j]!)) return done('non-finite-jacobian');
    if (first) {
      for (let j = 0; j < n; j++) diag[j] = acnorm[j] === 0 ? 1 : acnorm[j]!;
      for (let j = 0; j < n; j++) wa3[j] = diag[j]! * x[j]!;
      xnorm = euclideanNorm(wa3, n);
      delta = s.stepBound * xnorm;
      if (delta === 0) delta = s.stepBound;
    }
    for (let i = 0; i < m; i++) qtwork[i] = fvec[i]!;
    applyQt(m, n, fjac, qtwork);
    for (let j = 0; j < n; j++) {
      fjac[j * m + j] = rdiag[j]!;
      qtf[j] = qtwork[j]!;
    }
    // scaled gradient: largest cosine between the residual and a column of J
    gnorm = 0;
    for (let j = 0; j < n; j++) {
      const l = ipvt[j]!;
      if (acnorm[l] !== 0) {
        let sum = 0;
        const cj = j * m;
        for (let i = 0; i <= j; i++) sum += fjac[cj + i]! * (qtf[i]! / fnorm);
        gnorm = Math.max(gnorm, Math.abs(sum / acnorm[l]!));
      }
    }
    let anyDependence = false;
    for (let j = 0; j < n; j++) if (acnorm[j]! > 0) anyDependence = true;
    if (!anyDependence) return done('zero-jacobian');
    if (gnorm <= s.gtol) return done('converged-gtol');
    for (let j = 0; j < n; j++) diag[j] = Math.max(diag[j]!, acnorm[j]!);

    // inner loop: find an acceptable step
    for (;;) {
      if (signal?.aborted) return done('cancelled');
      par = lmParameter(n, fjac, m, ipvt, diag, qtf, delta, par, wa1, sdiag, wa2, wa3);
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
        const cj = j * m;
        for (let i = 0; i <= j; i++) wa3[i]! += fjac[cj + i]! * temp;
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
      if (stop) return done(stop);

      if (nfev >= s.maxEvaluations) return done('max-evaluations');
      if (finite && Math.abs(actred) <= EPSILON && prered <= EPSILON && 0.5 * ratio <= 1) {
        return done('converged-machine-ftol');
      }
      if (delta <= EPSILON * xnorm || !(delta > 0) || !Number.isFinite(delta)) {
        return done(badSteps > 0 ? 'non-finite-steps' : 'machine-xtol');
      }
      if (gnorm <= EPSILON) return done('converged-machine-gtol');
      if (finite && ratio >= 1e-4) break;
    }
  }
}
