/**
 * XPS backgrounds under core-level peaks: the iterative Shirley background and a straight line.
 *
 * Shirley (D.A. Shirley, Phys. Rev. B 5 (1972) 4709; iterative form of Proctor & Sherwood,
 * Anal. Chem. 54 (1982) 13): on an ascending binding-energy axis, the background at E is
 * B(E) = I_low + (I_high - I_low) * A(E) / A_total, where A(E) is the area of (y - B) from the
 * low-binding-energy end up to E. B is recomputed from its own previous value until it stops
 * changing (converged to a relative 1e-9 of the step height by default).
 */
import { InvalidInputError } from '../core/errors.js';

/** Options of the backgrounds. */
export interface BackgroundOptions {
  /** Points averaged at each end to fix the end intensities (default 5). */
  endPoints?: number;
  /** Iteration cap of the Shirley background (default 200). */
  maxIterations?: number;
  /** Convergence: max |ΔB| below tolerance x |I_high - I_low| (default 1e-9). */
  tolerance?: number;
}

/** A background and how it was obtained. */
export interface Background {
  values: Float64Array;
  kind: 'shirley' | 'linear';
  lowEndIntensity: number;
  highEndIntensity: number;
  iterations: number;
  converged: boolean;
}

function ends(x: ArrayLike<number>, y: ArrayLike<number>, k: number): { il: number; ih: number } {
  if (x.length !== y.length)
    throw new InvalidInputError(`x has ${x.length} values but y has ${y.length}`);
  if (x.length < 2 * k + 1)
    throw new InvalidInputError(
      `the spectrum has ${x.length} points; the background needs more than ${2 * k}`,
    );
  for (let i = 1; i < x.length; i++) {
    if (!(x[i] > x[i - 1]))
      throw new InvalidInputError(
        `binding energies must increase (point ${i}: ${x[i - 1]} then ${x[i]})`,
      );
  }
  let il = 0;
  let ih = 0;
  for (let i = 0; i < k; i++) {
    il += y[i] / k;
    ih += y[y.length - 1 - i] / k;
  }
  return { il, ih };
}

/**
 * Iterative Shirley background of a spectrum on an ascending binding-energy axis.
 *
 * @example
 * const bg = shirleyBackground(be, counts);
 * bg.values; // Float64Array, same length as counts
 */
export function shirleyBackground(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: BackgroundOptions = {},
): Background {
  const k = options.endPoints ?? 5;
  if (!Number.isInteger(k) || k < 1)
    throw new InvalidInputError(`endPoints must be a positive integer, got ${k}`);
  const { il, ih } = ends(x, y, k);
  const n = x.length;
  const maxIt = options.maxIterations ?? 200;
  const tol = (options.tolerance ?? 1e-9) * Math.max(Math.abs(ih - il), 1e-300);
  let b = new Float64Array(n).fill(il);
  const cum = new Float64Array(n);
  let it = 0;
  let converged = false;
  while (it < maxIt) {
    it++;
    cum[0] = 0;
    for (let i = 1; i < n; i++)
      cum[i] = cum[i - 1] + 0.5 * (x[i] - x[i - 1]) * (y[i] - b[i] + y[i - 1] - b[i - 1]);
    const total = cum[n - 1];
    if (!(total > 0)) {
      throw new InvalidInputError(
        'the Shirley background is undefined: the spectrum has no area above the background',
      );
    }
    const next = Float64Array.from(cum, (c) => il + ((ih - il) * c) / total);
    let change = 0;
    for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(next[i] - b[i]));
    b = next;
    if (change <= tol) {
      converged = true;
      break;
    }
  }
  return {
    values: b,
    kind: 'shirley',
    lowEndIntensity: il,
    highEndIntensity: ih,
    iterations: it,
    converged,
  };
}

/**
 * Straight-line background through the averaged end points.
 *
 * @example
 * const bg = linearBackground(be, counts, { endPoints: 3 });
 */
export function linearBackground(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: BackgroundOptions = {},
): Background {
  const k = options.endPoints ?? 5;
  const { il, ih } = ends(x, y, k);
  const n = x.length;
  let xl = 0;
  let xh = 0;
  for (let i = 0; i < k; i++) {
    xl += x[i] / k;
    xh += x[n - 1 - i] / k;
  }
  const values = Float64Array.from(
    { length: n },
    (_, i) => il + ((ih - il) * (x[i] - xl)) / (xh - xl),
  );
  return {
    values,
    kind: 'linear',
    lowEndIntensity: il,
    highEndIntensity: ih,
    iterations: 0,
    converged: true,
  };
}
