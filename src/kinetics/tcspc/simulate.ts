/**
 * `simulateDecay`: a TCSPC histogram from a known decay, IRF and background, with Poisson noise,
 * computed with the same bin-integrated model that `fitDecay` fits.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { logGamma } from '../../fit/special.js';
import { poissonNoise } from '../../random/poisson.js';
import { createRng } from '../../random/rng.js';
import { prepareIrf } from './irf.js';
import { DecayModel, type DecayTermKind, type ModelIrf } from './model.js';
import type { SimulateDecayOptions, SimulatedDecay } from './types.js';

/**
 * Simulates a TCSPC decay: components (lifetime and photon fraction or relative amplitude; a
 * `beta` makes a component a stretched exponential, listed first), reconvolved with a measured
 * IRF (counts on the same bins; its background is estimated and removed as in `fitDecay`) or a
 * Gaussian IRF, scaled so that `totalCounts` decay photons are expected over the histogram, plus a
 * constant `background` per bin; then Poisson noise from the seeded generator. Returns the counts,
 * the noise-free expectation and the true parameters under the names `fitDecay` uses.
 *
 * @example
 * const sim = simulateDecay({
 *   components: [{ tauNs: 0.48, photonFraction: 0.42 }, { tauNs: 52, photonFraction: 0.58 }],
 *   gaussianIrf: { fwhmNs: 0.1, centerNs: 2 }, background: 1, totalCounts: 1e5, binNs: 0.05, nBins: 4096, seed: 1,
 * });
 */
export function simulateDecay(options: SimulateDecayOptions): SimulatedDecay {
  const { components, binNs, nBins, totalCounts, seed } = options;
  if (!Array.isArray(components) || components.length === 0)
    throw new InvalidInputError('simulateDecay: give at least one component');
  if (!(binNs > 0) || !Number.isFinite(binNs))
    throw new InvalidInputError(`simulateDecay: binNs must be positive, got ${binNs}`);
  if (!Number.isInteger(nBins) || nBins < 2)
    throw new InvalidInputError(`simulateDecay: nBins must be an integer >= 2, got ${nBins}`);
  if (!(totalCounts >= 0) || !Number.isFinite(totalCounts))
    throw new InvalidInputError(`simulateDecay: totalCounts must be >= 0, got ${totalCounts}`);
  if (!Number.isSafeInteger(seed))
    throw new InvalidInputError(`simulateDecay: seed must be an integer, got ${seed}`);
  const bg = options.background ?? 0;
  if (!(bg >= 0) || !Number.isFinite(bg))
    throw new InvalidInputError(`simulateDecay: background must be >= 0 counts per bin, got ${bg}`);
  const stretched = components.filter((c) => c.beta !== undefined);
  if (stretched.length > 1 || (stretched.length === 1 && components[0]!.beta === undefined)) {
    throw new InvalidInputError(
      'simulateDecay: at most one stretched component (with beta), listed first',
    );
  }
  const useFraction = components.every((c) => c.photonFraction !== undefined);
  const useAmplitude = components.every((c) => c.amplitude !== undefined);
  if (!useFraction && !useAmplitude) {
    throw new InvalidInputError(
      'simulateDecay: give every component a photonFraction, or every component an amplitude',
    );
  }
  components.forEach((c, i) => {
    if (!(c.tauNs > 0) || !Number.isFinite(c.tauNs))
      throw new InvalidInputError(
        `simulateDecay: component ${i + 1} needs tauNs > 0, got ${c.tauNs}`,
      );
    const w = useFraction ? c.photonFraction! : c.amplitude!;
    if (!(w >= 0) || !Number.isFinite(w))
      throw new InvalidInputError(
        `simulateDecay: component ${i + 1} has a negative or non-finite weight (${w})`,
      );
    if (c.beta !== undefined && !(c.beta > 0 && c.beta <= 2))
      throw new InvalidInputError(`simulateDecay: beta must be in (0, 2], got ${c.beta}`);
  });
  let irf: ModelIrf;
  let shift: number;
  if (options.irf !== undefined && options.gaussianIrf !== undefined)
    throw new InvalidInputError('simulateDecay: give irf or gaussianIrf, not both');
  if (options.irf !== undefined) {
    if (options.irf.length > nBins)
      throw new InvalidInputError(
        `simulateDecay: the IRF (${options.irf.length} bins) is longer than the decay (${nBins} bins)`,
      );
    const p = prepareIrf(options.irf, binNs, { nBins });
    irf = { kind: 'measured', irf: p.irf, support: p.support };
    shift = options.shiftNs ?? 0;
  } else if (options.gaussianIrf !== undefined) {
    irf = { kind: 'gaussian', fwhmNs: options.gaussianIrf.fwhmNs };
    shift = options.gaussianIrf.centerNs;
  } else
    throw new InvalidInputError(
      'simulateDecay: give irf (counts on the decay bins) or gaussianIrf: { fwhmNs, centerNs }',
    );
  const terms: DecayTermKind[] = components.map((c) =>
    c.beta !== undefined ? 'stretched' : 'exp',
  );
  const model = new DecayModel({
    nBins,
    binNs,
    irf,
    terms,
    ...(options.repetitionPeriodNs ? { repetitionPeriodNs: options.repetitionPeriodNs } : {}),
  });
  // relative amplitudes: photon fraction f_k = a_k I_k / sum a I  =>  a_k proportional to f_k / I_k
  const integral = (c: (typeof components)[number]): number =>
    c.beta === undefined ? c.tauNs : (c.tauNs * Math.exp(logGamma(1 / c.beta))) / c.beta;
  const rel = components.map((c) => (useFraction ? c.photonFraction! / integral(c) : c.amplitude!));
  const p = new Float64Array(model.params.length);
  components.forEach((c, k) => {
    const o = model.offsets[k]!;
    p[o] = rel[k]!;
    p[o + 1] = c.tauNs;
    if (c.beta !== undefined) p[o + 2] = c.beta;
  });
  p[model.bgIndex] = 0;
  p[model.shiftIndex] = shift;
  const unit = model.evaluateFull(p);
  let sum = 0;
  for (let i = 0; i < nBins; i++) sum += unit[i]!;
  const scale = sum > 0 ? totalCounts / sum : 0;
  components.forEach((_, k) => (p[model.offsets[k]!]! *= scale));
  p[model.bgIndex] = bg;
  const expected = Float64Array.from(model.evaluateFull(p));
  const counts = poissonNoise(createRng(seed), expected);
  const truth: Record<string, number> = {};
  model.params.forEach((name, j) => (truth[name] = p[j]!));
  let norm = 0;
  const ai = components.map((c, k) => p[model.offsets[k]!]! * integral(c));
  for (const v of ai) norm += v;
  return {
    timeNs: Float64Array.from({ length: nBins }, (_, i) => i * binNs),
    counts,
    expected,
    binNs,
    truth,
    photonFractions: ai.map((v) => (norm > 0 ? v / norm : 0)),
    seed,
  };
}
