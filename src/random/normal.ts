import { InvalidInputError } from '../core/errors.js';
import { requireFinite } from './check.js';
import type { Rng } from './rng.js';

// Ziggurat with 256 layers (Marsaglia & Tsang 2000, in Doornik's 2005 "ZIGNOR" form, which
// draws the layer index from bits independent of the value). R is the start of the tail and V
// the area of every layer, solved to 25 digits so that the top layer closes exactly.
const LAYERS = 256;
const R = 3.6541528853610088;
const V = 0.004928673233974655;
const INV_R = 1 / R;

/** x[i]: right edge of layer i (x[0] = V / f(R) for the base layer, x[1] = R, x[256] = 0). */
const X = new Float64Array(LAYERS + 1);
/** x[i+1] / x[i]: below this fraction a point of layer i is inside the density for sure. */
const RATIO = new Float64Array(LAYERS);
(() => {
  const f = (x: number) => Math.exp(-0.5 * x * x);
  X[0] = V / f(R);
  X[1] = R;
  for (let i = 2; i < LAYERS; i++) X[i] = Math.sqrt(-2 * Math.log(V / X[i - 1]! + f(X[i - 1]!)));
  X[LAYERS] = 0;
  for (let i = 0; i < LAYERS; i++) RATIO[i] = X[i + 1]! / X[i]!;
})();

/** Ziggurat tables, exposed for tests. @internal */
export const zigguratTables = { X, R, V };

const TWO_POW_M55 = 1 / 36028797018963968;

/**
 * A standard normal deviate conditioned on x > R, by Marsaglia's (1964) exact tail method. @internal
 * @example
 * const z = normalTail(createRng(1)); // z > 3.654
 */
export function normalTail(rng: Rng): number {
  let x: number;
  let y: number;
  do {
    x = -Math.log1p(-rng.next()) * INV_R;
    y = -Math.log1p(-rng.next());
  } while (2 * y < x * x);
  return R + x;
}

/**
 * A standard normal deviate (mean 0, sd 1) by the ziggurat method.
 * @example
 * const z = standardNormal(createRng(1));
 */
export function standardNormal(rng: Rng): number {
  for (;;) {
    const a = rng.nextUint32();
    const b = rng.nextUint32();
    const i = a & 0xff;
    const negative = (a & 0x100) !== 0;
    // 55-bit uniform in [0, 1) from the remaining 23 bits of a and all of b.
    const u = ((a >>> 9) * 4294967296 + b) * TWO_POW_M55;
    const xi = X[i]!;
    if (u < RATIO[i]!) {
      const x = u * xi;
      return negative ? -x : x;
    }
    if (i === 0) {
      const x = normalTail(rng);
      return negative ? -x : x;
    }
    // Wedge between x[i+1] and x[i]: accept under the density.
    const x = u * xi;
    const xn = X[i + 1]!;
    const f0 = Math.exp(-0.5 * (xi * xi - x * x));
    const f1 = Math.exp(-0.5 * (xn * xn - x * x));
    if (f1 + rng.next() * (f0 - f1) < 1) return negative ? -x : x;
  }
}

/**
 * A normal (Gaussian) random number with the given mean and standard deviation, by the
 * ziggurat method (exact, including the tails: values beyond 3.65 sd come from Marsaglia's
 * exact tail algorithm). Uses two 32-bit draws most of the time.
 * @example
 * const noise = normal(createRng(1), 0, 0.05);
 */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  requireFinite('normal', 'mean', mean);
  if (!(sd >= 0) || !Number.isFinite(sd)) {
    throw new InvalidInputError(`normal: sd must be a finite number >= 0, got ${String(sd)}`);
  }
  return mean + sd * standardNormal(rng);
}

/**
 * Fill `out` with normal random numbers (default mean 0, sd 1); returns `out`.
 * @example
 * const readNoise = fillNormal(createRng(2), new Float64Array(4096), 0, 3.1);
 */
export function fillNormal<A extends Float64Array | Float32Array | number[]>(
  rng: Rng,
  out: A,
  mean = 0,
  sd = 1,
): A {
  requireFinite('fillNormal', 'mean', mean);
  if (!(sd >= 0) || !Number.isFinite(sd)) {
    throw new InvalidInputError(`fillNormal: sd must be a finite number >= 0, got ${String(sd)}`);
  }
  for (let i = 0; i < out.length; i++) out[i] = mean + sd * standardNormal(rng);
  return out;
}
