/**
 * fitDecay: simulate-then-recover round trips (measured and Gaussian IRFs, 1-3 exponentials,
 * stretched exponential, power-law tail, pile-up from previous pulses), honest standard errors
 * (coverage over 100 repeats), model selection, the numbers of papers 001 and 004, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { logGamma } from '../../src/fit/special.js';
import { poissonNoise } from '../../src/random/poisson.js';
import { createRng } from '../../src/random/rng.js';
import {
  DecayModel,
  fitDecay,
  prepareIrf,
  simulateDecay,
  type DecayFitResult,
} from '../../src/kinetics/tcspc/index.js';

/** A measured-looking IRF: Gaussian core, a diffusion tail, dark counts. */
function measuredIrf(n: number, dt: number, centerNs: number, peak = 2e4): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const t = (i + 0.5) * dt;
    return (
      15 +
      peak * Math.exp(-0.5 * ((t - centerNs) / 0.06) ** 2) +
      (t > centerNs ? 0.03 * peak * Math.exp(-(t - centerNs) / 0.25) : 0)
    );
  });
}

/** |fit - truth| / stderr for a component's lifetime, by lifetime order. */
function zTau(r: DecayFitResult, k: number, truth: number): number {
  const c = r.components[k]!;
  expect(c.tauNsStderr).not.toBeNull();
  return Math.abs(c.tauNs - truth) / c.tauNsStderr!;
}

