/**
 * Non-negative least squares on small normal equations (Lawson-Hanson active set), used to get
 * the linear amplitudes and background of a decay for trial lifetimes (starting values).
 *
 * @module
 */

// Work space of `solveSubset`, grown when needed and reused (every entry read is written first).
let scratchL = new Float64Array(64);
let scratchZ = new Float64Array(8);

/** Solves the k x k symmetric system A x = b (A row-major) restricted to `active` indices by Cholesky; false if not positive definite. */
function solveSubset(
  G: Float64Array,
  k: number,
  b: Float64Array,
  active: number[],
  x: Float64Array,
): boolean {
  const m = active.length;
  if (scratchL.length < m * m) scratchL = new Float64Array(m * m);
  if (scratchZ.length < m) scratchZ = new Float64Array(m);
  const L = scratchL;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[active[i]! * k + active[j]!]!;
      for (let p = 0; p < j; p++) s -= L[i * m + p]! * L[j * m + p]!;
      if (i === j) {
        // a small ridge keeps nearly collinear trial columns solvable
        const diag = G[active[i]! * k + active[i]!]!;
        if (!(s > 1e-12 * diag)) return false;
        L[i * m + i] = Math.sqrt(s);
      } else L[i * m + j] = s / L[j * m + j]!;
    }
  }
  const z = scratchZ;
  for (let i = 0; i < m; i++) {
    let s = b[active[i]!]!;
    for (let p = 0; p < i; p++) s -= L[i * m + p]! * z[p]!;
    z[i] = s / L[i * m + i]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let p = i + 1; p < m; p++) s -= L[p * m + i]! * z[p]!;
    z[i] = s / L[i * m + i]!;
  }
  x.fill(0);
  for (let i = 0; i < m; i++) x[active[i]!] = z[i]!;
  return true;
}

/** The index lists 0..k-1 per k. */
const ALL: (number[] | undefined)[] = [];

/** Work arrays of `nnlsGram` per problem size, reused between calls (reset on entry). */
const workspaces: ({ passive: Uint8Array; trial: Float64Array; w: Float64Array } | undefined)[] =
  [];

/**
 * Minimises x^T G x - 2 b^T x subject to x >= 0 (the normal equations of a least-squares problem,
 * G = A^T W A, b = A^T W y), for a small number k of columns. Returns x (written into `out` when given with length k).
 *
 * @example
 * nnlsGram(Float64Array.of(2, 0, 0, 1), Float64Array.of(2, -1), 2); // [1, 0]
 */
export function nnlsGram(
  G: Float64Array,
  b: Float64Array,
  k: number,
  out?: Float64Array,
): Float64Array {
  let x: Float64Array;
  if (out && out.length === k) {
    x = out;
    x.fill(0);
  } else x = new Float64Array(k);
  let ws = workspaces[k];
  if (!ws) {
    ws = { passive: new Uint8Array(k), trial: new Float64Array(k), w: new Float64Array(k) };
    workspaces[k] = ws;
  }
  const { passive, trial, w } = ws;
  // most calls (trial lifetimes near the data's) have an all-positive unconstrained solution:
  // one Cholesky solve, kept when its gradient condition holds
  let all = ALL[k];
  if (!all) {
    all = Array.from({ length: k }, (_, i) => i);
    ALL[k] = all;
  }
  if (solveSubset(G, k, b, all, trial)) {
    let positive = true;
    for (let i = 0; i < k; i++) if (!(trial[i]! > 0)) positive = false;
    if (positive) {
      x.set(trial);
      return x;
    }
  }
  passive.fill(0);
  for (let outer = 0; outer < 3 * k + 3; outer++) {
    // gradient (negative): w = b - G x
    let best = -1;
    let bestW = 0;
    for (let i = 0; i < k; i++) {
      let s = b[i]!;
      for (let j = 0; j < k; j++) s -= G[i * k + j]! * x[j]!;
      w[i] = s;
      if (!passive[i] && s > bestW * (1 + 1e-12) && s > 1e-14 * Math.abs(b[i]!) + 1e-300) {
        bestW = s;
        best = i;
      }
    }
    if (best < 0) break;
    passive[best] = 1;
    for (let inner = 0; inner < 3 * k + 3; inner++) {
      const active: number[] = [];
      for (let i = 0; i < k; i++) if (passive[i]) active.push(i);
      if (!solveSubset(G, k, b, active, trial)) {
        passive[best] = 0;
        return x;
      }
      let ok = true;
      for (const i of active) if (trial[i]! <= 0) ok = false;
      if (ok) {
        x.set(trial);
        break;
      }
      // step back towards x until a passive variable hits zero
      let alpha = 1;
      for (const i of active) {
        if (trial[i]! <= 0) {
          const a = x[i]! / (x[i]! - trial[i]!);
          if (a < alpha) alpha = a;
        }
      }
      for (let i = 0; i < k; i++) x[i] = x[i]! + alpha * (trial[i]! - x[i]!);
      for (const i of active) {
        if (x[i]! <= 1e-15 * Math.max(1, Math.abs(trial[i]!))) {
          x[i] = 0;
          passive[i] = 0;
        }
      }
    }
  }
  return x;
}
