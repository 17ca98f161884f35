import { InvalidInputError } from '../core/errors.js';
import { GOLDEN_HI, GOLDEN_LO, add64, mix64, toWords } from './mix64.js';

/** Name of the generator, stored in every {@link RngState}. */
export const RNG_ALGORITHM = 'xoshiro128**';

/**
 * A checkpoint of a generator: plain JSON data. `fromState(rng.state())` continues the stream
 * exactly where `rng` was.
 */
export interface RngState {
  algorithm: typeof RNG_ALGORITHM;
  /** The four 32-bit state words s0..s3 as unsigned integers (not all zero). */
  words: [number, number, number, number];
}

// xoshiro128 jump polynomials (Blackman & Vigna): advance by 2^64 and 2^96 steps.
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;
const LONG_JUMP = [0xb523952e, 0x0b6f099f, 0xccf5a0ef, 0x1c580662] as const;

const TWO_POW_M53 = 1 / 9007199254740992;
const STREAM_SALT_HI = 0x6a09e667; // fractional part of sqrt(2): separates stream keys from seeds
const STREAM_SALT_LO = 0xf3bcc908;

const scratch = new Uint32Array(2);

/**
 * A seeded pseudo-random generator: xoshiro128** 1.1 (Blackman & Vigna 2018), 128 bits of state,
 * period 2^128 - 1, passes BigCrush. Pure 32-bit integer arithmetic (`Math.imul`), so a seed gives
 * the same stream in every JavaScript engine, in Node, browsers and workers.
 *
 * Make one with {@link createRng}; give each worker, pixel or Monte Carlo run its own stream with
 * {@link Rng.split}; checkpoint with {@link Rng.state} / {@link fromState}.
 *
 * @example
 * const rng = createRng(42);
 * rng.next();       // uniform in [0, 1), 53 random bits
 * rng.nextUint32(); // uniform integer in [0, 2^32)
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Use {@link createRng} or {@link fromState}; the words must not all be zero. */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      throw new InvalidInputError('random generator state must not be all zero');
    }
  }

  /**
   * The next 32 random bits as an unsigned integer in [0, 2^32).
   * @example
   * createRng(1).nextUint32(); // an integer 0 <= u < 4294967296
   */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits (every multiple of 2^-53 equally likely),
   * made from two 32-bit outputs.
   * @example
   * const u = createRng(7).next(); // 0 <= u < 1
   */
  next(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /**
   * Advance this generator by 2^64 steps in place (the xoshiro jump polynomial). Calling
   * `jump()` repeatedly on one generator gives 2^64 non-overlapping sequences of length 2^64.
   * @example
   * const a = createRng(1);
   * const b = a.clone(); b.jump(); // b starts 2^64 draws after a
   */
  jump(): void {
    this.applyJump(JUMP);
  }

  /** Advance this generator by 2^96 steps in place (the xoshiro long-jump polynomial).
   * @example
   * const r = createRng(1); r.longJump();
   */
  longJump(): void {
    this.applyJump(LONG_JUMP);
  }

  private applyJump(poly: readonly number[]): void {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (const word of poly) {
      for (let b = 0; b < 32; b++) {
        if (word & (1 << b)) {
          t0 ^= this.s0;
          t1 ^= this.s1;
          t2 ^= this.s2;
          t3 ^= this.s3;
        }
        this.nextUint32();
      }
    }
    this.s0 = t0;
    this.s1 = t1;
    this.s2 = t2;
    this.s3 = t3;
  }

  /**
   * A new, independent generator for stream number `streamIndex` (an integer 0 <= i < 2^53),
   * derived from this generator's current state without advancing it. The same (state, index)
   * always gives the same stream, whatever the order or thread in which streams are made; this
   * is how `parallelMap` gives item i the stream `createRng(seed).split(i)`.
   *
   * Why streams are independent: the child's 128-bit state is a SplitMix64 expansion of a key
   * obtained by hashing the parent's state and the index with the SplitMix64 mixer (a
   * bijection with full avalanche), so distinct indices give distinct, unrelated starting
   * points on xoshiro128**'s single cycle of length 2^128 - 1. N streams of L draws each overlap
   * with probability below N^2 L / 2^128 (e.g. 2^20 streams x 2^40 draws: < 2^-48), and the
   * nonlinear hashing removes the linear relations that nearby seeds of a linear generator
   * would share. (Use {@link Rng.jump} when provably disjoint blocks are needed.)
   *
   * @example
   * const root = createRng(42);
   * const pixel7 = root.split(7); // same numbers on any worker
   */
  split(streamIndex: number): Rng {
    if (!Number.isSafeInteger(streamIndex) || streamIndex < 0) {
      throw new InvalidInputError(
        `stream index must be an integer 0 <= i < 2^53, got ${String(streamIndex)}`,
      );
    }
    const o = scratch;
    mix64(this.s1 >>> 0, this.s0 >>> 0, o);
    mix64(o[0]! ^ (this.s3 >>> 0), o[1]! ^ (this.s2 >>> 0), o);
    const kh = o[0]! ^ STREAM_SALT_HI;
    const kl = o[1]! ^ STREAM_SALT_LO;
    toWords(streamIndex, o);
    mix64(o[0]!, o[1]!, o);
    mix64(kh ^ o[0]!, kl ^ o[1]!, o);
    return fromKey(o[0]!, o[1]!);
  }

  /** An independent copy at the same position.
   * @example
   * const a = createRng(3); const b = a.clone(); a.next() === b.next(); // true
   */
  clone(): Rng {
    return new Rng(this.s0, this.s1, this.s2, this.s3);
  }

  /**
   * The current state as plain JSON data, for checkpointing a long run.
   * @example
   * const saved = JSON.stringify(rng.state());
   * const resumed = fromState(JSON.parse(saved));
   */
  state(): RngState {
    return {
      algorithm: RNG_ALGORITHM,
      words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
    };
  }
}

