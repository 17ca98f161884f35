import { InvalidInputError } from '../core/errors.js';

/**
 * A seed derived from a parent seed and a label: FNV-1a over the label's UTF-16 code units,
 * mixed with the parent by a SplitMix-style finaliser. Different labels give unrelated seeds;
 * the same (seed, label) always gives the same result. Returns an integer in [0, 2^32).
 *
 * @example
 * deriveSeed(42, 'fitting'); // same number on every run and platform
 */
export function deriveSeed(seed: number, label: string): number {
  if (!Number.isSafeInteger(seed))
    throw new InvalidInputError(`seed must be a safe integer, got ${String(seed)}`);
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Fold the (up to 53-bit) parent seed in as two 32-bit words.
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let z = (h ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ 0x85ebca6b, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return z >>> 0;
}

/**
 * The context handed to one demo section: its seed from the master seed and the section id,
 * and `rngSeed(label)` for its random streams.
 *
 * @example
 * const ctx = sectionContext(42, 'fitting');
 * const rng = createRng(ctx.rngSeed('decay noise'));
 */
export function sectionContext(
  masterSeed: number,
  sectionId: string,
): { seed: number; rngSeed(label: string): number } {
  const seed = deriveSeed(masterSeed, `section:${sectionId}`);
  return { seed, rngSeed: (label: string) => deriveSeed(seed, label) };
}
