/**
 * Validation and normalisation of decay and IRF inputs to plain histograms on uniform bins.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import type { DecayInput, IrfInput } from './types.js';

/** A histogram on uniform bins: counts, bin width and the time of the start of bin 0 (ns). */
export interface Histogram {
  counts: Float64Array;
  binNs: number;
  originNs: number;
  /** False when the input was bare counts (no time axis). */
  hasTime: boolean;
}

const TIME_UNITS: Record<string, number> = {
  ns: 1,
  ps: 1e-3,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  s: 1e9,
  ms: 1e6,
  fs: 1e-6,
};

function isCalibrated(x: unknown): x is CalibratedArray {
  return (
    typeof x === 'object' && x !== null && Array.isArray((x as CalibratedArray).axes) && 'data' in x
  );
}

function finiteCounts(values: ArrayLike<number>, what: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isFinite(v))
      throw new InvalidInputError(`${what} is not a finite number at bin ${i} (${values[i]})`);
    if (v < 0)
      throw new InvalidInputError(
        `${what} is negative at bin ${i} (${v}); photon counts must be >= 0`,
      );
    out[i] = v;
  }
  return out;
}

function uniformTimes(t: ArrayLike<number>, what: string): { binNs: number; originNs: number } {
  const n = t.length;
  if (n < 2) throw new InvalidInputError(`${what} needs at least 2 bins, got ${n}`);
  const notFinite = (): never => {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(t[i]!))
        throw new InvalidInputError(`${what}: time is not a finite number at bin ${i} (${t[i]})`);
    }
    throw new InvalidInputError(`${what}: the times are not finite numbers`);
  };
  if (!Number.isFinite(t[0]!) || !Number.isFinite(t[n - 1]!)) notFinite();
  const step = (t[n - 1]! - t[0]!) / (n - 1);
  if (!(step > 0))
    throw new InvalidInputError(
      `${what}: times must increase (first ${t[0]} ns, last ${t[n - 1]} ns)`,
    );
  // one pass: a NaN or infinite time fails the uniformity test too, and is then named
  const tol = 1e-3 * step + 1e-12;
  for (let i = 1; i < n; i++) {
    const d = t[i]! - t[i - 1]!;
    if (!(Math.abs(d - step) <= tol)) {
      if (!Number.isFinite(t[i]!) || !Number.isFinite(t[i - 1]!)) notFinite();
      throw new InvalidInputError(
        `${what}: time bins must be uniform, but bin ${i} is ${d} ns after bin ${i - 1} (the average bin is ${step} ns)`,
      );
    }
  }
  return { binNs: step, originNs: t[0]! };
}

/**
 * A decay input as a histogram on uniform bins (validated: finite, non-negative counts).
 *
 * @example
 * toHistogram({ t: [0, 0.004, 0.008], counts: [0, 5, 3] }, 'decay'); // binNs 0.004
 */
export function toHistogram(input: DecayInput | IrfInput, what: string): Histogram {
  if (input === null || typeof input !== 'object')
    throw new InvalidInputError(
      `${what} must be a histogram (a calibrated array, { t, counts } or { counts, binNs })`,
    );
  if (isCalibrated(input)) {
    if (input.axes.length !== 1) {
      throw new InvalidInputError(
        `${what} must be 1-D (one decay), but has axes ${input.axes.map((a) => `${a.name}[${a.size}]`).join(' x ')}; select one decay first`,
      );
    }
    const ax = input.axes[0]!;
    const unit = ax.unit.trim();
    const factor = TIME_UNITS[unit] ?? (unit === '' ? 1 : NaN);
    if (!Number.isFinite(factor))
      throw new InvalidInputError(`${what}: the time axis is in "${unit}"; expected ns, ps or us`);
    const counts = finiteCounts(input.data, what);
    if (ax.coordinates) {
      const t = Float64Array.from(ax.coordinates, (v) => v * factor);
      return { counts, ...uniformTimes(t, what), hasTime: true };
    }
    if (!(ax.scale > 0))
      throw new InvalidInputError(
        `${what}: the time axis step must be positive, got ${ax.scale} ${unit}`,
      );
    return { counts, binNs: ax.scale * factor, originNs: ax.offset * factor, hasTime: true };
  }
  if ('t' in input && input.t !== undefined) {
    const { t, counts } = input as { t: ArrayLike<number>; counts: ArrayLike<number> };
    if (!counts || typeof counts.length !== 'number')
      throw new InvalidInputError(`${what}: counts must be an array`);
    if (t.length !== counts.length)
      throw new InvalidInputError(
        `${what}: t has ${t.length} values but counts has ${counts.length}`,
      );
    return { counts: finiteCounts(counts, what), ...uniformTimes(t, what), hasTime: true };
  }
  if ('counts' in input && 'binNs' in input) {
    const { counts, binNs, originNs } = input as {
      counts: ArrayLike<number>;
      binNs: number;
      originNs?: number;
    };
    if (!(binNs > 0) || !Number.isFinite(binNs))
      throw new InvalidInputError(`${what}: binNs must be a positive number, got ${binNs}`);
    if (counts.length < 2)
      throw new InvalidInputError(`${what} needs at least 2 bins, got ${counts.length}`);
    return { counts: finiteCounts(counts, what), binNs, originNs: originNs ?? 0, hasTime: true };
  }
  if (typeof (input as ArrayLike<number>).length === 'number') {
    return {
      counts: finiteCounts(input as ArrayLike<number>, what),
      binNs: NaN,
      originNs: NaN,
      hasTime: false,
    };
  }
  throw new InvalidInputError(
    `${what} must be a calibrated array, { t, counts } or { counts, binNs }`,
  );
}
