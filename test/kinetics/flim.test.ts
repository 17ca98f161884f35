/**
 * fitFlim: per-pixel round trips with honest standard errors, identical results on worker
 * threads and in this thread, binning, skipped pixels, progress and cancellation, fixed
 * lifetimes (amplitude maps), and bad input.
 */
import { describe, expect, it } from 'vitest';
import '../../src/node/workers.js'; // registers the worker_threads backend
import { CancelledError, InvalidInputError } from '../../src/core/errors.js';
import { calibrated } from '../../src/data/calibrated.js';
import { uniformAxis } from '../../src/data/axis.js';
import { FLIM_STATUS, binRows, fitFlim, simulateFlim } from '../../src/kinetics/flim/index.js';
import { DecayModel } from '../../src/kinetics/tcspc/index.js';
import { poissonNoise } from '../../src/random/poisson.js';
import { createRng } from '../../src/random/rng.js';

const NT = 128;
const BIN = 0.1;
const IRF = Float64Array.from(
  { length: NT },
  (_, i) => 12 + 3e4 * Math.exp(-0.5 * (((i + 0.5) * BIN - 1.2) / 0.09) ** 2),
);

describe('FLIM round trip', () => {
  const W = 24;
  const H = 20;
  const sim = simulateFlim({
    width: W,
    height: H,
    nt: NT,
    binNs: BIN,
    lifetimeNs: (x, y) => 0.8 + (2.5 * x) / W + (0.5 * y) / H,
    counts: 1500,
    background: 0.3,
    irf: IRF,
    shiftNs: 0.035,
    seed: 12,
  });

  it('recovers every pixel lifetime with honest standard errors (in this thread)', async () => {
    const r = await fitFlim(sim.cube, { irf: IRF, workers: 0 });
    expect(r.width).toBe(W);
    expect(r.height).toBe(H);
    expect(r.statusCounts.converged).toBe(W * H);
    let sz = 0;
    let szz = 0;
    let within2 = 0;
    for (let p = 0; p < W * H; p++) {
      const z = (r.lifetimeNs[p]! - sim.lifetimeNs[p]!) / r.lifetimeStderrNs[p]!;
      sz += z;
      szz += z * z;
      if (Math.abs(z) < 2) within2++;
    }
    const n = W * H;
    console.log(
      `FLIM ${W} x ${H}: mean z ${(sz / n).toFixed(3)}, rms z ${Math.sqrt(szz / n).toFixed(3)}, |z| < 2: ${((100 * within2) / n).toFixed(1)} %; IRF shift ${r.shiftNs.toFixed(4)} ns`,
    );
    expect(Math.abs(sz / n)).toBeLessThan(0.15);
    expect(Math.sqrt(szz / n)).toBeGreaterThan(0.85);
    expect(Math.sqrt(szz / n)).toBeLessThan(1.15);
    expect(within2 / n).toBeGreaterThan(0.92);
    // the whole-image fit found the IRF shift
    expect(Math.abs(r.shiftNs - 0.035)).toBeLessThan(3 * r.shiftStderrNs!);
    // photons: the counts of each pixel (the whole histogram is fitted)
    let sum0 = 0;
    for (let t = 0; t < NT; t++) sum0 += sim.cube.data[t]!;
    expect(r.photons[0]).toBe(sum0);
    // amplitudes against the truth, on average
    let ra = 0;
    for (let p = 0; p < n; p++) ra += r.amplitude[p]! / sim.amplitude[p]!;
    expect(ra / n).toBeCloseTo(1, 1);
    for (let p = 0; p < n; p++) expect(r.chi2[p]).toBeGreaterThan(0.3);
  });

  it('gives identical maps on two worker threads, with progress reported', async () => {
    const progress: number[] = [];
    const a = await fitFlim(sim.cube, { irf: IRF, workers: 0, rowsPerTask: 3 });
    const b = await fitFlim(sim.cube, {
      irf: IRF,
      workers: 2,
      rowsPerTask: 3,
      onProgress: (d, total) => progress.push(d / total),
    });
    expect(Array.from(b.lifetimeNs)).toEqual(Array.from(a.lifetimeNs));
    expect(Array.from(b.status)).toEqual(Array.from(a.status));
    expect(Array.from(b.chi2)).toEqual(Array.from(a.chi2));
    expect(progress.length).toBe(Math.ceil(H / 3));
    expect(progress[progress.length - 1]).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
  });

  it('can be cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(fitFlim(sim.cube, { irf: IRF, workers: 0, signal: ac.signal })).rejects.toThrow(
      CancelledError,
    );
  });
});