describe('round trips', () => {
  it('two exponentials reconvolved with a noisy measured IRF: lifetimes, amplitudes, fractions, background and shift within 3 stderr', () => {
    const n = 1024;
    const dt = 0.02;
    const irfTrue = measuredIrf(n, dt, 1.5);
    const irfMeasured = poissonNoise(createRng(11), irfTrue);
    const sim = simulateDecay({
      components: [
        { tauNs: 0.6, photonFraction: 0.35 },
        { tauNs: 3.2, photonFraction: 0.65 },
      ],
      irf: irfTrue,
      shiftNs: 0.053,
      background: 1.5,
      totalCounts: 2e5,
      binNs: dt,
      nBins: n,
      seed: 4,
    });
    const r = fitDecay(
      { t: sim.timeNs, counts: sim.counts },
      { irf: { t: sim.timeNs, counts: irfMeasured }, components: 2 },
    );
    expect(r.converged).toBe(true);
    expect(r.components.map((c) => c.kind)).toEqual(['exp', 'exp']);
    expect(zTau(r, 0, 0.6)).toBeLessThan(3);
    expect(zTau(r, 1, 3.2)).toBeLessThan(3);
    const [c1, c2] = r.components;
    expect(Math.abs(c1!.amplitude - sim.truth.a1!) / c1!.amplitudeStderr!).toBeLessThan(3);
    expect(Math.abs(c2!.amplitude - sim.truth.a2!) / c2!.amplitudeStderr!).toBeLessThan(3);
    expect(Math.abs(c1!.photonFraction - 0.35) / c1!.photonFractionStderr!).toBeLessThan(3);
    expect(c1!.photonFraction + c2!.photonFraction).toBeCloseTo(1, 12);
    expect(c1!.photonFractionStderr).toBeCloseTo(c2!.photonFractionStderr!, 10);
    expect(Math.abs(r.background.value - 1.5) / r.background.stderr!).toBeLessThan(3);
    expect(Math.abs(r.shiftNs!.value - 0.053) / r.shiftNs!.stderr!).toBeLessThan(3);
    expect(r.irfCenterNs).toBeNull();
    // mean lifetimes and their propagated errors
    const aw = (sim.truth.a1! * 0.6 + sim.truth.a2! * 3.2) / (sim.truth.a1! + sim.truth.a2!);
    const iw = 0.35 * 0.6 + 0.65 * 3.2;
    expect(
      Math.abs(r.meanLifetimeNs.amplitudeWeighted.value - aw) /
        r.meanLifetimeNs.amplitudeWeighted.stderr!,
    ).toBeLessThan(3);
    expect(
      Math.abs(r.meanLifetimeNs.intensityWeighted.value - iw) /
        r.meanLifetimeNs.intensityWeighted.stderr!,
    ).toBeLessThan(3);
    expect(r.meanLifetimeNs.intensityWeighted.unit).toBe('ns');
    // fit statistics of a correct model: Pearson chi2 per degree of freedom near 1
    expect(r.reducedChi2).toBeGreaterThan(0.85);
    expect(r.reducedChi2).toBeLessThan(1.15);
    // fitted in groups of bins finer than a third of the IRF (exact summed model)
    expect(r.groupBins).toBeGreaterThanOrEqual(1);
    expect(r.residuals.pearson.length).toBe(Math.ceil(n / r.groupBins));
    expect(r.best.length).toBe(r.counts.length);
    expect(r.nData).toBe(r.counts.length);
    expect(r.warnings).toEqual([]);
  });

  it('a Gaussian IRF with least squares as well as Poisson maximum likelihood', () => {
    const sim = simulateDecay({
      components: [{ tauNs: 1.7, photonFraction: 1 }],
      gaussianIrf: { fwhmNs: 0.25, centerNs: 2.3 },
      background: 3,
      totalCounts: 5e5,
      binNs: 0.025,
      nBins: 800,
      seed: 2,
    });
    for (const method of ['poisson', 'least-squares'] as const) {
      const r = fitDecay(
        { t: sim.timeNs, counts: sim.counts },
        { gaussianIrf: { fwhmNs: 0.25 }, method },
      );
      expect(r.method).toBe(method);
      expect(r.converged).toBe(true);
      expect(zTau(r, 0, 1.7)).toBeLessThan(3);
      expect(Math.abs(r.irfCenterNs!.value - 2.3) / r.irfCenterNs!.stderr!).toBeLessThan(3);
      expect(r.shiftNs).toBeNull();
      expect(r.components[0]!.photonFraction).toBe(1);
    }
  });

  it('a stretched exponential: tau and beta within 3 stderr', () => {
    const sim = simulateDecay({
      components: [{ tauNs: 2.0, beta: 0.6, amplitude: 1 }],
      gaussianIrf: { fwhmNs: 0.15, centerNs: 1.0 },
      background: 1,
      totalCounts: 3e5,
      binNs: 0.04,
      nBins: 1000,
      seed: 8,
    });
    const r = fitDecay(
      { t: sim.timeNs, counts: sim.counts },
      { gaussianIrf: { fwhmNs: 0.15 }, kind: 'stretched' },
    );
    expect(r.converged).toBe(true);
    const c = r.components[0]!;
    expect(c.kind).toBe('stretched');
    expect(zTau(r, 0, 2.0)).toBeLessThan(3);
    expect(Math.abs(c.beta! - 0.6) / c.betaStderr!).toBeLessThan(3);
    // mean lifetime of a stretched exponential: tau Gamma(1/beta) / beta
    const mean = (2 * Math.exp(logGamma(1 / 0.6))) / 0.6;
    const m = r.meanLifetimeNs.amplitudeWeighted;
    expect(Math.abs(m.value - mean) / m.stderr!).toBeLessThan(3);
  });

  it('an exponential with a power-law tail: all parameters within 3 stderr', () => {
    const n = 1500;
    const dt = 0.02;
    const model = new DecayModel({
      nBins: n,
      binNs: dt,
      irf: { kind: 'gaussian', fwhmNs: 0.12 },
      terms: ['exp', 'power'],
    });
    // enough counts (~3e5) for the tail's onset and exponent to be determined
    const truth = [8000, 0.5, 1500, 0.4, 1.9, 3, 1.2];
    const counts = poissonNoise(createRng(3), model.evaluateFull(truth));
    const t = Float64Array.from({ length: n }, (_, i) => i * dt);
    const r = fitDecay(
      { t, counts },
      { gaussianIrf: { fwhmNs: 0.12 }, kind: 'power-tail', components: 1 },
    );
    expect(r.converged).toBe(true);
    expect(r.components.map((c) => c.kind)).toEqual(['exp', 'power-law']);
    expect(zTau(r, 0, 0.5)).toBeLessThan(3);
    expect(zTau(r, 1, 0.4)).toBeLessThan(3);
    expect(Math.abs(r.components[1]!.alpha! - 1.9) / r.components[1]!.alphaStderr!).toBeLessThan(3);
  });

  it('fixed lifetimes stay fixed (a component held at 7.5 ns, as paper 001 does for its TA fits)', () => {
    const sim = simulateDecay({
      components: [
        { tauNs: 0.25, photonFraction: 0.2 },
        { tauNs: 0.83, photonFraction: 0.3 },
        { tauNs: 7.5, photonFraction: 0.5 },
      ],
      gaussianIrf: { fwhmNs: 0.1, centerNs: 0.5 },
      background: 0.5,
      totalCounts: 1e6,
      binNs: 0.01,
      nBins: 3000,
      seed: 21,
    });
    const r = fitDecay(
      { t: sim.timeNs, counts: sim.counts },
      { gaussianIrf: { fwhmNs: 0.1 }, components: 3, fixTauNs: [null, null, 7.5] },
    );
    expect(r.converged).toBe(true);
    expect(r.components[2]!.tauNs).toBe(7.5);
    expect(r.components[2]!.tauNsStderr).toBeNull();
    expect(zTau(r, 0, 0.25)).toBeLessThan(3);
    expect(zTau(r, 1, 0.83)).toBeLessThan(3);
  });
});

