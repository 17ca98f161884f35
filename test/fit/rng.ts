/**
 * A tiny seeded random source for the fit tests (test helper, not a test file): mulberry32
 * uniforms, Box-Muller normals and exact Poisson counts (multiplication method for small means,
 * Hörmann's transformed rejection PTRS for large ones).
 */
import { logGamma } from '../../src/fit/special.js';

export interface TestRng {
  uniform(): number;
  normal(): number;
  poisson(mean: number): number;
}

export function testRng(seed: number): TestRng {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const poisson = (mean: number): number => {
    if (!(mean >= 0)) throw new Error(`poisson mean ${mean}`);
    if (mean === 0) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = uniform();
      while (p > limit) {
        k++;
        p *= uniform();
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const aa = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = uniform() - 0.5;
      const V = uniform();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * aa) / us + b) * U + mean + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (
        Math.log(V) + Math.log(invalpha) - Math.log(aa / (us * us) + b) <=
        -mean + k * loglam - logGamma(k + 1)
      )
        return k;
    }
  };
  return { uniform, normal, poisson };
}

/** Mean and (sample) standard deviation. */
export function meanSd(v: readonly number[]): { mean: number; sd: number } {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
  return { mean, sd };
}
