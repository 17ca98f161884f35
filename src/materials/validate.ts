/** Input checks shared by the materials models (internal). */
import { InvalidInputError } from '../core/errors.js';

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** Throw unless `value` is a finite number > 0. `what` names it for the message, e.g. `edge length (edgeNm)`. */
export function requirePositive(value: unknown, what: string, unit = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(
      `${what} must be a finite number${unit ? ` in ${unit}` : ''}, got ${show(value)}`,
    );
  }
  if (value <= 0) {
    throw new InvalidInputError(
      `${what} must be positive${unit ? ` (in ${unit})` : ''}, got ${value}`,
    );
  }
  return value;
}

/** Throw unless `value` is a finite number >= 0. */
export function requireNonNegative(value: unknown, what: string, unit = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(
      `${what} must be a finite number${unit ? ` in ${unit}` : ''}, got ${show(value)}`,
    );
  }
  if (value < 0) {
    throw new InvalidInputError(
      `${what} must not be negative${unit ? ` (in ${unit})` : ''}, got ${value}`,
    );
  }
  return value;
}

/** Throw unless `value` is a finite number. */
export function requireFinite(value: unknown, what: string, unit = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(
      `${what} must be a finite number${unit ? ` in ${unit}` : ''}, got ${show(value)}`,
    );
  }
  return value;
}

/** Throw unless `value` is an integer >= 0. */
export function requireCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidInputError(`${what} must be a whole number >= 0, got ${show(value)}`);
  }
  return value;
}

/** Throw unless all entries are finite; returns a Float64Array copy. */
export function finiteArray(values: ArrayLike<number>, what: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidInputError(`${what}[${i}] must be a finite number, got ${show(v)}`);
    }
    out[i] = v;
  }
  return out;
}