describe('binning and skipped pixels', () => {
  it('binRows sums the (2r+1) x (2r+1) neighbourhood, clipped at the edges', () => {
    const ny = 5;
    const nx = 4;
    const nt = 3;
    const data = Float64Array.from({ length: ny * nx * nt }, (_, i) => (i * 7) % 11);
    const out = binRows(data, ny, nx, nt, 1, 1, 4);
    for (let oy = 0; oy < 3; oy++) {
      for (let x = 0; x < nx; x++) {
        for (let t = 0; t < nt; t++) {
          let s = 0;
          for (let yy = oy; yy <= oy + 2; yy++)
            for (let xx = Math.max(0, x - 1); xx <= Math.min(nx - 1, x + 1); xx++)
              s += data[(yy * nx + xx) * nt + t]!;
          expect(out[(oy * nx + x) * nt + t]).toBe(s);
        }
      }
    }
  });

  it('binning pools dim pixels; pixels below minCounts are skipped, with NaN values and a warning', async () => {
    const W = 16;
    const H = 12;
    // dim image (60 counts per pixel) with a dark corner (no counts)
    const sim = simulateFlim({
      width: W,
      height: H,
      nt: NT,
      binNs: BIN,
      lifetimeNs: () => 2,
      counts: (x, y) => (x < 3 && y < 3 ? 0 : 60),
      irf: IRF,
      seed: 5,
    });
    const raw = await fitFlim(sim.cube, { irf: IRF, workers: 0, minCounts: 30, background: 0 });
    const binned = await fitFlim(sim.cube, {
      irf: IRF,
      workers: 0,
      minCounts: 30,
      background: 0,
      binning: 1,
    });
    expect(raw.status[0]).toBe(FLIM_STATUS.skipped);
    expect(Number.isNaN(raw.lifetimeNs[0]!)).toBe(true);
    expect(raw.warnings.some((w) => /fewer than 30 counts/.test(w))).toBe(true);
    expect(raw.statusCounts.skipped).toBe(9);
    // binned: pixel (1, 1) sees only dark pixels -> skipped; pixel (3, 3) sees 8 lit neighbours of 9... minus the dark ones
    expect(binned.status[1 * W + 1]).toBe(FLIM_STATUS.skipped);
    const interior = 6 * W + 8;
    expect(binned.photons[interior]! / raw.photons[interior]!).toBeGreaterThan(5);
    // the scatter of the lifetimes shrinks with binning (about 3x fewer relative error with 9x the photons)
    const spread = (r: typeof raw): number => {
      const v: number[] = [];
      for (let y = 4; y < H - 1; y++)
        for (let x = 4; x < W - 1; x++) v.push(r.lifetimeNs[y * W + x]!);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    expect(spread(binned)).toBeLessThan(0.6 * spread(raw));
    expect(binned.binning).toBe(1);
  });
});

describe('two components with lifetimes held fixed: amplitude maps', () => {
  it('recovers the local share of a fast and a slow species', async () => {
    const W = 12;
    const H = 10;
    const model = new DecayModel({
      nBins: NT,
      binNs: BIN,
      irf: { kind: 'gaussian', fwhmNs: 0.2 },
      terms: ['exp', 'exp'],
    });
    const share = (x: number): number => 0.1 + (0.8 * x) / (W - 1); // photon share of the fast species
    const data = new Uint16Array(W * H * NT);
    const rng = createRng(77);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const f = share(x);
        const total = 4000;
        // photon share f of tau 0.5 ns; a = share * total * bin / tau
        const mean = model.evaluateFull([
          (f * total * BIN) / 0.5,
          0.5,
          ((1 - f) * total * BIN) / 3,
          3,
          0.2,
          1.5,
        ]);
        data.set(poissonNoise(rng, mean), (y * W + x) * NT);
      }
    }
    const cube = calibrated(data, [
      uniformAxis('y', '', H),
      uniformAxis('x', '', W),
      uniformAxis('time', 'ns', NT, BIN),
    ]);
    const r = await fitFlim(cube, {
      gaussianIrf: { fwhmNs: 0.2 },
      components: 2,
      fixTauNs: [0.5, 3],
      workers: 0,
    });
    expect(r.global.components.map((c) => c.tauNs)).toEqual([0.5, 3]);
    expect(r.tauNs[0]![0]).toBe(0.5);
    for (let x = 0; x < W; x++) {
      let est = 0;
      for (let y = 0; y < H; y++) {
        const p = y * W + x;
        const a1 = r.amplitudes[0]![p]! * 0.5;
        const a2 = r.amplitudes[1]![p]! * 3;
        est += a1 / (a1 + a2);
      }
      expect(Math.abs(est / H - share(x))).toBeLessThan(0.03);
    }
  });
});

describe('bad input', () => {
  it('errors clearly', async () => {
    const good = {
      data: new Uint16Array(2 * 3 * NT).fill(5),
      shape: [2, 3, NT] as [number, number, number],
      binNs: BIN,
    };
    await expect(fitFlim({ ...good, shape: [2, 2, NT] }, { irf: IRF })).rejects.toThrow(
      /needs 512/,
    );
    await expect(
      fitFlim(
        { ...good, data: Float64Array.from(good.data, (v, i) => (i === 130 ? NaN : v)) },
        { irf: IRF },
      ),
    ).rejects.toThrow(/pixel \(y 0, x 1\), time bin 2/);
    await expect(fitFlim(good, { irf: IRF, components: 4 as never })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(fitFlim(good, { irf: IRF, binning: -1 })).rejects.toThrow(/binning/);
    const cube = calibrated(new Uint16Array(NT * 6), [
      uniformAxis('time', 'ns', NT, BIN),
      uniformAxis('y', '', 2),
      uniformAxis('x', '', 3),
    ]);
    await expect(fitFlim(cube, { irf: IRF })).rejects.toThrow(/time axis must be the last/);
    await expect(
      fitFlim({ ...good, data: new Uint16Array(2 * 3 * NT) }, { irf: IRF }),
    ).rejects.toThrow(/no counts/);
  });
});
