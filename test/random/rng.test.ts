import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { Rng, createRng, fromState, RNG_ALGORITHM } from '../../src/random/index.js';
import { chiSquare } from './stats.js';

const M64 = (1n << 64n) - 1n;

/** Reference SplitMix64 (Steele, Lea & Flood 2014) in BigInt, independent of src/random/mix64.ts. */
function splitmix64(seed: bigint): () => bigint {
  let x = seed & M64;
  return () => {
    x = (x + 0x9e3779b97f4a7c15n) & M64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  };
}

function words(rng: Rng): number[] {
  return rng.state().words;
}

describe('xoshiro128** generator', () => {
  it('matches the reference implementation for state [0, 1, 2, 3]', () => {
    // Published test vector of the reference C code (xoshiro128starstar.c), first 10 outputs.
    const expected = [
      5760, 17280, 2966400, 32451840, 2604340873, 3891234569, 1254043636, 216095511, 3291724652,
      2070429911,
    ];
    const rng = new Rng(0, 1, 2, 3);
    expect(expected.map(() => rng.nextUint32())).toEqual(expected);
  });

  it('is seeded by SplitMix64, as the xoshiro authors recommend', () => {
    // SplitMix64 with seed 0 has the well-known first output 0xe220a8397b1dcdaf.
    expect(splitmix64(0n)()).toBe(0xe220a8397b1dcdafn);
    for (const seed of [0, 1, 42, -1, -123456789, 2 ** 53 - 1, -(2 ** 53 - 1), 0xdeadbeef]) {
      const next = splitmix64(BigInt(seed));
      const a = next();
      const b = next();
      const w = [a & 0xffffffffn, a >> 32n, b & 0xffffffffn, b >> 32n].map(Number);
      expect(words(createRng(seed))).toEqual(w);
    }
  });

  it('pins the first values of createRng(42) (reproducible everywhere)', () => {
    const rng = createRng(42);
    const first = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
    const u = rng.next();
    // Pinned after generation, and reproduced by an independent Python transcription of
    // SplitMix64 seeding + xoshiro128** + the 53-bit float construction.
    expect(first).toEqual([1776835114, 4165204688, 17111135]);
    expect(u).toBe(0.5395373526966847);
  });

  it('same seed gives the same sequence, different seeds differ', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('next() is uniform on [0, 1) with 53 bits', () => {
    const rng = createRng(1);
    const n = 200_000;
    const counts = new Float64Array(100);
    let min = 1;
    let max = 0;
    let oddMultiples = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      counts[Math.floor(u * 100)]!++;
      // The lowest of the 53 bits is set about half the time.
      if ((u * 2 ** 53) % 2 === 1) oddMultiples++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(chiSquare(counts, new Float64Array(100).fill(0.01), n).z).toBeLessThan(4);
    expect(Math.abs(oddMultiples - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
  });

  it('jump() and longJump() advance by 2^64 and 2^96 steps', () => {
    // Expected states computed independently: the 128x128 GF(2) matrix of one xoshiro128 step
    // raised to the power 2^64 (2^96) by repeated squaring, applied to the start state.
    const cases = [
      {
        start: [0, 1, 2, 3],
        jump: [1420208605, 2756366498, 3183403541, 355651687],
        long: [3538829081, 3912042811, 2257374149, 2462051210],
      },
      {
        start: [2065550767, 3793791033, 2713282036, 1853398634],
        jump: [3903660098, 544211503, 891856967, 3190937040],
        long: [1894583818, 1963527452, 3524783797, 338749695],
      },
    ];
    for (const c of cases) {
      const a = new Rng(c.start[0]!, c.start[1]!, c.start[2]!, c.start[3]!);
      const b = a.clone();
      a.jump();
      b.longJump();
      expect(words(a)).toEqual(c.jump);
      expect(words(b)).toEqual(c.long);
    }
  });

  it('state() / fromState() checkpoint a run exactly, through JSON', () => {
    const rng = createRng(99);
    for (let i = 0; i < 1000; i++) rng.next();
    const saved = JSON.parse(JSON.stringify(rng.state()));
    expect(saved.algorithm).toBe(RNG_ALGORITHM);
    const resumed = fromState(saved);
    const x = Array.from({ length: 50 }, () => rng.next());
    expect(Array.from({ length: 50 }, () => resumed.next())).toEqual(x);
  });

  it('rejects bad seeds and states', () => {
    for (const bad of [NaN, Infinity, 1.5, 2 ** 53, '1' as unknown as number]) {
      expect(() => createRng(bad)).toThrow(InvalidInputError);
    }
    expect(() => new Rng(0, 0, 0, 0)).toThrow(InvalidInputError);
    expect(() => fromState({ algorithm: RNG_ALGORITHM, words: [0, 0, 0, 0] })).toThrow(/zero/);
    expect(() => fromState({ algorithm: 'mt19937' } as never)).toThrow(InvalidInputError);
    expect(() =>
      fromState({ algorithm: RNG_ALGORITHM, words: [1, 2, 3, 2 ** 32] } as never),
    ).toThrow(InvalidInputError);
    expect(() => createRng(1).split(-1)).toThrow(InvalidInputError);
    expect(() => createRng(1).split(0.5)).toThrow(InvalidInputError);
  });
});

describe('independent streams', () => {
  it('split(i) is deterministic, order-independent and does not advance the parent', () => {
    const root = createRng(42);
    const before = words(root);
    const s5 = root.split(5).next();
    const s3 = root.split(3).next();
    expect(words(root)).toEqual(before);
    const other = createRng(42);
    expect(other.split(3).next()).toBe(s3);
    expect(other.split(5).next()).toBe(s5);
    expect(s3).not.toBe(s5);
    expect(words(root.split(2 ** 53 - 1))).not.toEqual(words(root.split(0)));
  });

  it('streams of consecutive indices and of consecutive seeds are uncorrelated', () => {
    const n = 100_000;
    const pairs: Array<[Rng, Rng]> = [
      [createRng(42).split(0), createRng(42).split(1)],
      [createRng(42).split(1000), createRng(42).split(1001)],
      [createRng(1), createRng(2)],
      [createRng(42), createRng(42).split(0)],
    ];
    for (const [a, b] of pairs) {
      let sab = 0;
      let sa = 0;
      let sb = 0;
      let saa = 0;
      let sbb = 0;
      // Also lagged by one draw, where a shared sequence offset would show up.
      let lag = 0;
      let prevB = b.next() - 0.5;
      for (let i = 0; i < n; i++) {
        const x = a.next() - 0.5;
        const y = b.next() - 0.5;
        sab += x * y;
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        lag += x * prevB;
        prevB = y;
      }
      const r =
        (sab / n - (sa / n) * (sb / n)) /
        Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
      // Under independence r ~ N(0, 1/n): 5 sigma.
      expect(Math.abs(r)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(lag / n / (1 / 12))).toBeLessThan(5 / Math.sqrt(n));
    }
  });

  it('the first output of 100000 streams is uniform (no structure across indices)', () => {
    const root = createRng(7);
    const n = 100_000;
    const counts = new Float64Array(256);
    for (let i = 0; i < n; i++) counts[root.split(i).nextUint32() >>> 24]!++;
    expect(chiSquare(counts, new Float64Array(256).fill(1 / 256), n).z).toBeLessThan(4);
  });
});