describe('honest standard errors', () => {
  it('over 100 small decays (3000 counts), about 68 % of lifetimes fall within 1 stderr and 95 % within 2', () => {
    let in1 = 0;
    let in2 = 0;
    let inFrac = 0;
    const reps = 100;
    for (let k = 0; k < reps; k++) {
      const sim = simulateDecay({
        components: [
          { tauNs: 0.7, photonFraction: 0.5 },
          { tauNs: 3, photonFraction: 0.5 },
        ],
        gaussianIrf: { fwhmNs: 0.2, centerNs: 1 },
        background: 0.5,
        totalCounts: 3000,
        binNs: 0.05,
        nBins: 256,
        seed: 1000 + k,
      });
      const r = fitDecay(
        { t: sim.timeNs, counts: sim.counts },
        { gaussianIrf: { fwhmNs: 0.2, centerNs: 1 }, components: 2 },
      );
      const c = r.components[1]!;
      const z = (c.tauNs - 3) / (c.tauNsStderr ?? Infinity);
      if (Math.abs(z) < 1) in1++;
      if (Math.abs(z) < 2) in2++;
      const zf =
        (r.components[0]!.photonFraction - 0.5) /
        (r.components[0]!.photonFractionStderr ?? Infinity);
      if (Math.abs(zf) < 2) inFrac++;
    }
    console.log(
      `coverage over ${reps} decays: |z| < 1 ${in1} %, |z| < 2 ${in2} %, photon fraction |z| < 2 ${inFrac} %`,
    );
    expect(in1).toBeGreaterThanOrEqual(55);
    expect(in1).toBeLessThanOrEqual(82);
    expect(in2).toBeGreaterThanOrEqual(88);
    expect(inFrac).toBeGreaterThanOrEqual(88);
  });
});

describe('choosing the number of components', () => {
  it('auto picks 2 for a bi-exponential decay and 1 for a mono-exponential one, and reports the candidates', () => {
    const common = {
      gaussianIrf: { fwhmNs: 0.12, centerNs: 1 },
      background: 1,
      totalCounts: 2e5,
      binNs: 0.02,
      nBins: 1000,
    };
    const bi = simulateDecay({
      ...common,
      components: [
        { tauNs: 0.4, photonFraction: 0.5 },
        { tauNs: 2.5, photonFraction: 0.5 },
      ],
      seed: 5,
    });
    const mono = simulateDecay({
      ...common,
      components: [{ tauNs: 1.5, photonFraction: 1 }],
      seed: 6,
    });
    const rb = fitDecay(
      { t: bi.timeNs, counts: bi.counts },
      { gaussianIrf: { fwhmNs: 0.12 }, components: 'auto' },
    );
    const rm = fitDecay(
      { t: mono.timeNs, counts: mono.counts },
      { gaussianIrf: { fwhmNs: 0.12 }, components: 'auto' },
    );
    expect(rb.components).toHaveLength(2);
    expect(rm.components).toHaveLength(1);
    expect(rb.selectedBy).toBe('bic');
    expect(rb.candidates!.map((c) => c.components)).toEqual([1, 2, 3]);
    const bics = rb.candidates!.map((c) => c.bic);
    expect(bics[1]).toBeLessThan(bics[0]!);
    expect(bics[1]).toBeLessThan(bics[2]!);
    expect(rm.candidates!.map((c) => c.components)).toEqual([1, 2]);
    expect(zTau(rm, 0, 1.5)).toBeLessThan(3);
  });
});

