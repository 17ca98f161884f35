/** Argument checks shared by the samplers. Internal module. */
import { InvalidInputError } from '../core/errors.js';

/**
 * Throw InvalidInputError unless x is a finite number.
 * @example
 * requireFinite('normal', 'mean', mean);
 */
export function requireFinite(fn: string, name: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new InvalidInputError(`${fn}: ${name} must be a finite number, got ${String(x)}`);
  }
}

/**
 * Throw InvalidInputError unless x is a finite number > 0.
 * @example
 * requirePositive('exponential', 'rate', rate);
 */
export function requirePositive(fn: string, name: string, x: number): void {
  if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) {
    throw new InvalidInputError(`${fn}: ${name} must be a finite number > 0, got ${String(x)}`);
  }
}
