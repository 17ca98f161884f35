/**
 * Kinetics benchmark: nanolum's TCSPC fits against scipy `least_squares` (bench/kinetics-peer.py)
 * on the same simulated data, in one run of the peer:
 *  (a) FLIM, 256 x 256 pixels of ~1000-count decays (1 exponential + background, reconvolved with
 *      a measured IRF), on 2 worker threads; the peer fits a subset of pixels and is extrapolated;
 *  (b) a 3-exponential reconvolution fit of a 4096-bin decay with a fitted IRF shift.
 */
import '../src/node/workers.js'; // worker_threads backend for parallelMap
import { fileURLToPath } from 'node:url';
import { fitFlim, simulateFlim } from '../src/kinetics/flim/index.js';
import { fitDecay, simulateDecay } from '../src/kinetics/tcspc/index.js';
import {
  type BenchResult,
  type BenchRow,
  PeerServer,
  median,
  peerScript,
  runPeer,
} from './util.js';

const PEER = peerScript('kinetics-peer.py');

/** A measured-looking IRF: Gaussian core, a weak diffusion tail and dark counts. */
function irfCounts(n: number, binNs: number, centerNs: number, sdNs: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const t = (i + 0.5) * binNs;
    return (
      10 +
      3e4 * Math.exp(-0.5 * ((t - centerNs) / sdNs) ** 2) +
      (t > centerNs ? 600 * Math.exp(-(t - centerNs) / 0.3) : 0)
    );
  });
}

interface PeerOut {
  flim: { pixels: number; ms: number; msPerPixel: number; tau: number[] };
  decay3: { ms: number; nfev: number; tau: number[]; status: number };
}

/**
 * Runs both cases; `size` is the FLIM image side (256 by default), `peerPixels` the pixels the
 * peer fits.
 *
 * @example
 * const { rows } = await benchKinetics();
 */
