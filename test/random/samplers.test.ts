import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  binomial,
  categorical,
  categoricalSampler,
  createRng,
  exponential,
  fillNormal,
  fillUniform,
  integer,
  normal,
  poisson,
  poissonNoise,
  powerLaw,
  truncatedPowerLaw,
  uniform,
} from '../../src/random/index.js';
import { normalTail, zigguratTables } from '../../src/random/normal.js';
import { binomialLogPmf, poissonLogPmf } from '../../src/random/log-pmf.js';
import {
  KS_LIMIT,
  chiSquare,
  erfc,
  ksStatistic,
  logFactorials,
  momentZ,
  normalCdf,
} from './stats.js';

function draws(n: number, draw: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

function minOf(x: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < x.length; i++) m = Math.min(m, x[i]!);
  return m;
}
function maxOf(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]!);
  return m;
}

/** Histogram of integer samples on 0..kMax (values above kMax go to the last bin). */
function histogram(x: Float64Array, kMax: number): Float64Array {
  const h = new Float64Array(kMax + 1);
  for (const k of x) h[Math.min(k, kMax)]!++;
  return h;
}

function expectMoments(x: Float64Array, mean: number, variance: number, mu4: number): void {
  const { zMean, zVar } = momentZ(x, mean, variance, mu4);
  expect(Math.abs(zMean), `mean is ${zMean.toFixed(2)} sigma off`).toBeLessThan(5);
  expect(Math.abs(zVar), `variance is ${zVar.toFixed(2)} sigma off`).toBeLessThan(5);
}

describe('uniform and integer', () => {
  it('uniform(a, b) has the right mean, variance and CDF', () => {
    const rng = createRng(11);
    const x = draws(200_000, () => uniform(rng, -2, 3));
    expectMoments(x, 0.5, 25 / 12, 625 / 80);
    expect(ksStatistic(x, (t) => (t + 2) / 5)).toBeLessThan(KS_LIMIT);
  });

  it('integer(min, max) is unbiased, also above 2^32', () => {
    const rng = createRng(12);
    const n = 120_000;
    const h = new Float64Array(6);
    for (let i = 0; i < n; i++) h[integer(rng, 1, 6) - 1]!++;
    expect(chiSquare(h, new Float64Array(6).fill(1 / 6), n).z).toBeLessThan(4);
    const big = 3 * 2 ** 40;
    const x = draws(100_000, () => integer(rng, 0, big - 1));
    expect(x.every((v) => Number.isInteger(v) && v >= 0 && v < big)).toBe(true);
    expectMoments(x, (big - 1) / 2, (big * big - 1) / 12, big ** 4 / 80);
    expect(integer(rng, 5, 5)).toBe(5);
  });

  it('fillUniform fills typed arrays and plain arrays reproducibly', () => {
    const a = fillUniform(createRng(3), new Float32Array(1000), 10, 20);
    const b = fillUniform(createRng(3), new Array<number>(1000), 10, 20);
    expect(a).toBeInstanceOf(Float32Array);
    expect(minOf(a)).toBeGreaterThanOrEqual(10);
    expect(maxOf(a)).toBeLessThanOrEqual(20);
    expect(Array.from(a)).toEqual(b.map((v) => Math.fround(v)));
  });
});

