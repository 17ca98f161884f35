/**
 * Small statistics helpers for the sampler tests (independent of the code under test).
 */

/** Sample mean and (unbiased) variance. */
export function moments(x: ArrayLike<number>): { mean: number; variance: number } {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - m) ** 2;
  return { mean: m, variance: v / (x.length - 1) };
}

/**
 * How many standard errors the sample mean and variance are away from the truth. `mu4` is the
 * fourth central moment (sets the standard error of the variance).
 */
export function momentZ(
  x: ArrayLike<number>,
  mean: number,
  variance: number,
  mu4: number,
): { zMean: number; zVar: number } {
  const n = x.length;
  const s = moments(x);
  return {
    zMean: (s.mean - mean) / Math.sqrt(variance / n),
    zVar: (s.variance - variance) / Math.sqrt((mu4 - variance * variance) / n),
  };
}

/**
 * Chi-square statistic for observed counts against expected probabilities (bins are merged
 * from the left until every expected count is >= minExpected), and its Wilson-Hilferty z-score
 * (z > 4 means p < 3e-5).
 */
export function chiSquare(
  observed: ArrayLike<number>,
  probs: ArrayLike<number>,
  n: number,
  minExpected = 20,
): { chi2: number; dof: number; z: number } {
  const obs: number[] = [];
  const exp: number[] = [];
  let o = 0;
  let e = 0;
  for (let i = 0; i < probs.length; i++) {
    o += observed[i]!;
    e += probs[i]! * n;
    if (e >= minExpected) {
      obs.push(o);
      exp.push(e);
      o = 0;
      e = 0;
    }
  }
  if (exp.length > 0) {
    obs[obs.length - 1]! += o;
    exp[exp.length - 1]! += e;
  }
  let chi2 = 0;
  for (let i = 0; i < exp.length; i++) chi2 += (obs[i]! - exp[i]!) ** 2 / exp[i]!;
  const k = exp.length - 1;
  const z = (Math.cbrt(chi2 / k) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
  return { chi2, dof: k, z };
}

/** Kolmogorov-Smirnov statistic sqrt(n) * D of samples against a continuous CDF. */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const x = Float64Array.from(samples).sort();
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(x[i]!);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return Math.sqrt(n) * d;
}
/** sqrt(n) D above this has p < ~1e-4 under the null hypothesis. */
export const KS_LIMIT = 2.2;

/** erfc with relative error < 1.2e-7 (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** log(k!) for k = 0..kMax by summing logs. */
export function logFactorials(kMax: number): Float64Array {
  const out = new Float64Array(kMax + 1);
  for (let k = 1; k <= kMax; k++) out[k] = out[k - 1]! + Math.log(k);
  return out;
}
