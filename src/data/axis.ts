import { InvalidInputError } from '../core/errors.js';

/**
 * One calibrated axis, as instruments record it: value(i) = offset + scale * i, or explicit
 * coordinates for non-uniform axes (e.g. a wavelength axis converted to energy).
 */
export interface Axis {
  /** What the axis is, in the field's words: `time`, `wavelength`, `x`, `energy`, `frame`. */
  name: string;
  /** Unit of the axis values: `ns`, `nm`, `um`, `eV`, `` for an index. */
  unit: string;
  size: number;
  scale: number;
  offset: number;
  /** Explicit coordinates (length `size`); when present they override scale/offset. */
  coordinates?: Float64Array;
}

/** A uniform axis: value(i) = offset + scale * i. */
export function uniformAxis(name: string, unit: string, size: number, scale = 1, offset = 0): Axis {
  if (!Number.isInteger(size) || size < 0) {
    throw new InvalidInputError(`axis "${name}": size must be a non-negative integer, got ${size}`);
  }
  if (!Number.isFinite(scale) || !Number.isFinite(offset)) {
    throw new InvalidInputError(`axis "${name}": scale and offset must be finite numbers`);
  }
  return { name, unit, size, scale, offset };
}

/**
 * An axis from explicit coordinates. If they are uniformly spaced (to 1e-9 relative) the axis
 * is stored as uniform, so that calibration survives round trips exactly.
 */
export function coordinateAxis(name: string, unit: string, coordinates: ArrayLike<number>): Axis {
  const c = Float64Array.from(coordinates);
  for (let i = 0; i < c.length; i++) {
    if (!Number.isFinite(c[i])) {
      throw new InvalidInputError(`axis "${name}": coordinate ${i} is not a finite number`);
    }
  }
  if (c.length >= 2) {
    const step = (c[c.length - 1] - c[0]) / (c.length - 1);
    const tol = 1e-9 * Math.max(Math.abs(step), Math.abs(c[0]), Math.abs(c[c.length - 1]));
    let uniform = step !== 0;
    for (let i = 0; uniform && i < c.length; i++) {
      if (Math.abs(c[i] - (c[0] + step * i)) > tol) uniform = false;
    }
    if (uniform) return { name, unit, size: c.length, scale: step, offset: c[0] };
  }
  return { name, unit, size: c.length, scale: 1, offset: 0, coordinates: c };
}

/** Coordinate of index `i` on the axis. */
export function axisValue(axis: Axis, i: number): number {
  return axis.coordinates ? axis.coordinates[i] : axis.offset + axis.scale * i;
}

/** All coordinates of the axis as a new Float64Array. */
export function axisValues(axis: Axis): Float64Array {
  if (axis.coordinates) return Float64Array.from(axis.coordinates);
  const out = new Float64Array(axis.size);
  for (let i = 0; i < axis.size; i++) out[i] = axis.offset + axis.scale * i;
  return out;
}

/** Index of the coordinate nearest to `value` (clamped to the axis). */
export function axisIndex(axis: Axis, value: number): number {
  if (axis.size === 0) throw new InvalidInputError(`axis "${axis.name}" is empty`);
  if (!axis.coordinates) {
    const i = Math.round((value - axis.offset) / axis.scale);
    return Math.min(axis.size - 1, Math.max(0, i));
  }
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < axis.size; i++) {
    const d = Math.abs(axis.coordinates[i] - value);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** True if the axis is uniform (no explicit coordinates). */
export function isUniform(axis: Axis): boolean {
  return axis.coordinates === undefined;
}