describe('paper 004: bright and dark excitons of 5 nm CsPbBr3 at 10 K', () => {
  // tau_B = 480 ps, tau_D = 52 ns; 58 % of the photons from the dark state, 42 % from the bright one
  const period = 100; // 10 MHz: the 52 ns decay has not died out when the next pulse arrives
  const sim = simulateDecay({
    components: [
      { tauNs: 0.48, photonFraction: 0.42 },
      { tauNs: 52, photonFraction: 0.58 },
    ],
    gaussianIrf: { fwhmNs: 0.1, centerNs: 5 },
    background: 0.3,
    totalCounts: 3e5,
    binNs: 0.025,
    nBins: 4000,
    repetitionPeriodNs: period,
    seed: 40,
  });
  it('recovers 480 ps / 52 ns and the 42 % / 58 % photon split with the pile-up of previous pulses', () => {
    const r = fitDecay(
      { t: sim.timeNs, counts: sim.counts },
      { gaussianIrf: { fwhmNs: 0.1 }, components: 2, repetitionPeriodNs: period },
    );
    expect(r.converged).toBe(true);
    expect(zTau(r, 0, 0.48)).toBeLessThan(3);
    expect(zTau(r, 1, 52)).toBeLessThan(3);
    const [b, d] = r.components;
    expect(Math.abs(b!.photonFraction - 0.42) / b!.photonFractionStderr!).toBeLessThan(3);
    expect(Math.abs(d!.photonFraction - 0.58) / d!.photonFractionStderr!).toBeLessThan(3);
    expect(Math.round(100 * d!.photonFraction)).toBeGreaterThanOrEqual(57);
    expect(Math.round(100 * d!.photonFraction)).toBeLessThanOrEqual(59);
  });
  it('ignoring the pile-up fits worse and misplaces the dark fraction', () => {
    const good = fitDecay(
      { t: sim.timeNs, counts: sim.counts },
      { gaussianIrf: { fwhmNs: 0.1 }, components: 2, repetitionPeriodNs: period },
    );
    const naive = fitDecay(
      { t: sim.timeNs, counts: sim.counts },
      { gaussianIrf: { fwhmNs: 0.1 }, components: 2 },
    );
    expect(naive.deviance).toBeGreaterThan(good.deviance + 20);
    const dn = naive.components[1]!;
    expect(Math.abs(dn.photonFraction - 0.58)).toBeGreaterThan(3 * (dn.photonFractionStderr ?? 0));
  });
});

describe('paper 001: tri-exponential TCSPC of CsPbBr3@SiO2 films', () => {
  it('recovers lifetimes in the reported ranges (0.75-1.3, 4.3-5.7, 23.4-38.8 ns) within 3 stderr', () => {
    // 400 kHz excitation (2.5 us between pulses): no pile-up; IRF < 200 ps FWHM
    const truth = [1.0, 5.0, 30];
    const sim = simulateDecay({
      components: [
        { tauNs: truth[0]!, photonFraction: 0.25 },
        { tauNs: truth[1]!, photonFraction: 0.35 },
        { tauNs: truth[2]!, photonFraction: 0.4 },
      ],
      gaussianIrf: { fwhmNs: 0.18, centerNs: 3 },
      background: 2,
      totalCounts: 1e6,
      binNs: 0.05,
      nBins: 4096,
      seed: 1,
    });
    const r = fitDecay(
      { t: sim.timeNs, counts: sim.counts },
      { gaussianIrf: { fwhmNs: 0.18 }, components: 3 },
    );
    expect(r.converged).toBe(true);
    truth.forEach((tau, k) => expect(zTau(r, k, tau)).toBeLessThan(3));
    const ranges: Array<[number, number]> = [
      [0.75, 1.3],
      [4.3, 5.7],
      [23.4, 38.8],
    ];
    r.components.forEach((c, k) => {
      expect(c.tauNs).toBeGreaterThan(ranges[k]![0]);
      expect(c.tauNs).toBeLessThan(ranges[k]![1]);
    });
  });
});

