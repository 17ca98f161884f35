/**
 * Accurate log-probabilities of the Poisson and binomial distributions at any size (C. Loader,
 * "Fast and accurate computation of binomial probabilities", 2000): the Stirling-series error
 * term `stirlingError` and the deviance term `bd0` are computed without the catastrophic
 * cancellation of `k log(mu) - mu - lgamma(k + 1)` at large counts. Used by the exact rejection
 * samplers in `poisson.ts` and `binomial.ts`. Internal module.
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** stirlingError(n) = log(n!) - [(n + 1/2) log n - n + log(2 pi)/2] for integers 0 < n <= 15. */
const STIRLING_TABLE: number[] = (() => {
  const t = [0];
  let logFact = 0;
  for (let n = 1; n <= 15; n++) {
    logFact += Math.log(n);
    t.push(logFact - ((n + 0.5) * Math.log(n) - n + HALF_LOG_2PI));
  }
  return t;
})();

const S0 = 1 / 12;
const S1 = 1 / 360;
const S2 = 1 / 1260;
const S3 = 1 / 1680;
const S4 = 1 / 1188;

/**
 * Error of Stirling's formula for log(n!), n a positive integer.
 * @example
 * stirlingError(20); // log(20!) minus Stirling's formula, about 1/(12*20)
 */
export function stirlingError(n: number): number {
  if (n <= 15) return STIRLING_TABLE[n]!;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/**
 * Deviance term bd0(x, np) = x log(x / np) + np - x, accurate when x is close to np.
 * @example
 * bd0(105, 100); // 105 log(1.05) - 5, without cancellation
 */
export function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    const v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    const v2 = v * v;
    for (let j = 1; j < 1000; j++) {
      ej *= v2;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}

/**
 * log P(K = k) for K ~ Poisson(mean), k a non-negative integer, mean > 0.
 * @example
 * Math.exp(poissonLogPmf(2, 3)); // 9 e^-3 / 2 = 0.224
 */
export function poissonLogPmf(k: number, mean: number): number {
  if (k === 0) return -mean;
  return -stirlingError(k) - bd0(k, mean) - 0.5 * Math.log(k) - HALF_LOG_2PI;
}

/**
 * log P(K = k) for K ~ Binomial(n, p), integers 0 <= k <= n, 0 < p < 1.
 * @example
 * Math.exp(binomialLogPmf(1, 2, 0.5)); // 0.5
 */
export function binomialLogPmf(k: number, n: number, p: number): number {
  const q = 1 - p;
  if (k === 0) return n * Math.log1p(-p);
  if (k === n) return n * Math.log(p);
  const lc =
    stirlingError(n) - stirlingError(k) - stirlingError(n - k) - bd0(k, n * p) - bd0(n - k, n * q);
  return lc + 0.5 * Math.log(n / (k * (n - k))) - HALF_LOG_2PI;
}