/** State from two SplitMix64 outputs starting at key (hi, lo). */
function fromKey(hi: number, lo: number): Rng {
  const o = scratch;
  add64(hi, lo, GOLDEN_HI, GOLDEN_LO, o);
  const xh = o[0]!;
  const xl = o[1]!;
  mix64(xh, xl, o);
  const s0 = o[1]!;
  const s1 = o[0]!;
  add64(xh, xl, GOLDEN_HI, GOLDEN_LO, o);
  mix64(o[0]!, o[1]!, o);
  const s2 = o[1]!;
  const s3 = o[0]!;
  // Two consecutive SplitMix64 outputs cannot both be zero (mix64 is a bijection with
  // mix64(0) = 0), so the state is never all zero.
  return new Rng(s0, s1, s2, s3);
}

/**
 * Make a generator from an integer seed (any safe integer, |seed| < 2^53; negative seeds use
 * their 64-bit two's complement). The 128-bit state is the first two outputs of SplitMix64
 * seeded with `seed`, as the xoshiro authors recommend, so nearby seeds give unrelated streams.
 *
 * @example
 * const rng = createRng(2024);
 * const x = rng.next();
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidInputError(
      `random seed must be an integer with |seed| < 2^53, got ${String(seed)}`,
    );
  }
  toWords(seed, scratch);
  return fromKey(scratch[0]!, scratch[1]!);
}

/**
 * Restore a generator saved with {@link Rng.state}.
 * @example
 * const rng = createRng(5); rng.next();
 * const copy = fromState(rng.state()); // continues identically
 */
export function fromState(state: RngState): Rng {
  if (!state || typeof state !== 'object' || state.algorithm !== RNG_ALGORITHM) {
    throw new InvalidInputError(
      `random state must come from Rng.state() (algorithm "${RNG_ALGORITHM}"), got ${JSON.stringify(
        (state as { algorithm?: unknown } | null)?.algorithm,
      )}`,
    );
  }
  const w = state.words;
  if (
    !Array.isArray(w) ||
    w.length !== 4 ||
    !w.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)
  ) {
    throw new InvalidInputError('random state words must be four unsigned 32-bit integers');
  }
  if (w.every((x) => x === 0)) {
    throw new InvalidInputError('random state words must not all be zero');
  }
  return new Rng(w[0], w[1], w[2], w[3]);
}