export async function benchKinetics(
  options: { size?: number; peerPixels?: number; repeats?: number } = {},
): Promise<BenchResult> {
  const size = options.size ?? 256;
  const peerPixels = options.peerPixels ?? 256;
  const repeats = options.repeats ?? 60;

  // (b) 3-exponential decay
  const n3 = 4096;
  const bin3 = 0.005;
  const irf3 = irfCounts(n3, bin3, 1.5, 0.06);
  const dec3 = simulateDecay({
    components: [
      { tauNs: 0.3, photonFraction: 0.2 },
      { tauNs: 2, photonFraction: 0.4 },
      { tauNs: 8, photonFraction: 0.4 },
    ],
    irf: irf3,
    shiftNs: 0.03,
    background: 2,
    totalCounts: 1e6,
    binNs: bin3,
    nBins: n3,
    seed: 7,
  });

  // (b) first, while the heap is small (as in a batch of single decays). The peer runs as a
  // server (`--serve`) and the two programs alternate in blocks - a few scipy fits, then a
  // dozen nanolum fits, each program back to back as in a batch - so that both see the same
  // background load on a shared machine.
  let peer3: PeerOut['decay3'] | null = null;
  let peerError = '';
  const peerTimes: number[] = [];
  let server: PeerServer | null = null;
  try {
    server = (
      await PeerServer.start(PEER, {
        decay3: { irf: Array.from(irf3), counts: Array.from(dec3.counts), binNs: bin3 },
      })
    ).server;
  } catch (e) {
    peerError = (e as Error).message.split('\n')[0]!;
  }
  const opts = { irf: { t: dec3.timeNs, counts: irf3 }, components: 3 as const };
  const tFirst = performance.now();
  const first = fitDecay({ t: dec3.timeNs, counts: dec3.counts }, opts);
  const firstMs = performance.now() - tFirst;
  // Steady state, as in a batch of decays (hundreds of particles or files): V8 compiles the fit
  // code over the first ~100 calls, so the first 200 are not timed (the peer's warm-up fit,
  // which loads and compiles its code, is not timed either).
  const WARMUP = 200;
  for (let i = 0; i < WARMUP; i++) fitDecay({ t: dec3.timeNs, counts: dec3.counts }, opts);
  const ROUNDS = 5;
  const PEER_PER_ROUND = 3;
  const PER_ROUND = Math.max(1, Math.ceil(repeats / ROUNDS));
  const times: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; server && k < PEER_PER_ROUND; k++) {
        const r = (await server.request({ run: 0 })) as PeerOut['decay3'];
        peerTimes.push(r.ms);
        peer3 ??= r;
      }
      for (let k = 0; k < PER_ROUND; k++) {
        const t = performance.now();
        fitDecay({ t: dec3.timeNs, counts: dec3.counts }, opts);
        times.push(performance.now() - t);
      }
    }
  } catch (e) {
    peerError = (e as Error).message.split('\n')[0]!;
    peer3 = null;
  } finally {
    server?.close();
  }
  if (peer3) peer3 = { ...peer3, ms: median(peerTimes) };
  const decMs = median(times);

  // (a) FLIM data
  const nt = 256;
  const binNs = 0.05;
  const irfF = irfCounts(nt, binNs, 1.2, 0.08);
  const sim = simulateFlim({
    width: size,
    height: size,
    nt,
    binNs,
    lifetimeNs: (x, y) => 0.8 + (2.4 * x) / size + (0.6 * y) / size,
    counts: 1000,
    background: 0.1,
    irf: irfF,
    seed: 2024,
  });
  // (a) the peer on a spread-out subset of the FLIM pixels, then nanolum on all of them
  const stride = Math.max(1, Math.floor((size * size) / peerPixels));
  const subset: number[][] = [];
  for (let p = 0; p < size * size && subset.length < peerPixels; p += stride) {
    subset.push(Array.from(sim.cube.data.subarray(p * nt, (p + 1) * nt)));
  }
  let peerFlim: PeerOut['flim'] | null = null;
  try {
    peerFlim = (
      runPeer(PEER, [], { flim: { irf: Array.from(irfF), decays: subset, binNs } }) as PeerOut
    ).flim;
  } catch (e) {
    peerError = (e as Error).message.split('\n')[0]!;
  }
  const t0 = performance.now();
  const flim = await fitFlim(sim.cube, { irf: irfF, workers: 2 });
  const flimMs = performance.now() - t0;
  let rms = 0;
  for (let p = 0; p < size * size; p++) rms += (flim.lifetimeNs[p]! - sim.lifetimeNs[p]!) ** 2;
  rms = Math.sqrt(rms / (size * size));

  const rows: BenchRow[] = [];
  const flimPeerMs = peerFlim ? peerFlim.msPerPixel * size * size : NaN;
  rows.push({
    name: `FLIM ${size} x ${size} x ${nt} (1 exp + bg, measured IRF)`,
    nanolumMs: flimMs,
    peerMs: flimPeerMs,
    ratio: flimPeerMs / flimMs,
    note:
      `nanolum: 2 worker threads, Poisson ML per pixel, ${flim.statusCounts.converged} converged, rms lifetime error ${(1000 * rms).toFixed(0)} ps; ` +
      (peerFlim
        ? `scipy: ${peerFlim.pixels} pixels in ${peerFlim.ms.toFixed(0)} ms on one core, extrapolated to ${size * size} pixels (x${((size * size) / peerFlim.pixels).toFixed(0)}), IRF position given`
        : `peer failed: ${peerError}`),
  });
  rows.push({
    name: '3-exponential reconvolution fit, 4096 bins',
    nanolumMs: decMs,
    peerMs: peer3 ? peer3.ms : NaN,
    ratio: peer3 ? peer3.ms / decMs : NaN,
    note:
      `nanolum: Poisson ML with automatic starting values, median of ${times.length} calls after ${WARMUP} warm-up calls, in blocks alternating with the peer's (first call ${firstMs.toFixed(1)} ms), tau = ${first.components.map((c) => c.tauNs.toFixed(3)).join(', ')} ns; ` +
      (peer3
        ? `scipy trf, fftconvolve, Neyman weights, from a generic start (median of ${peerTimes.length} fits): ${peer3.nfev} evaluations, tau = ${peer3.tau.map((v) => v.toFixed(3)).join(', ')} ns`
        : `peer failed: ${peerError}`),
  });
  return {
    title: 'TCSPC kinetics (peer: scipy least_squares)',
    rows,
    summary:
      'Targets: FLIM 256 x 256 in <= 10 s on 2 cores; the 3-exponential fit >= 20x faster than scipy.',
  };
}

// `tsx bench/kinetics.ts` runs it alone
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { printTable } = await import('./util.js');
  printTable(await benchKinetics());
}