describe('normal (ziggurat)', () => {
  it('tables close: the top layer has the common area V', () => {
    const { X, V } = zigguratTables;
    const x = X[255]!;
    expect(x * (1 - Math.exp(-0.5 * x * x))).toBeCloseTo(V, 12);
    for (let i = 1; i < 256; i++) expect(X[i]!).toBeLessThan(X[i - 1]!);
  });

  it('mean, variance, CDF and both tails are right', () => {
    const rng = createRng(21);
    const n = 2_000_000;
    const x = draws(n, () => normal(rng, 3, 2));
    expectMoments(x, 3, 4, 3 * 16);
    expect(ksStatistic(x.subarray(0, 500_000), (t) => normalCdf((t - 3) / 2))).toBeLessThan(
      KS_LIMIT,
    );
    // Beyond the ziggurat edge R = 3.654 sd the exact tail algorithm takes over.
    const R = zigguratTables.R;
    const tail: number[] = [];
    let below = 0;
    for (const v of x) {
      const z = (v - 3) / 2;
      if (z > R) tail.push(z);
      if (z < -R) below++;
    }
    const pTail = 0.5 * erfc(R / Math.SQRT2);
    for (const count of [tail.length, below]) {
      expect(Math.abs(count - n * pTail)).toBeLessThan(5 * Math.sqrt(n * pTail));
    }
    // Shape of the upper tail: P(Z > z | Z > R).
    const tailCdf = (z: number) => 1 - erfc(z / Math.SQRT2) / erfc(R / Math.SQRT2);
    expect(ksStatistic(tail, tailCdf)).toBeLessThan(KS_LIMIT);
    // The tail algorithm on its own, with many draws.
    const r2 = createRng(22);
    expect(
      ksStatistic(
        draws(200_000, () => normalTail(r2)),
        tailCdf,
      ),
    ).toBeLessThan(KS_LIMIT);
  });

  it('fillNormal matches repeated normal() and sd = 0 gives the mean', () => {
    const a = fillNormal(createRng(4), new Float64Array(100), 1, 0.5);
    const r = createRng(4);
    expect(Array.from(a)).toEqual(Array.from({ length: 100 }, () => normal(r, 1, 0.5)));
    expect(normal(createRng(1), 7, 0)).toBe(7);
  });
});

describe('exponential', () => {
  it('has mean 1/rate, variance 1/rate^2 and the exponential CDF', () => {
    const rng = createRng(31);
    const rate = 0.4;
    const x = draws(300_000, () => exponential(rng, rate));
    expectMoments(x, 1 / rate, 1 / rate ** 2, 9 / rate ** 4);
    expect(ksStatistic(x, (t) => -Math.expm1(-rate * t))).toBeLessThan(KS_LIMIT);
  });
});