describe('bad and awkward input', () => {
  const t = Float64Array.from({ length: 200 }, (_, i) => i * 0.05);
  const counts = Float64Array.from(t, (x) => Math.round(100 * Math.exp(-x / 2)));
  const g = { gaussianIrf: { fwhmNs: 0.2 } };
  it('errors clearly', () => {
    const bad = (f: () => unknown, re: RegExp): void => {
      expect(f).toThrow(InvalidInputError);
      expect(f).toThrow(re);
    };
    bad(() => fitDecay({ t, counts: new Float64Array(200) }, g), /no counts/);
    bad(
      () => fitDecay({ t, counts: Float64Array.from(counts, (v, i) => (i === 17 ? NaN : v)) }, g),
      /not a finite number at bin 17/,
    );
    bad(
      () => fitDecay({ t, counts: Float64Array.from(counts, (v, i) => (i === 3 ? -1 : v)) }, g),
      /negative at bin 3/,
    );
    bad(() => fitDecay({ t, counts }, {}), /instrument response/);
    bad(
      () => fitDecay({ t, counts }, { irf: new Float64Array(300).fill(1) }),
      /longer than the decay/,
    );
    bad(
      () =>
        fitDecay(
          { t, counts },
          {
            irf: {
              t: Float64Array.from({ length: 100 }, (_, i) => i * 0.1),
              counts: new Float64Array(100).fill(5),
            },
          },
        ),
      /bins are 0.1 ns wide but the decay's are 0.05/,
    );
    bad(
      () => fitDecay({ t, counts }, { irf: new Float64Array(100).fill(7) }),
      /no counts above its background/,
    );
    bad(() => fitDecay({ t, counts }, { ...g, components: 5 as never }), /components must be/);
    bad(() => fitDecay({ t, counts }, { ...g, bogus: 1 } as never), /unknown option "bogus"/);
    bad(() => fitDecay({ t: [0, 1, 3], counts: [1, 2, 3] }, g), /uniform/);
    bad(
      () => fitDecay({ t, counts: counts.subarray(0, 10) }, g),
      /t has 200 values but counts has 10/,
    );
    bad(() => fitDecay({ t, counts }, { ...g, fitRange: { startNs: 9.9 } }), /fitRange/);
    bad(
      () => fitDecay({ t, counts }, { ...g, repetitionPeriodNs: 5 }),
      /shorter than the histogram/,
    );
    bad(
      () => fitDecay({ t, counts }, { ...g, kind: 'stretched', repetitionPeriodNs: 50 }),
      /exponential terms only/,
    );
  });
  it('warns about too few counts, and never returns NaN lifetimes even for a handful of photons', () => {
    const sparse = new Float64Array(200);
    sparse[22] = 3;
    sparse[30] = 1;
    sparse[61] = 1;
    sparse[150] = 1;
    const r = fitDecay({ t, counts: sparse }, { ...g, components: 2 });
    expect(r.warnings.some((w) => /only 6 counts/.test(w))).toBe(true);
    for (const c of r.components) {
      expect(Number.isFinite(c.tauNs)).toBe(true);
      expect(c.tauNsStderr === null || Number.isFinite(c.tauNsStderr)).toBe(true);
      expect(Number.isFinite(c.photonFraction)).toBe(true);
    }
    expect(JSON.stringify({ ...r, timeNs: [], counts: [], best: [], residuals: [] })).not.toMatch(
      /NaN/,
    );
  });
  it('accepts calibrated arrays with ps axes and an IRF on its own time axis', () => {
    const n = 600;
    const dt = 0.02;
    const irf = measuredIrf(n, dt, 2);
    const sim = simulateDecay({
      components: [{ tauNs: 1.2, amplitude: 1 }],
      irf,
      totalCounts: 1e5,
      background: 1,
      binNs: dt,
      nBins: n,
      seed: 9,
    });
    const decay = {
      data: sim.counts,
      axes: [{ name: 'time', unit: 'ps', size: n, scale: 20, offset: 0 }],
      unit: 'counts',
      name: 'decay',
      metadata: {},
    };
    // the IRF recorded from 1 ns on (50 bins later), 400 bins long
    const irfLate = {
      t: Float64Array.from({ length: 400 }, (_, i) => 1 + i * dt),
      counts: irf.subarray(50, 450),
    };
    const r = fitDecay(decay, { irf: irfLate });
    expect(zTau(r, 0, 1.2)).toBeLessThan(3);
    expect(Math.abs(r.shiftNs!.value) / r.shiftNs!.stderr!).toBeLessThan(3);
    expect(prepareIrf(irf, dt).backgroundCounts).toBeCloseTo(15, 0);
  });
});
