/**
 * Random streams of the transport simulator: stream 0 builds the disordered lattice, stream
 * c + 1 drives chunk c of walkers. The states are derived from the user's seed by the project's
 * seeding (`src/random/`), then the kernel runs the xoshiro128** generator inline on them.
 */
import { streamStates } from './seeding.js';

/**
 * 4 uint32 per stream: states of streams `first` .. `first + count - 1` of `seed`.
 *
 * @example
 * const s = transportStreams(7, 0, 1); // the lattice stream of seed 7
 */
export function transportStreams(seed: number, first: number, count: number): Uint32Array {
  return streamStates(seed, first, count);
}

/**
 * One xoshiro128** output from a 4-word state, advancing it (for the non-hot paths).
 *
 * @example
 * const u = xoshiroNext(transportStreams(7, 0, 1)) / 2 ** 32; // uniform in [0, 1)
 */
export function xoshiroNext(s: Uint32Array): number {
  const m5 = Math.imul(s[1], 5);
  const result = Math.imul((m5 << 7) | (m5 >>> 25), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
  return result;
}