describe('poisson', () => {
  /** Exact pmf from log-factorial sums, independent of src/random/log-pmf.ts. */
  function poissonPmf(mean: number, kMax: number): Float64Array {
    const lf = logFactorials(kMax);
    return Float64Array.from(lf, (l, k) => Math.exp(-mean + k * Math.log(mean) - l));
  }

  for (const [mean, n] of [
    [0.5, 200_000],
    [3, 200_000],
    [9.99, 100_000],
    [10, 1_000_000],
    [20, 200_000],
    [1e4, 200_000],
  ] as const) {
    it(`mean ${mean}: chi-square against the exact pmf, and moments`, () => {
      const rng = createRng(Math.round(40 + 1000 * mean));
      const x = draws(n, () => poisson(rng, mean));
      expect(x.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
      expectMoments(x, mean, mean, mean * (1 + 3 * mean));
      const kMax = Math.ceil(mean + 12 * Math.sqrt(mean) + 20);
      const pmf = poissonPmf(mean, kMax);
      const res = chiSquare(histogram(x, kMax), pmf, n);
      expect(res.z, `chi2 = ${res.chi2.toFixed(1)} on ${res.dof} dof`).toBeLessThan(4);
    });
  }

  it('mean 1e9: moments and the distribution against scipy CDF values', () => {
    const mean = 1e9;
    const n = 200_000;
    const rng = createRng(1e9);
    const x = draws(n, () => poisson(rng, mean));
    expect(x.every((k) => Number.isInteger(k))).toBe(true);
    expectMoments(x, mean, mean, mean * (1 + 3 * mean));
    // P(K <= edge) from scipy.stats.poisson.cdf(edge, 1e9).
    const edges = [999920943, 999952565, 999976282, 1000000000, 1000023717, 1000047434, 1000079056];
    const cdf = [
      0.0062094250346279274, 0.06680497551806877, 0.22662407049341518, 0.500008410441739,
      0.7733773181718835, 0.9331933179214915, 0.9937896049307342,
    ];
    const probs = cdf
      .map((c, i) => c - (i > 0 ? cdf[i - 1]! : 0))
      .concat([1 - cdf[cdf.length - 1]!]);
    const counts = new Float64Array(edges.length + 1);
    for (const k of x) {
      let b = 0;
      while (b < edges.length && k > edges[b]!) b++;
      counts[b]!++;
    }
    expect(chiSquare(counts, probs, n).z).toBeLessThan(4);
  });

  it('the log-pmf used for rejection is accurate at large counts', () => {
    // Reference: Stirling series for log(k!) to many terms in a numerically stable form.
    const lf = logFactorials(20_000);
    for (const [k, mean] of [
      [0, 3],
      [5, 3],
      [10_000, 10_000],
      [19_000, 18_000.5],
    ]) {
      const ref = -mean + k * Math.log(mean) - lf[k]!;
      expect(poissonLogPmf(k, mean)).toBeCloseTo(ref, 8);
    }
    // Binomial: log C(n, k) p^k q^(n-k) from log-factorials.
    for (const [k, n, p] of [
      [3, 20, 0.3],
      [300, 1000, 0.3],
      [9_000, 20_000, 0.45],
      [0, 50, 0.2],
      [50, 50, 0.2],
    ]) {
      const ref = lf[n]! - lf[k]! - lf[n - k]! + k * Math.log(p) + (n - k) * Math.log1p(-p);
      expect(binomialLogPmf(k, n, p)).toBeCloseTo(ref, 8);
    }
  });

  it('poissonNoise adds shot noise to a model curve', () => {
    const model = Float64Array.from(
      { length: 20_000 },
      (_, i) => 5000 * Math.exp(-i / 3000) + (i % 7),
    );
    model[0] = 0;
    const a = poissonNoise(createRng(5), model);
    const b = poissonNoise(createRng(5), model);
    expect(a).toEqual(b);
    expect(a[0]).toBe(0);
    // Pearson residuals (k - m) / sqrt(m) have mean 0 and variance 1.
    const z = Float64Array.from(model.subarray(1), (m, i) => (a[i + 1]! - m) / Math.sqrt(m));
    const { zMean, zVar } = momentZ(z, 0, 1, 3);
    expect(Math.abs(zMean)).toBeLessThan(5);
    expect(Math.abs(zVar)).toBeLessThan(6); // mu4 of a Poisson residual is 3 + 1/m, slightly above 3
  });
});

describe('binomial', () => {
  function binomialPmf(n: number, p: number): Float64Array {
    const lf = logFactorials(n);
    return Float64Array.from(lf, (_, k) =>
      Math.exp(lf[n]! - lf[k]! - lf[n - k]! + k * Math.log(p) + (n - k) * Math.log1p(-p)),
    );
  }
  for (const [n, p] of [
    [20, 0.3],
    [1000, 0.3],
    [200, 0.5],
    [25, 0.45],
    [1000, 0.011],
    [100_000, 0.9],
    [30, 0.995],
  ] as const) {
    it(`n = ${n}, p = ${p}: chi-square against the exact pmf, and moments`, () => {
      const rng = createRng(Math.round(n + 1000 * p));
      // Near the BTRS threshold n min(p, q) = 10 most draws need the exact rejection step: use more.
      const N = n * Math.min(p, 1 - p) < 15 ? 1_000_000 : 200_000;
      const x = draws(N, () => binomial(rng, n, p));
      expect(x.every((k) => Number.isInteger(k) && k >= 0 && k <= n)).toBe(true);
      const q = 1 - p;
      expectMoments(x, n * p, n * p * q, n * p * q * (1 + 3 * (n - 2) * p * q));
      const res = chiSquare(histogram(x, n), binomialPmf(n, p), N);
      expect(res.z, `chi2 = ${res.chi2.toFixed(1)} on ${res.dof} dof`).toBeLessThan(4);
    });
  }

  it('huge n with tiny and with moderate p (1e9 trials)', () => {
    const rng = createRng(77);
    const n = 1e9;
    for (const p of [4e-9, 0.25]) {
      const x = draws(100_000, () => binomial(rng, n, p));
      expect(x.every((k) => Number.isInteger(k) && k >= 0 && k <= n)).toBe(true);
      const q = 1 - p;
      expectMoments(x, n * p, n * p * q, n * p * q * (1 + 3 * (n - 2) * p * q));
    }
  });

  it('edge cases: n = 0, p = 0, p = 1', () => {
    const rng = createRng(1);
    expect(binomial(rng, 0, 0.5)).toBe(0);
    expect(binomial(rng, 10, 0)).toBe(0);
    expect(binomial(rng, 10, 1)).toBe(10);
  });
});

describe('power laws', () => {
  it('unbounded powerLaw matches the CDF 1 - (t/tMin)^(1-alpha)', () => {
    const rng = createRng(51);
    const [alpha, tMin] = [1.6, 1e-3];
    const x = draws(200_000, () => powerLaw(rng, alpha, tMin));
    expect(minOf(x)).toBeGreaterThanOrEqual(tMin);
    expect(ksStatistic(x, (t) => 1 - (t / tMin) ** (1 - alpha))).toBeLessThan(KS_LIMIT);
    // Mean exists for alpha > 2: check with alpha = 3.5, mean = tMin (alpha-1)/(alpha-2).
    const y = draws(200_000, () => powerLaw(rng, 3.5, 2));
    const m = 2 * (2.5 / 1.5);
    const variance = 4 * (2.5 / 0.5) - m * m;
    const se = Math.sqrt(variance / y.length);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    expect(Math.abs(mean - m)).toBeLessThan(5 * se);
  });

  for (const alpha of [1.2, 1, 0.5, 3 + 1e-13]) {
    it(`bounded powerLaw on [tMin, tMax] with alpha = ${alpha}`, () => {
      const rng = createRng(52);
      const [tMin, tMax] = [1e-3, 100];
      const x = draws(100_000, () => powerLaw(rng, alpha, tMin, tMax));
      expect(minOf(x)).toBeGreaterThanOrEqual(tMin);
      expect(maxOf(x)).toBeLessThanOrEqual(tMax);
      const g = 1 - alpha;
      const cdf =
        alpha === 1
          ? (t: number) => Math.log(t / tMin) / Math.log(tMax / tMin)
          : (t: number) => (t ** g - tMin ** g) / (tMax ** g - tMin ** g);
      expect(ksStatistic(x, cdf)).toBeLessThan(KS_LIMIT);
    });
  }

  /** CDF of t^-alpha exp(-t/tc) on [tMin, ∞) by numerical integration on a log grid. */
  function truncatedCdf(alpha: number, tMin: number, tc: number): (t: number) => number {
    const sMax = Math.log((tMin + 60 * tc) / tMin);
    const m = 200_000;
    const h = sMax / m;
    const dens = (s: number) => Math.exp(s * (1 - alpha) - (tMin * Math.expm1(s)) / tc);
    const cum = new Float64Array(m + 1);
    for (let i = 1; i <= m; i++) cum[i] = cum[i - 1]! + 0.5 * h * (dens((i - 1) * h) + dens(i * h));
    const total = cum[m]!;
    return (t: number) => {
      const s = Math.log(t / tMin) / h;
      if (s >= m) return 1;
      const i = Math.floor(s);
      const f = s - i;
      return (cum[i]! * (1 - f) + cum[i + 1]! * f) / total;
    };
  }

  for (const [alpha, tMin, tc] of [
    [1.5, 1e-3, 0.2], // blinking: cut-off far above tMin
    [2.0, 1, 0.3], // cut-off below tMin: exponential envelope only
    [0.5, 0.01, 1], // alpha < 1 is normalisable with the cut-off
    [0, 1, 2], // shifted exponential
    [4, 1e-2, 1e-2], // tc = tMin
  ] as const) {
    it(`truncatedPowerLaw alpha = ${alpha}, tMin = ${tMin}, tc = ${tc} matches the numerical CDF`, () => {
      const rng = createRng(53);
      const x = draws(100_000, () => truncatedPowerLaw(rng, alpha, tMin, tc));
      expect(minOf(x)).toBeGreaterThanOrEqual(tMin);
      expect(ksStatistic(x, truncatedCdf(alpha, tMin, tc))).toBeLessThan(KS_LIMIT);
    });
  }

  it('truncatedPowerLaw with tc = Infinity is the plain power law', () => {
    const a = draws(
      10,
      (
        (r) => () =>
          truncatedPowerLaw(r, 1.7, 2, Infinity)
      )(createRng(8)),
    );
    const b = draws(
      10,
      (
        (r) => () =>
          powerLaw(r, 1.7, 2)
      )(createRng(8)),
    );
    expect(a).toEqual(b);
  });
});

describe('categorical', () => {
  it('categorical and categoricalSampler follow the weights; zero weights never come up', () => {
    const weights = [0.7, 0.2, 0, 0.1];
    const n = 100_000;
    const draw = categoricalSampler(weights);
    for (const f of [(r: ReturnType<typeof createRng>) => categorical(r, weights), draw]) {
      const rng = createRng(61);
      const h = new Float64Array(4);
      for (let i = 0; i < n; i++) h[f(rng)]!++;
      expect(h[2]).toBe(0);
      expect(chiSquare([h[0]!, h[1]!, h[3]!], [0.7, 0.2, 0.1], n).z).toBeLessThan(4);
    }
    const many = Array.from({ length: 50 }, (_, i) => i + 1);
    const total = many.reduce((s, v) => s + v, 0);
    const rng = createRng(62);
    const h = new Float64Array(50);
    for (let i = 0; i < n; i++) h[categoricalSampler(many)(rng)]!++;
    expect(
      chiSquare(
        h,
        many.map((w) => w / total),
        n,
      ).z,
    ).toBeLessThan(4);
  });
});

describe('bad inputs throw InvalidInputError', () => {
  const rng = createRng(1);
  const cases: Array<[string, () => unknown]> = [
    ['negative Poisson mean', () => poisson(rng, -1)],
    ['NaN Poisson mean', () => poisson(rng, NaN)],
    ['infinite Poisson mean', () => poisson(rng, Infinity)],
    ['negative element of poissonNoise', () => poissonNoise(rng, [1, 2, -3])],
    ['binomial p > 1', () => binomial(rng, 10, 1.5)],
    ['binomial p NaN', () => binomial(rng, 10, NaN)],
    ['binomial non-integer n', () => binomial(rng, 10.5, 0.5)],
    ['binomial negative n', () => binomial(rng, -1, 0.5)],
    ['normal negative sd', () => normal(rng, 0, -1)],
    ['normal NaN mean', () => normal(rng, NaN, 1)],
    ['exponential rate 0', () => exponential(rng, 0)],
    ['exponential NaN rate', () => exponential(rng, NaN)],
    ['uniform b < a', () => uniform(rng, 2, 1)],
    ['uniform NaN', () => uniform(rng, NaN, 1)],
    ['integer min > max', () => integer(rng, 3, 2)],
    ['integer non-integer', () => integer(rng, 0, 2.5)],
    ['powerLaw alpha <= 1 without tMax', () => powerLaw(rng, 1, 1)],
    ['powerLaw alpha < 1 without tMax', () => powerLaw(rng, 0.5, 1)],
    ['powerLaw NaN alpha', () => powerLaw(rng, NaN, 1, 10)],
    ['powerLaw tMin <= 0', () => powerLaw(rng, 2, 0)],
    ['powerLaw tMax <= tMin', () => powerLaw(rng, 2, 1, 1)],
    ['powerLaw NaN tMax', () => powerLaw(rng, 2, 1, NaN)],
    ['truncatedPowerLaw negative alpha', () => truncatedPowerLaw(rng, -1, 1, 1)],
    ['truncatedPowerLaw tc <= 0', () => truncatedPowerLaw(rng, 1.5, 1, 0)],
    ['truncatedPowerLaw NaN tc', () => truncatedPowerLaw(rng, 1.5, 1, NaN)],
    [
      'truncatedPowerLaw alpha <= 1 and tc = Infinity',
      () => truncatedPowerLaw(rng, 1, 1, Infinity),
    ],
    ['categorical empty', () => categorical(rng, [])],
    ['categorical negative weight', () => categorical(rng, [1, -1])],
    ['categorical all zero', () => categoricalSampler([0, 0])],
    ['fillNormal negative sd', () => fillNormal(rng, new Float64Array(2), 0, -1)],
  ];
  for (const [name, f] of cases) {
    it(name, () => expect(f).toThrow(InvalidInputError));
  }
  it('messages name the function and parameter', () => {
    expect(() => poisson(rng, -1)).toThrow(/poisson: Poisson mean must be .* got -1/);
    expect(() => poissonNoise(rng, [1, -3])).toThrow(/element 1/);
    expect(() => powerLaw(rng, 1, 1)).toThrow(/alpha must be > 1 for an unbounded power law/);
  });
});
